// What an upload may be. Every accepted type is checked against the bytes
// themselves, so a file is stored and served only as what it is: a declared
// image/png must start like a PNG, a text/plain must be UTF-8. Anything a
// browser could run (HTML, SVG, JavaScript, XML) is refused outright; what is
// not an image is always served as a download (upload.ts).

/** Why an upload's bytes were refused (the message names what was expected). */
export class ContentMismatch extends Error {
  override name = 'ContentMismatch';
}

/** Checks the whole upload incrementally: `feed` every chunk in order, then `end`. */
export interface ContentCheck {
  feed(chunk: Buffer): void;
  /** Throws ContentMismatch when the bytes are not of the declared type. */
  end(): void;
}

interface ContentRule {
  /** Whether downloads may be shown in the page (`inline`) instead of saved. */
  inline: boolean;
  /** Bytes needed from the start of the file for `head`. */
  headBytes: number;
  /** True when the first `headBytes` bytes (fewer if the file is shorter) are this type's. */
  head?: (head: Buffer) => boolean;
  /** Checks of the whole file, for types whose signature is not only at the start. */
  whole?: () => ContentCheck;
  /** What the message of a refusal calls it. */
  expect: string;
}

const startsWith = (head: Buffer, ...bytes: number[]) => head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
const ascii = (head: Buffer, at: number, text: string) => head.length >= at + text.length && head.toString('latin1', at, at + text.length) === text;

/** ISO-BMFF `ftyp` box whose major or a compatible brand is one of `brands` (AVIF). */
function ftypHasBrand(head: Buffer, brands: readonly string[]): boolean {
  if (!ascii(head, 4, 'ftyp')) return false;
  const size = head.readUInt32BE(0);
  const end = Math.min(size, head.length);
  if (size < 16) return false;
  if (brands.some((b) => ascii(head, 8, b))) return true;
  for (let at = 16; at + 4 <= end; at += 4) if (brands.some((b) => ascii(head, at, b))) return true;
  return false;
}

/** Major brands of ISO-BMFF images (AVIF, HEIF): an `ftyp` box with one is not audio or video. */
const IMAGE_BRANDS = ['avif', 'avis', 'heic', 'heix', 'mif1', 'msf1'];

/** An ISO-BMFF `ftyp` box (MP4, M4A, MOV) whose major brand is not an image's. */
function ftypMedia(head: Buffer): boolean {
  return ascii(head, 4, 'ftyp') && head.readUInt32BE(0) >= 8 && head.length >= 12 && !IMAGE_BRANDS.some((b) => ascii(head, 8, b));
}

/** text/plain: valid UTF-8 without NUL (a NUL means a binary file given the wrong type). */
function utf8Text(): ContentCheck {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const fail = () => new ContentMismatch('text/plain must be UTF-8 text (this is not)');
  return {
    feed(chunk) {
      if (chunk.includes(0)) throw fail();
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        throw fail();
      }
    },
    end() {
      try {
        decoder.decode();
      } catch {
        throw fail();
      }
    },
  };
}

const WEBM: ContentRule = { inline: true, headBytes: 4, head: (h) => startsWith(h, 0x1a, 0x45, 0xdf, 0xa3), expect: 'an EBML (WebM) header' };
const MP4: ContentRule = { inline: true, headBytes: 12, head: ftypMedia, expect: 'an ISO-BMFF (MP4, QuickTime) ftyp box' };

const RULES: ReadonlyMap<string, ContentRule> = new Map<string, ContentRule>([
  ['image/png', { inline: true, headBytes: 8, head: (h) => startsWith(h, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), expect: 'a PNG signature' }],
  ['image/jpeg', { inline: true, headBytes: 3, head: (h) => startsWith(h, 0xff, 0xd8, 0xff), expect: 'a JPEG signature' }],
  ['image/gif', { inline: true, headBytes: 6, head: (h) => ascii(h, 0, 'GIF87a') || ascii(h, 0, 'GIF89a'), expect: 'a GIF signature' }],
  ['image/webp', { inline: true, headBytes: 12, head: (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WEBP'), expect: 'a WebP (RIFF/WEBP) signature' }],
  ['image/avif', { inline: true, headBytes: 64, head: (h) => ftypHasBrand(h, ['avif', 'avis']), expect: 'an AVIF ftyp box' }],
  // Audio and video (voice messages, clips): played in the page, seekable by range requests.
  ['audio/mpeg', { inline: true, headBytes: 3, head: (h) => ascii(h, 0, 'ID3') || (h.length >= 2 && h[0] === 0xff && (h[1]! & 0xe0) === 0xe0), expect: 'an ID3 tag or an MPEG frame' }],
  ['audio/ogg', { inline: true, headBytes: 4, head: (h) => ascii(h, 0, 'OggS'), expect: 'an Ogg page' }],
  ['audio/wav', { inline: true, headBytes: 12, head: (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WAVE'), expect: 'a RIFF/WAVE signature' }],
  // One container, several types: the same check for each.
  ['audio/webm', WEBM],
  ['audio/mp4', MP4],
  ['video/mp4', MP4],
  ['video/webm', WEBM],
  ['video/quicktime', MP4],
  ['application/pdf', { inline: false, headBytes: 5, head: (h) => ascii(h, 0, '%PDF-'), expect: 'a PDF signature' }],
  ['text/plain', { inline: false, headBytes: 0, whole: utf8Text, expect: 'UTF-8 text' }],
  // Any bytes, always saved, never shown (zip files, documents, anything else).
  ['application/octet-stream', { inline: false, headBytes: 0, expect: 'any bytes' }],
]);

/** The content types an upload may declare. */
export const UPLOAD_CONTENT_TYPES: readonly string[] = [...RULES.keys()];

/** `image/PNG; charset=x` → `image/png`; undefined when there is no type at all. */
export function essence(header: string | undefined): string | undefined {
  const type = header?.split(';', 1)[0]!.trim().toLowerCase();
  return type ? type : undefined;
}

/** Whether downloads of this (accepted) type are shown in the page rather than saved. */
export function servedInline(contentType: string): boolean {
  return RULES.get(contentType)?.inline === true;
}

/** The check of an accepted type's bytes; undefined when the type is not accepted. */
export function contentCheck(contentType: string): ContentCheck | undefined {
  const rule = RULES.get(contentType);
  if (!rule) return undefined;
  const chunks: Buffer[] = [];
  let held = 0;
  const whole = rule.whole?.();
  return {
    feed(chunk) {
      if (held < rule.headBytes) {
        chunks.push(chunk.subarray(0, rule.headBytes - held));
        held += Math.min(chunk.length, rule.headBytes - held);
      }
      whole?.feed(chunk);
    },
    end() {
      if (rule.head && !rule.head(Buffer.concat(chunks))) throw new ContentMismatch(`${contentType} must start with ${rule.expect} (these bytes do not)`);
      whole?.end();
    },
  };
}
