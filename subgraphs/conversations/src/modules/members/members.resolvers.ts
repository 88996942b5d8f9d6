import { requireUser } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

export const membersResolvers: Resolvers = {
  Mutation: {
    async joinChannel(_root, { id }, ctx) {
      return ctx.members.join(requireUser(ctx.userId), id);
    },
    async leaveConversation(_root, { id }, ctx) {
      return ctx.members.leave(requireUser(ctx.userId), id);
    },
    async addMembers(_root, { conversationId, userIds }, ctx) {
      return ctx.members.add(requireUser(ctx.userId), conversationId, userIds);
    },
    async removeMember(_root, { conversationId, userId }, ctx) {
      return ctx.members.remove(requireUser(ctx.userId), conversationId, userId);
    },
    async changeRole(_root, { conversationId, userId, role }, ctx) {
      return ctx.members.changeRole(requireUser(ctx.userId), conversationId, userId, role);
    },
  },
};
