// The router alone (the Kubernetes way): every setting from the environment.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { drainOnSignals, identityKey, runOrExit } from '@storm/common';
import { busConfigFromEnv, createBus } from '@storm/bus';
import { createPresenceStore } from '@storm/presence';
import { loadRouterEnv, routerLimitsFromEnv } from './env.js';
import { createAccessTokenVerifier, resolveIdentitySecret } from './auth.js';
import { startRouter } from './server.js';
import { ClientAddress } from './client-address.js';

await runOrExit(async () => {
  const env = loadRouterEnv();
  const supergraphSdl = await readFile(fileURLToPath(new URL('../supergraph.graphql', import.meta.url)), 'utf8');
  const presence = env.REDIS_PREFIX
    ? await createPresenceStore({ redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX }, heartbeatIntervalMs: env.WS_KEEPALIVE_MS })
    : undefined;
  if (!presence) console.warn('[router] REDIS_PREFIX is not set: connections are not recorded as presence');
  const busConfig = busConfigFromEnv(env);
  const bus = await createBus(busConfig);
  const router = await startRouter({
    supergraphSdl,
    subgraphs: { users: env.USERS_URL, conversations: env.CONVERSATIONS_URL, media: env.MEDIA_URL },
    bus,
    busPrefix: busConfig.prefix,
    identityKey: identityKey(await resolveIdentitySecret(env)),
    verifyAccessToken: await createAccessTokenVerifier(env),
    host: env.HOST,
    port: env.PORT,
    development: env.NODE_ENV !== 'production',
    introspection: env.INTROSPECTION,
    presence,
    clientAddress: ClientAddress.parse(env.TRUSTED_PROXIES),
    limits: routerLimitsFromEnv(env),
  });
  console.log(`STORM router ready at ${router.url} (WebSocket on the same path)`);
  drainOnSignals([async () => presence?.dispose(), () => bus.dispose(), () => router.dispose()]);
});
