// Standalone media subgraph (the Kubernetes way): `npm run start -w @storm/media`.
// GraphQL on /graphql; the bytes on POST /media and GET /media/<id>, which the
// router serves on the public origin.
import { adapterFor } from '@storm/db';
import { drainOnSignals, identityKey, runOrExit } from '@storm/common';
import { PrismaClient } from './generated/prisma/client.js';
import { loadMediaEnv } from './env.js';
import { startMediaService } from './server.js';
import { createHttpPeers } from './peers.js';

await runOrExit(async () => {
  const env = loadMediaEnv();
  const prisma = new PrismaClient({ adapter: adapterFor({ kind: 'postgres', url: env.databaseUrl }) });
  const service = await startMediaService({
    prisma,
    identityKey: identityKey(env.identitySecret),
    host: env.host,
    port: env.port,
    development: env.development,
    ...env.storage,
    peers: createHttpPeers({ usersUrl: env.usersUrl, conversationsUrl: env.conversationsUrl, identityKey: identityKey(env.identitySecret), timeoutMs: env.peersTimeoutMs }),
  });
  drainOnSignals([() => prisma.$disconnect(), () => service.dispose()]);
  console.log(`media subgraph ready at ${service.url}`);
});
