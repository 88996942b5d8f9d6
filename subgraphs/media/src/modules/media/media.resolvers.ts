import { badInput, isUuid, notFound, unauthenticated } from '@storm/common';
import type { Resolvers } from '../../generated/graphql.js';
import { mediaUsage } from './media.service.js';

export const mediaResolvers: Resolvers = {
  Query: {
    media: async (_parent, { id }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      if (!isUuid(id)) throw badInput('id must be a UUID', 'id');
      // Someone else's media is reported exactly like a missing one, so ids cannot be probed.
      const row = await ctx.mediaLoader.load(id);
      if (!row) throw notFound('Media not found');
      return row;
    },
    uploads: async (_parent, args, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      return ctx.media.listOwned(ctx.userId.toLowerCase(), args);
    },
    mediaUsage: async (_parent, _args, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      return { ...(await mediaUsage(ctx.prisma, ctx.userId.toLowerCase())), quotaBytes: ctx.quotaBytes };
    },
  },
  Mutation: {
    attachMedia: async (_parent, { messageId, mediaIds }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      return ctx.media.attach(ctx.userId, messageId, mediaIds);
    },
    deleteMedia: async (_parent, { id }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      return ctx.media.delete(ctx.userId, id);
    },
    releaseNewMessage: async (_parent, { messageId }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      if (!isUuid(messageId)) throw badInput('messageId must be a UUID', 'messageId');
      return ctx.media.releaseNew(ctx.userId, messageId);
    },
    attachToNewMessage: async (_parent, { messageId, conversationId, mediaIds }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      await ctx.media.attachToNew(ctx.userId, messageId, conversationId, mediaIds);
      return true;
    },
  },
  Message: {
    // A reference carries the id and, through the router (`@requires`), the
    // conversations service's `deletedAt`: conversations, which owns the
    // message, decides who sees it and whether it is deleted; attachments
    // check membership themselves. A representation without `deletedAt`
    // keeps it undefined (unknown), never null: the loader then asks
    // conversations whether the message is deleted instead of assuming not.
    __resolveReference: (reference) => ({ id: reference.id, deletedAt: (reference as { deletedAt?: string | null }).deletedAt }),
    attachments: async (message, _args, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      if (message.deletedAt) return [];
      return ctx.attachmentsLoader.load(message);
    },
  },
  Media: {
    // Called once per representation of an `_entities` request; the loader
    // folds them into one owner-scoped query. An entity the caller may not see
    // fails alone (NOT_FOUND at its index) and the others still resolve.
    __resolveReference: async (reference, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      const row = await ctx.mediaLoader.load(reference.id);
      if (!row) throw notFound('Media not found');
      return row;
    },
    // Only someone who may see the media gets here (the loaders above), so the link is theirs to have.
    url: (media, _args, ctx) => ctx.urls.url(media.id),
    thumbnailUrl: (media, _args, ctx) => (media.thumbnail ? ctx.urls.thumbnailUrl(media.id) : null),
    owner: (media) => ({ __typename: 'User', id: media.ownerId }),
  },
};
