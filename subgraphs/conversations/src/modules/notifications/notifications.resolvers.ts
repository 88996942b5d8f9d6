import { requireUser } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

export const notificationsResolvers: Resolvers = {
  Query: {
    async notifications(_root, args, ctx) {
      return ctx.notifications.list(requireUser(ctx.userId), args);
    },
    async unreadNotificationCount(_root, _args, ctx) {
      return ctx.notifications.unreadCount(requireUser(ctx.userId));
    },
  },
  Mutation: {
    async markNotificationsRead(_root, args, ctx) {
      return ctx.notifications.markRead(requireUser(ctx.userId), args);
    },
  },
  Notification: {
    // Through the caller's membership-checked loaders: a conversation left
    // since is null, like everywhere else in this subgraph.
    async conversation(row, _args, ctx) {
      return (await ctx.loaders.conversation.load(row.conversationId)) ?? null;
    },
    async message(row, _args, ctx) {
      return (await ctx.loaders.message.load(row.messageId)) ?? null;
    },
  },
};
