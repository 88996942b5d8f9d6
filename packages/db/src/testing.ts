// Throwaway databases for integration tests: one per test file, so files run
// in parallel without sharing state. Not exported from the package index.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { envPostgresUrl, parseEnv } from '@storm/common';
import pg from 'pg';
import { z } from 'zod';
import { migrate, type MigrateOptions } from './migrate.js';
import type { DbTarget } from './target.js';

const envSchema = z.object({
  /**
   * Server (and maintenance database) where test databases are created.
   * @default postgres://postgres@127.0.0.1:5432/postgres
   */
  TEST_DATABASE_URL: envPostgresUrl.default('postgres://postgres@127.0.0.1:5432/postgres'),
});

export const TEST_DATABASE_PREFIX = 'storm_test_';
/** Test databases older than this were left by a crashed run and are dropped on the next create. */
const STALE_AFTER_MS = 6 * 3600_000;

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  target: DbTarget;
  /** Terminates every connection to the database and drops it; safe to call twice. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * Apply every service's migrations.
   * @default true
   */
  migrate?: boolean;
  /** Passed to migrate (e.g. a prismaRoot of test migrations). */
  migrateOptions?: MigrateOptions;
}

function baseUrl(): string {
  return parseEnv('db-testing', envSchema).TEST_DATABASE_URL;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl(), application_name: 'storm-test-admin' });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Best effort: drops test databases a crashed run left behind (older than STALE_AFTER_MS). */
async function dropStale(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
    `${TEST_DATABASE_PREFIX}%`,
  ]);
  const cutoff = Date.now() - STALE_AFTER_MS;
  for (const { datname } of rows) {
    const created = parseInt(datname.slice(TEST_DATABASE_PREFIX.length).split('_')[0], 36);
    if (Number.isFinite(created) && created * 1000 < cutoff) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
    }
  }
}

/**
 * Creates a uniquely named database on the test server (TEST_DATABASE_URL)
 * and, unless told otherwise, applies every service's migrations to it.
 */
export async function createTestDatabase(opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${Math.floor(Date.now() / 1000).toString(36)}_${process.pid}_${randomBytes(5).toString('hex')}`;
  await admin(async (client) => {
    await dropStale(client).catch(() => {});
    // CREATE DATABASE fails with 55006 while another session is connected to
    // the template (e.g. another test file's CREATE DATABASE): retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
        await sleep(50 + Math.random() * 200);
      }
    }
  });
  const url = withDatabase(baseUrl(), name);
  const target: DbTarget = { kind: 'postgres', url };
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  };
  if (opts.migrate !== false) {
    try {
      await migrate(target, undefined, opts.migrateOptions);
    } catch (err) {
      await drop().catch(() => {});
      throw err;
    }
  }
  return { url, target, drop };
}

/** An in-memory PGlite, migrated unless told otherwise: the embedded flavour of createTestDatabase. */
export async function createTestPglite(
  opts: TestDatabaseOptions = {},
): Promise<{ pglite: PGlite; target: DbTarget; close(): Promise<void> }> {
  const pglite = await PGlite.create();
  const target: DbTarget = { kind: 'pglite', pglite };
  if (opts.migrate !== false) await migrate(target, undefined, opts.migrateOptions);
  return { pglite, target, close: () => pglite.close() };
}
