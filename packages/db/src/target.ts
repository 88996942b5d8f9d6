import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * Where a service's data lives: a real PostgreSQL server (the production and
 * test case) or an embedded PGlite instance (the all-in-one `npm start`).
 */
export type DbTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; pglite: PGlite };

/**
 * Opens (creating if needed) a persistent embedded PostgreSQL in `dir`.
 *
 * PGlite is a single session inside this process: open it once and share the
 * instance between every service of the embedded process (two instances on
 * the same folder would corrupt it). Close it with `pglite.close()` last,
 * after every Prisma client using it has disconnected.
 */
export async function openEmbedded(dir: string): Promise<PGlite> {
  const dataDir = resolve(dir);
  await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  await pglite.waitReady;
  return pglite;
}

/** A short description of a target for logs, without credentials. */
export function describeTarget(target: DbTarget): string {
  if (target.kind === 'pglite') return `pglite ${target.pglite.dataDir ?? '(in memory)'}`;
  try {
    const u = new URL(target.url);
    return `postgres ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'postgres (unparsable url)';
  }
}
