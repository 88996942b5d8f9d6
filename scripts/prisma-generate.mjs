// Generates every service's Prisma client. The CLI cannot download its native
// schema engine on these machines, and `generate` does not need it: pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file stops the download attempt.
// (Migrations are applied by packages/db with the WebAssembly engine instead.)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const services = ['users', 'conversations', 'media'];
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
for (const service of services) {
  const r = spawnSync(process.execPath, [cli, 'generate', '--schema', `prisma/${service}/schema.prisma`], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) {
    process.stdout.write(r.stdout);
    console.error(`prisma generate failed for ${service}`);
    process.exit(r.status ?? 1);
  }
}
console.log(`prisma clients generated: ${services.join(', ')}`);
