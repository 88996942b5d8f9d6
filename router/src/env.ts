import { z } from 'zod';
import { envBool, envHost, envNodeEnv, envPort, parseEnv, REDIS_PREFIX_PATTERN, REDIS_PREFIX_RULE } from '@storm/common';
import { busEnvSchema } from '@storm/bus';
import { ClientAddress } from './client-address.js';
import type { RouterLimits } from './server.js';

/**
 * The router's limits (sockets, replay, batching, audits, operation limits),
 * as settings: read by the router alone and by the all-in-one process
 * (`npm start`, packages/stack), so both refuse the same bad values.
 */
export const routerLimitsEnvShape = {
  /** Largest accepted HTTP request body, in bytes. @default 1048576 */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Largest accepted WebSocket frame, in bytes. @default 65536 */
  WS_MAX_PAYLOAD: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
  /** Milliseconds a socket may take to send connection_init. @default 10000 */
  WS_INIT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Server pings on idle sockets every this many ms (0 = off). @default 15000 */
  WS_KEEPALIVE_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  /** Bytes a socket may have waiting to be written before its subscriptions are told to resync. @default 1048576 */
  WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(16 * 1024).max(256 * 1024 * 1024).default(1024 * 1024),
  /** Sockets one user may hold on one router (devices, tabs). @default 20 */
  WS_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Most subscriptions one socket may hold. @default 100 */
  WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Most messages a resume (`after`) replays before answering with a resync error. @default 10000 */
  REPLAY_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** Most conversations whose new messages one batched page read resolves (shared selections). @default 50 */
  SUBSCRIPTION_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  /** Most batched page reads of one selection in flight; groups that wake meanwhile join the next read. @default 4 */
  SUBSCRIPTION_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Ms between reads of the live conversations' heads and member lists, for a removal or wake-up the bus lost (0 = off; a bus reconnect still reads). @default 30000 */
  MEMBERSHIP_AUDIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Ms between reads of each inbox user's conversations, for a join the bus lost (0 = off; a bus reconnect still reads). One request per user with an inbox on this router. @default 300000 */
  INBOX_AUDIT_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  /** Deepest selection nesting of an operation. @default 8 */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(8),
  /** Most aliased fields in one operation. @default 15 */
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).max(1_000).default(15),
  /** Highest static cost of an operation (graphql-armor cost model). @default 5000 */
  GRAPHQL_MAX_COST: z.coerce.number().int().min(1).max(10_000_000).default(5_000),
  /** Most lexical tokens in a document (the parser stops there). @default 2000 */
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).max(1_000_000).default(2_000),
  /** Most directives in one operation. @default 20 */
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1_000).default(20),
  /**
   * Milliseconds between sweeps of the presence of the users this replica's
   * presenceChanged watchers watch: a user whose connections expired (their
   * router crashed) is announced OFFLINE within one interval. 0 turns it
   * off; otherwise 100 to 3600000. @default 5000
   */
  PRESENCE_SWEEP_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .refine((ms) => ms === 0 || ms >= 100, 'must be 0 (off) or at least 100')
    .default(5_000),
  /** Most watched users one sweep reads (one store round trip per 500); more are swept round-robin. @default 5000 */
  PRESENCE_SWEEP_MAX_USERS: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
};

export type RouterLimitsEnv = z.infer<z.ZodObject<typeof routerLimitsEnvShape>>;

/** The router's limits when no setting is given: the defaults of routerLimitsEnvShape. */
export function defaultRouterLimits(): RouterLimits {
  return routerLimitsFromEnv(z.object(routerLimitsEnvShape).parse({}));
}

/** RouterLimits from the settings of routerLimitsEnvShape. */
export function routerLimitsFromEnv(env: RouterLimitsEnv): RouterLimits {
  return {
    maxBodyBytes: env.MAX_BODY_BYTES,
    wsMaxPayload: env.WS_MAX_PAYLOAD,
    wsInitTimeoutMs: env.WS_INIT_TIMEOUT_MS,
    wsKeepAliveMs: env.WS_KEEPALIVE_MS,
    wsMaxSubscriptions: env.WS_MAX_SUBSCRIPTIONS,
    wsMaxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
    wsMaxConnectionsPerUser: env.WS_MAX_CONNECTIONS_PER_USER,
    replayLimit: env.REPLAY_LIMIT,
    subscriptionBatchSize: env.SUBSCRIPTION_BATCH_SIZE,
    subscriptionBatchConcurrency: env.SUBSCRIPTION_BATCH_CONCURRENCY,
    membershipAuditMs: env.MEMBERSHIP_AUDIT_MS,
    inboxAuditMs: env.INBOX_AUDIT_MS,
    presenceSweepMs: env.PRESENCE_SWEEP_MS,
    presenceSweepMaxUsers: env.PRESENCE_SWEEP_MAX_USERS,
    operations: {
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxCost: env.GRAPHQL_MAX_COST,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
    },
  };
}

/**
 * Every setting of the router, read once. A bad or missing value stops the
 * start-up with a message naming it (see README's settings table).
 */
const schema = z
  .object({
    NODE_ENV: envNodeEnv,
    /** Interface to bind. @default 127.0.0.1 */
    HOST: envHost,
    /** Public port: HTTP and WebSocket on one port. @default 4000 */
    PORT: envPort(4000),
    /** Subgraph endpoints (internal network only). */
    USERS_URL: z.url().default('http://127.0.0.1:4001/graphql'),
    CONVERSATIONS_URL: z.url().default('http://127.0.0.1:4002/graphql'),
    MEDIA_URL: z.url().default('http://127.0.0.1:4003/graphql'),
    /** Shared with the subgraphs; signs the caller's identity on every subgraph request. Min 32 chars. */
    IDENTITY_SECRET: z.string().min(32).optional(),
    /** PEM (SPKI) Ed25519 public key verifying access tokens; development generates one. */
    JWT_PUBLIC_KEY: z.string().min(1).optional(),
    JWT_ISSUER: z.string().min(1).default('storm'),
    JWT_AUDIENCE: z.string().min(1).default('storm'),
    ...routerLimitsEnvShape,
    /**
     * Key prefix of the presence store in Redis (REDIS_URL), shared with the users
     * subgraph. Unset: this router records no presence (nobody shows online).
     */
    REDIS_PREFIX: z.string().regex(REDIS_PREFIX_PATTERN, REDIS_PREFIX_RULE).optional(),
    /**
     * Proxies in front of the router (ingress, load balancer) whose
     * X-Forwarded-For names the client: comma-separated addresses and CIDR
     * ranges. Empty: the socket's peer is the client. @default ''
     */
    TRUSTED_PROXIES: z
      .string()
      .default('')
      .superRefine((spec, ctx) => {
        try {
          ClientAddress.parse(spec);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    /** Serve Apollo Sandbox-friendly introspection outside development. @default false */
    INTROSPECTION: envBool(false),
  })
  .and(busEnvSchema);

export type RouterEnv = z.infer<typeof schema>;

export function loadRouterEnv(source: NodeJS.ProcessEnv = process.env): RouterEnv {
  const env = parseEnv('router', schema, source);
  return env;
}
