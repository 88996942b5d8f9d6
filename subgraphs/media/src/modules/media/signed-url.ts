// Download links. `Media.url` is handed only to callers who may see the
// media (the visibility rules of MediaService), and it is the permission
// itself: `/media/<id>?exp=<unix seconds>&sig=<HMAC>`, so an <img src> or a
// plain download works without an Authorization header. A link stays the same
// for a whole hour (the browser's cache keeps working) and is valid for one to
// two hours; after that the client asks the API for `url` again. Someone who
// loses access (leaves the conversation, the message is deleted) keeps a link
// they already had until it expires, as with any signed URL.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The `variant` query parameter of a thumbnail's link. */
export const THUMBNAIL_VARIANT = 'thumbnail';

/** Links change every this many seconds; each is valid for two of them from its start. */
export const MEDIA_URL_PERIOD_SECONDS = 3600;

export enum LinkFault {
  Malformed = 'malformed',
  Expired = 'expired',
  Forged = 'forged',
}

export class MediaUrlSigner {
  private readonly key: Buffer;

  /** `secret`: the identity key (IDENTITY_SECRET), from which a key for links alone is derived. */
  constructor(secret: Uint8Array) {
    this.key = createHmac('sha256', secret).update('storm media download links v1').digest();
  }

  /** The path to download media `id`, for a caller allowed to see it now. */
  url(id: string, nowMs = Date.now()): string {
    const period = Math.floor(nowMs / 1000 / MEDIA_URL_PERIOD_SECONDS);
    const exp = (period + 2) * MEDIA_URL_PERIOD_SECONDS;
    return `/media/${id}?exp=${exp}&sig=${this.sign(id, exp)}`;
  }

  /** The path to download the thumbnail of media `id` (the same permission as its file's). */
  thumbnailUrl(id: string, nowMs = Date.now()): string {
    return `${this.url(id, nowMs)}&variant=${THUMBNAIL_VARIANT}`;
  }

  /** undefined when `exp` / `sig` make a valid, unexpired link to `id`; else why not. */
  check(id: string, exp: string | null, sig: string | null, nowMs = Date.now()): LinkFault | undefined {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return LinkFault.Malformed;
    const expected = Buffer.from(this.sign(id, Number(exp)));
    const given = Buffer.from(sig);
    if (!timingSafeEqual(expected, given)) return LinkFault.Forged;
    if (Number(exp) * 1000 <= nowMs) return LinkFault.Expired;
    return undefined;
  }

  private sign(id: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${id.toLowerCase()}\n${exp}`).digest('base64url');
  }
}
