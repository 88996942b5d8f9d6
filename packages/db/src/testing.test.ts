import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, createTestPglite } from './testing.js';

async function databaseExists(url: string, name: string): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client(admin.toString());
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('creates distinct migrated databases in parallel and drops them even with open connections', async () => {
    const dbs = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase({ migrate: false })]);
    expect(new Set(dbs.map((d) => d.url)).size).toBe(3);
    const open = new pg.Client(dbs[0].url);
    await open.connect();
    open.on('error', () => {}); // terminated by drop()
    expect((await open.query("SELECT to_regclass('users.users')::text AS t")).rows[0].t).toBe('users.users');
    const names = dbs.map((d) => new URL(d.url).pathname.slice(1));
    await Promise.all(dbs.map((d) => d.drop()));
    await dbs[0].drop(); // idempotent
    for (const n of names) expect(await databaseExists(dbs[0].url, n)).toBe(false);
    await open.end().catch(() => {});
  });

  it('gives an in-memory migrated PGlite', async () => {
    const t = await createTestPglite();
    try {
      expect((await t.pglite.query<{ t: string }>("SELECT to_regclass('conversations.messages')::text AS t")).rows[0].t).toBe(
        'conversations.messages',
      );
    } finally {
      await t.close();
    }
  });
});
