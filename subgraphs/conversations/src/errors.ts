import { GraphQLError } from 'graphql';
import { badInput, isUuid, unauthenticated, unavailable } from '@storm/common';

/**
 * This subgraph's authorization rule, applied everywhere (queries, mutations,
 * `_entities`): a conversation, or a message of a conversation, that the caller
 * is not a member of is reported exactly like one that does not exist —
 * NOT_FOUND — so ids cannot be probed. FORBIDDEN is used only where the caller
 * can already see the thing but may not change it (editing or deleting
 * someone else's message).
 */
export { isUuid, NOT_FOUND_CONVERSATION } from '@storm/common';
export const NOT_FOUND_MESSAGE = 'Message not found';


/**
 * Validates an id argument before it reaches SQL (a malformed uuid would
 * otherwise surface as a database error). Returned lower-case, the form
 * PostgreSQL prints, so ids compare and sort consistently (direct keys).
 */
export function parseId(value: unknown, field: string): string {
  if (!isUuid(value)) throw badInput(`${field} must be a UUID`, field);
  return value.toLowerCase();
}

/** The caller's user id; every operation of this subgraph needs one. */
export function requireUser(userId: string | null): string {
  // The router signs the identity, so a non-uuid subject is a mis-wired
  // deployment rather than an attack; refusing it keeps SQL casts safe.
  if (!userId || !isUuid(userId)) throw unauthenticated();
  return userId.toLowerCase();
}

function prismaCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A unique-constraint violation: P2002 from model queries (pg and PGlite
 * adapters alike); raw queries report P2010 with the driver's SQLSTATE 23505.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = prismaCode(err);
  if (code === 'P2002') return true;
  if (code !== 'P2010') return false;
  const cause = (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } }).meta?.driverAdapterError?.cause;
  return cause?.originalCode === '23505' || cause?.kind === 'UniqueConstraintViolation';
}

/**
 * Maps database failures a client may retry (pool exhausted, transaction could
 * not start in time, connection lost) to UNAVAILABLE; GraphQL errors pass
 * through; anything else is left for maskError to hide.
 */
export function mapDbError(err: unknown): unknown {
  if (err instanceof GraphQLError) return err;
  const code = prismaCode(err);
  if (code === 'P2028' || code === 'P1001' || code === 'P1002' || code === 'P1017' || code === 'P2024') {
    return unavailable('The database is busy or unreachable; retry later', err);
  }
  return err;
}
