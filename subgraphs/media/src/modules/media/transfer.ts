// Upload and download of media bytes: plain HTTP, not GraphQL (a file is a
// request body, not a string in a JSON document). The router serves both on
// the public origin (router/src/media-proxy.ts) and forwards them here:
//
//   POST /media            body = the file, Content-Type = its type; signed-in callers only
//                          → 201 { id, contentType, filename, size, width, height, url, thumbnailUrl, createdAt }
//   GET|HEAD /media/<id>?exp=…&sig=…&variant=thumbnail   its thumbnail (thumbnails.ts)
//   GET|HEAD /media/<id>?exp=…&sig=…   the link `Media.url` gives (signed-url.ts)
//
// Refusals are JSON in GraphQL's error shape, `extensions.code` as everywhere
// in the API, and keep nothing: no row, no file (docs/media.md).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, IDENTITY_HEADER, isUuid, verifyIdentity } from '@storm/common';
import { writeGraphQLError } from '@storm/common/graphql-http';
import { createMemoryLimiter, type LimiterStore, type TokenBucket } from '@storm/limiter';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { ContentMismatch, contentCheck, essence, servedInline, UPLOAD_CONTENT_TYPES } from './content-types.js';
import { dimensionProbe } from './dimensions.js';
import { mediaUsage } from './media.service.js';
import { LinkFault, MEDIA_URL_PERIOD_SECONDS, THUMBNAIL_VARIANT, type MediaUrlSigner } from './signed-url.js';
import { ThumbnailMaker } from './thumbnails.js';
import { UploadEmpty, UploadTooLarge, type FileStorage } from './storage.js';

/** Largest upload when MEDIA_MAX_BYTES is not set: 10 MiB. */
export const DEFAULT_MEDIA_MAX_BYTES = 10 * 1024 * 1024;
/** Uploads per user when none is set: 30 back to back, then one every 2 s. */
export const DEFAULT_UPLOAD_LIMIT: TokenBucket = { burst: 30, perSecond: 0.5 };
/** Bytes each user's files may take in all when MEDIA_QUOTA_BYTES is not set: 1 GiB. */
export const DEFAULT_MEDIA_QUOTA_BYTES = 1024 ** 3;

export interface TransferDeps {
  prisma: PrismaClient;
  identityKey: Uint8Array;
  storage: FileStorage;
  signer: MediaUrlSigner;
  /** @default DEFAULT_MEDIA_MAX_BYTES */
  maxBytes?: number;
  /** Per-user upload rate; false = none. @default DEFAULT_UPLOAD_LIMIT, in this process's memory */
  uploadLimit?: TokenBucket | false;
  /** Bytes each user's files may take in all; false = no quota. @default DEFAULT_MEDIA_QUOTA_BYTES */
  quotaBytes?: number | false;
  /** Makes images' thumbnails at upload; false = none. @default a ThumbnailMaker of its own */
  thumbnails?: ThumbnailMaker | false;
  log?: (message: string, err?: unknown) => void;
}

