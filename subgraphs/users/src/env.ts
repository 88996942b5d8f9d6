import { DEFAULT_ACCESS_TTL_SECONDS, devIdentitySecret, devKeys, publicKeyPemOf } from '@storm/auth';
import { busConfigFromEnv, busEnvShape, natsStreamEnvShape, refineBusEnv, type BusConfig } from '@storm/bus';
import { envHost, envNodeEnv, envPort, envPostgresUrl, parseEnv, REDIS_PREFIX_PATTERN, REDIS_PREFIX_RULE } from '@storm/common';
import { z } from 'zod';
import { DEFAULT_THROTTLE, type ThrottleSettings } from './modules/auth/throttle.js';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/**
 * Token lifetimes and the login / registration throttle, as settings: read by
 * the service alone and by the all-in-one process (`npm start`,
 * packages/stack), so both refuse the same bad values.
 */
export const tokenEnvShape = {
  /** `iss` of access tokens; the router must expect the same. @default "storm" */
  JWT_ISSUER: z.string().min(1).default('storm'),
  /** `aud` of access tokens; the router must expect the same. @default "storm" */
  JWT_AUDIENCE: z.string().min(1).default('storm'),
  /** Access token lifetime in seconds (keep it short: access tokens cannot be revoked). @default 900 */
  JWT_ACCESS_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(DEFAULT_ACCESS_TTL_SECONDS),
  /** Refresh token lifetime in seconds, renewed at each rotation. @default 2592000 (30 days) */
  JWT_REFRESH_TTL_SECONDS: z.coerce.number().int().min(60).max(31_536_000).default(2_592_000),
  /**
   * Seconds after a rotation during which the rotated refresh token, presented
   * again, is refused without revoking its login (for clients that race their
   * own refreshes). 0 = strict reuse detection. @default 0
   */
  JWT_REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(0),
};

export const throttleEnvShape = {
  /** Window of the login counters, in seconds. @default 900 */
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(DEFAULT_THROTTLE.loginWindowSeconds),
  /** Failed logins per account (email) in the window answered without delay. @default 5 */
  LOGIN_ACCOUNT_FREE: z.coerce.number().int().min(0).max(1000).default(DEFAULT_THROTTLE.loginAccountFree),
  /** Then each attempt waits this, doubling (1 s, 2 s, 4 s …), after the previous one; earlier ones get RATE_LIMITED. @default 1000 */
  LOGIN_DELAY_BASE_MS: z.coerce.number().int().min(0).max(3_600_000).default(DEFAULT_THROTTLE.loginDelayBaseMs),
  /** Failed logins per account in the window, after which it is refused until the window ends. @default 20 */
  LOGIN_ACCOUNT_LIMIT: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_THROTTLE.loginAccountLimit),
  /** Failed logins per client address (IPv6: per /64) in the window. @default 100 */
  LOGIN_ADDRESS_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_THROTTLE.loginAddressLimit),
  /** Registration attempts per client address in REGISTER_WINDOW_SECONDS. @default 20 */
  REGISTER_ADDRESS_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_THROTTLE.registerAddressLimit),
  /** @default 3600 */
  REGISTER_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(DEFAULT_THROTTLE.registerWindowSeconds),
};

export type TokenEnv = z.infer<z.ZodObject<typeof tokenEnvShape>>;
export type ThrottleEnv = z.infer<z.ZodObject<typeof throttleEnvShape>>;

/** Issuer, audience and lifetimes of the tokens from the settings of tokenEnvShape. */
export function tokensFromEnv(env: TokenEnv): { issuer: string; audience: string; accessTtlSeconds: number; refreshTtlSeconds: number; refreshReuseGraceSeconds: number } {
  return {
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    accessTtlSeconds: env.JWT_ACCESS_TTL_SECONDS,
    refreshTtlSeconds: env.JWT_REFRESH_TTL_SECONDS,
    refreshReuseGraceSeconds: env.JWT_REFRESH_REUSE_GRACE_SECONDS,
  };
}

/** ThrottleSettings from the settings of throttleEnvShape. */
export function throttleFromEnv(env: ThrottleEnv): ThrottleSettings {
  return {
    loginWindowSeconds: env.LOGIN_WINDOW_SECONDS,
    loginAccountFree: env.LOGIN_ACCOUNT_FREE,
    loginDelayBaseMs: env.LOGIN_DELAY_BASE_MS,
    loginAccountLimit: env.LOGIN_ACCOUNT_LIMIT,
    loginAddressLimit: env.LOGIN_ADDRESS_LIMIT,
    registerAddressLimit: env.REGISTER_ADDRESS_LIMIT,
    registerWindowSeconds: env.REGISTER_WINDOW_SECONDS,
  };
}

