import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { GraphQLScalarType, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Resolvers } from './generated/graphql.js';
import { freshPerMutation } from '@storm/common';
import type { UsersContext } from './context.js';
import { authResolvers } from './modules/auth/auth.resolvers.js';
import { presenceResolvers } from './modules/presence/presence.resolvers.js';
import { profileResolvers } from './modules/profile/profile.resolvers.js';
import { usersResolvers } from './modules/users/users.resolvers.js';

// No side effects beyond reading the .graphql files: `npm run compose` imports
// `typeDefs` from here without any database or environment.

const modulesDir = join(dirname(fileURLToPath(import.meta.url)), 'modules');

/** Every modules/**\/*.graphql of the subgraph, in a stable order, as one document. */
export const typeDefs: DocumentNode = parse(
  readdirSync(modulesDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(modulesDir, f), 'utf8'))
    .join('\n'),
);

/** Resolver maps of the modules, merged type by type (modules may extend the same root type). */
export const resolvers: Resolvers = [usersResolvers, authResolvers, profileResolvers, presenceResolvers].reduce<Record<string, object>>((merged, map) => {
  for (const [type, fields] of Object.entries(map)) merged[type] = fields instanceof GraphQLScalarType ? fields : { ...merged[type], ...fields };
  return merged;
}, {}) as Resolvers;

export function buildSchema(): GraphQLSchema {
  // codegen's Resolvers type is stricter than @apollo/subgraph's map; the shapes agree.
  // Each mutation field of an operation starts with fresh loaders (freshPerMutation).
  const fresh = freshPerMutation(resolvers, (ctx: UsersContext) => Object.assign(ctx, ctx.freshLoaders()));
  return buildSubgraphSchema([{ typeDefs, resolvers: fresh as GraphQLResolverMap<unknown> }]);
}
