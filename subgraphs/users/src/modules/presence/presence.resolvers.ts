import { unauthenticated } from '@storm/common';
import type { Resolvers } from '../../generated/graphql.js';

export const presenceResolvers: Resolvers = {
  User: {
    presence: (user, _args, ctx) => {
      // Who is around is for members of the product, like profiles.
      if (!ctx.userId) throw unauthenticated();
      return ctx.presence.of(user.id);
    },
  },
};
