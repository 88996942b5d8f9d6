import { requireUser } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

export const reactionsResolvers: Resolvers = {
  Mutation: {
    async addReaction(_root, { messageId, emoji }, ctx) {
      const userId = requireUser(ctx.userId);
      await ctx.rateLimit('react');
      return ctx.reactions.add(userId, messageId, emoji);
    },
    async removeReaction(_root, { messageId, emoji }, ctx) {
      const userId = requireUser(ctx.userId);
      await ctx.rateLimit('react');
      return ctx.reactions.remove(userId, messageId, emoji);
    },
  },
  Message: {
    async reactions(message, _args, ctx) {
      if (message.deletedAt) return [];
      return (await ctx.loaders.reactions.load(message.id)) ?? [];
    },
  },
};