const schema = z
  .object({
    NODE_ENV: envNodeEnv,
    /** Bind address. @default 127.0.0.1 */
    HOST: envHost,
    /** HTTP port of /graphql and /healthz. @default 4001 */
    PORT: envPort(4001),
    /** The media subgraph, asked whether a new avatar is an image the caller uploaded. @default http://127.0.0.1:4003/graphql */
    MEDIA_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4003/graphql'),
    /** Timeout of that question, in ms. @default 5000 */
    MEDIA_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    /** PostgreSQL URL of the users database (schema "users"). Required. */
    DATABASE_URL: envPostgresUrl,
    /** Pool size of this process's PostgreSQL connections. @default 10 */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
    /**
     * Secret shared with the router to verify `x-storm-identity` (at least 32 chars).
     * Required in production; elsewhere, when unset, the shared dev secret in .storm/dev-keys.
     */
    IDENTITY_SECRET: optional.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    /**
     * Ed25519 private key (PKCS#8 PEM; literal "\n" accepted) that signs access tokens.
     * Required in production; elsewhere, when unset, the shared dev key in .storm/dev-keys.
     */
    JWT_PRIVATE_KEY: optional.pipe(
      z
        .string()
        .refine((pem) => {
          try {
            publicKeyPemOf(pem);
            return true;
          } catch {
            return false;
          }
        }, 'must be an Ed25519 private key in PKCS#8 PEM')
        .optional(),
    ),
    ...tokenEnvShape,
    /**
     * Redis shared by every replica for login/register attempt counters and
     * presence. Unset: both are kept in this process's memory (one replica only).
     */
    REDIS_URL: optional.pipe(z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').optional()),
    /** First part of every Redis key of this deployment. Required with REDIS_URL (no default: two deployments never share keys). */
    REDIS_PREFIX: optional.pipe(z.string().regex(REDIS_PREFIX_PATTERN, REDIS_PREFIX_RULE).optional()),
    /**
     * The bus on which setAway is announced (presenceChanged): BUS (memory |
     * nats | redis; default memory), BUS_PREFIX (no default; required unless
     * memory), NATS_URL; BUS=redis uses REDIS_URL (default redis://127.0.0.1:6379).
     * The same values as the router's.
     */
    BUS: busEnvShape.BUS,
    BUS_PREFIX: busEnvShape.BUS_PREFIX,
    NATS_URL: busEnvShape.NATS_URL,
    /** The JetStream stream's limits (BUS=nats): the same values as the router's and conversations'. */
    ...natsStreamEnvShape,
    ...throttleEnvShape,
  })
  .superRefine(
    (env, ctx) => {
      if (env.REDIS_URL !== undefined && env.REDIS_PREFIX === undefined && !ctx.issues.some((i) => i.path?.[0] === 'REDIS_PREFIX')) {
        ctx.addIssue({ code: 'custom', path: ['REDIS_PREFIX'], message: 'required with REDIS_URL' });
      }
      if (env.BUS !== undefined && !ctx.issues.some((i) => i.path?.[0] === 'BUS' || i.path?.[0] === 'BUS_PREFIX')) refineBusEnv(env, ctx);
      if (env.NODE_ENV !== 'production') return;
      // In production a missing secret is a misconfiguration, never a cue to invent one.
      for (const name of ['IDENTITY_SECRET', 'JWT_PRIVATE_KEY'] as const) {
        if (env[name] === undefined && !ctx.issues.some((i) => i.path?.[0] === name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'required in production' });
        }
      }
    },
    // Also when other settings are bad, so one run lists every problem.
    { when: () => true },
  );

export interface UsersEnv {
  nodeEnv: 'development' | 'production' | 'test';
  /** NODE_ENV=development: unmasked error messages and introspection. */
  development: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  databasePoolSize: number;
  identitySecret: string;
  mediaUrl: string;
  mediaTimeoutMs: number;
  jwt: {
    privateKeyPem: string;
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    refreshReuseGraceSeconds: number;
  };
  /** Shared counters and presence; undefined = in memory. */
  redis: { url: string; prefix: string } | undefined;
  /** `createBus(bus)`: where setAway is announced; `bus.prefix` is the subject prefix. */
  bus: BusConfig & { prefix: string };
  throttle: ThrottleSettings;
}

/**
 * The users service's settings. Throws ConfigError naming every bad or
 * missing setting. Outside production, an unset IDENTITY_SECRET or
 * JWT_PRIVATE_KEY falls back to the development material shared through
 * <repo>/.storm/dev-keys (created on first use), so the router and the
 * subgraphs started separately still agree.
 */
export function loadUsersEnv(source: NodeJS.ProcessEnv = process.env): UsersEnv {
  const env = parseEnv('users', schema, source);
  return {
    nodeEnv: env.NODE_ENV,
    development: env.NODE_ENV === 'development',
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    identitySecret: env.IDENTITY_SECRET ?? devIdentitySecret(),
    mediaUrl: env.MEDIA_URL,
    mediaTimeoutMs: env.MEDIA_TIMEOUT_MS,
    jwt: { privateKeyPem: env.JWT_PRIVATE_KEY ?? devKeys().privateKeyPem, ...tokensFromEnv(env) },
    redis: env.REDIS_URL ? { url: env.REDIS_URL, prefix: env.REDIS_PREFIX! } : undefined,
    bus: busConfigFromEnv({ ...env, REDIS_URL: env.REDIS_URL ?? 'redis://127.0.0.1:6379' }),
    throttle: throttleFromEnv(env),
  };
}
