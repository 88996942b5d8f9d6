// `npm start`: the whole product in one process. With no settings: embedded
// PostgreSQL (PGlite, kept in .storm/pglite) and the in-memory bus, so a
// newcomer needs nothing but Node. DATABASE_URL / BUS=nats|redis switch to
// the real services.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devIdentitySecret, devKeys, findRepoRoot } from '@storm/auth';
import { busConfigFromEnv, createBus } from '@storm/bus';
import { drainOnSignals, runOrExit } from '@storm/common';
import { describeTarget, openEmbedded, type DbTarget } from '@storm/db';
import { routerLimitsFromEnv } from '@storm/router/env';
import { conversationsTuningFromEnv } from '@storm/conversations/env';
import { throttleFromEnv, tokensFromEnv } from '@storm/users/env';
import { mediaStorageFromEnv } from '@storm/media/env';
import { loadStackEnv } from './env.js';
import { startStack } from './index.js';

await runOrExit(async () => {
  const env = loadStackEnv();
  const root = findRepoRoot();
  const disposers: Array<() => Promise<void>> = [];

  let db: DbTarget;
  if (env.DATABASE_URL) {
    db = { kind: 'postgres', url: env.DATABASE_URL };
  } else {
    const pglite = await openEmbedded(resolve(root, env.STORM_DATA_DIR));
    disposers.push(() => pglite.close());
    db = { kind: 'pglite', pglite };
  }
  const busConfig = busConfigFromEnv(env);
  const bus = await createBus(busConfig);
  disposers.push(() => bus.dispose());

  const supergraphSdl = await readFile(fileURLToPath(new URL('../../../router/supergraph.graphql', import.meta.url)), 'utf8');
  const stack = await startStack({
    db,
    bus,
    busPrefix: busConfig.prefix,
    identitySecret: env.IDENTITY_SECRET ?? devIdentitySecret(),
    jwtPrivateKeyPem: env.JWT_PRIVATE_KEY ?? devKeys().privateKeyPem,
    host: env.HOST,
    ports: { router: env.PORT, users: env.USERS_PORT, conversations: env.CONVERSATIONS_PORT, media: env.MEDIA_PORT },
    development: env.NODE_ENV !== 'production',
    routerLimits: routerLimitsFromEnv(env),
    ...conversationsTuningFromEnv(env),
    jwt: tokensFromEnv(env),
    throttle: throttleFromEnv(env),
    // Relative folders are the repository's, like STORM_DATA_DIR.
    media: { ...mediaStorageFromEnv(env), storageDir: resolve(root, env.MEDIA_STORAGE_DIR) },
    supergraphSdl,
    log: (m) => console.log(`[storm] ${m}`),
  });
  disposers.push(() => stack.dispose());
  drainOnSignals(disposers);

  console.log(
    [
      '',
      `STORM is running (database: ${describeTarget(db)}, bus: ${busConfig.kind})`,
      `  GraphQL (HTTP + graphql-ws): ${stack.httpUrl}`,
      `  Apollo Sandbox:              open ${stack.httpUrl} in a browser`,
      `  files (docs/media.md):       POST ${stack.httpUrl.replace('/graphql', '')}/media, kept in ${env.MEDIA_STORAGE_DIR}`,
      `  health / readiness / metrics: ${stack.httpUrl.replace('/graphql', '')}/healthz /readyz /metrics`,
      '  Ctrl-C drains and stops.',
      '',
    ].join('\n'),
  );
});
