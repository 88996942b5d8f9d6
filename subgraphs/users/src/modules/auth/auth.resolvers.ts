import { DateTimeScalar, unauthenticated } from '@storm/common';
import type { Resolvers } from '../../generated/graphql.js';

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
