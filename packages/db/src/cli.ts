// The database command line: `npm run db:migrate`, `npm run db:migration --
// <name> [--service users]`, `npm run db:status`. Targets DATABASE_URL, or the
// embedded PGlite folder (STORM_DATA_DIR) when it is unset.
import { parseArgs } from 'node:util';
import { runOrExit } from '@storm/common';
import { createMigration } from './create.js';
import { loadDbEnv } from './env.js';
import { SERVICES, migrate, migrationStatus, type ServiceName } from './migrate.js';
import { describeTarget, openEmbedded, type DbTarget } from './target.js';

const USAGE = `usage:
  db migrate [--service <name>]...          apply pending migrations
  db create <name> [--service <name>]...    write a migration from the schema.prisma changes
  db status [--service <name>]...           list applied / pending migrations (exit 1 if not up to date)
services: ${SERVICES.join(', ')}`;

class UsageError extends Error {
  override name = 'UsageError';
}

function parseServices(values: string[] | undefined): ServiceName[] {
  if (!values?.length) return [...SERVICES];
  for (const v of values) {
    if (!(SERVICES as readonly string[]).includes(v)) throw new UsageError(`unknown service ${JSON.stringify(v)}`);
  }
  return values as ServiceName[];
}

async function withTarget<T>(fn: (target: DbTarget) => Promise<T>): Promise<T> {
  const env = loadDbEnv();
  if (env.databaseUrl) return fn({ kind: 'postgres', url: env.databaseUrl });
  const pglite = await openEmbedded(env.dataDir);
  try {
    return await fn({ kind: 'pglite', pglite });
  } finally {
    await pglite.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { service: { type: 'string', multiple: true, short: 's' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const services = parseServices(values.service);
  const log = (m: string) => console.log(m);

  switch (command) {
    case 'migrate': {
      if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
      return withTarget(async (target) => {
        log(`migrating ${describeTarget(target)}`);
        const { applied } = await migrate(target, services, { log });
        if (!applied.length) log('already up to date');
        return 0;
      });
    }
    case 'status': {
      if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
      return withTarget(async (target) => {
        log(describeTarget(target));
        const states = await migrationStatus(target, services);
        for (const service of services) {
          const mine = states.filter((s) => s.service === service);
          log(`${service}:${mine.length ? '' : ' no migrations'}`);
          for (const s of mine) log(`  ${s.state.padEnd(8)} ${s.name}${s.appliedAt ? `  (${s.appliedAt.toISOString()})` : ''}`);
        }
        return states.every((s) => s.state === 'applied') ? 0 : 1;
      });
    }
    case 'create': {
      if (rest.length !== 1) throw new UsageError('create takes exactly one migration name');
      const env = loadDbEnv();
      const created = await createMigration({ name: rest[0], shadowUrl: env.shadowUrl, services, log: () => {} });
      if (!created.length) log('no changes');
      for (const c of created) log(`${c.service}: created ${c.path}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

await runOrExit(async () => {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    if ((err as Error).name === 'MigrationError') {
      console.error(`error: ${(err as Error).message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
});
