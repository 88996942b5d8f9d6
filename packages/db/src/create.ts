import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { withSchemaEngine } from './engine.js';
import {
  LOCK_FILE,
  LOCK_FILE_CONTENT,
  MIGRATION_FILE,
  MigrationError,
  SERVICES,
  migrationsDir,
  readMigrations,
  type ServiceName,
} from './migrations.js';
import { DEFAULT_PRISMA_ROOT } from './paths.js';

/** Options of `createMigration`. */
export interface CreateMigrationOptions {
  /** The migration's name, e.g. `add_reactions`; normalised to snake_case like Prisma does. */
  name: string;
  /**
   * A PostgreSQL URL on a server where temporary shadow databases can be
   * created (the migrations are replayed there to compute the diff). No
   * table is written to the database the URL names.
   */
  shadowUrl: string;
  /**
   * Services to diff.
   * @default all of SERVICES
   */
  services?: readonly ServiceName[];
  /**
   * Folder holding `<service>/schema.prisma` and `<service>/migrations/`.
   * @default `<repo>/prisma`
   */
  prismaRoot?: string;
  /** Receives one line per service. */
  log?: (m: string) => void;
  /** Clock for the folder's timestamp (tests). */
  now?: () => Date;
}

export interface CreatedMigration {
  service: ServiceName;
  /** Folder name, `<timestamp>_<name>`. */
  name: string;
  path: string;
  sql: string;
}

function normaliseName(name: string): string {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!n) throw new MigrationError(`invalid migration name ${JSON.stringify(name)}: use letters, digits and _`);
  return n.slice(0, 200);
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** A timestamp after `now` and after every existing migration, so folder order stays apply order. */
function nextTimestamp(now: Date, existing: string[]): string {
  let ts = timestamp(now);
  const last = existing.map((n) => n.slice(0, 14)).sort().at(-1);
  if (last && /^\d{14}$/.test(last) && ts <= last) {
    const [, y, mo, d, h, mi, s] = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(last)!.map(Number);
    ts = timestamp(new Date(Date.UTC(y, mo - 1, d, h, mi, s + 1)));
  }
  return ts;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes `migrations/<timestamp>_<name>/migration.sql` for every service
 * whose schema.prisma differs from what its migrations build, using the wasm
 * schema engine's diff (migrations, replayed in a shadow database, to the
 * datamodel). Services without changes get nothing. Returns what was written.
 */
export async function createMigration(opts: CreateMigrationOptions): Promise<CreatedMigration[]> {
  const log = opts.log ?? (() => {});
  const root = opts.prismaRoot ?? DEFAULT_PRISMA_ROOT;
  const name = normaliseName(opts.name);
  const created: CreatedMigration[] = [];
  for (const service of opts.services ?? SERVICES) {
    const schemaPath = join(root, service, 'schema.prisma');
    const schema = await readFile(schemaPath, 'utf8');
    const dir = migrationsDir(root, service);
    const files = await readMigrations(root, service);
    const lockPath = join(dir, LOCK_FILE);
    const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
    const migrationsList: MigrationList = {
      baseDir: dir,
      lockfile: { path: LOCK_FILE, content: lockContent },
      shadowDbInitScript: '',
      migrationDirectories: files.map((f) => ({
        path: f.name,
        migrationFile: { path: MIGRATION_FILE, content: { tag: 'ok', value: f.sql } },
      })),
    };
    const result = await withSchemaEngine(opts.shadowUrl, { path: schemaPath, content: schema }, (engine) =>
      engine.diff({
        from: files.length ? { tag: 'migrations', ...migrationsList } : { tag: 'empty' },
        to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
        script: true,
        exitCode: true,
        filters: { externalTables: [], externalEnums: [] },
      }),
    );
    // exitCode 2 = the diff is not empty (the CLI's --exit-code convention).
    if (result.exitCode !== 2 || !result.stdout?.trim()) {
      log(`${service}: no changes`);
      continue;
    }
    const folder = `${nextTimestamp(opts.now?.() ?? new Date(), files.map((f) => f.name))}_${name}`;
    const path = join(dir, folder, MIGRATION_FILE);
    await mkdir(join(dir, folder), { recursive: true });
    await writeFile(path, result.stdout, { flag: 'wx' });
    if (!(await exists(lockPath))) await writeFile(lockPath, LOCK_FILE_CONTENT);
    created.push({ service, name: folder, path, sql: result.stdout });
    log(`${service}: created ${folder}`);
  }
  return created;
}
