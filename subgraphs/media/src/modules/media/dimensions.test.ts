import { describe, expect, it } from 'vitest';
import { contentCheck } from './content-types.js';
import { DIMENSION_PROBE_BYTES, dimensionProbe, jpegSize } from './dimensions.js';
import { avifOf, gifOf, jpegOf, pngOf, webpOf } from './image-fixtures.js';

/** Feeds `bytes` in pieces of `piece` bytes, as an upload arrives, and reads the size. */
function measured(type: string, bytes: Buffer, piece = 1000) {
  const probe = dimensionProbe(type)!;
  for (let at = 0; at < bytes.length; at += piece) probe.feed(bytes.subarray(at, at + piece));
  return probe.dimensions();
}

describe('image dimensions', () => {
  const images: Array<[string, Buffer]> = [
    ['image/png', pngOf(640, 480)],
    ['image/gif', gifOf(320, 200)],
    ['image/webp', webpOf(4000, 3000)],
    ['image/avif', avifOf(1920, 1080)],
    ['image/jpeg', jpegOf(1024, 768)],
  ];

  it.each(images)('reads the size of %s, whatever the pieces it arrives in', (type, bytes) => {
    const expected = { 'image/png': [640, 480], 'image/gif': [320, 200], 'image/webp': [4000, 3000], 'image/avif': [1920, 1080], 'image/jpeg': [1024, 768] }[type]!;
    for (const piece of [1, 7, 1000]) expect(measured(type, bytes, piece)).toEqual({ width: expected[0], height: expected[1] });
    // The fixtures are what the upload check accepts.
    const check = contentCheck(type)!;
    check.feed(bytes);
    expect(() => check.end()).not.toThrow();
  });

  it('applies a JPEG’s EXIF orientation: 5 to 8 turn the picture a quarter', () => {
    for (const orientation of [1, 2, 3, 4]) expect(measured('image/jpeg', jpegOf(4032, 3024, { orientation }))).toEqual({ width: 4032, height: 3024 });
    for (const orientation of [5, 6, 7, 8]) expect(measured('image/jpeg', jpegOf(4032, 3024, { orientation }))).toEqual({ width: 3024, height: 4032 });
    expect(measured('image/jpeg', jpegOf(4032, 3024, { orientation: 6, littleEndian: true }))).toEqual({ width: 3024, height: 4032 });
    expect(jpegSize(jpegOf(10, 20, { orientation: 6 }))).toEqual({ width: 10, height: 20, orientation: 6 });
  });

  it('finds a JPEG frame after metadata within the probed bytes, and none beyond them', () => {
    expect(measured('image/jpeg', jpegOf(800, 600, { orientation: 6, padding: 200 * 1024 }), 65536)).toEqual({ width: 600, height: 800 });
    expect(measured('image/jpeg', jpegOf(800, 600, { padding: DIMENSION_PROBE_BYTES }), 65536)).toBeNull();
  });

  it('never completes a truncated header with bytes that are not the upload’s', () => {
    // Small Buffers share Node's pool: fill it with bytes that would make a size, then probe a header cut before its height.
    for (let i = 0; i < 64; i++) Buffer.from(pngOf(640, 480)).fill(0x7f);
    for (let i = 0; i < 200; i++) expect(measured('image/png', Buffer.from(pngOf(640, 480).subarray(0, 20)), 7)).toBeNull();
  });

  it('is null for headers that hold no usable size, and absent for files that are not images', () => {
    const zeros = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(DIMENSION_PROBE_BYTES)]);
    const cases: Array<[string, Buffer]> = [
      ['image/png', pngOf(0, 480)],
      ['image/png', pngOf(640, 480).subarray(0, 20)],
      ['image/png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 0xab)])],
      ['image/png', pngOf(2 ** 31, 10)],
      ['image/gif', gifOf(0, 0)],
      ['image/avif', avifOf(1920, 1080).subarray(0, 40)],
      ['image/jpeg', zeros],
      ['image/jpeg', jpegOf(800, 600).subarray(0, 8)],
      ['image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 2])],
    ];
    for (const [type, bytes] of cases) expect(measured(type, bytes), `${type} ${bytes.subarray(0, 24).toString('hex')}`).toBeNull();
    for (const type of ['application/pdf', 'text/plain', 'video/mp4', 'audio/mpeg', 'application/octet-stream']) expect(dimensionProbe(type)).toBeUndefined();
  });
});
