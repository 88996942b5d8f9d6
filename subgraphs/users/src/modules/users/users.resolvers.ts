import { unauthenticated } from '@storm/common';
import type { Resolvers } from '../../generated/graphql.js';

export const usersResolvers: Resolvers = {
  Query: {
    me: (_parent, _args, ctx) => (ctx.userId ? ctx.users.byId(ctx.userId) : null),
    user: (_parent, { id }, ctx) => {
      // Profiles are for members of the product, not for anonymous enumeration.
      if (!ctx.userId) throw unauthenticated();
      return ctx.users.byId(id);
    },
  },
  User: {
    // Called once per representation; the per-request loader turns a batch of
    // `_entities` (e.g. every author of a page of messages) into one query.
    __resolveReference: (ref, ctx) => ctx.users.byId(ref.id),
  },
};
