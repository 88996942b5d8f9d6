import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envPostgresUrl, parseEnv } from '@storm/common';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMigration } from './create.js';
import { migrate } from './migrate.js';
import { DEFAULT_PRISMA_ROOT } from './paths.js';
import { createTestDatabase } from './testing.js';

const shadowUrl = parseEnv(
  'db-test',
  z.object({ TEST_DATABASE_URL: envPostgresUrl.default('postgres://postgres@127.0.0.1:5432/postgres') }),
).TEST_DATABASE_URL;

async function shadowDatabases(): Promise<string[]> {
  const client = new pg.Client(shadowUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'storm_shadow_%'");
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

// Never touches the real prisma/ folder: every test works on a copy.
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'storm-db-create-'));
  await cp(DEFAULT_PRISMA_ROOT, root, { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createMigration', () => {
  it('reports no changes when the migrations match the schemas', async () => {
    const before = await shadowDatabases();
    const logs: string[] = [];
    expect(await createMigration({ name: 'nothing', shadowUrl, prismaRoot: root, log: (m) => logs.push(m) })).toEqual([]);
    expect(logs).toEqual(['users: no changes', 'conversations: no changes', 'media: no changes']);
    for (const s of ['users', 'conversations', 'media']) {
      expect((await readdir(join(root, s, 'migrations'))).sort()).toEqual((await readdir(join(DEFAULT_PRISMA_ROOT, s, 'migrations'))).sort());
    }
    // Shadow databases are dropped (adapter-pg's own cleanup would leave them).
    expect((await shadowDatabases()).filter((d) => !before.includes(d))).toEqual([]);
  });

  it('writes the diff of a schema change as a new migration that applies, then reports no changes', async () => {
    const schemaPath = join(root, 'media', 'schema.prisma');
    await writeFile(
      schemaPath,
      (await readFile(schemaPath, 'utf8')).replace('size        Int', 'size        Int\n  checksum    String?  @db.Char(64)'),
    );
    const created = await createMigration({
      name: 'Add media checksum',
      shadowUrl,
      prismaRoot: root,
      now: () => new Date('2999-01-02T03:04:05Z'),
    });
    expect(created.map((c) => [c.service, c.name])).toEqual([['media', '29990102030405_add_media_checksum']]);
    expect(created[0].sql).toMatch(/ALTER TABLE "media"\."media" ADD COLUMN\s+"checksum" CHAR\(64\)/);
    expect(await readFile(created[0].path, 'utf8')).toBe(created[0].sql);

    expect(await createMigration({ name: 'again', shadowUrl, prismaRoot: root, services: ['media'] })).toEqual([]);

    const db = await createTestDatabase({ migrate: false });
    try {
      const { applied } = await migrate(db.target, undefined, { prismaRoot: root });
      expect(applied).toContain('media/29990102030405_add_media_checksum');
    } finally {
      await db.drop();
    }
  });

  it('replays existing migrations whole in the shadow database ($$ bodies), and keeps folder order', async () => {
    const dir = join(root, 'users', 'migrations', '29990101000000_fn');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'migration.sql'),
      'CREATE FUNCTION "users".noop() RETURNS INT LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;\n',
    );
    await appendFile(join(root, 'users', 'schema.prisma'), '\nmodel Extra {\n  id Int @id\n\n  @@map("extra")\n  @@schema("users")\n}\n');
    // The clock is behind the last migration: the new folder still sorts after it.
    const created = await createMigration({ name: 'extra', shadowUrl, prismaRoot: root, services: ['users'], now: () => new Date('2000-01-01T00:00:00Z') });
    expect(created.map((c) => c.name)).toEqual(['29990101000001_extra']);
    expect(created[0].sql).toContain('CREATE TABLE "users"."extra"');
  });

  it('rejects a name with nothing usable in it', async () => {
    await expect(createMigration({ name: '!!!', shadowUrl, prismaRoot: root })).rejects.toThrow(/invalid migration name/);
  });
});
