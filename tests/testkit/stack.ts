import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createBus, natsStreamName, type Bus, type BusConfig, type BusKind, type PublishOptions } from '@storm/bus';
import { createTestDatabase, type TestDatabase } from '@storm/db/testing';
import { DEFAULT_ROUTER_LIMITS, startStack, type MediaStorageOptions, type Stack } from '@storm/stack';
import { startRouter, type RouterLimits, type RunningRouter } from '@storm/router/server';
import type { ClientAddress } from '@storm/router/client-address';
import { identityKey } from '@storm/common';
import { createPresenceStore } from '@storm/presence';
import { loadVerifyKey, verifyAccessToken } from '@storm/auth';
import type { ThrottleSettings } from '@storm/users/modules/auth/throttle';
import type { RateLimitSettings } from '@storm/conversations/rate-limit';
import { createRedisLimiter, type LimiterStore } from '@storm/limiter';

export interface TestStack extends Stack {
  db: TestDatabase;
  bus: Bus;
  busKind: BusKind;
  busPrefix: string;
  /** The media service's storage folder (FileStorage root). */
  mediaDir: string;
  /** What another router replica needs to join this stack. */
  secrets: { identitySecret: string; jwtPublicKeyPem: string };
  /** Waits until the router holds `count` open subscriptions (they are set up asynchronously). */
  subscriptionsOpen(count: number, timeoutMs?: number): Promise<void>;
}

const supergraph = fileURLToPath(new URL('../../router/supergraph.graphql', import.meta.url));

/**
 * The whole product on free ports, over a fresh database on the real
 * PostgreSQL and the chosen real bus, with fresh keys and a unique bus prefix.
 */
