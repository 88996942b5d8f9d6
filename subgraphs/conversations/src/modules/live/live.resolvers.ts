import { badInput } from '@storm/common';
import type { Resolvers } from '../../generated/graphql.js';
import { eventLogPages } from './event-log.service.js';

const MAX_LIMIT = 200;

export const liveResolvers: Resolvers = {
  Conversation: {
    lastEvent: (conversation) => conversation.lastEvent,
    async events(conversation, { after, limit }, ctx) {
      if (!Number.isInteger(after) || after < 0) throw badInput('after must be a non-negative integer', 'after');
      const size = limit ?? 100;
      if (!Number.isInteger(size) || size < 1 || size > MAX_LIMIT) throw badInput(`limit must be 1..${MAX_LIMIT}`, 'limit');
      // The parent passed its membership check (or the router vouched for it).
      return (await eventLogPages(ctx.prisma, [conversation.id], after, size)).get(conversation.id) ?? [];
    },
  },
};
