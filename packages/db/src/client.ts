import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { DbTarget } from './target.js';

/** Options of the PostgreSQL driver adapter (ignored for PGlite, which is one session). */
export interface AdapterOptions {
  /**
   * Connections in this process's pool. Keep replicas x poolSize under the
   * server's max_connections (100 by default), leaving room for migrations.
   * @default 10
   */
  poolSize?: number;
  /**
   * How long a query waits for a free connection before failing, in ms.
   * @default 10000
   */
  connectionTimeoutMs?: number;
  /**
   * Idle connections are closed after this many ms.
   * @default 30000
   */
  idleTimeoutMs?: number;
  /** Called when an idle pooled connection fails (e.g. the server restarted); it is discarded either way. */
  onPoolError?: (err: Error) => void;
  /**
   * Most distinct SQL texts this process runs as named prepared statements
   * (hotStatementNames): each is parsed once per pooled connection instead of
   * once per query. 0: none. A `DATABASE_URL` with `pgbouncer=true` (Prisma's
   * own convention) turns them off whatever this says: a pooler in transaction
   * mode hands one client's session, prepared statements included, to others.
   * @default 256
   */
  preparedStatements?: number;
}

const DEFAULT_PREPARED_STATEMENTS = 256;

/** The driver adapter factory `PrismaClient` takes: `new PrismaClient({ adapter: adapterFor(target) })`. */
export type DbAdapter = PrismaPg | PrismaPGlite;

/**
 * Returns the Prisma 7 driver adapter factory for a target. The generated
 * clients are schema-qualified (multiSchema), so no search_path is needed.
 */
export function adapterFor(target: DbTarget, options: AdapterOptions = {}): DbAdapter {
  if (target.kind === 'pglite') return new PrismaPGlite(target.pglite);
  const prepared = behindPgBouncer(target.url) ? 0 : (options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS);
  return new PrismaPg(
    {
      connectionString: target.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    },
    {
      // Without a handler, an idle connection's error (server restart, network
      // blip) would be an unhandled 'error' event and kill the process.
      onPoolError: options.onPoolError ?? (() => {}),
      ...(prepared > 0 ? { statementNameGenerator: hotStatementNames(prepared) as (query: { sql: string }) => string } : {}),
    },
  );
}

/** Runs of one SQL text before it gets a name: a one-off statement is not kept by every connection. */
const PREPARE_AFTER = 3;
/** Distinct texts counted while waiting for their third run; the counts start over beyond it. */
const MAX_COUNTED = 10_000;

/**
 * Names for the driver adapter's `statementNameGenerator`: a SQL text that ran
 * PREPARE_AFTER times gets `storm_<n>`, at most `max` of them per process (each
 * one is kept by the backend of every pooled connection that ran it); other
 * queries stay unnamed. `pg` then sends a named statement's Parse once per
 * connection, and PostgreSQL keeps its parse tree, and after five executions
 * may keep a generic plan when it costs no more than the custom ones
 * (`plan_cache_mode = auto`). The hot statements are the send, the relay's
 * claim and mark, and the page reads; their texts do not depend on the number
 * of rows (arrays, `unnest`), so a handful of names cover them. Prisma's own
 * queries with `IN` lists are one text per list length: the cap bounds them.
 */
export function hotStatementNames(max: number): (query: { sql: string }) => string | undefined {
  const names = new Map<string, string>();
  const counts = new Map<string, number>();
  return ({ sql }) => {
    const name = names.get(sql);
    if (name !== undefined || names.size >= max) return name;
    const runs = (counts.get(sql) ?? 0) + 1;
    if (runs < PREPARE_AFTER) {
      if (counts.size >= MAX_COUNTED) counts.clear();
      counts.set(sql, runs);
      return undefined;
    }
    counts.delete(sql);
    const assigned = `storm_${names.size}`;
    names.set(sql, assigned);
    return assigned;
  };
}

/** Whether a connection URL asks for no named prepared statements (`pgbouncer=true`). */
function behindPgBouncer(url: string): boolean {
  try {
    return new URL(url).searchParams.get('pgbouncer') === 'true';
  } catch {
    return false;
  }
}
