import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode } from './errors.js';

/** The instant a DateTime input names (an ISO 8601 string `Date` reads, or a Date); null for anything else. */
export function toDate(value: unknown): Date | null {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/**
 * The API's `DateTime`, the same in every subgraph: ISO 8601 instants in UTC
 * on the wire, Date objects in resolvers (Prisma hands them over); a bad input
 * is BAD_USER_INPUT. The router applies the same input rule (router/src/scalars.ts).
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const date = toDate(value);
    // A bad value here is our bug, not the client's: let it be masked.
    if (!date) throw new TypeError('DateTime cannot represent a non-date value');
    return date.toISOString();
  },
  parseValue(value) {
    const date = toDate(value);
    if (!date) throw new GraphQLError('DateTime must be an ISO 8601 string', { extensions: { code: ErrorCode.BadUserInput } });
    return date;
  },
  parseLiteral(ast) {
    const date = ast.kind === Kind.STRING ? toDate(ast.value) : null;
    if (!date) throw new GraphQLError('DateTime must be an ISO 8601 string', { extensions: { code: ErrorCode.BadUserInput } });
    return date;
  },
});
