import { notFound, unauthenticated } from '@storm/common';
import type { Resolvers } from '../../generated/graphql.js';

export const presenceResolvers: Resolvers = {
  Mutation: {
    // Owner only by construction: the caller can only name themself.
    setAway: async (_parent, { away }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      const user = await ctx.users.byId(ctx.userId);
      if (!user) throw notFound('User not found');
      await ctx.presence.setAway(user.id, away);
      return user;
    },
  },
  User: {
    presence: (user, _args, ctx) => {
      // Who is around is for members of the product, like profiles.
      if (!ctx.userId) throw unauthenticated();
      return ctx.presence.of(user.id);
    },
  },
};
