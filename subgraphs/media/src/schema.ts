import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { mediaResolvers } from './modules/media/media.resolvers.js';
import type { Resolvers } from './generated/graphql.js';
import { DateTimeScalar, freshPerMutation } from '@storm/common';
import type { MediaContext } from './context.js';

type SubgraphResolvers = Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers'];

// No side effects beyond reading the .graphql files: `npm run compose` imports
// typeDefs from here without a database or an environment.
const modulesDir = fileURLToPath(new URL('./modules', import.meta.url));
const files = readdirSync(modulesDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.graphql'))
  .sort();

/** Every `modules/**\/*.graphql` of the media subgraph, merged into one document. */
export const typeDefs: DocumentNode = {
  kind: Kind.DOCUMENT,
  definitions: files.flatMap((f) => parse(readFileSync(join(modulesDir, f), 'utf8')).definitions),
};

/** The executable media subgraph schema (Federation 2). */
export function buildSchema(): GraphQLSchema {
  // Each mutation field of an operation starts with fresh loaders (freshPerMutation).
  const resolvers: Resolvers = freshPerMutation({ ...mediaResolvers, DateTime: DateTimeScalar }, (ctx: MediaContext) => Object.assign(ctx, ctx.freshLoaders()));
  // codegen's Resolvers is stricter than @apollo/subgraph's resolver map type; the shapes agree at run time.
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as SubgraphResolvers });
}
