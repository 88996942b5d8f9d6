// Apollo Server on Node's own HTTP server, without express: the router and
// every subgraph answer /graphql through this. express + body-parser cost
// about a fifth of the router's CPU per sendMessage (window profile of
// `npm run bench -- send`, docs/performance.md) for what is, on this path,
// reading one JSON body and writing one string. Apollo Server's own request
// handling (executeHTTPGraphQLRequest: CSRF prevention, GET/POST rules,
// status codes) is unchanged; other paths still go to an express app.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import { ErrorCode } from './errors.js';

/** 1 MiB: what express.json()'s '1mb' meant, the subgraphs' default. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/** Why a request body was refused before GraphQL saw it. */
export enum BodyFault {
  /** Larger than the limit (Content-Length or the bytes received): 413. */
  TooLarge = 'TOO_LARGE',
  /** Declared JSON but does not parse: 400. */
  NotJson = 'NOT_JSON',
  /** A Content-Encoding other than identity: 415 (bodies are not inflated). */
  Encoded = 'ENCODED',
}

const FAULT_STATUS: Record<BodyFault, number> = { [BodyFault.TooLarge]: 413, [BodyFault.NotJson]: 400, [BodyFault.Encoded]: 415 };
const FAULT_MESSAGE: Record<BodyFault, string> = {
  [BodyFault.TooLarge]: 'Request body too large',
  [BodyFault.NotJson]: 'Request body is not valid JSON',
  [BodyFault.Encoded]: 'Content-Encoding is not supported: send the body uncompressed',
};

export interface GraphQLHttpOptions<TContext extends BaseContext, TAdmitted> {
  /** Largest accepted body in bytes. */
  maxBodyBytes: number;
  /**
   * Runs before the body is read. Answers the request itself and returns
   * `undefined` to refuse it (nothing is parsed then), or returns what the
   * context factory is given.
   */
  admit?: (req: IncomingMessage, res: ServerResponse) => TAdmitted | undefined | Promise<TAdmitted | undefined>;
  context: (req: IncomingMessage, res: ServerResponse, admitted: TAdmitted) => Promise<TContext>;
  /** The `extensions.code` of a body refusal. @default PAYLOAD_TOO_LARGE for 413, BAD_REQUEST otherwise */
  faultCode?: (fault: BodyFault) => string;
  /**
   * Sees each JSON object POSTed, with its context already built, before
   * Apollo Server does: writes the answer itself and returns true, or returns
   * false to pass the request on (Apollo Server then gets that same context).
   * When the context factory throws, the shortcut is skipped and Apollo
   * Server reports the error as usual.
   */
  shortcut?: (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, context: TContext) => Promise<boolean>;
  /** Each complete answer Apollo Server gave to a request the shortcut passed on, once written. */
  answered?: (req: IncomingMessage, body: Record<string, unknown>, context: TContext, response: HTTPGraphQLResponse) => void;
}

/** A refusal in GraphQL's response shape, written straight to the socket; `extensions` adds to `code` (e.g. `field`). */
export function writeGraphQLError(res: ServerResponse, status: number, code: string, message: string, close = false, extensions?: Record<string, unknown>): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `application/json`, with or without parameters (what express.json() parsed). */
function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === 'application/json';
}

type Body = { ok: true; text: string } | { ok: false; fault: BodyFault };

function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return Promise.resolve({ ok: false, fault: BodyFault.Encoded });
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve({ ok: false, fault: BodyFault.TooLarge });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve({ ok: false, fault: BodyFault.TooLarge });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve({ ok: true, text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', reject);
  });
}

/**
 * A request listener for one Apollo Server. Bodies are read only for
 * `application/json` (anything else reaches Apollo Server without one, which
 * refuses it as express.json() + expressMiddleware did); an empty JSON body
 * is `{}` as with body-parser.
 */
export function graphqlHttpHandler<TContext extends BaseContext, TAdmitted = undefined>(
  apollo: ApolloServer<TContext>,
  options: GraphQLHttpOptions<TContext, TAdmitted>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  apollo.assertStarted('graphqlHttpHandler()');
  const faultCode = options.faultCode ?? ((fault: BodyFault) => (fault === BodyFault.TooLarge ? ErrorCode.PayloadTooLarge : 'BAD_REQUEST'));
  return async (req, res) => {
    try {
      const admitted = options.admit ? await options.admit(req, res) : (undefined as TAdmitted);
      if (options.admit && admitted === undefined) return;

      let body: unknown;
      const method = (req.method ?? 'GET').toUpperCase();
      if (method === 'POST' && isJson(req.headers['content-type'])) {
        const read = await readBody(req, options.maxBodyBytes);
        if (!read.ok) {
          // The rest of an oversized body is not read: the connection cannot be reused.
          writeGraphQLError(res, FAULT_STATUS[read.fault], faultCode(read.fault), FAULT_MESSAGE[read.fault], read.fault !== BodyFault.NotJson);
          return;
        }
        try {
          body = read.text.length === 0 ? {} : JSON.parse(read.text);
        } catch {
          writeGraphQLError(res, 400, faultCode(BodyFault.NotJson), FAULT_MESSAGE[BodyFault.NotJson]);
          return;
        }
      }

      let context = () => options.context(req, res, admitted as TAdmitted);
      let built: TContext | undefined;
      const posted = isRecord(body) ? body : undefined;
      if (options.shortcut && posted) {
        built = await context().catch(() => undefined);
        if (built) {
          if (await options.shortcut(req, res, posted, built)) return;
          const ready = built;
          context = () => Promise.resolve(ready);
        }
      }

      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: q < 0 ? '' : url.slice(q), body },
        context,
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.setHeader('content-length', Buffer.byteLength(response.body.string));
        res.end(response.body.string);
        if (options.answered && built && posted) options.answered(req, posted, built, response);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (err) {
      // executeHTTPGraphQLRequest answers errors itself; this is a failure around it (a socket error, an admit that threw).
      console.error('[graphql-http] request failed', err);
      if (!res.headersSent) writeGraphQLError(res, 500, ErrorCode.Internal, 'Internal server error');
      else res.destroy();
    }
  };
}

/** `/graphql` (with or without a query string) to `graphql`, every other path to `rest`. */
export function routeGraphQL(path: string, graphql: (req: IncomingMessage, res: ServerResponse) => Promise<void>, rest: RequestListener): RequestListener {
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    if (pathname === path || pathname === `${path}/`) void graphql(req, res);
    else rest(req, res);
  };
}
