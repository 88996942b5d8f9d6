// Smallest well-formed headers of each image type, of a given size, for the
// tests of dimensions.ts and of uploads through the router (not used by the
// service itself). Each one passes content-types.ts's check for its type.

const u16be = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u24le = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
const box = (type: string, ...body: Buffer[]) => Buffer.concat([u32be(8 + body.reduce((n, b) => n + b.length, 0)), Buffer.from(type, 'latin1'), ...body]);

export function pngOf(width: number, height: number, trailing = 64): Buffer {
  const ihdr = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 6, 0, 0, 0])]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), u32be(13), Buffer.from('IHDR'), ihdr, Buffer.alloc(4), Buffer.alloc(trailing)]);
}

export function gifOf(width: number, height: number): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt16LE(width, 0);
  size.writeUInt16LE(height, 2);
  return Buffer.concat([Buffer.from('GIF89a'), size, Buffer.alloc(32)]);
}

/** A WebP of the extended format (VP8X), which carries the canvas size as 24-bit numbers. */
export function webpOf(width: number, height: number): Buffer {
  const vp8x = Buffer.concat([Buffer.from('VP8X'), Buffer.from([10, 0, 0, 0]), Buffer.alloc(4), u24le(width - 1), u24le(height - 1)]);
  const body = Buffer.concat([Buffer.from('WEBP'), vp8x, Buffer.alloc(32)]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, body]);
}

/** An AVIF: `ftyp`, then `meta` › `iprp` › `ipco` › `ispe` (the image's spatial extent). */
export function avifOf(width: number, height: number): Buffer {
  const fullBox = (type: string, ...body: Buffer[]) => box(type, Buffer.alloc(4), ...body);
  const ispe = fullBox('ispe', u32be(width), u32be(height));
  return Buffer.concat([box('ftyp', Buffer.from('avif'), Buffer.alloc(4), Buffer.from('mif1')), fullBox('meta', box('iprp', box('ipco', ispe))), Buffer.alloc(32)]);
}

/**
 * A baseline JPEG: SOI, an APP1 Exif segment with `orientation` when given,
 * an APPn segment of `padding` bytes (metadata before the frame), then the
 * frame (SOF0) and the start of a scan.
 */
export function jpegOf(width: number, height: number, options: { orientation?: number; padding?: number; littleEndian?: boolean } = {}): Buffer {
  const segment = (marker: number, body: Buffer) => Buffer.concat([Buffer.from([0xff, marker]), u16be(body.length + 2), body]);
  const parts = [Buffer.from([0xff, 0xd8])];
  if (options.orientation !== undefined) {
    const le = options.littleEndian === true;
    const w16 = (n: number) => (le ? Buffer.from([n & 0xff, n >> 8]) : u16be(n));
    const w32 = (n: number) => {
      const b = Buffer.alloc(4);
      if (le) b.writeUInt32LE(n);
      else b.writeUInt32BE(n);
      return b;
    };
    // TIFF header, then one directory of two entries: ImageWidth (ignored), Orientation.
    const tiff = Buffer.concat([Buffer.from(le ? 'II' : 'MM'), w16(42), w32(8), w16(2), w16(0x0100), w16(3), w32(1), w16(width), w16(0), w16(0x0112), w16(3), w32(1), w16(options.orientation), w16(0), w32(0)]);
    parts.push(segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])));
  }
  for (let left = options.padding ?? 0; left > 0; left -= 65_000) parts.push(segment(0xe2, Buffer.alloc(Math.min(left, 65_000))));
  parts.push(segment(0xc0, Buffer.concat([Buffer.from([8]), u16be(height), u16be(width), Buffer.from([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])])));
  parts.push(segment(0xda, Buffer.from([3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0])), Buffer.alloc(64, 0x55), Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}
