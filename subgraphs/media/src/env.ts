import { z } from 'zod';
import { envHost, envNodeEnv, envPort, envPostgresUrl, parseEnv } from '@storm/common';
import { devIdentitySecret } from '@storm/auth';

// Storage settings (MEDIA_STORAGE_DIR, S3_*) arrive with upload: no setting is
// accepted before something uses it.
const schema = z
  .object({
    /** development | production | test. @default development */
    NODE_ENV: envNodeEnv,
    /** Bind address. @default 127.0.0.1 */
    HOST: envHost,
    /** HTTP port of /graphql and /healthz; 0 picks a free one. @default 4003 */
    PORT: envPort(4003),
    /** PostgreSQL URL; the service uses the `media` schema in it. Required, no default. */
    DATABASE_URL: envPostgresUrl,
    /**
     * Shared secret of router-signed identity assertions (at least 32 chars).
     * Required outside development; in development, when unset, a generated
     * secret under <repo>/.storm/dev-keys is shared with the router.
     */
    IDENTITY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** The users subgraph, asked whose avatar a media is. @default http://127.0.0.1:4001/graphql */
    USERS_URL: z.url().default('http://127.0.0.1:4001/graphql'),
    /** The conversations subgraph, asked who is a member where and who wrote a message. @default http://127.0.0.1:4002/graphql */
    CONVERSATIONS_URL: z.url().default('http://127.0.0.1:4002/graphql'),
    /** Timeout of each of those questions, in ms. @default 5000 */
    PEERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  })
  .refine((env) => env.NODE_ENV === 'development' || env.IDENTITY_SECRET !== undefined, {
    path: ['IDENTITY_SECRET'],
    message: 'required outside development',
    // Also report it when other settings are bad, so one run lists every problem.
    when: (payload) => {
      const env = payload.value as { NODE_ENV?: unknown; IDENTITY_SECRET?: unknown };
      return env.NODE_ENV !== undefined && !payload.issues.some((i) => i.path?.[0] === 'NODE_ENV' || i.path?.[0] === 'IDENTITY_SECRET');
    },
  });

/** The media service's validated settings. */
export interface MediaEnv {
  nodeEnv: 'development' | 'production' | 'test';
  development: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  identitySecret: string;
  usersUrl: string;
  conversationsUrl: string;
  peersTimeoutMs: number;
}

/** Reads and validates the media service's settings; throws ConfigError naming every bad one. */
export function loadMediaEnv(source: NodeJS.ProcessEnv = process.env): MediaEnv {
  const env = parseEnv('media', schema, source);
  return {
    nodeEnv: env.NODE_ENV,
    development: env.NODE_ENV === 'development',
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    // The refine above guarantees a value outside development.
    identitySecret: env.IDENTITY_SECRET ?? devIdentitySecret(),
    usersUrl: env.USERS_URL,
    conversationsUrl: env.CONVERSATIONS_URL,
    peersTimeoutMs: env.PEERS_TIMEOUT_MS,
  };
}
