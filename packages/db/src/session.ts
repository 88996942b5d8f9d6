import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { DbTarget } from './target.js';

/** What migrate needs from a connection, the same on PostgreSQL and PGlite. */
export interface SqlTx {
  query<T extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Sends a whole multi-statement script at once (simple protocol), so `$$` bodies survive. */
  exec(script: string): Promise<void>;
}

export interface SqlSession extends SqlTx {
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Key of the session advisory lock taken while migrating. It is the key the
 * native Prisma schema engine uses, so this migrator and a `prisma migrate
 * deploy` elsewhere also wait for each other.
 */
export const MIGRATION_LOCK_KEY = 72707369;

// PGlite is one session, so an advisory lock cannot separate two callers in
// this process; migrations on one instance are queued here instead.
const pgliteQueues = new WeakMap<PGlite, Promise<unknown>>();

/**
 * Opens one session on the target and holds the migration lock until
 * `close()`: concurrent migrators (two replicas starting) run one after the
 * other, and the second one sees what the first applied.
 */
export async function openLockedSession(target: DbTarget, lockTimeoutMs: number): Promise<SqlSession> {
  return target.kind === 'pglite' ? openPglite(target.pglite) : openPostgres(target.url, lockTimeoutMs);
}

async function openPostgres(url: string, lockTimeoutMs: number): Promise<SqlSession> {
  const client = new pg.Client({ connectionString: url, application_name: 'storm-migrate' });
  // An error on an idle client is re-raised by the next query; without a
  // listener it would crash the process instead.
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`SET lock_timeout = ${Math.max(0, Math.floor(lockTimeoutMs))}`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('SET lock_timeout = 0');
  } catch (err) {
    await client.end().catch(() => {});
    const code = (err as { code?: string }).code;
    if (code === '55P03') {
      throw new Error(`another migrator held the migration lock for more than ${lockTimeoutMs} ms`, { cause: err });
    }
    throw err;
  }
  const tx: SqlTx = {
    query: async <T extends object>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    exec: async (script: string) => {
      await client.query(script);
    },
  };
  return {
    ...tx,
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    },
    async close() {
      // Ending the session releases the advisory lock.
      await client.end();
    },
  };
}

async function openPglite(pglite: PGlite): Promise<SqlSession> {
  const previous = pgliteQueues.get(pglite) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  pgliteQueues.set(pglite, previous.then(() => mine));
  await previous.catch(() => {});
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): SqlTx => ({
    query: async <T extends object>(sql: string, params?: unknown[]) => (await q.query<T>(sql, params)).rows,
    exec: async (script: string) => {
      await q.exec(script);
    },
  });
  return {
    ...wrap(pglite),
    transaction: (fn) => pglite.transaction((t) => fn(wrap(t))),
    async close() {
      release();
    },
  };
}
