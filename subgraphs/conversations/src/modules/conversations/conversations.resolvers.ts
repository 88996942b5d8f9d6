import { badInput, notFound } from '@storm/common';
import { NOT_FOUND_CONVERSATION, parseId, requireUser } from '../../errors.js';
import { isMuted } from '../../models.js';
import type { Resolvers } from '../../generated/graphql.js';
import { parsePage } from '../messages/messages.service.js';
import { MAX_MEMBERS_AMONG, pairKey } from './conversations.service.js';

/**
 * Thin: validate, check the caller, delegate to the service. A Conversation
 * object only ever reaches field resolvers after its membership check (query,
 * mutation or reference resolver), so field resolvers do not repeat it.
 */
export const conversationsResolvers: Resolvers = {
  Query: {
    async conversation(_root, { id }, ctx) {
      requireUser(ctx.userId);
      const row = await ctx.loaders.conversation.load(parseId(id, 'id'));
      if (!row) throw notFound(NOT_FOUND_CONVERSATION);
      return row;
    },
    async conversations(_root, _args, ctx) {
      const listed = await ctx.conversations.listForMember(requireUser(ctx.userId));
      for (const { conversation, membership } of listed) ctx.loaders.myMembership.prime(conversation.id, membership);
      return listed.map((row) => row.conversation);
    },
    async unreadTotal(_root, { excludeMuted }, ctx) {
      const totals = await ctx.loaders.totals();
      return excludeMuted ? totals.unreadUnmuted : totals.unread;
    },
    async mentionTotal(_root, { excludeMuted }, ctx) {
      const totals = await ctx.loaders.totals();
      return excludeMuted ? totals.mentionsUnmuted : totals.mentions;
    },
    async channels(_root, args, ctx) {
      return ctx.conversations.channels(requireUser(ctx.userId), args);
    },
  },
  Mutation: {
    async createConversation(_root, { input }, ctx) {
      const userId = requireUser(ctx.userId);
      await ctx.rateLimit('create');
      return ctx.conversations.create(userId, input);
    },
    async markRead(_root, { conversationId, seq }, ctx) {
      return ctx.conversations.markRead(requireUser(ctx.userId), conversationId, seq);
    },
    async markUnread(_root, { conversationId, seq }, ctx) {
      return ctx.conversations.markUnread(requireUser(ctx.userId), conversationId, seq);
    },
    async updateConversation(_root, { id, input }, ctx) {
      return ctx.conversations.update(requireUser(ctx.userId), id, input);
    },
    async muteConversation(_root, { conversationId, until }, ctx) {
      return ctx.conversations.setMuted(requireUser(ctx.userId), conversationId, true, until as Date | null | undefined);
    },
    async unmuteConversation(_root, { conversationId }, ctx) {
      return ctx.conversations.setMuted(requireUser(ctx.userId), conversationId, false);
    },
    async archiveConversation(_root, { id }, ctx) {
      return ctx.conversations.setArchived(requireUser(ctx.userId), id, true);
    },
    async unarchiveConversation(_root, { id }, ctx) {
      return ctx.conversations.setArchived(requireUser(ctx.userId), id, false);
    },
  },
  Conversation: {
    // `_entities`: the same rule as `conversation(id)`.
    async __resolveReference(reference, ctx) {
      requireUser(ctx.userId);
      const row = await ctx.loaders.conversation.load(parseId(reference.id, 'id'));
      if (!row) throw notFound(NOT_FOUND_CONVERSATION);
      return row;
    },
    async members(conversation, _args, ctx) {
      return (await ctx.loaders.members.load(conversation.id)) ?? [];
    },
    async memberships(conversation, _args, ctx) {
      return (await ctx.loaders.memberships.load(conversation.id)) ?? [];
    },
    async membersAmong(conversation, { userIds }, ctx) {
      if (userIds.length < 1 || userIds.length > MAX_MEMBERS_AMONG) throw badInput(`userIds must hold 1 to ${MAX_MEMBERS_AMONG} ids`, 'userIds');
      const ids = [...new Set(userIds.map((id) => parseId(id, 'userIds')))];
      const found = await Promise.all(ids.map((id) => ctx.loaders.isMember.load(pairKey(conversation.id, id))));
      return ids.filter((_, i) => found[i]);
    },
    async memberCount(conversation, _args, ctx) {
      return (await ctx.loaders.members.load(conversation.id))?.length ?? 0;
    },
    async myRole(conversation, _args, ctx) {
      requireUser(ctx.userId);
      const membership = await ctx.loaders.myMembership.load(conversation.id);
      // Left or removed within this same operation (e.g. a mutation's result).
      if (!membership) throw notFound(NOT_FOUND_CONVERSATION);
      return membership.role;
    },
    async muted(conversation, _args, ctx) {
      requireUser(ctx.userId);
      const membership = await ctx.loaders.myMembership.load(conversation.id);
      if (!membership) throw notFound(NOT_FOUND_CONVERSATION);
      return isMuted(membership);
    },
    async mutedUntil(conversation, _args, ctx) {
      requireUser(ctx.userId);
      const membership = await ctx.loaders.myMembership.load(conversation.id);
      if (!membership) throw notFound(NOT_FOUND_CONVERSATION);
      return isMuted(membership) ? membership.mutedUntil : null;
    },
    async lastReadSeq(conversation, _args, ctx) {
      requireUser(ctx.userId);
      const membership = await ctx.loaders.myMembership.load(conversation.id);
      if (!membership) throw notFound(NOT_FOUND_CONVERSATION);
      return membership.lastReadSeq;
    },
    async mentionCount(conversation, _args, ctx) {
      requireUser(ctx.userId);
      return (await ctx.loaders.mentionCount.load(conversation.id)) ?? 0;
    },
    async unreadCount(conversation, _args, ctx) {
      requireUser(ctx.userId);
      return (await ctx.loaders.unreadCount.load(conversation.id)) ?? 0;
    },
    async messages(conversation, args, ctx) {
      return (await ctx.loaders.messagePage(parsePage(args)).load(conversation.id)) ?? [];
    },
    async thread(conversation, { rootId, after, limit }, ctx) {
      return ctx.messages.thread(conversation.id, rootId, { after, limit });
    },
  },
  Membership: {
    user: (membership) => ({ __typename: 'User', id: membership.userId }),
  },
};
