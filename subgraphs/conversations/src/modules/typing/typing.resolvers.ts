import { requireUser } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

export const typingResolvers: Resolvers = {
  Mutation: {
    async setTyping(_root, { conversationId, typing }, ctx) {
      return ctx.typing.set(requireUser(ctx.userId), conversationId, typing);
    },
  },
};
