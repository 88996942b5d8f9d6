import { z } from 'zod';
import { envHost, envNodeEnv, envPort, envPostgresUrl, parseEnv } from '@storm/common';
import { busEnvShape, refineBusEnv } from '@storm/bus';
import { routerLimitsEnvShape } from '@storm/router/env';
import { conversationsTuningEnvShape } from '@storm/conversations/env';
import { throttleEnvShape, tokenEnvShape } from '@storm/users/env';
import { mediaStorageEnvShape } from '@storm/media/env';

/**
 * Settings of the all-in-one process (`npm start`); every one has a working
 * default. Besides its own (ports, database, secrets, bus), it reads the
 * router's limits, the conversations service's outbox and rate limits, and the
 * users service's token lifetimes and login throttle, and the media service's
 * storage and upload limits; the services' settings
 * for running apart (URLs, timeouts, pools, Redis) keep their defaults.
 */
const schema = z
  .object({
    NODE_ENV: envNodeEnv,
    HOST: envHost,
    /** Router (public) port. @default 4000 */
    PORT: envPort(4000),
    /** Internal subgraph ports. @default 4001, 4002, 4003 */
    USERS_PORT: envPort(4001),
    CONVERSATIONS_PORT: envPort(4002),
    MEDIA_PORT: envPort(4003),
    /** A real PostgreSQL; unset = embedded PGlite in STORM_DATA_DIR. */
    DATABASE_URL: envPostgresUrl.optional(),
    /** Folder of the embedded database. @default .storm/pglite */
    STORM_DATA_DIR: z.string().min(1).default('.storm/pglite'),
    /** At least 32 chars; development generates and keeps one in .storm/dev-keys. */
    IDENTITY_SECRET: z.string().min(32).optional(),
    /** Ed25519 PKCS8 PEM; development generates and keeps one in .storm/dev-keys. */
    JWT_PRIVATE_KEY: z.string().min(1).optional(),
    ...busEnvShape,
    /** The router's, the conversations service's and the users service's own settings, with the same names, defaults and bounds as when each runs alone. */
    ...routerLimitsEnvShape,
    ...conversationsTuningEnvShape,
    ...tokenEnvShape,
    ...throttleEnvShape,
    ...mediaStorageEnvShape,
  })
  .superRefine(refineBusEnv)
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const name of ['IDENTITY_SECRET', 'JWT_PRIVATE_KEY'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required in production' });
    }
  });

export type StackEnv = z.infer<typeof schema>;

export function loadStackEnv(source: NodeJS.ProcessEnv = process.env): StackEnv {
  return parseEnv('storm', schema, source);
}
