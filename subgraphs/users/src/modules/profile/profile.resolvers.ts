import { unauthenticated } from '@storm/common';
import type { Resolvers } from '../../generated/graphql.js';

export const profileResolvers: Resolvers = {
  Query: {
    users: (_parent, { handlePrefix, limit }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      return ctx.profiles.searchByHandle(handlePrefix, limit);
    },
  },
  Mutation: {
    // Owner only by construction: the caller can only name themself.
    updateProfile: (_parent, { input }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      return ctx.profiles.update(ctx.userId, input);
    },
    forgetAvatar: (_parent, { mediaId }, ctx) => {
      if (!ctx.userId) throw unauthenticated();
      return ctx.profiles.forgetAvatar(ctx.userId, mediaId);
    },
  },
  User: {
    // A reference the media service resolves; it decides who may see the file.
    avatar: (user) => (user.avatarMediaId ? { __typename: 'Media', id: user.avatarMediaId } : null),
  },
};
