const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Emoji_Presentation}/u;
/** 0-9, # and * become emoji only as keycaps: the character, U+FE0F optionally, U+20E3. */
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u;
/** A flag: two regional indicator symbols (one grapheme). */
const FLAG = /^\p{Regional_Indicator}{2}$/u;
/** Characters that are never part of an emoji grapheme. */
const FORBIDDEN = /[\p{Cc}\p{Z}]/u;

/** Longest accepted emoji, in UTF-16 code units (family and flag sequences included). */
export const MAX_EMOJI_LENGTH = 64;

/**
 * Whether `value` is exactly one emoji: one grapheme cluster (Intl.Segmenter)
 * that is pictographic (Extended_Pictographic or Emoji_Presentation, so
 * ZWJ sequences and skin tones count), a keycap or a flag. Text, several
 * emoji, and letters with an emoji attached are not.
 */
export function isSingleEmoji(value: unknown): value is string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_EMOJI_LENGTH || FORBIDDEN.test(value)) return false;
  const graphemes = [...segmenter.segment(value)];
  if (graphemes.length !== 1) return false;
  if (KEYCAP.test(value) || FLAG.test(value)) return true;
  // Every code point of the cluster must belong to an emoji sequence: a
  // pictograph, a modifier, a joiner, a variation selector or a tag.
  const first = String.fromCodePoint(value.codePointAt(0)!);
  if (!PICTOGRAPHIC.test(first)) return false;
  return [...value].every((ch) => PICTOGRAPHIC.test(ch) || /[\p{Emoji_Modifier}\u200D\uFE0F\u{E0020}-\u{E007F}\u20E3]/u.test(ch));
}
