import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Every `extensions.code` STORM returns, as promised in API.md. */
export enum ErrorCode {
  BadUserInput = 'BAD_USER_INPUT',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  RateLimited = 'RATE_LIMITED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  Unavailable = 'UNAVAILABLE',
  Internal = 'INTERNAL_SERVER_ERROR',
}

/** Codes whose message is safe to show a client as is. */
const EXPOSED = new Set<string>([
  ...Object.values(ErrorCode).filter((c) => c !== ErrorCode.Internal),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in any case (every id of the API is one): checked before it can reach a uuid column. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function badInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput, ...(field ? { field } : {}) } });
}
/**
 * Refuses text PostgreSQL cannot store as sent: a NUL (its `text` refuses it),
 * or an unpaired UTF-16 surrogate (not Unicode: written as UTF-8 it would
 * silently become U+FFFD, so what is read back is not what was sent).
 * Throws BAD_USER_INPUT "<field> must …" on `field`.
 */
export function assertStorableText(value: string, field: string): void {
  if (value.includes('\u0000')) throw badInput(`${field} must not contain NUL characters`, field);
  if (/\p{Cs}/u.test(value)) throw badInput(`${field} must be valid Unicode (it holds an unpaired surrogate)`, field);
}
export function unauthenticated(message = 'Authentication required'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Unauthenticated } });
}
export function forbidden(message = 'Forbidden'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Forbidden } });
}
/**
 * What a non-member, or anyone asking for a conversation that does not
 * exist, is told: the conversations subgraph's answer, and the router's when
 * it refuses a subscribe from a batched read, so both read the same.
 */
export const NOT_FOUND_CONVERSATION = 'Conversation not found';

export function notFound(message = 'Not found'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NotFound } });
}
export function conflict(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Conflict, ...(field ? { field } : {}) } });
}
export function rateLimited(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError('Too many requests', {
    extensions: { code: ErrorCode.RateLimited, retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)) },
  });
}
export function unavailable(message = 'A dependency is unavailable; retry later', cause?: unknown): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Unavailable }, originalError: cause as Error });
}

export function errorCode(err: unknown): string | undefined {
  const code = (err as { extensions?: { code?: unknown } })?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Masks an error for a client: expected errors (a known code) keep their
 * message; anything else becomes INTERNAL_SERVER_ERROR with no stack, SQL,
 * host or service name. In development the original message is kept.
 */
export function maskError(formatted: GraphQLFormattedError, opts: { development: boolean }): GraphQLFormattedError {
  const code = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
  const { stacktrace: _stack, exception: _exc, serviceName: _svc, ...extensions } = formatted.extensions ?? {};
  if (code && EXPOSED.has(code)) {
    return { ...formatted, extensions: opts.development ? formatted.extensions : extensions };
  }
  if (opts.development) return formatted;
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.Internal } };
}

/**
 * Apollo Server gives the request faults it finds without a code (a
 * persisted query whose hash does not match its text, …) INTERNAL_SERVER_ERROR
 * and an HTTP status of 400: those are the client's to fix, so they are
 * BAD_REQUEST with their message, not masked as the server's failure.
 */
export function requestFault(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (formatted.extensions?.code !== ErrorCode.Internal || !(error instanceof GraphQLError)) return formatted;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
}

/** A start-up failure: a setting is missing or malformed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
