import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { GraphQLScalarType, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { DateTimeScalar, freshPerMutation } from '@storm/common';
import type { ConversationsContext } from './context.js';
import { conversationsResolvers } from './modules/conversations/conversations.resolvers.js';
import { membersResolvers } from './modules/members/members.resolvers.js';
import { notificationsResolvers } from './modules/notifications/notifications.resolvers.js';
import { messagesResolvers } from './modules/messages/messages.resolvers.js';
import { reactionsResolvers } from './modules/reactions/reactions.resolvers.js';
import { pinsResolvers } from './modules/pins/pins.resolvers.js';
import { blocksResolvers } from './modules/blocks/blocks.resolvers.js';
import { searchResolvers } from './modules/search/search.resolvers.js';
import { typingResolvers } from './modules/typing/typing.resolvers.js';
import { liveResolvers } from './modules/live/live.resolvers.js';

const modules = join(dirname(fileURLToPath(import.meta.url)), 'modules');

/**
 * The module whose file carries `extend schema @link(...)` goes first; the
 * others extend Query / Mutation.
 */
const MODULE_ORDER = ['conversations', 'messages', 'members', 'reactions', 'pins', 'blocks', 'search'];

function readModules(): string {
  const names = readdirSync(modules, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names
    .flatMap((name) =>
      readdirSync(join(modules, name))
        .filter((file) => file.endsWith('.graphql'))
        .sort()
        .map((file) => readFileSync(join(modules, name, file), 'utf8')),
    )
    .join('\n');
}

function rank(name: string): number {
  const index = MODULE_ORDER.indexOf(name);
  return index === -1 ? MODULE_ORDER.length : index;
}

/** Every `modules/**\/*.graphql` of this subgraph, merged (read at import; no other side effect). */
export const typeDefs: DocumentNode = parse(readModules());

/** Every module's resolvers, merged type by type. */
export function mergeResolvers(...maps: Array<Record<string, object>>): GraphQLResolverMap<unknown> {
  const merged: Record<string, object> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      merged[type] = fields instanceof GraphQLScalarType ? fields : { ...(merged[type] ?? {}), ...fields };
    }
  }
  return merged as GraphQLResolverMap<unknown>;
}

export function buildSchema(): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs,
    // Each mutation field of an operation starts with fresh loaders (freshPerMutation).
    resolvers: freshPerMutation(
      mergeResolvers({ DateTime: DateTimeScalar }, conversationsResolvers, messagesResolvers, membersResolvers, reactionsResolvers, pinsResolvers, blocksResolvers, searchResolvers, typingResolvers, notificationsResolvers, liveResolvers),
      (ctx: ConversationsContext) => {
        ctx.loaders = ctx.freshLoaders();
      },
    ),
  });
}
