// Previews of uploaded images (Media.thumbnailUrl): what a conversation shows
// in place of a 10 MiB photo. Made once, at upload, with sharp (libvips): WebP,
// fitting in THUMBNAIL_BOX pixels, turned by the EXIF orientation, with no
// metadata (so no location or camera data leaves with it).
import sharp from 'sharp';
import type { ImageDimensions } from './dimensions.js';

/** The square a thumbnail fits in, pixels. */
export const THUMBNAIL_BOX = 400;
/** Images with more pixels get no thumbnail: decoding one costs memory and time in proportion. */
export const THUMBNAIL_MAX_INPUT_PIXELS = 50_000_000;
/**
 * Thumbnails being made or waiting, per process, beyond which an upload gets
 * none (it is still accepted): an image near THUMBNAIL_MAX_INPUT_PIXELS
 * takes many times a photo's 60 ms (a PNG is decoded whole), so a queue this
 * long can already be seconds of wait for the uploads in it.
 */
export const THUMBNAIL_QUEUE_LIMIT = 16;
/** Making one thumbnail takes at most this long, else there is none. */
const THUMBNAIL_TIMEOUT_SECONDS = 10;

// Each image is read once: libvips' operation cache would only hold memory.
sharp.cache(false);
// One libvips thread per image (see ThumbnailMaker).
sharp.concurrency(1);

/**
 * Makes thumbnails one at a time per process, each on one libvips thread, so
 * a burst of uploads queues here instead of taking every core from the
 * GraphQL traffic (about 60 ms of CPU for a 3.4 MiB 12-megapixel JPEG, which
 * libvips decodes already shrunk: `npm run bench -- media`, docs/performance.md).
 */
export class ThumbnailMaker {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /**
   * The WebP thumbnail of the image file at `path`; undefined when it has
   * none: too many pixels by its header (`dimensions`) or by libvips' reading,
   * not decodable (bytes that only start like an image), too slow, or
   * THUMBNAIL_QUEUE_LIMIT others already waiting.
   */
  make(path: string, dimensions: ImageDimensions | null): Promise<Buffer | undefined> {
    if (dimensions && dimensions.width * dimensions.height > THUMBNAIL_MAX_INPUT_PIXELS) return Promise.resolve(undefined);
    if (this.pending >= THUMBNAIL_QUEUE_LIMIT) return Promise.resolve(undefined);
    this.pending++;
    const made = this.tail.then(() =>
      sharp(path, { limitInputPixels: THUMBNAIL_MAX_INPUT_PIXELS, sequentialRead: true, failOn: 'error' })
        .rotate()
        .resize(THUMBNAIL_BOX, THUMBNAIL_BOX, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 })
        .timeout({ seconds: THUMBNAIL_TIMEOUT_SECONDS })
        .toBuffer()
        .catch(() => undefined)
        .finally(() => this.pending--),
    );
    this.tail = made;
    return made;
  }
}
