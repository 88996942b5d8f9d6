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
}

/** The driver adapter factory `PrismaClient` takes: `new PrismaClient({ adapter: adapterFor(target) })`. */
export type DbAdapter = PrismaPg | PrismaPGlite;

/**
 * Returns the Prisma 7 driver adapter factory for a target. The generated
 * clients are schema-qualified (multiSchema), so no search_path is needed.
 */
export function adapterFor(target: DbTarget, options: AdapterOptions = {}): DbAdapter {
  if (target.kind === 'pglite') return new PrismaPGlite(target.pglite);
  return new PrismaPg(
    {
      connectionString: target.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    },
    // Without a handler, an idle connection's error (server restart, network
    // blip) would be an unhandled 'error' event and kill the process.
    { onPoolError: options.onPoolError ?? (() => {}) },
  );
}
