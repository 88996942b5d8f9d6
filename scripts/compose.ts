// Composes the static supergraph the router serves from the subgraphs' SDL.
// `npm run compose` writes router/supergraph.graphql; `--check` (run by
// `npm test`) fails when the committed file is stale. Never edit it by hand.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { printSchema } from 'graphql';
import { typeDefs as users } from '@storm/users/schema';
import { typeDefs as conversations } from '@storm/conversations/schema';
import { typeDefs as media } from '@storm/media/schema';

const supergraphFile = fileURLToPath(new URL('../router/supergraph.graphql', import.meta.url));
// The API schema clients see (no join/link directives): input for client codegen and SDKs.
const apiSchemaFile = fileURLToPath(new URL('../router/schema.graphql', import.meta.url));
// Default local URLs; the router replaces them with USERS_URL etc. at run time.
const result = composeServices([
  { name: 'users', url: 'http://127.0.0.1:4001/graphql', typeDefs: users },
  { name: 'conversations', url: 'http://127.0.0.1:4002/graphql', typeDefs: conversations },
  { name: 'media', url: 'http://127.0.0.1:4003/graphql', typeDefs: media },
]);

if (result.errors) {
  console.error('composition failed:');
  for (const err of result.errors) console.error(`  - ${err.message}`);
  process.exit(1);
}
for (const hint of result.hints ?? []) console.warn(`hint: ${hint.message}`);

const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
const outputs: Array<[string, string]> = [
  [supergraphFile, withNewline(result.supergraphSdl)],
  [apiSchemaFile, withNewline(printSchema(result.schema.toAPISchema().toGraphQLJSSchema()))],
];
if (process.argv.includes('--check')) {
  let stale = false;
  for (const [file, content] of outputs) {
    if ((await readFile(file, 'utf8').catch(() => '')) !== content) {
      console.error(`${file} is stale: run \`npm run compose\` and commit it`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
  console.log('router/supergraph.graphql and router/schema.graphql are current');
} else {
  for (const [file, content] of outputs) {
    await writeFile(file, content);
    console.log(`wrote ${file}`);
  }
}
