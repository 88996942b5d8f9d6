import { z } from 'zod';
import { envHost, envNodeEnv, envPort, envPostgresUrl, parseEnv } from '@storm/common';
import { devIdentitySecret } from '@storm/auth';
import type { TokenBucket } from '@storm/limiter';
import { DEFAULT_MEDIA_MAX_BYTES, DEFAULT_MEDIA_QUOTA_BYTES, DEFAULT_UPLOAD_LIMIT } from './modules/media/transfer.js';

/**
 * Where uploads go and how large and frequent they may be: read by the service
 * alone and by the all-in-one process (`npm start`, packages/stack), so both
 * refuse the same bad values.
 */
export const mediaStorageEnvShape = {
  /** Folder of the uploaded files (a volume of its own in Kubernetes). @default .storm/media (under the working directory) */
  MEDIA_STORAGE_DIR: z.string().min(1).default('.storm/media'),
  /** Largest upload, in bytes (at most 1 GiB). @default 10485760 (10 MiB) */
  MEDIA_MAX_BYTES: z.coerce.number().int().min(1).max(1024 ** 3).default(DEFAULT_MEDIA_MAX_BYTES),
  /** Uploads per user: bucket size (0 = no limit). @default 30 */
  MEDIA_UPLOAD_BURST: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_UPLOAD_LIMIT.burst),
  /** Uploads per user: sustained uploads per second. @default 0.5 */
  MEDIA_UPLOAD_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(DEFAULT_UPLOAD_LIMIT.perSecond),
  /** Bytes each user's files may take in all (0 = no quota). @default 1073741824 (1 GiB) */
  MEDIA_QUOTA_BYTES: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(DEFAULT_MEDIA_QUOTA_BYTES),
};

export type MediaStorageEnv = z.infer<z.ZodObject<typeof mediaStorageEnvShape>>;

/** The storage settings of startMediaService from the settings of mediaStorageEnvShape. */
export function mediaStorageFromEnv(env: MediaStorageEnv): { storageDir: string; maxUploadBytes: number; uploadLimit: TokenBucket | false; quotaBytes: number | false } {
  return {
    storageDir: env.MEDIA_STORAGE_DIR,
    maxUploadBytes: env.MEDIA_MAX_BYTES,
    uploadLimit: env.MEDIA_UPLOAD_BURST === 0 ? false : { burst: env.MEDIA_UPLOAD_BURST, perSecond: env.MEDIA_UPLOAD_PER_SECOND },
    quotaBytes: env.MEDIA_QUOTA_BYTES === 0 ? false : env.MEDIA_QUOTA_BYTES,
  };
}

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
    ...mediaStorageEnvShape,
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
  storage: ReturnType<typeof mediaStorageFromEnv>;
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
    storage: mediaStorageFromEnv(env),
  };
}
