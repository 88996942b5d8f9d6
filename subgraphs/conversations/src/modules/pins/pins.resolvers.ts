import { requireUser } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

export const pinsResolvers: Resolvers = {
  Mutation: {
    async pinMessage(_root, { messageId }, ctx) {
      const userId = requireUser(ctx.userId);
      await ctx.rateLimit('react');
      return ctx.pins.pin(userId, messageId);
    },
    async unpinMessage(_root, { messageId }, ctx) {
      const userId = requireUser(ctx.userId);
      await ctx.rateLimit('react');
      return ctx.pins.unpin(userId, messageId);
    },
  },
  Conversation: {
    async pins(conversation, _args, ctx) {
      return (await ctx.loaders.pins.load(conversation.id)) ?? [];
    },
  },
  Message: {
    async pinned(message, _args, ctx) {
      if (message.deletedAt) return false;
      return (await ctx.loaders.pinned.load(message.id)) ?? false;
    },
  },
};
