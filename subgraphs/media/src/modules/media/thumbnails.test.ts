import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngOf } from './image-fixtures.js';
import { THUMBNAIL_MAX_INPUT_PIXELS, THUMBNAIL_QUEUE_LIMIT, ThumbnailMaker } from './thumbnails.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'storm-thumbnails-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Buffer): Promise<string> {
  await writeFile(join(dir, name), bytes);
  return join(dir, name);
}

describe('thumbnails', () => {
  const maker = new ThumbnailMaker();

  it('fits a picture in 400 × 400, keeping its proportions, as WebP', async () => {
    const wide = await file('wide.png', await sharp({ create: { width: 2000, height: 500, channels: 3, background: '#336699' } }).png().toBuffer());
    const thumb = await maker.make(wide, { width: 2000, height: 500 });
    expect(await sharp(thumb!).metadata()).toMatchObject({ format: 'webp', width: 400, height: 100 });
  });

  it('makes none for an image its header says is too large, before decoding anything', async () => {
    const real = await file('real.png', await sharp({ create: { width: 50, height: 50, channels: 3, background: '#000' } }).png().toBuffer());
    // The same decodable file, said to be larger than the bound: refused on the header's word alone.
    expect(await maker.make(real, { width: 10_000, height: THUMBNAIL_MAX_INPUT_PIXELS / 10_000 + 1 })).toBeUndefined();
    expect(await maker.make(real, { width: 50, height: 50 })).toBeInstanceOf(Buffer);
  });

  it('makes none for bytes that only start like an image, and gives each of many asked at once its own answer', async () => {
    const fake = await file('fake.png', pngOf(640, 480));
    expect(await maker.make(fake, { width: 640, height: 480 })).toBeUndefined();
    const real = await file('many.png', await sharp({ create: { width: 800, height: 800, channels: 3, background: '#abcdef' } }).png().toBuffer());
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? maker.make(fake, null) : maker.make(real, null))));
    expect(made.map((m) => m !== undefined)).toEqual([true, false, true, false, true, false, true, false]);
  });

  it(`makes none beyond ${THUMBNAIL_QUEUE_LIMIT} waiting, so a burst of large images cannot queue every upload behind it`, async () => {
    const real = await file('burst.png', await sharp({ create: { width: 600, height: 600, channels: 3, background: '#fedcba' } }).png().toBuffer());
    const made = await Promise.all(Array.from({ length: THUMBNAIL_QUEUE_LIMIT + 4 }, () => maker.make(real, null)));
    expect(made.map((m) => m !== undefined)).toEqual([...Array<boolean>(THUMBNAIL_QUEUE_LIMIT).fill(true), false, false, false, false]);
    // Once the queue drained, the next one is made again.
    expect(await maker.make(real, null)).toBeInstanceOf(Buffer);
  });
});
