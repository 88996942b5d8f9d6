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

const VS16 = '\uFE0F';
/** Text by default: such a code point takes U+FE0F to show as an emoji. */
const TEXT_DEFAULT = /^(?=\p{Emoji})(?!\p{Emoji_Presentation})(?!\p{Emoji_Modifier})./u;
const MODIFIER = /^\p{Emoji_Modifier}$/u;

/**
 * One spelling per emoji, so a reaction typed with or without its variation
 * selector is one group ("❤" and "❤️" are the same heart): every U+FE0F is
 * dropped, then one follows each code point that is text by default (❤, ©,
 * the digit of a keycap, the ♀ of a ZWJ sequence), except before a skin
 * tone, which makes it an emoji on its own. For the emoji of Unicode's
 * emoji-test.txt this is their fully-qualified form.
 */
export function canonicalEmoji(value: string): string {
  const points = [...value.replaceAll(VS16, '')];
  let out = '';
  for (let i = 0; i < points.length; i++) {
    out += points[i];
    if (TEXT_DEFAULT.test(points[i]!) && !MODIFIER.test(points[i + 1] ?? '')) out += VS16;
  }
  return out;
}
