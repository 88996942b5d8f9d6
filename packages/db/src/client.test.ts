import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterFor, hotStatementNames } from './client.js';
import { REPO_ROOT } from './paths.js';
import type { DbTarget } from './target.js';
import { createTestDatabase, createTestPglite } from './testing.js';

// The generated clients come from `npm run generate` (which `npm test` runs first).
const clientPath = join(REPO_ROOT, 'subgraphs/users/src/generated/prisma/client.ts');

describe.skipIf(!existsSync(clientPath))('adapterFor with a generated client', () => {
  async function roundTrip(target: DbTarget) {
    const { PrismaClient } = await import(clientPath);
    const prisma = new PrismaClient({ adapter: adapterFor(target, { poolSize: 2 }) });
    try {
      await prisma.user.create({ data: { handle: 'ada', email: 'ada@example.com', displayName: 'Ada', passwordHash: 'x' } });
      const dup = await prisma.user
        .create({ data: { handle: 'ada', email: 'other@example.com', displayName: 'Ada', passwordHash: 'x' } })
        .catch((e: { code?: string }) => e.code);
      return { count: await prisma.user.count(), dup };
    } finally {
      await prisma.$disconnect();
    }
  }

  it('queries PostgreSQL', async () => {
    const db = await createTestDatabase();
    try {
      expect(await roundTrip(db.target)).toEqual({ count: 1, dup: 'P2002' });
    } finally {
      await db.drop();
    }
  });

  it('queries PGlite', async () => {
    const t = await createTestPglite();
    try {
      expect(await roundTrip(t.target)).toEqual({ count: 1, dup: 'P2002' });
    } finally {
      await t.close();
    }
  });
});

describe('hotStatementNames', () => {
  it('names a SQL text from its third run on, always the same name, and at most `max` texts', () => {
    const name = hotStatementNames(2);
    const runs = (sql: string, n: number) => Array.from({ length: n }, () => name({ sql }));
    expect(runs('SELECT 1', 4)).toEqual([undefined, undefined, 'storm_0', 'storm_0']);
    expect(runs('SELECT 2', 3)).toEqual([undefined, undefined, 'storm_1']);
    // The cap is reached: a third hot text stays unnamed, the named ones keep their names.
    expect(runs('SELECT 3', 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(name({ sql: 'SELECT 1' })).toBe('storm_0');
  });
});

describe.skipIf(!existsSync(clientPath))('prepared statements on PostgreSQL', () => {
  it('prepares a statement that runs often on the connection that ran it, and none when the URL says pgbouncer=true', async () => {
    const db = await createTestDatabase({ migrate: false });
    const { PrismaClient } = await import(clientPath);
    const prepared = async (url: string) => {
      // One connection: the statements listed are the ones this client prepared.
      const prisma = new PrismaClient({ adapter: adapterFor({ kind: 'postgres', url }, { poolSize: 1 }) });
      try {
        for (let i = 0; i < 4; i++) expect(await prisma.$queryRaw`SELECT ${i}::int AS storm_probe`).toEqual([{ storm_probe: i }]);
        return (await prisma.$queryRaw`SELECT name, statement FROM pg_prepared_statements ORDER BY name`) as Array<{ name: string; statement: string }>;
      } finally {
        await prisma.$disconnect();
      }
    };
    try {
      expect(await prepared(db.url)).toEqual([{ name: 'storm_0', statement: expect.stringContaining('storm_probe') }]);
      const pooled = new URL(db.url);
      pooled.searchParams.set('pgbouncer', 'true');
      expect(await prepared(pooled.toString())).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
