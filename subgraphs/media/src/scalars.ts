import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode } from '@storm/common';

function toDate(value: unknown): Date | null {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/** ISO 8601 instants in UTC; Prisma hands us Date objects. */
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
