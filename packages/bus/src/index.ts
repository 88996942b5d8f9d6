/**
 * @storm/bus: one interface, three adapters (memory, nats, redis), chosen by
 * settings. Services parse `busEnvSchema` with their own settings, turn it
 * into a config with `busConfigFromEnv`, and call `createBus`.
 */
import { z } from 'zod';
import { SUBJECT_TOKEN, type Bus } from './bus.js';
import { createMemoryBus, type MemoryBusOptions } from './memory.js';
import { createNatsBus, NATS_DUPLICATE_WINDOW_MS, type NatsBusOptions } from './nats.js';
import { createRedisBus, type RedisBusOptions } from './redis.js';

export * from './bus.js';
export { BusError } from './errors.js';
export type { HandlerErrorListener } from './internal.js';
export { createMemoryBus, type MemoryBusOptions } from './memory.js';
export { createNatsBus, natsStreamConfig, natsStreamName, NATS_LIVE_ROOT, type NatsBusOptions } from './nats.js';
export { createRedisBus, toRedisPattern, type RedisBusOptions } from './redis.js';
export { subjectMatcher } from './subject.js';

export type BusConfig =
  | ({
      kind: 'memory';
      /**
       * Buses created with the same prefix in one process share one hub, so
       * services started in the same process reach each other.
       * @default 'storm'
       */
      prefix?: string;
    } & Omit<MemoryBusOptions, 'shared' | 'prefix'>)
  | ({ kind: 'nats' } & NatsBusOptions)
  | ({ kind: 'redis' } & RedisBusOptions);

/** Creates the bus a config names. */
export async function createBus(config: BusConfig): Promise<Bus> {
  switch (config.kind) {
    case 'memory': {
      const { kind: _kind, prefix = DEFAULT_MEMORY_PREFIX, ...rest } = config;
      return createMemoryBus({ ...rest, prefix, shared: prefix });
    }
    case 'nats': {
      const { kind: _kind, ...rest } = config;
      return createNatsBus(rest);
    }
    case 'redis': {
      const { kind: _kind, ...rest } = config;
      return createRedisBus(rest);
    }
    default:
      throw new Error(`unknown bus kind: ${JSON.stringify((config as { kind: unknown }).kind)}`);
  }
}

/** The prefix an embedded (memory) bus uses when BUS_PREFIX is not set. */
export const DEFAULT_MEMORY_PREFIX = 'storm';

const NATS_SERVER = /^((nats|tls|ws|wss):\/\/)?[^\s,]+$/;

/**
 * The limits of the JetStream stream (BUS=nats), as zod fields. Every
 * process that opens the bus (router, conversations, users) ensures the
 * stream with its own values and updates the stream when they differ: give
 * them all the same ones (one ConfigMap).
 */
export const natsStreamEnvShape = {
  /** How long the stream keeps messages; 0: no age limit. At least the 2-minute duplicate window otherwise. */
  NATS_STREAM_MAX_AGE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(365 * 86_400_000)
    .refine((ms) => ms === 0 || ms >= NATS_DUPLICATE_WINDOW_MS, `must be 0 (no limit) or at least ${NATS_DUPLICATE_WINDOW_MS} (the duplicate window)`)
    .default(86_400_000),
  /** Size cap of the stream; the oldest messages go first. */
  NATS_STREAM_MAX_BYTES: z.coerce.number().int().min(1024 ** 2).max(Number.MAX_SAFE_INTEGER).default(1024 ** 3),
  /** Stream replicas: 1, or 3 (or 5) on a NATS cluster. */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** Where the server keeps the stream. Cannot change in place: the bus refuses to start on a stream stored otherwise. */
  NATS_STREAM_STORAGE: z.enum(['file', 'memory']).default('file'),
};

export type NatsStreamEnv = z.infer<z.ZodObject<typeof natsStreamEnvShape>>;

/**
 * The bus settings, as zod fields: spread them into a service's own
 * `z.object({...})` (then add `refineBusEnv`), or intersect the service's
 * schema with `busEnvSchema` (`serviceSchema.and(busEnvSchema)`).
 */
export const busEnvShape = {
  /** Which adapter: `memory` (one process), `nats` (production) or `redis`. */
  BUS: z.enum(['memory', 'nats', 'redis']).default('memory'),
  /**
   * First token of every subject. No default: two deployments on one NATS or
   * Redis must never share topics by accident. Required unless BUS=memory.
   */
  BUS_PREFIX: z.string().regex(SUBJECT_TOKEN, `must match ${SUBJECT_TOKEN}`).optional(),
  /** NATS server URL(s), comma-separated. */
  NATS_URL: z
    .string()
    .refine((v) => v.split(',').every((s) => NATS_SERVER.test(s.trim())), 'must be nats://host:port, comma-separated for several')
    .default('nats://127.0.0.1:4222'),
  /** Redis URL. */
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  ...natsStreamEnvShape,
};

/** The cross-field rule of the bus settings: BUS_PREFIX is required for a shared bus. */
export function refineBusEnv(env: { BUS: 'memory' | 'nats' | 'redis'; BUS_PREFIX?: string | undefined }, ctx: z.RefinementCtx): void {
  if (env.BUS !== 'memory' && !env.BUS_PREFIX) {
    ctx.addIssue({
      code: 'custom',
      path: ['BUS_PREFIX'],
      message: `required when BUS=${env.BUS} (no default: two deployments must never share topics)`,
    });
  }
}

export const busEnvSchema = z.object(busEnvShape).superRefine(refineBusEnv);

export type BusEnv = z.infer<typeof busEnvSchema>;

/**
 * Turns parsed settings into a `createBus` config. The result always carries
 * the prefix, so callers can build `topics(config.prefix)`.
 */
export function busConfigFromEnv(env: Pick<BusEnv, 'BUS' | 'BUS_PREFIX' | 'NATS_URL' | 'REDIS_URL'> & Partial<NatsStreamEnv>): BusConfig & { prefix: string } {
  switch (env.BUS) {
    case 'memory':
      return { kind: 'memory', prefix: env.BUS_PREFIX ?? DEFAULT_MEMORY_PREFIX };
    case 'nats':
      return {
        kind: 'nats',
        servers: env.NATS_URL,
        prefix: requirePrefix(env),
        maxAgeMs: env.NATS_STREAM_MAX_AGE_MS,
        maxBytes: env.NATS_STREAM_MAX_BYTES,
        replicas: env.NATS_STREAM_REPLICAS,
        storage: env.NATS_STREAM_STORAGE,
      };
    case 'redis':
      return { kind: 'redis', url: env.REDIS_URL, prefix: requirePrefix(env) };
  }
}

function requirePrefix(env: Pick<BusEnv, 'BUS' | 'BUS_PREFIX'>): string {
  // busEnvSchema already refuses this; the check keeps hand-built envs honest.
  if (!env.BUS_PREFIX) throw new Error(`BUS_PREFIX is required when BUS=${env.BUS}`);
  return env.BUS_PREFIX;
}
