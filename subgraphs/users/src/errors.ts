import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode, maskError } from '@storm/common';
import type { GraphQLFormattedError } from 'graphql';

/**
 * Prisma error codes that mean "the database is unreachable or saturated",
 * not "this request is wrong": the client may retry (UNAVAILABLE).
 * P1001 can't reach server, P1002 timed out, P1008 operation timed out,
 * P1017 server closed the connection, P2024 pool timeout.
 */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, code } = err as { name?: unknown; code?: unknown };
  if (name === 'PrismaClientInitializationError') return true;
  return typeof code === 'string' && UNAVAILABLE_PRISMA_CODES.has(code);
}

/**
 * Apollo `formatError` of the users subgraph: a database outage becomes
 * UNAVAILABLE; everything else goes through maskError (known codes keep their
 * message; the rest is INTERNAL_SERVER_ERROR without detail outside development).
 */
export function formatUsersError(formatted: GraphQLFormattedError, error: unknown, development: boolean): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isDatabaseUnavailable(original)) {
    return {
      message: 'A dependency is unavailable; retry later',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.Unavailable },
    };
  }
  return maskError(formatted as Parameters<typeof maskError>[0], { development }) as GraphQLFormattedError;
}

/** Codes that are the client's doing; anything else is worth a log line. */
export const EXPECTED_CODES = new Set<string>([
  ErrorCode.BadUserInput,
  ErrorCode.Unauthenticated,
  ErrorCode.Forbidden,
  ErrorCode.NotFound,
  ErrorCode.Conflict,
  ErrorCode.RateLimited,
  ErrorCode.PayloadTooLarge,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
]);
