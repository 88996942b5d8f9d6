import { adapterFor } from '@storm/db';
import { identityKey, drainOnSignals, runOrExit } from '@storm/common';
import { createBus } from '@storm/bus';
import { createRedisLimiter } from '@storm/limiter';
import { createPresenceStore } from '@storm/presence';
import { loadConversationsEnv } from './env.js';
import { PrismaClient } from './generated/prisma/client.js';
import { startConversationsService } from './server.js';
import { createHttpUserDirectory } from './user-directory.js';
import { createHttpMediaAttachments } from './media-attachments.js';

/** The standalone conversations subgraph (`npm run start -w @storm/conversations`). */
await runOrExit(async () => {
  const env = loadConversationsEnv();
  const key = identityKey(env.identitySecret);
  const prisma = new PrismaClient({ adapter: adapterFor({ kind: 'postgres', url: env.databaseUrl }) });
  if (env.bus.kind === 'memory') {
    console.warn('conversations: BUS=memory publishes inside this process only; set BUS=nats (or redis) and BUS_PREFIX so the router receives events');
  }
  const bus = await createBus(env.bus);
  const redis = env.rateLimitsAndPresenceRedis;
  // Shared by every replica. Fail fast while Redis is down (no offline
  // queue, a short timeout): the limiter then decides with this replica's
  // own buckets rather than hold a send.
  const rateLimitStore = redis
    ? await createRedisLimiter({ ...redis, offlineQueue: false, commandTimeoutMs: 500, connectionName: 'storm-conversations-limiter' })
    : undefined;
  // The routers' presence store (same REDIS_URL and REDIS_PREFIX), read only:
  // connected recipients are not notified. Read before each notifying send's
  // transaction, so a short timeout bounds what a slow Redis adds to a send;
  // a failed read notifies every recipient (NotificationsService.offlineOnly).
  const presence = redis ? await createPresenceStore({ redis: { ...redis, commandTimeoutMs: 500 } }) : undefined;
  if (!redis) {
    console.warn(
      'conversations: REDIS_PREFIX is not set: rate limits are kept per replica (N replicas allow N times the rates), and presence is not read, ' +
        'so every mentioned user and direct-message recipient is notified even while connected',
    );
  }
  const service = await startConversationsService({
    prisma,
    bus,
    busPrefix: env.bus.prefix,
    identityKey: key,
    userDirectory: createHttpUserDirectory({ url: env.usersUrl, identityKey: key, timeoutMs: env.usersTimeoutMs }),
    mediaAttachments: createHttpMediaAttachments({ url: env.mediaUrl, identityKey: key, timeoutMs: env.mediaTimeoutMs }),
    host: env.host,
    port: env.port,
    development: env.development,
    relay: env.outbox,
    rateLimits: env.rateLimits,
    rateLimitStore,
    presence,
  });
  // Drained in reverse: the service (HTTP, then the relay), then presence, the rate limit store, the bus, the database.
  drainOnSignals([() => prisma.$disconnect(), () => bus.dispose(), async () => rateLimitStore?.dispose(), async () => presence?.dispose(), () => service.dispose()]);
  console.log(`conversations subgraph ready at ${service.url}`);
});
