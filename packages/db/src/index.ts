// @storm/db: how every STORM service reaches its database. Test helpers live
// in '@storm/db/testing'; migration authoring in '@storm/db/create'.
export { adapterFor, type AdapterOptions, type DbAdapter } from './client.js';
export { loadDbEnv, type DbEnv } from './env.js';
export {
  MigrationError,
  SERVICES,
  migrate,
  migrationStatus,
  type MigrateOptions,
  type MigrationState,
  type ServiceName,
} from './migrate.js';
export { checksumOf } from './migrations.js';
export { describeTarget, openEmbedded, type DbTarget } from './target.js';
