// The public side of media bytes: `POST /media` (upload) and `GET|HEAD
// /media/<id>?exp=…&sig=…` (the link `Media.url` gives) on the router's
// origin, forwarded as they stream to the media subgraph, which checks and
// stores them (subgraphs/media/src/modules/media/transfer.ts). The router does
// here what it does for /graphql: it verifies the access token and sends the
// caller as a signed identity; it never buffers a file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { request, type Dispatcher } from 'undici';
import { ErrorCode, IDENTITY_HEADER } from '@storm/common';
import { writeGraphQLError } from '@storm/common/graphql-http';
import type { IdentitySigner } from './identity-signer.js';

/** Uploads and downloads in flight to the media service at once, per router; more wait for a connection. */
export const MEDIA_CONNECTIONS = 32;

const MEDIA_PATH = /^\/media(?:\/[^/]*)?$/;
/** Request headers the media service reads. */
const FORWARDED_REQUEST = ['content-type', 'content-length', 'content-encoding', 'if-none-match', 'range', 'if-range', 'x-request-id'] as const;
/** Response headers of the media service a client gets. */
const FORWARDED_RESPONSE = new Set([
  'content-type',
  'content-length',
  'content-disposition',
  'content-range',
  'accept-ranges',
  'content-security-policy',
  'x-content-type-options',
  'cache-control',
  'etag',
  'last-modified',
  'retry-after',
  'allow',
]);

export interface MediaProxyDeps {
  /** The media subgraph's GraphQL URL (SubgraphUrls.media); bytes go to the same origin. */
  mediaUrl: string;
  dispatcher: Dispatcher;
  signer: IdentitySigner;
  /** The router's access-token check (rejects a bad token). */
  authenticate: (authorization: string) => Promise<{ userId: string }>;
  /** Counts each answer by method and status class. */
  answered?: (method: string, status: number) => void;
  log?: (message: string, err?: unknown) => void;
}

/** A request listener step: handles /media and /media/<id>, returns false for any other path. */
export function createMediaProxy(deps: MediaProxyDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const origin = new URL(deps.mediaUrl).origin;
  const log = deps.log ?? ((message, err) => console.warn(`[router] ${message}`, err ?? ''));

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const allowed = req.url?.startsWith('/media/') ? ['GET', 'HEAD'] : ['POST'];
    if (!allowed.includes(method)) {
      res.setHeader('allow', allowed.join(', '));
      return writeGraphQLError(res, 405, ErrorCode.BadUserInput, `Method not allowed here; use ${allowed.join(', ')}`);
    }
    const upload = method === 'POST';
    let userId: string | null = null;
    // Only an upload needs the caller: a download's link is its own permission, so a stale token sent with it changes nothing.
    const authorization = upload ? req.headers.authorization : undefined;
    if (authorization) {
      try {
        ({ userId } = await deps.authenticate(authorization));
      } catch {
        res.setHeader('www-authenticate', 'Bearer');
        return writeGraphQLError(res, 401, ErrorCode.Unauthenticated, 'Invalid or expired access token');
      }
    }
    const headers: Record<string, string> = { [IDENTITY_HEADER]: await deps.signer.sign(userId) };
    for (const name of FORWARDED_REQUEST) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    // A client that goes away mid-upload stops the upload (the media service then keeps nothing).
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClose);
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await request(`${origin}${req.url}`, {
        method: method as 'POST' | 'GET' | 'HEAD',
        headers,
        body: upload ? req : undefined,
        dispatcher: deps.dispatcher,
        signal: abort.signal,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
    } catch (err) {
      if (abort.signal.aborted) return;
      log(`media ${req.method} ${req.url?.split('?')[0]} failed`, err);
      return writeGraphQLError(res, 503, ErrorCode.Unavailable, 'The media service is unavailable; retry later');
    }
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && FORWARDED_RESPONSE.has(name)) res.setHeader(name, value);
    }
    res.statusCode = upstream.statusCode;
    deps.answered?.(method, upstream.statusCode);
    try {
      await pipeline(upstream.body, res);
    } catch {
      // The client or the media service went away mid-file: nothing more can be said.
      res.destroy();
    } finally {
      res.off('close', onClose);
    }
    // A refusal before the whole upload was sent: what is left of it is not wanted.
    if (upload && !req.readableEnded) req.resume();
  }

  return (req, res) => {
    const pathname = (req.url ?? '').split('?', 1)[0]!;
    if (!MEDIA_PATH.test(pathname)) return false;
    forward(req, res).catch((err) => {
      log(`media ${req.method} ${pathname} failed`, err);
      if (!res.headersSent) writeGraphQLError(res, 503, ErrorCode.Unavailable, 'The media service is unavailable; retry later');
      else res.destroy();
    });
    return true;
  };
}
