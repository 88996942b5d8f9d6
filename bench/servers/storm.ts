// The measured STORM router: a replica in its own process, joined to the
// back end started by storm-backend.ts through the bus and the subgraphs,
// as in production. BENCH_BACKEND carries the back end's ready line.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createBus, type BusKind } from '@storm/bus';
import { identityKey } from '@storm/common';
import { loadVerifyKey, verifyAccessToken } from '@storm/auth';
import { DEFAULT_ROUTER_LIMITS } from '@storm/stack';
import { startRouter } from '@storm/router/server';
import { ready, startControl } from './harness.js';

const backend = JSON.parse(process.env.BENCH_BACKEND!) as {
  subgraphs: { users: string; conversations: string; media: string };
  busPrefix: string;
  identitySecret: string;
  jwtPublicKeyPem: string;
  tokens: string[];
  senderToken: string;
  conversationIds: string[];
};
const busKind = (process.env.BENCH_BUS ?? 'nats') as BusKind;

/** Experiments with batching: the router's settings by the same names (and BENCH_OPEN_CONCURRENCY), when set. */
function settingsFromEnv(): { subscriptionBatchConcurrency?: number; subscriptionBatchSize?: number; subscriptionOpenConcurrency?: number } {
  const read = (name: string) => {
    const text = process.env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
    return value;
  };
  const concurrency = read('SUBSCRIPTION_BATCH_CONCURRENCY');
  const size = read('SUBSCRIPTION_BATCH_SIZE');
  // Not a router setting: RouterLimits.subscriptionOpenConcurrency (batched head reads in flight), for A/B runs.
  const opens = read('BENCH_OPEN_CONCURRENCY');
  return {
    ...(concurrency ? { subscriptionBatchConcurrency: concurrency } : {}),
    ...(size ? { subscriptionBatchSize: size } : {}),
    ...(opens ? { subscriptionOpenConcurrency: opens } : {}),
  };
}
const bus = await createBus(
  busKind === 'redis' ? { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: backend.busPrefix } : { kind: 'nats', servers: 'nats://127.0.0.1:4222', prefix: backend.busPrefix },
);
const key = await loadVerifyKey(backend.jwtPublicKeyPem);
const router = await startRouter({
  supergraphSdl: await readFile(fileURLToPath(new URL('../../router/supergraph.graphql', import.meta.url)), 'utf8'),
  subgraphs: backend.subgraphs,
  bus,
  busPrefix: backend.busPrefix,
  identityKey: identityKey(backend.identitySecret),
  verifyAccessToken: (token) => verifyAccessToken(token, key, { issuer: 'storm', audience: 'storm' }),
  host: '127.0.0.1',
  port: 0,
  development: false,
  limits: {
    ...DEFAULT_ROUTER_LIMITS,
    wsMaxSubscriptions: 10_000,
    wsMaxConnectionsPerUser: 100_000,
    ...settingsFromEnv(),
  },
});
const control = await startControl({
  '/engine': async () => ({ subscribers: router.engine.subscriberCount, groups: router.engine.groupCount, inboxes: router.engine.inboxCount }),
  // One inbox audit (INBOX_AUDIT_MS's periodic work), timed here.
  '/audit': async () => {
    const started = performance.now();
    await router.engine.audit({ inboxes: true });
    return { ms: performance.now() - started };
  },
  // commit → socket hand-off, as the router measures it (histogram buckets, cumulative counts).
  '/latency': async () => (await router.metrics.deliveryLatency.get()).values,
  '/resolutions': async () => (await router.metrics.resolutions.get()).values,
  '/batches': async () => (await router.metrics.pageBatchSize.get()).values,
});
const shutdown = async () => {
  await router.dispose();
  await bus.dispose();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
ready({
  httpUrl: router.url,
  wsUrl: router.url.replace(/^http/, 'ws'),
  control,
  tokens: backend.tokens,
  senderToken: backend.senderToken,
  conversationIds: backend.conversationIds,
});
