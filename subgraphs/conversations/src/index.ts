import { adapterFor } from '@storm/db';
import { identityKey, drainOnSignals, runOrExit } from '@storm/common';
import type { Bus } from '@storm/bus/bus';
import { createMemoryBus } from '@storm/bus/memory';
import { createNatsBus } from '@storm/bus/nats';
import { loadConversationsEnv, type ConversationsEnv } from './env.js';
import { PrismaClient } from './generated/prisma/client.js';
import { startConversationsService } from './server.js';
import { createHttpUserDirectory } from './user-directory.js';

// TODO(bus): replace with `createBus(busConfigFromEnv(...))` from @storm/bus once it lands.
async function createBusFor(config: ConversationsEnv['bus']): Promise<Bus> {
  switch (config.kind) {
    case 'memory':
      return createMemoryBus({ shared: config.prefix });
    case 'nats':
      return createNatsBus({ servers: config.natsUrl, prefix: config.prefix });
    case 'redis':
      throw new Error('BUS_KIND=redis: the redis adapter is not available yet');
  }
}

/** The standalone conversations subgraph (`npm run start -w @storm/conversations`). */
await runOrExit(async () => {
  const env = loadConversationsEnv();
  const key = identityKey(env.identitySecret);
  const prisma = new PrismaClient({ adapter: adapterFor({ kind: 'postgres', url: env.databaseUrl }) });
  const bus = await createBusFor(env.bus);
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
  });
  // Drained in reverse: the service (HTTP, then the relay), then the bus, then the database.
  drainOnSignals([() => prisma.$disconnect(), () => bus.dispose(), () => service.dispose()]);
  console.log(`conversations subgraph ready at ${service.url}`);
});
