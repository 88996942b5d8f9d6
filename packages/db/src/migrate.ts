// Applies each service's migrations with plain SQL rather than the wasm
// schema engine's applyMigrations: the engine runs scripts through the
// adapter's executeScript, which in adapter-pg 7.10 splits on `;` (breaking
// `$$` bodies) and runs the pieces outside a transaction (a failure leaves
// half a migration behind). Here each file is sent whole, in one transaction
// with its `_prisma_migrations` row, on PostgreSQL and PGlite alike. The
// table and its rows are the ones Prisma writes, so `prisma migrate deploy`
// (with `?schema=<service>`) stays compatible wherever the native engine runs.
import { randomUUID } from 'node:crypto';
import {
  MigrationError,
  SERVICES,
  checksumMatches,
  readMigrations,
  type MigrationFile,
  type ServiceName,
} from './migrations.js';
import { DEFAULT_PRISMA_ROOT } from './paths.js';
import { openLockedSession, type SqlSession, type SqlTx } from './session.js';
import type { DbTarget } from './target.js';

export { MigrationError, SERVICES, type ServiceName } from './migrations.js';

/** Options of `migrate` and `migrationStatus`. */
export interface MigrateOptions {
  /** Receives one line per applied migration and per warning. */
  log?: (m: string) => void;
  /**
   * Folder holding `<service>/migrations/`.
   * @default `<repo>/prisma`
   */
  prismaRoot?: string;
  /**
   * How long to wait for another migrator (another replica starting) before failing, in ms.
   * @default 120000
   */
  lockTimeoutMs?: number;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  started_at: Date;
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
const table = (service: ServiceName) => `${q(service)}."_prisma_migrations"`;

/** The table exactly as Prisma creates it. */
const createTable = (service: ServiceName) => `
CREATE SCHEMA IF NOT EXISTS ${q(service)};
CREATE TABLE IF NOT EXISTS ${table(service)} (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

async function appliedRows(db: SqlTx, service: ServiceName): Promise<AppliedRow[] | null> {
  const [exists] = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${q(service)}._prisma_migrations`]);
  if (!exists?.t) return null;
  // Rolled-back rows are history only, as in Prisma.
  return db.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at, started_at FROM ${table(service)}
     WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name`,
  );
}

interface Plan {
  service: ServiceName;
  pending: MigrationFile[];
}

/** Checks a service's recorded history against its files and returns what is left to apply. */
function plan(service: ServiceName, files: MigrationFile[], rows: AppliedRow[], log: (m: string) => void): Plan {
  const byName = new Map(files.map((f) => [f.name, f]));
  const applied = new Set<string>();
  for (const row of rows) {
    if (row.finished_at === null) {
      // Only another tool (the native engine) leaves such a row: ours roll back whole.
      throw new MigrationError(
        `${service}: migration ${row.migration_name} is recorded as failed (started ${row.started_at.toISOString()}); ` +
          `repair the database, then mark it rolled back (rolled_back_at) or applied`,
        service,
        row.migration_name,
      );
    }
    const file = byName.get(row.migration_name);
    if (!file) {
      log(`${service}: warning: migration ${row.migration_name} is applied but missing from the migrations folder`);
    } else if (!checksumMatches(file.sql, row.checksum)) {
      throw new MigrationError(
        `${service}: migration ${row.migration_name} was modified after it was applied (checksum mismatch); ` +
          `restore the file and put the change in a new migration`,
        service,
        row.migration_name,
      );
    }
    applied.add(row.migration_name);
  }
  return { service, pending: files.filter((f) => !applied.has(f.name)) };
}

async function applyOne(session: SqlSession, service: ServiceName, file: MigrationFile): Promise<void> {
  try {
    await session.transaction(async (tx) => {
      const [{ now }] = await tx.query<{ now: Date }>('SELECT clock_timestamp() AS now');
      await tx.exec(file.sql);
      await tx.query(
        `INSERT INTO ${table(service)} (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
        [randomUUID(), file.checksum, file.name, now],
      );
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new MigrationError(`${service}: migration ${file.name} failed and was rolled back: ${detail}`, service, file.name, {
      cause: err,
    });
  }
}

/**
 * Applies the pending migrations of `services` (default: all, in SERVICES
 * order) to `target`, idempotently. Every service's history is checked
 * before anything is applied, so a modified migration stops the run early.
 * Returns the applied migrations as `<service>/<migration name>`.
 */
export async function migrate(
  target: DbTarget,
  services: readonly ServiceName[] = SERVICES,
  opts: MigrateOptions = {},
): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  const root = opts.prismaRoot ?? DEFAULT_PRISMA_ROOT;
  const session = await openLockedSession(target, opts.lockTimeoutMs ?? 120_000);
  const applied: string[] = [];
  try {
    const plans: Plan[] = [];
    for (const service of services) {
      const files = await readMigrations(root, service);
      let rows = await appliedRows(session, service);
      if (rows === null) {
        if (files.length === 0) continue;
        await session.transaction((tx) => tx.exec(createTable(service)));
        rows = [];
      }
      plans.push(plan(service, files, rows, log));
    }
    for (const { service, pending } of plans) {
      for (const file of pending) {
        await applyOne(session, service, file);
        applied.push(`${service}/${file.name}`);
        log(`${service}: applied ${file.name}`);
      }
    }
  } finally {
    await session.close();
  }
  return { applied };
}

/** One migration's state, as `status` shows it. */
export interface MigrationState {
  service: ServiceName;
  name: string;
  /** `missing`: recorded in the database, absent from the folder. */
  state: 'applied' | 'pending' | 'modified' | 'failed' | 'missing';
  appliedAt?: Date;
}

/** Lists every migration of `services` with its state on `target`; changes nothing. */
export async function migrationStatus(
  target: DbTarget,
  services: readonly ServiceName[] = SERVICES,
  opts: MigrateOptions = {},
): Promise<MigrationState[]> {
  const root = opts.prismaRoot ?? DEFAULT_PRISMA_ROOT;
  const session = await openLockedSession(target, opts.lockTimeoutMs ?? 120_000);
  const states: MigrationState[] = [];
  try {
    for (const service of services) {
      const files = await readMigrations(root, service);
      const rows = (await appliedRows(session, service)) ?? [];
      const byName = new Map(rows.map((r) => [r.migration_name, r]));
      for (const file of files) {
        const row = byName.get(file.name);
        if (!row) states.push({ service, name: file.name, state: 'pending' });
        else if (row.finished_at === null) states.push({ service, name: file.name, state: 'failed' });
        else
          states.push({
            service,
            name: file.name,
            state: checksumMatches(file.sql, row.checksum) ? 'applied' : 'modified',
            appliedAt: row.finished_at,
          });
      }
      const onDisk = new Set(files.map((f) => f.name));
      for (const row of rows) {
        if (!onDisk.has(row.migration_name)) states.push({ service, name: row.migration_name, state: 'missing', appliedAt: row.finished_at ?? undefined });
      }
    }
  } finally {
    await session.close();
  }
  return states;
}