export async function startTestStack(
  options: {
    /**
     * The bus: the machine's real NATS JetStream by default, as a deployment runs it (tests
     * of the bus talk to it for real); `memory` (the embedded default of `npm start`) and
     * `redis` where a suite runs over each bus.
     */
    bus?: BusKind;
    routerLimits?: Partial<RouterLimits>;
    accessTtlSeconds?: number;
    throttle?: Partial<ThrottleSettings>;
    /** The conversations service's per-user rate limits; false: none (load generators). @default its defaults */
    rateLimits?: RateLimitSettings | false;
    /**
     * Where login counters and rate limit buckets live: each service's own
     * memory (default), or the real Redis under the stack's prefix (as every
     * replica of a deployment with REDIS_PREFIX shares them).
     */
    limiter?: 'memory' | 'redis';
    /** Where presence lives: the stack's own memory store (default), or the real Redis under the stack's prefix. */
    presence?: 'memory' | 'redis';
    /**
     * Fault injection: a publish for which this returns true is acknowledged
     * and never sent, as Redis pub/sub loses what it publishes while a
     * subscriber reconnects. The bus stays the real one for everything else.
     */
    losePublish?: (subject: string) => boolean;
    /** The media service's upload size and rate limits (its storage is a fresh folder of the stack's). @default its defaults */
    media?: Omit<MediaStorageOptions, 'storageDir'>;
  } = {},
): Promise<TestStack> {
  const busKind = options.bus ?? 'nats';
  const prefix = `e2e_${randomBytes(5).toString('hex')}`;
  if (busKind === 'nats') await dropStreams((name, created) => name.startsWith(natsStreamName('e2e_')) && Date.now() - created > STALE_STREAM_MS);
  const db = await createTestDatabase();
  const mediaDir = await mkdtemp(join(tmpdir(), 'storm-media-'));
  const realBus = await createBus(testBusConfig(busKind, prefix));
  const lose = options.losePublish;
  const bus: Bus = lose ? Object.assign(Object.create(realBus) as Bus, { publish: (subject: string, payload: unknown, o?: PublishOptions) => (lose(subject) ? Promise.resolve() : realBus.publish(subject, payload, o)) }) : realBus;
  const keyPair = generateKeyPairSync('ed25519');
  const privateKeyPem = keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const identitySecret = randomBytes(32).toString('base64url');
  const presence =
    options.presence === 'redis'
      ? await createPresenceStore({ redis: { url: TEST_REDIS_URL, prefix }, heartbeatIntervalMs: options.routerLimits?.wsKeepAliveMs ?? DEFAULT_ROUTER_LIMITS.wsKeepAliveMs, lastSeenTtlMs: 10 * 60_000 }) // test keys do not outlive the run by long
      : undefined;
  let limiter: LimiterStore | undefined;
  let stack: Stack;
  try {
    // Its keys expire on their own (when a bucket is full again, when a login window ends).
    limiter = options.limiter === 'redis' ? await createRedisLimiter({ url: TEST_REDIS_URL, prefix }) : undefined;
    stack = await startStack({
      db: db.target,
      migrate: false,
      bus,
      busPrefix: prefix,
      identitySecret,
      jwtPrivateKeyPem: privateKeyPem,
      jwt: options.accessTtlSeconds ? { accessTtlSeconds: options.accessTtlSeconds } : undefined,
      ports: { router: 0, users: 0, conversations: 0, media: 0 },
      development: false,
      routerLimits: options.routerLimits,
      rateLimits: options.rateLimits,
      limiter,
      presence,
      // Every test client is 127.0.0.1: per-address limits would count the whole suite as one attacker.
      throttle: { registerAddressLimit: 1_000_000, loginAddressLimit: 1_000_000, ...options.throttle },
      media: { ...options.media, storageDir: mediaDir },
      supergraphSdl: await readFile(supergraph, 'utf8'),
    });
  } catch (err) {
    await limiter?.dispose();
    await presence?.dispose();
    await bus.dispose();
    await db.drop();
    await rm(mediaDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...stack,
    db,
    bus,
    busKind,
    busPrefix: prefix,
    mediaDir,
    secrets: { identitySecret, jwtPublicKeyPem: keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    subscriptionsOpen: (count, timeoutMs) => subscriptionsOpen(stack.router, count, timeoutMs),
    async dispose() {
      await stack.dispose();
      await limiter?.dispose();
      await presence?.dispose();
      await bus.dispose();
      await db.drop();
      await rm(mediaDir, { recursive: true, force: true });
      // Each JetStream stream reserves its max bytes of storage: never leave one behind.
      if (busKind === 'nats') await dropStreams((name) => name === natsStreamName(prefix));
    },
  };
}

/** Waits until `router` holds `count` open subscriptions (they are set up asynchronously). */
async function subscriptionsOpen(router: RunningRouter, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (router.engine.subscriberCount < count) {
    if (Date.now() > deadline) throw new Error(`only ${router.engine.subscriberCount} of ${count} subscriptions opened`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The machine's real Redis (presence with `presence: 'redis'`, the redis bus). */
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** The bus of a test stack (or of another replica joining it): real servers on 127.0.0.1, small streams. */
export function testBusConfig(kind: BusKind, prefix: string): BusConfig {
  switch (kind) {
    case 'nats':
      return { kind: 'nats', servers: 'nats://127.0.0.1:4222', prefix, maxBytes: 64 * 1024 * 1024 };
    case 'redis':
      return { kind: 'redis', url: TEST_REDIS_URL, prefix };
    default:
      return { kind: 'memory', prefix };
  }
}

/** Streams of test runs that crashed before disposing are dropped after this long. */
const STALE_STREAM_MS = 30 * 60_000;

async function dropStreams(match: (name: string, createdMs: number) => boolean): Promise<void> {
  const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
  try {
    const jsm = await jetstreamManager(nc);
    const doomed: string[] = [];
    for await (const info of jsm.streams.list()) if (match(info.config.name, Date.parse(info.created))) doomed.push(info.config.name);
    for (const name of doomed) await jsm.streams.delete(name).catch(() => {});
  } finally {
    await nc.close();
  }
}

export interface Replica {
  router: RunningRouter;
  bus: Bus;
  wsUrl: string;
  /** Waits until this replica holds `count` open subscriptions. */
  subscriptionsOpen(count: number, timeoutMs?: number): Promise<void>;
  /** Stops the router (idempotent), then its bus. */
  dispose(): Promise<void>;
}

/**
 * Another router replica joining `stack`: its own process state, sharing
 * nothing with the stack's router but the bus and the subgraphs (as two
 * router pods do). `subgraphs` may point it elsewhere (e.g. counting proxies).
 */
export async function startReplica(
  stack: TestStack,
  options: {
    subgraphs?: Partial<Record<'users' | 'conversations' | 'media', string>>;
    limits?: Partial<RouterLimits>;
    /** Trusted proxies (TRUSTED_PROXIES). @default none */
    clientAddress?: ClientAddress;
    /** Told every subject the replica's router subscribes to on the bus and unsubscribes from (the real bus does the work). */
    observeSubscriptions?: { subscribed(subject: string): void; unsubscribed(subject: string): void };
  } = {},
): Promise<Replica> {
  const realBus = await createBus(testBusConfig(stack.busKind, stack.busPrefix));
  const observe = options.observeSubscriptions;
  const bus: Bus = observe
    ? Object.assign(Object.create(realBus) as Bus, {
        subscribe: async (subject: string, handler: Parameters<Bus['subscribe']>[1]) => {
          const subscription = await realBus.subscribe(subject, handler);
          observe.subscribed(subject);
          return { unsubscribe: () => (observe.unsubscribed(subject), subscription.unsubscribe()) };
        },
      })
    : realBus;
  const key = await loadVerifyKey(stack.secrets.jwtPublicKeyPem);
  const router = await startRouter({
    supergraphSdl: await readFile(supergraph, 'utf8'),
    subgraphs: { users: stack.users.url, conversations: stack.conversations.url, media: stack.media.url, ...options.subgraphs },
    bus,
    busPrefix: stack.busPrefix,
    identityKey: identityKey(stack.secrets.identitySecret),
    verifyAccessToken: (token) => verifyAccessToken(token, key, { issuer: 'storm', audience: 'storm' }),
    host: '127.0.0.1',
    port: 0,
    development: false,
    limits: { ...DEFAULT_ROUTER_LIMITS, ...options.limits },
    clientAddress: options.clientAddress,
  });
  return {
    router,
    bus,
    wsUrl: router.url.replace(/^http/, 'ws'),
    subscriptionsOpen: (count, timeoutMs) => subscriptionsOpen(router, count, timeoutMs),
    async dispose() {
      await router.dispose();
      await bus.dispose();
    },
  };
}
