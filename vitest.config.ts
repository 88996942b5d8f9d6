import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// One run for unit, integration (real PostgreSQL, Redis, NATS on 127.0.0.1)
// and end-to-end tests through the router. Each file isolates its own
// database, bus prefix and ports, so files run in parallel.
export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (`main`) and ESM (`module`). Node — and so
    // @apollo/gateway — loads the CJS build; Vite would give our sources the
    // ESM one, and graphql refuses schemas "from another module or realm".
    // Point everyone at the build Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['bench/**/*.test.ts', 'tests/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'subgraphs/*/src/**/*.test.ts', 'router/src/**/*.test.ts', 'tests/**/*.e2e.ts'],
    exclude: ['**/node_modules/**', '**/generated/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
