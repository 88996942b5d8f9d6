import { envHost, envNodeEnv, envPort, envPostgresUrl, parseEnv, REDIS_PREFIX_PATTERN, REDIS_PREFIX_RULE } from '@storm/common';
import { devIdentitySecret } from '@storm/auth';
import { busConfigFromEnv, busEnvShape, refineBusEnv, type BusConfig } from '@storm/bus';
import { z } from 'zod';
import { DEFAULT_RATE_LIMITS, type RateLimitSettings } from './rate-limit.js';

const rateBurst = (value: number) => z.coerce.number().int().min(0).max(1_000_000).default(value);
const ratePerSecond = (value: number) => z.coerce.number().positive().max(1_000_000).default(value);

/**
 * The outbox relay and the per-user rate limits, as settings: read by the
 * service alone and by the all-in-one process (`npm start`, packages/stack),
 * so both refuse the same bad values.
 */
export const conversationsTuningEnvShape = {
  /** Outbox relay poll interval, in ms (commits kick it at once; the poll is the fallback). @default 250 */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** Outbox rows published per relay transaction. @default 1000 */
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** sendMessage per user: bucket size (0 = no limit; at least 100 keeps the API.md promise). @default 300 */
  RATE_LIMIT_SEND_BURST: rateBurst(DEFAULT_RATE_LIMITS.send.burst),
  /** sendMessage per user: sustained messages per second. @default 30 */
  RATE_LIMIT_SEND_PER_SECOND: ratePerSecond(DEFAULT_RATE_LIMITS.send.perSecond),
  /** addReaction/removeReaction per user: bucket size (0 = no limit). @default 100 */
  RATE_LIMIT_REACTION_BURST: rateBurst(DEFAULT_RATE_LIMITS.react.burst),
  /** addReaction/removeReaction per user: sustained per second. @default 10 */
  RATE_LIMIT_REACTION_PER_SECOND: ratePerSecond(DEFAULT_RATE_LIMITS.react.perSecond),
  /** createConversation per user: bucket size (0 = no limit). @default 30 */
  RATE_LIMIT_CREATE_BURST: rateBurst(DEFAULT_RATE_LIMITS.create.burst),
  /** createConversation per user: sustained per second. @default 0.5 */
  RATE_LIMIT_CREATE_PER_SECOND: ratePerSecond(DEFAULT_RATE_LIMITS.create.perSecond),
};

export type ConversationsTuningEnv = z.infer<z.ZodObject<typeof conversationsTuningEnvShape>>;

/** The relay's settings and the rate limits from the settings of conversationsTuningEnvShape. */
export function conversationsTuningFromEnv(env: ConversationsTuningEnv): { outbox: { pollIntervalMs: number; batchSize: number }; rateLimits: RateLimitSettings } {
  return {
    outbox: { pollIntervalMs: env.OUTBOX_POLL_MS, batchSize: env.OUTBOX_BATCH_SIZE },
    rateLimits: {
      send: { burst: env.RATE_LIMIT_SEND_BURST, perSecond: env.RATE_LIMIT_SEND_PER_SECOND },
      react: { burst: env.RATE_LIMIT_REACTION_BURST, perSecond: env.RATE_LIMIT_REACTION_PER_SECOND },
      create: { burst: env.RATE_LIMIT_CREATE_BURST, perSecond: env.RATE_LIMIT_CREATE_PER_SECOND },
    },
  };
}

const schema = z.object({
  NODE_ENV: envNodeEnv,
  /** Bind address. @default 127.0.0.1 */
  HOST: envHost,
  /** @default 4002 */
  PORT: envPort(4002),
  /** This service's PostgreSQL (schema `conversations`). Required. */
  DATABASE_URL: envPostgresUrl,
  /** Shared with the router: verifies `x-storm-identity`. At least 32 characters; development falls back to the shared dev secret. */
  IDENTITY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The users subgraph, asked whether member ids exist. @default http://127.0.0.1:4001/graphql */
  USERS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4001/graphql'),
  /** Timeout of one call to the users subgraph, in ms. @default 5000 */
  USERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** The media subgraph, told the files of a send with attachmentIds. @default http://127.0.0.1:4003/graphql */
  MEDIA_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4003/graphql'),
  /** Timeout of that request, in ms. @default 5000 */
  MEDIA_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** BUS (memory | nats | redis; default memory), BUS_PREFIX (no default; required unless memory), NATS_URL, REDIS_URL: see @storm/bus. */
  ...busEnvShape,
  /**
   * Key prefix in Redis (REDIS_URL), the same value as the router's and the
   * users service's. Set: every replica shares one rate limit budget per
   * user, and reads the routers' presence store, so mentioned users and
   * direct-message recipients who are connected get no notification. Unset:
   * each replica keeps its own buckets in memory (with N replicas a user gets
   * up to N times the rates) and everyone counts as offline (every mention
   * and direct message notifies, even a user who is looking at it).
   */
  REDIS_PREFIX: z.string().regex(REDIS_PREFIX_PATTERN, REDIS_PREFIX_RULE).optional(),
  ...conversationsTuningEnvShape,
});

export interface ConversationsEnv {
  development: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  identitySecret: string;
  usersUrl: string;
  mediaUrl: string;
  mediaTimeoutMs: number;
  usersTimeoutMs: number;
  /** `createBus(bus)`; `bus.prefix` is the subject prefix (topics). */
  bus: BusConfig & { prefix: string };
  outbox: { pollIntervalMs: number; batchSize: number };
  /** Per-user token buckets. */
  rateLimits: RateLimitSettings;
  /**
   * The Redis shared with the routers and the other replicas (REDIS_PREFIX
   * set): the rate limit buckets, and the routers' presence store that decides
   * who is notified. Undefined: buckets in this process's memory, no presence.
   */
  rateLimitsAndPresenceRedis: { url: string; prefix: string } | undefined;
}

/** The conversations service's settings; throws ConfigError naming every bad one. */
export function loadConversationsEnv(source: NodeJS.ProcessEnv = process.env): ConversationsEnv {
  const env = parseEnv(
    'conversations',
    schema.superRefine((value, ctx) => {
      refineBusEnv(value, ctx);
      if (value.NODE_ENV !== 'development' && !value.IDENTITY_SECRET) {
        ctx.addIssue({ code: 'custom', path: ['IDENTITY_SECRET'], message: 'required outside development' });
      }
    }),
    source,
  );
  return {
    development: env.NODE_ENV === 'development',
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    identitySecret: env.IDENTITY_SECRET ?? devIdentitySecret(),
    usersUrl: env.USERS_URL,
    usersTimeoutMs: env.USERS_TIMEOUT_MS,
    mediaUrl: env.MEDIA_URL,
    mediaTimeoutMs: env.MEDIA_TIMEOUT_MS,
    bus: busConfigFromEnv(env),
    ...conversationsTuningFromEnv(env),
    rateLimitsAndPresenceRedis: env.REDIS_PREFIX ? { url: env.REDIS_URL, prefix: env.REDIS_PREFIX } : undefined,
  };
}
