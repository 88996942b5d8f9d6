import { adapterFor } from '@storm/db';
import { identityKey, drainOnSignals, runOrExit } from '@storm/common';
import { createBus } from '@storm/bus';
import { loadConversationsEnv } from './env.js';
import { PrismaClient } from './generated/prisma/client.js';
import { startConversationsService } from './server.js';
import { createHttpUserDirectory } from './user-directory.js';

/** The standalone conversations subgraph (`npm run start -w @storm/conversations`). */
await runOrExit(async () => {
  const env = loadConversationsEnv();
  const key = identityKey(env.identitySecret);
  const prisma = new PrismaClient({ adapter: adapterFor({ kind: 'postgres', url: env.databaseUrl }) });
  if (env.bus.kind === 'memory') {
    console.warn('conversations: BUS=memory publishes inside this process only; set BUS=nats (or redis) and BUS_PREFIX so the router receives events');
  }
  const bus = await createBus(env.bus);
  const service = await startConversationsService({
    prisma,
    bus,
    busPrefix: env.bus.prefix,
    identityKey: key,
    userDirectory: createHttpUserDirectory({ url: env.usersUrl, identityKey: key, timeoutMs: env.usersTimeoutMs }),
    host: env.host,
    port: env.port,
    development: env.development,
    relay: env.outbox,
    rateLimits: env.rateLimits,
  });
  // Drained in reverse: the service (HTTP, then the relay), then the bus, then the database.
  drainOnSignals([() => prisma.$disconnect(), () => bus.dispose(), () => service.dispose()]);
  console.log(`conversations subgraph ready at ${service.url}`);
});
