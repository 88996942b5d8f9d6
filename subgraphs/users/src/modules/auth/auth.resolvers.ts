import { GraphQLScalarType, Kind } from 'graphql';
import { unauthenticated } from '@storm/common';
import type { Resolvers } from '../../generated/graphql.js';

/** ISO-8601 timestamps on the wire. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an ISO-8601 string in UTC (e.g. 2025-01-31T12:00:00.000Z).',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue(value) {
    const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO-8601 string');
    return date;
  },
  parseLiteral(ast) {
    const date = ast.kind === Kind.STRING ? new Date(ast.value) : new Date(NaN);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO-8601 string');
    return date;
  },
});

export const authResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Mutation: {
    register: (_parent, { input }, ctx) => ctx.auth.register(input, ctx.clientAddress),
    login: (_parent, { input }, ctx) => ctx.auth.login(input, ctx.clientAddress),
    refreshToken: (_parent, { refreshToken }, ctx) => ctx.auth.refresh(refreshToken),
    logout: (_parent, { refreshToken }, ctx) => ctx.auth.logout(refreshToken),
    changePassword: (_parent, { input }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      return ctx.auth.changePassword(ctx.userId, input, ctx.clientAddress);
    },
  },
};