export interface MediaTransfer {
  /** Handles the request when its path is /media or /media/…; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  dispose(): Promise<void>;
}

const MEDIA_PATH = /^\/media(?:\/([^/?]*))?$/;

export function createMediaTransfer(deps: TransferDeps): MediaTransfer {
  const maxBytes = deps.maxBytes ?? DEFAULT_MEDIA_MAX_BYTES;
  const quota = deps.quotaBytes === false ? undefined : (deps.quotaBytes ?? DEFAULT_MEDIA_QUOTA_BYTES);
  const thumbnails = deps.thumbnails === false ? undefined : (deps.thumbnails ?? new ThumbnailMaker());
  const bucket = deps.uploadLimit === false ? undefined : (deps.uploadLimit ?? DEFAULT_UPLOAD_LIMIT);
  const limiter: LimiterStore | undefined = bucket ? createMemoryLimiter() : undefined;
  const log = deps.log ?? ((message, err) => console.error(`[media] ${message}`, err ?? ''));

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // No refusal closes the connection: a response written before the whole body
    // arrived could be lost in the reset, so what is left of the body is read and
    // dropped (Node does it for a body not read at all, resume() below for one read
    // in part), bounded by the server's request timeout.
    const refuse = (status: number, code: ErrorCode, message: string, extensions?: Record<string, unknown>) =>
      writeGraphQLError(res, status, code, message, false, extensions);

    const header = req.headers[IDENTITY_HEADER];
    let userId: string | null = null;
    try {
      if (typeof header === 'string') ({ userId } = await verifyIdentity(header, deps.identityKey));
    } catch {
      // Refused below, like a missing one.
    }
    if (!userId) return refuse(401, ErrorCode.Unauthenticated, 'Uploading needs a signed-in caller (Authorization: Bearer <access token>)');

    const contentType = essence(req.headers['content-type']);
    if (!contentType) return refuse(400, ErrorCode.BadUserInput, `Content-Type is required: the type of the file (${UPLOAD_CONTENT_TYPES.join(', ')})`, { field: 'contentType' });
    const check = contentCheck(contentType);
    if (!check) return refuse(415, ErrorCode.BadUserInput, `Content-Type ${contentType} is not accepted; upload one of ${UPLOAD_CONTENT_TYPES.join(', ')}`, { field: 'contentType' });
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return refuse(415, ErrorCode.BadUserInput, 'Content-Encoding is not accepted: send the file as it is', { field: 'contentEncoding' });
    const named = fileName(new URL(req.url ?? '', 'http://media').searchParams.get('filename'));
    if (typeof named === 'object') return refuse(400, ErrorCode.BadUserInput, named.problem, { field: 'filename' });
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) return refuse(413, ErrorCode.PayloadTooLarge, `An upload holds at most ${maxBytes} bytes`, { maxBytes });

    if (limiter && bucket) {
      const decision = await limiter.take(`upload:${userId}`, bucket);
      if (!decision.allowed) {
        const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        res.setHeader('retry-after', String(retryAfter));
        return refuse(429, ErrorCode.RateLimited, 'Too many uploads', { retryAfter });
      }
    }

    const owner = userId.toLowerCase();
    // What is left of the caller's quota bounds this upload like MEDIA_MAX_BYTES
    // does: a Content-Length over it is refused before any byte is stored, a
    // body that grows past it while streaming as soon as it does. Concurrent
    // uploads may each fit here; the insert below admits only what still fits.
    let room = maxBytes;
    let usedBytes = 0;
    if (quota !== undefined) {
      ({ usedBytes } = await mediaUsage(deps.prisma, owner));
      if ((declared === undefined ? 1 : Number(declared)) > quota - usedBytes) return refuse(413, ErrorCode.PayloadTooLarge, ...quotaRefusal(usedBytes, quota));
      room = Math.min(maxBytes, quota - usedBytes);
    }

    const id = randomUUID();
    const probe = dimensionProbe(contentType);
    let stored;
    try {
      // Stopping early must not destroy the request: its socket still has to carry the refusal.
      const checked = probe ? { feed: (chunk: Buffer) => (check.feed(chunk), probe.feed(chunk)), end: () => check.end() } : check;
      stored = await deps.storage.write(id, req.iterator({ destroyOnReturn: false }), { maxBytes: room, check: checked });
    } catch (err) {
      if (!req.destroyed) req.resume();
      if (err instanceof UploadTooLarge && room < maxBytes) return refuse(413, ErrorCode.PayloadTooLarge, ...quotaRefusal(usedBytes, quota!));
      if (err instanceof UploadTooLarge) return refuse(413, ErrorCode.PayloadTooLarge, err.message, { maxBytes });
      if (err instanceof UploadEmpty) return refuse(400, ErrorCode.BadUserInput, err.message, { field: 'body' });
      if (err instanceof ContentMismatch) return refuse(400, ErrorCode.BadUserInput, err.message, { field: 'body' });
      // The client went away mid-body: storage removed what it had; nobody is left to answer.
      if (req.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as Error).message === 'aborted') return void res.destroy();
      log('storing an upload failed', err);
      return refuse(503, ErrorCode.Unavailable, 'The file could not be stored; retry later');
    }
    const dimensions = probe?.dimensions() ?? null;
    // An image that cannot be previewed is still accepted: its bytes passed the type's check.
    let thumbnail = false;
    const preview = probe && thumbnails ? await thumbnails.make(deps.storage.location(stored.key), dimensions) : undefined;
    if (preview) {
      try {
        await deps.storage.writeThumbnail(stored.key, preview);
        thumbnail = true;
      } catch (err) {
        log(`writing the thumbnail of ${stored.key} failed`, err);
      }
    }
    let row;
    try {
      const data = { id, ownerId: owner, contentType, filename: named ?? null, size: stored.size, ...dimensions, thumbnail, storageKey: stored.key };
      row =
        quota === undefined
          ? await deps.prisma.media.create({ data })
          : await deps.prisma.$transaction(async (tx) => {
              // One owner's uploads are recorded one at a time, each against the usage the previous ones left.
              await tx.$executeRaw`SELECT pg_advisory_xact_lock(${QUOTA_LOCK_CLASS}::int, hashtext(${owner}))`;
              const usage = await mediaUsage(tx, owner);
              if (usage.usedBytes + stored.size > quota) throw new QuotaExceeded(usage.usedBytes);
              return tx.media.create({ data });
            });
    } catch (err) {
      await deps.storage.remove(stored.key).catch((e) => log(`removing ${stored.key} after a failed insert failed`, e));
      if (err instanceof QuotaExceeded) return refuse(413, ErrorCode.PayloadTooLarge, ...quotaRefusal(err.usedBytes, quota!));
      log('recording an upload failed', err);
      return refuse(503, ErrorCode.Unavailable, 'The file could not be recorded; retry later');
    }
    const body = JSON.stringify({ id: row.id, contentType: row.contentType, filename: row.filename, size: row.size, width: row.width, height: row.height, url: deps.signer.url(row.id), thumbnailUrl: row.thumbnail ? deps.signer.thumbnailUrl(row.id) : null, createdAt: row.createdAt.toISOString() });
    res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  }

  async function download(req: IncomingMessage, res: ServerResponse, idPart: string): Promise<void> {
    const query = new URL(req.url ?? '', 'http://media').searchParams;
    // Ids are plain ASCII: no need to decode anything (a stray `%` would not be one either).
    const id = idPart.toLowerCase();
    if (!isUuid(id)) return writeGraphQLError(res, 404, ErrorCode.NotFound, 'Media not found');
    const fault = deps.signer.check(id, query.get('exp'), query.get('sig'));
    if (fault) {
      const why = fault === LinkFault.Expired ? 'This link has expired' : 'This link is not valid';
      return writeGraphQLError(res, 403, ErrorCode.Forbidden, `${why}: ask the API for the media's url again`, false, { reason: fault });
    }
    const variant = query.get('variant');
    if (variant !== null && variant !== THUMBNAIL_VARIANT) return writeGraphQLError(res, 400, ErrorCode.BadUserInput, `variant must be ${THUMBNAIL_VARIANT}, or absent for the file itself`, false, { field: 'variant' });
    const preview = variant === THUMBNAIL_VARIANT;
    const row = await deps.prisma.media.findUnique({ where: { id } });
    if (preview && row && !row.thumbnail) return writeGraphQLError(res, 404, ErrorCode.NotFound, 'This media has no thumbnail');
    const file = row ? await deps.storage.read(row.storageKey, preview ? 'thumbnail' : 'file') : undefined;
    if (!row || !file) return writeGraphQLError(res, 404, ErrorCode.NotFound, 'Media not found');

    const etag = preview ? `"${row.id}.thumbnail"` : `"${row.id}"`;
    const exp = Number(query.get('exp'));
    const headers: Record<string, string | number> = {
      // A media's bytes never change: cache them as long as the link lives, for this user only.
      'cache-control': `private, max-age=${Math.max(0, Math.min(2 * MEDIA_URL_PERIOD_SECONDS, exp - Math.floor(Date.now() / 1000)))}, immutable`,
      etag,
      'last-modified': row.createdAt.toUTCString(),
      'x-content-type-options': 'nosniff',
      // Nothing in a download may run or load anything, even if opened as a page.
      'content-security-policy': "default-src 'none'; sandbox",
      'content-disposition': preview ? contentDisposition('inline', `${row.id}.webp`) : contentDisposition(servedInline(row.contentType) ? 'inline' : 'attachment', row.filename ?? row.id),
      'accept-ranges': 'bytes',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    // A part of the file (resuming a download, seeking in audio or video), unless If-Range names other bytes.
    const ifRange = req.headers['if-range'];
    const range = ifRange === undefined || ifRange === etag ? byteRange(req.headers.range, file.size) : undefined;
    if (range === 'unsatisfiable') {
      res.setHeader('content-range', `bytes */${file.size}`);
      return writeGraphQLError(res, 416, ErrorCode.BadUserInput, `Range ${req.headers.range} is not within the file's ${file.size} bytes`, false, { field: 'range' });
    }
    const type = preview ? 'image/webp' : row.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : row.contentType;
    if (range) {
      res.writeHead(206, { ...headers, 'content-type': type, 'content-length': range.end - range.start + 1, 'content-range': `bytes ${range.start}-${range.end}/${file.size}` });
    } else {
      res.writeHead(200, { ...headers, 'content-type': type, 'content-length': file.size });
    }
    if (req.method === 'HEAD') return void res.end();
    try {
      await pipeline(file.stream(range), res);
    } catch (err) {
      // The client went away, or the file could not be read after its headers left: end the response short.
      if (!res.destroyed) log(`sending ${row.storageKey} failed`, err);
      res.destroy();
    }
  }

  return {
    handle(req, res) {
      const pathname = (req.url ?? '').split('?', 1)[0]!;
      const match = MEDIA_PATH.exec(pathname);
      if (!match) return false;
      const idPart = match[1];
      const run = async () => {
        if (idPart === undefined || idPart === '') {
          if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
          return upload(req, res);
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
        return download(req, res, idPart);
      };
      run().catch((err) => {
        log(`${req.method} ${pathname} failed`, err);
        if (!res.headersSent) writeGraphQLError(res, 503, ErrorCode.Unavailable, 'The media service could not answer; retry later', true);
        else res.destroy();
      });
      return true;
    },
    async dispose() {
      await limiter?.dispose();
    },
  };
}

