import { requireUser } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

export const blocksResolvers: Resolvers = {
  Query: {
    async blockedUsers(_root, _args, ctx) {
      return ctx.blocks.list(requireUser(ctx.userId));
    },
  },
  Mutation: {
    async blockUser(_root, { userId }, ctx) {
      return ctx.blocks.block(requireUser(ctx.userId), userId);
    },
    async unblockUser(_root, { userId }, ctx) {
      return ctx.blocks.unblock(requireUser(ctx.userId), userId);
    },
  },
};
