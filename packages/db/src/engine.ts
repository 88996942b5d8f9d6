// Drives Prisma's WebAssembly schema engine (the native one cannot be
// downloaded here, and the CLI's migrate commands then silently do nothing)
// with a migration-aware PostgreSQL adapter built on @prisma/adapter-pg, with
// its 7.10 defects worked around:
//  - executeScript splits scripts on `;` (breaks `$$` bodies, applies half a
//    migration on failure): ours sends the whole script in one transaction;
//  - the internal "char" type (OID 18), which the engine's introspection
//    reads from pg_catalog, is not mapped: it is reported as text;
//  - shadow-database cleanup drops the database before closing its pool (so
//    the DROP fails while connections are open): ours closes the pool first,
//    then drops with FORCE, and also cleans up shadows the engine forgot.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as wasmBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import pg from 'pg';

const CHAR_OID = 18;
const TEXT_OID = 25;

let loaded = false;

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
}

/**
 * Instantiates the engine's wasm module once per process. The package's
 * entry imports the .wasm file as an ES module, which Node 20 cannot do
 * without a flag, so the bindings are wired to a manually built instance.
 */
function loadWasm(): void {
  if (loaded) return;
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
  // The tsconfig's lib has no WebAssembly types (no DOM); Node has the API.
  const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const instance = new wa.Instance(new wa.Module(readFileSync(wasmPath)), { './schema_engine_bg.js': wasmBindings });
  const exports = instance.exports;
  (wasmBindings as unknown as { __wbg_set_wasm(v: unknown): void }).__wbg_set_wasm(exports);
  (exports.__wbindgen_start as (() => void) | undefined)?.();
  loaded = true;
}

/** A pg pool whose results report "char" columns as text, which adapter-pg can map. */
class CharAsTextPool extends pg.Pool {
  override query(...args: unknown[]): any {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.then((r: pg.QueryResult | pg.QueryResult[]) => {
        for (const one of Array.isArray(r) ? r : [r]) {
          for (const field of one?.fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
        }
        return r;
      });
    }
    return result;
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Runs one statement on a short-lived connection to `url` (CREATE/DROP DATABASE cannot use a pool in a transaction). */
async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'storm-migration-create' });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function fixedAdapter(pool: CharAsTextPool, release: () => Promise<void>): Promise<SqlDriverAdapter> {
  pool.on('error', () => {});
  const adapter = await new PrismaPg(pool).connect();
  let released = false;
  adapter.executeScript = async (script: string) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(script);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      // Converts to the DriverAdapterError the engine reports with the SQL error.
      (adapter as unknown as { onError(e: unknown): never }).onError(err);
    } finally {
      client.release();
    }
  };
  adapter.dispose = async () => {
    if (released) return;
    released = true;
    await release();
  };
  return adapter;
}

/**
 * Migration-aware adapter factory for the schema engine. `url` is any
 * database on the server where shadow databases may be created (the user
 * needs CREATEDB); nothing is written to that database itself.
 */
export class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';
  readonly #adapters = new Set<SqlDriverAdapter>();

  constructor(readonly url: string) {}

  async connect(): Promise<SqlDriverAdapter> {
    const pool = new CharAsTextPool({ connectionString: this.url, max: 2 });
    return this.#track(await fixedAdapter(pool, () => pool.end()));
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = `storm_shadow_${randomBytes(8).toString('hex')}`;
    await adminQuery(this.url, `CREATE DATABASE "${database}"`);
    const pool = new CharAsTextPool({ connectionString: withDatabase(this.url, database), max: 2 });
    return this.#track(
      await fixedAdapter(pool, async () => {
        await pool.end();
        await adminQuery(this.url, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      }),
    );
  }

  #track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    this.#adapters.add(adapter);
    return adapter;
  }

  /** Closes every connection and drops every shadow database this factory opened. */
  async dispose(): Promise<void> {
    const adapters = [...this.#adapters];
    this.#adapters.clear();
    const results = await Promise.allSettled(adapters.map((a) => a.dispose()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/**
 * Runs `fn` with a schema engine for `datamodel` (a schema.prisma text) over
 * a fresh adapter, and always frees the engine and the connections after.
 */
export async function withSchemaEngine<T>(
  url: string,
  datamodel: { path: string; content: string },
  fn: (engine: SchemaEngine) => Promise<T>,
  log: (m: string) => void = () => {},
): Promise<T> {
  loadWasm();
  const factory = new MigrationAdapterFactory(url);
  let engine: SchemaEngine | undefined;
  try {
    engine = await wasmBindings.SchemaEngine.new(
      { datamodels: [[datamodel.path, datamodel.content]] },
      (line: string) => log(line),
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    return await fn(engine);
  } finally {
    engine?.free();
    await factory.dispose();
  }
}
