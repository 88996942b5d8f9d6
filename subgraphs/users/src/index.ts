import { loadSigningKeys } from '@storm/auth';
import { drainOnSignals, identityKey, runOrExit } from '@storm/common';
import { adapterFor } from '@storm/db';
import { createBus, topics } from '@storm/bus';
import { busPresenceAnnouncer, createPresenceStore } from '@storm/presence';
import { loadUsersEnv } from './env.js';
import { PrismaClient } from './generated/prisma/client.js';
import { createMemoryLimiter, createRedisLimiter } from '@storm/limiter';
import { createHttpAvatarCheck } from './modules/profile/avatars.js';
import { startUsersService } from './server.js';

// Standalone entry of the users subgraph (one Kubernetes Deployment):
// `npm run start -w @storm/users`.
await runOrExit(async () => {
  const env = loadUsersEnv();
  const signingKeys = await loadSigningKeys({ privateKeyPem: env.jwt.privateKeyPem });
  const prisma = new PrismaClient({
    adapter: adapterFor({ kind: 'postgres', url: env.databaseUrl }, { poolSize: env.databasePoolSize }),
  });
  const limiter = env.redis ? await createRedisLimiter({ ...env.redis, connectionName: 'storm-users-limiter' }) : createMemoryLimiter();
  // Written by the routers (same REDIS_URL and REDIS_PREFIX); without Redis nobody writes here and everyone reads OFFLINE.
  const presence = await createPresenceStore(env.redis ? { redis: env.redis } : { memory: true });
  // setAway is announced here, as the routers announce connections (presenceChanged).
  const bus = await createBus(env.bus);
  const key = identityKey(env.identitySecret);
  const service = await startUsersService({
    prisma,
    identityKey: key,
    avatars: createHttpAvatarCheck({ url: env.mediaUrl, identityKey: key, timeoutMs: env.mediaTimeoutMs }),
    host: env.host,
    port: env.port,
    development: env.development,
    signingKeys,
    tokens: {
      issuer: env.jwt.issuer,
      audience: env.jwt.audience,
      accessTtlSeconds: env.jwt.accessTtlSeconds,
      refreshTtlSeconds: env.jwt.refreshTtlSeconds,
      refreshReuseGraceSeconds: env.jwt.refreshReuseGraceSeconds,
    },
    limiter,
    throttle: env.throttle,
    presence,
    announcePresence: busPresenceAnnouncer(bus, topics(env.bus.prefix)),
  });
  drainOnSignals([() => prisma.$disconnect(), () => limiter.dispose(), () => presence.dispose(), () => bus.dispose(), () => service.dispose()]);
  console.log(`users subgraph ready at ${service.url}`);
});
