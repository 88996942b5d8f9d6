import { GraphQLError } from 'graphql';
import { ErrorCode, notFound } from '@storm/common';
import { NOT_FOUND_MESSAGE, parseId, requireUser } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

function subscriptionsLiveInTheRouter(): never {
  throw new GraphQLError(
    'Subscriptions are executed by the router over graphql-ws; this subgraph only declares them for the supergraph',
    { extensions: { code: 'BAD_REQUEST' } },
  );
}

export const messagesResolvers: Resolvers = {
  Query: {
    async message(_root, { id }, ctx) {
      requireUser(ctx.userId);
      const row = await ctx.loaders.message.load(parseId(id, 'id'));
      if (!row) throw notFound(NOT_FOUND_MESSAGE);
      return row;
    },
  },
  Mutation: {
    async sendMessage(_root, { input }, ctx) {
      const userId = requireUser(ctx.userId);
      await ctx.rateLimit('send');
      return ctx.messages.send(userId, input);
    },
    async editMessage(_root, { id, body }, ctx) {
      return ctx.messages.edit(requireUser(ctx.userId), id, body);
    },
    async deleteMessage(_root, { id }, ctx) {
      return ctx.messages.delete(requireUser(ctx.userId), id);
    },
    async announceMessageChange(_root, { id }, ctx) {
      await ctx.messages.announceChange(requireUser(ctx.userId), id);
      return true;
    },
  },
  Subscription: {
    messageAdded: {
      subscribe: subscriptionsLiveInTheRouter,
      // A subscription document POSTed over HTTP is executed like a query.
      resolve: subscriptionsLiveInTheRouter,
    },
    // Declared by modules/live for the supergraph; executed by the router too.
    conversationEvents: {
      subscribe: subscriptionsLiveInTheRouter,
      resolve: subscriptionsLiveInTheRouter,
    },
  },
  Message: {
    // `_entities` (e.g. the router resolving a bus event for a subscriber):
    // members of the message's conversation only, like `message(id)`.
    async __resolveReference(reference, ctx) {
      requireUser(ctx.userId);
      const row = await ctx.loaders.message.load(parseId(reference.id, 'id'));
      if (!row) throw notFound(NOT_FOUND_MESSAGE);
      return row;
    },
    author: (message) => ({ __typename: 'User', id: message.authorId }),
    async replyTo(message, _args, ctx) {
      if (!message.replyToId) return null;
      // Same conversation, so the caller's membership already covers it.
      return (await ctx.loaders.message.load(message.replyToId)) ?? null;
    },
    async replyCount(message, _args, ctx) {
      if (message.replyToId) return 0;
      return (await ctx.loaders.replyCount.load(message.id)) ?? 0;
    },
    async mentions(message, _args, ctx) {
      if (message.deletedAt) return [];
      return ((await ctx.loaders.mentions.load(message.id)) ?? []).map((id) => ({ __typename: 'User' as const, id }));
    },
    async mentionsMe(message, _args, ctx) {
      const me = requireUser(ctx.userId);
      if (ctx.membershipVouched) throw new GraphQLError('mentionsMe depends on the viewer and cannot be read in a vouched batch', { extensions: { code: ErrorCode.Forbidden } });
      if (message.deletedAt) return false;
      return ((await ctx.loaders.mentions.load(message.id)) ?? []).includes(me);
    },
  },
};
