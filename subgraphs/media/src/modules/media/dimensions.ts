// The pixel size of an uploaded image, read from its header as the bytes
// stream to storage, so clients can lay out a message's pictures before they
// load them (Media.width / height).
import { imageSize } from 'image-size';

/** Bytes of an image kept to read its size: every header fits, except a JPEG's whose metadata before the frame is larger. */
export const DIMENSION_PROBE_BYTES = 256 * 1024;

export interface ImageDimensions {
  width: number;
  height: number;
}

/** Collects the first DIMENSION_PROBE_BYTES of an upload and reads its size from them. */
export interface DimensionProbe {
  feed(chunk: Buffer): void;
  /** Pixels as displayed (a JPEG's EXIF orientation applied); null when the header is not readable within the probed bytes. */
  dimensions(): ImageDimensions | null;
}

/** Largest side kept: larger (a corrupt header) is unknown rather than a number no client can use (and no Int column holds). */
const MAX_SIDE = 2 ** 31 - 1;

/** A probe for an image type (image/png, image/jpeg, …); undefined for other files, which have no size. */
export function dimensionProbe(contentType: string): DimensionProbe | undefined {
  if (!contentType.startsWith('image/')) return undefined;
  const chunks: Buffer[] = [];
  let kept = 0;
  return {
    feed(chunk) {
      if (kept >= DIMENSION_PROBE_BYTES) return;
      const part = chunk.subarray(0, DIMENSION_PROBE_BYTES - kept);
      chunks.push(part);
      kept += part.length;
    },
    dimensions() {
      // A buffer of its own, exactly this long: image-size reads through a
      // DataView that reaches to the end of the underlying ArrayBuffer, so on a
      // slice of Node's shared pool (Buffer.concat of a few bytes) a truncated
      // header would be completed with whatever bytes follow in the pool.
      const bytes = Buffer.alloc(kept);
      let at = 0;
      for (const chunk of chunks) at += chunk.copy(bytes, at);
      let size: { width: number; height: number; orientation?: number } | undefined;
      try {
        size = contentType === 'image/jpeg' ? jpegSize(bytes) : imageSize(bytes);
      } catch {
        return null;
      }
      if (!size) return null;
      const { width, height, orientation } = size;
      const side = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_SIDE;
      if (!side(width) || !side(height)) return null;
      // EXIF orientations 5–8 turn the picture a quarter: it is shown with width and height swapped.
      return orientation !== undefined && orientation >= 5 && orientation <= 8 ? { width: height, height: width } : { width, height };
    },
  };
}

/** The start-of-frame markers, whose segment holds the picture's size: SOF0–3, 5–7, 9–11, 13–15. */
const JPEG_FRAMES = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * A JPEG's frame size and EXIF orientation, walking its segments one length
 * at a time up to the frame. Not image-size's JPEG reader: it resynchronises on
 * malformed bytes one position at a time, making a new view of the buffer at
 * each, so 256 KiB of zeros after a JPEG signature take a quarter of a million
 * steps; this walk takes one step per segment, and a file that is not a
 * well-formed sequence of segments has no known size.
 */
export function jpegSize(bytes: Buffer): { width: number; height: number; orientation?: number } | undefined {
  let at = 2; // after SOI
  let orientation: number | undefined;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    // Fill bytes, and the markers that stand alone (TEM, RSTn, a repeated SOI).
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    // End of image or start of scan before any frame: not a picture with a size.
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2) return undefined;
    if (JPEG_FRAMES.has(marker)) {
      if (at + 9 > bytes.length) return undefined;
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7), orientation };
    }
    if (marker === 0xe1 && orientation === undefined) orientation = exifOrientation(bytes.subarray(at + 4, Math.min(bytes.length, at + 2 + length)));
    at += 2 + length;
  }
  return undefined;
}

/** The Orientation tag (0x0112) of the first image directory of an APP1 `Exif` segment's body. */
function exifOrientation(segment: Buffer): number | undefined {
  if (segment.length < 14 || segment.toString('latin1', 0, 6) !== 'Exif\0\0') return undefined;
  const tiff = segment.subarray(6);
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const u16 = (offset: number) => (order === 'II' ? tiff.readUInt16LE(offset) : tiff.readUInt16BE(offset));
  const u32 = (offset: number) => (order === 'II' ? tiff.readUInt32LE(offset) : tiff.readUInt32BE(offset));
  const directory = u32(4);
  if (directory + 2 > tiff.length) return undefined;
  for (let i = 0, entries = u16(directory); i < entries; i++) {
    const entry = directory + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    // Type 3 (SHORT), one value, held in the entry itself.
    if (u16(entry) === 0x0112) return u16(entry + 2) === 3 && u32(entry + 4) === 1 ? u16(entry + 8) : undefined;
  }
  return undefined;
}