/**
 * The one byte range of a `Range: bytes=a-b | a- | -n` header, clamped to
 * the file (`end` inclusive); 'unsatisfiable' when it lies outside it;
 * undefined when there is no header, or one this server does not serve in
 * part (several ranges, another unit, a malformed one): the whole file then,
 * as HTTP allows.
 */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  // A last position before the first is not a range at all (ignored, RFC 9110 14.1.2).
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1) };
}

/** The advisory lock class (the first key of pg_advisory_xact_lock(int, int)) of recording one owner's uploads. */
const QUOTA_LOCK_CLASS = 0x6d71; // "mq"

/** An upload that no longer fits the owner's quota when it is recorded. */
class QuotaExceeded extends Error {
  constructor(readonly usedBytes: number) {
    super('over quota');
  }
}

/** The message and extensions of a 413 for an upload larger than what is left of the quota. */
function quotaRefusal(usedBytes: number, quotaBytes: number): [string, Record<string, unknown>] {
  return [`Your files take ${usedBytes} of your ${quotaBytes} bytes; this one does not fit: delete some (deleteMedia) and upload again`, { reason: 'QUOTA', usedBytes, quotaBytes }];
}

/** Longest file name kept (the column's size). */
export const MAX_FILENAME_LENGTH = 255;

/**
 * The `filename` of an upload: undefined when none was given; the name
 * without any folder part (`C:\\docs\\a.pdf` and `docs/a.pdf` are `a.pdf`:
 * a name, never a path); or what is wrong with it.
 */
export function fileName(value: string | null): string | undefined | { problem: string } {
  if (value === null) return undefined;
  const name = value.split(/[/\\]/).pop()!.trim();
  if (name === '' || name === '.' || name === '..') return { problem: 'filename must name a file (it is empty, or only a folder)' };
  if ([...name].length > MAX_FILENAME_LENGTH) return { problem: `filename must be at most ${MAX_FILENAME_LENGTH} characters` };
  if (/[\p{Cc}\p{Cs}]/u.test(name)) return { problem: 'filename must not contain control characters or unpaired surrogates' };
  return name;
}

/** `attachment; filename="<ASCII stand-in>"; filename*=UTF-8''<the name>` (RFC 6266), so every browser saves it by its name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  writeGraphQLError(res, 405, ErrorCode.BadUserInput, `Method not allowed here; use ${allow}`, true);
}
