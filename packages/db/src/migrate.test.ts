import { cp, mkdir, mkdtemp, readdir, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationError, SERVICES, migrate, migrationStatus } from './migrate.js';
import { DEFAULT_PRISMA_ROOT } from './paths.js';
import type { DbTarget } from './target.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'storm-db-migrations-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  return root;
}

async function addMigration(root: string, service: string, name: string, sql: string): Promise<string> {
  const dir = join(root, service, 'migrations', name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'migration.sql'), sql);
  return join(dir, 'migration.sql');
}

/** Runs SQL against either kind of target. */
async function query<T = Record<string, unknown>>(target: DbTarget, sql: string): Promise<T[]> {
  if (target.kind === 'pglite') return (await target.pglite.query<T>(sql)).rows;
  const client = new pg.Client(target.url);
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const regclass = async (target: DbTarget, name: string) =>
  (await query<{ t: string | null }>(target, `SELECT to_regclass('${name}')::text AS t`))[0].t;

async function realMigrationCount(): Promise<number> {
  let n = 0;
  for (const s of SERVICES) n += (await readdir(join(DEFAULT_PRISMA_ROOT, s, 'migrations'), { withFileTypes: true })).filter((e) => e.isDirectory()).length;
  return n;
}

const FUNCTION_SQL = `
CREATE SCHEMA IF NOT EXISTS "users";
CREATE TABLE "users"."t_ok" (id INT PRIMARY KEY);
-- A $$ body full of semicolons: must reach the server whole.
CREATE FUNCTION "users".twice(x INT) RETURNS INT LANGUAGE plpgsql AS $$
BEGIN
  RETURN x * 2;
END;
$$;
`;
const FAILING_SQL = `
CREATE TABLE "users"."t_half" (id INT PRIMARY KEY);
INSERT INTO "users"."t_half" VALUES (1);
SELECT 1 / 0;
`;

// The same behaviour is required on both kinds of target.
const flavours: Array<{ kind: string; open(): Promise<{ target: DbTarget; close(): Promise<void> }> }> = [
  {
    kind: 'postgres',
    async open() {
      const db: TestDatabase = await createTestDatabase({ migrate: false });
      return { target: db.target, close: db.drop };
    },
  },
  {
    kind: 'pglite',
    async open() {
      const pglite = await PGlite.create();
      return { target: { kind: 'pglite', pglite }, close: () => pglite.close() };
    },
  },
];

describe.each(flavours)('migrate on $kind', ({ open }) => {
  let target: DbTarget;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ target, close } = await open());
  });
  afterEach(async () => {
    await close();
  });

  it('applies every service migration once, records it like Prisma, and is idempotent', async () => {
    const logs: string[] = [];
    const first = await migrate(target, undefined, { log: (m) => logs.push(m) });
    expect(first.applied).toHaveLength(await realMigrationCount());
    expect(first.applied.some((a) => a.startsWith('conversations/'))).toBe(true);
    expect(logs.length).toBe(first.applied.length);
    expect(await regclass(target, 'users.users')).toBe('users.users');
    expect(await regclass(target, 'users.users_handle_prefix_idx')).toBe('users.users_handle_prefix_idx');
    // Dropped by a later migration: each migration ran, in order.
    expect(await regclass(target, 'conversations.outbox_unsent_idx')).toBeNull();
    expect(await regclass(target, 'media.media')).toBe('media.media');
    for (const s of SERVICES) {
      const rows = await query<{ checksum: string; finished_at: Date | null; applied_steps_count: number }>(
        target,
        `SELECT checksum, finished_at, applied_steps_count FROM "${s}"._prisma_migrations`,
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(r.finished_at).not.toBeNull();
        expect(r.applied_steps_count).toBe(1);
      }
    }
    expect((await migrate(target)).applied).toEqual([]);
    expect((await migrationStatus(target)).every((s) => s.state === 'applied')).toBe(true);
  });

  it('migrates only the services asked for', async () => {
    const { applied } = await migrate(target, ['media']);
    expect(applied.every((a) => a.startsWith('media/'))).toBe(true);
    expect(await regclass(target, 'users.users')).toBeNull();
    const status = await migrationStatus(target);
    const users = status.filter((s) => s.service === 'users').map((s) => s.state);
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((state) => state === 'pending')).toBe(true);
  });

  it('sends $$ bodies whole, and rolls a failing migration back entirely', async () => {
    const root = await tempRoot();
    await addMigration(root, 'users', '20200101000000_ok', FUNCTION_SQL);
    await addMigration(root, 'users', '20200101000001_broken', FAILING_SQL);
    await addMigration(root, 'users', '20200101000002_later', 'CREATE TABLE "users"."t_later" (id INT);');

    const err = await migrate(target, ['users'], { prismaRoot: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).migration).toBe('20200101000001_broken');
    expect((err as Error).message).toMatch(/20200101000001_broken.*division by zero/);

    expect((await query<{ v: number }>(target, 'SELECT "users".twice(21) AS v'))[0].v).toBe(42);
    expect(await regclass(target, 'users.t_half')).toBeNull();
    expect(await regclass(target, 'users.t_later')).toBeNull();
    const rows = await query<{ migration_name: string }>(target, 'SELECT migration_name FROM users._prisma_migrations');
    expect(rows.map((r) => r.migration_name)).toEqual(['20200101000000_ok']);

    // Fixed file: the run resumes where it stopped.
    await addMigration(root, 'users', '20200101000001_broken', 'CREATE TABLE "users"."t_half" (id INT);');
    expect((await migrate(target, ['users'], { prismaRoot: root })).applied).toEqual([
      'users/20200101000001_broken',
      'users/20200101000002_later',
    ]);
  });

  it('refuses to run when an applied migration was edited, naming it', async () => {
    const root = await tempRoot();
    await cp(DEFAULT_PRISMA_ROOT, root, { recursive: true });
    await migrate(target, undefined, { prismaRoot: root });
    const [init] = (await readdir(join(root, 'media', 'migrations'))).filter((n) => n.endsWith('_init'));
    await appendFile(join(root, 'media', 'migrations', init, 'migration.sql'), '\n-- edited\n');
    await addMigration(root, 'users', '29990101000000_next', 'CREATE TABLE "users"."t_next" (id INT);');

    const err = await migrate(target, undefined, { prismaRoot: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain(`migration ${init} was modified`);
    expect((err as MigrationError).service).toBe('media');
    // Histories are all checked before anything is applied.
    expect(await regclass(target, 'users.t_next')).toBeNull();
    expect((await migrationStatus(target, ['media'], { prismaRoot: root }))[0].state).toBe('modified');
  });

  it('accepts a file whose only change is CRLF line endings', async () => {
    const root = await tempRoot();
    await addMigration(root, 'media', '20200101000000_a', 'CREATE SCHEMA IF NOT EXISTS "media";\nCREATE TABLE "media"."t_a" (id INT);\n');
    await migrate(target, ['media'], { prismaRoot: root });
    await addMigration(root, 'media', '20200101000000_a', 'CREATE SCHEMA IF NOT EXISTS "media";\r\nCREATE TABLE "media"."t_a" (id INT);\r\n');
    expect((await migrate(target, ['media'], { prismaRoot: root })).applied).toEqual([]);
  });

  it('serialises concurrent migrators', async () => {
    const results = await Promise.all([migrate(target), migrate(target), migrate(target)]);
    const applied = results.flatMap((r) => r.applied);
    expect(applied).toHaveLength(await realMigrationCount());
    expect(new Set(applied).size).toBe(applied.length);
  });
});
