import { join } from 'node:path';
import { envPostgresUrl, parseEnv } from '@storm/common';
import { z } from 'zod';
import { REPO_ROOT } from './paths.js';

const schema = z.object({
  /** The PostgreSQL server; when unset, the embedded PGlite folder is used. */
  DATABASE_URL: envPostgresUrl.optional(),
  /** Folder of the embedded PGlite database. @default `<repo>/.storm/pglite` */
  STORM_DATA_DIR: z.string().min(1).optional(),
  /**
   * Server where `db:migration` creates its temporary shadow databases.
   * @default DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
   */
  DATABASE_SHADOW_URL: envPostgresUrl.optional(),
});

export interface DbEnv {
  databaseUrl: string | undefined;
  dataDir: string;
  shadowUrl: string;
}

/** The database settings of the db CLI (and of an embedded start that wants the same defaults). */
export function loadDbEnv(source: NodeJS.ProcessEnv = process.env): DbEnv {
  const env = parseEnv('db', schema, source);
  return {
    databaseUrl: env.DATABASE_URL,
    dataDir: env.STORM_DATA_DIR ?? join(REPO_ROOT, '.storm', 'pglite'),
    shadowUrl: env.DATABASE_SHADOW_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}
