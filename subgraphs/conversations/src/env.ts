import { envHost, envNodeEnv, envPort, envPostgresUrl, parseEnv } from '@storm/common';
import { devIdentitySecret } from '@storm/auth';
import { busConfigFromEnv, busEnvShape, refineBusEnv, type BusConfig } from '@storm/bus';
import { z } from 'zod';

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
  /** BUS (memory | nats | redis; default memory), BUS_PREFIX (no default; required unless memory), NATS_URL, REDIS_URL: see @storm/bus. */
  ...busEnvShape,
  /** Outbox relay poll interval, in ms (commits kick it at once; the poll is the fallback). @default 250 */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** Outbox rows published per relay transaction. @default 100 */
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(100),
});

export interface ConversationsEnv {
  development: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  identitySecret: string;
  usersUrl: string;
  usersTimeoutMs: number;
  /** `createBus(bus)`; `bus.prefix` is the subject prefix (topics). */
  bus: BusConfig & { prefix: string };
  outbox: { pollIntervalMs: number; batchSize: number };
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
    bus: busConfigFromEnv(env),
    outbox: { pollIntervalMs: env.OUTBOX_POLL_MS, batchSize: env.OUTBOX_BATCH_SIZE },
  };
}
