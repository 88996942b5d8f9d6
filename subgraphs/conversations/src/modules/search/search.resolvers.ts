import { requireUser } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

export const searchResolvers: Resolvers = {
  Query: {
    async searchMessages(_root, args, ctx) {
      return ctx.search.search(requireUser(ctx.userId), args);
    },
  },
};
