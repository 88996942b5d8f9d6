// Starting and stopping the benchmark servers: each in its own process,
// ready when it prints its `{"ready":…}` line (bench/servers/harness.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ServerProcess<T> {
  info: T;
  stop(): Promise<void>;
}

/**
 * How a server process runs its code: `node`, the compiled build (`npm run
 * dist`) on plain node, as `npm start` and the container image run it; or
 * `tsx`, the TypeScript sources through the loader, as tests do.
 */
export type Runtime = 'node' | 'tsx';
export const RUNTIMES: readonly Runtime[] = ['node', 'tsx'];

/** `--runtime node,tsx` → the runtimes, checked; the first is the one measured as STORM. */
export function parseRuntimes(text: string): Runtime[] {
  const runtimes = text.split(',').map((r) => r.trim());
  const bad = runtimes.filter((r) => !RUNTIMES.includes(r as Runtime));
  if (runtimes.length === 0 || bad.length > 0) throw new Error(`--runtime takes ${RUNTIMES.join(' or ')} (comma-separated), got ${JSON.stringify(text)}`);
  return runtimes as Runtime[];
}

let distBuilt: Promise<void> | undefined;

/** `npm run dist` (scripts/dist.mjs), once per bench run, whoever asks first. */
export function buildDist(): Promise<void> {
  return (distBuilt ??= new Promise<void>((resolve, reject) => {
    const dist = spawn(process.execPath, [fileURLToPath(new URL('../scripts/dist.mjs', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
    dist.once('error', reject);
    dist.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scripts/dist.mjs exited with ${code}`))));
  }));
}

/**
 * bench/servers/<name>.ts for plain node: the workspaces compiled once per
 * bench run (scripts/dist.mjs), and the server script bundled with what it
 * imports by relative path (harness, tests/testkit) into bench/.dist/, at the
 * same depth as bench/servers/ and tests/testkit/, so their paths relative to
 * import.meta.url still hold. Packages stay imports, resolved by node through
 * the storm-dist condition to the compiled workspaces.
 */
async function compiled(name: string, script: string): Promise<string> {
  await buildDist();
  const { build } = await import('esbuild');
  const outfile = fileURLToPath(new URL(`./.dist/${name}.js`, import.meta.url));
  await build({ entryPoints: [script], outfile, bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  return outfile;
}

/**
 * Runs bench/servers/<name>.ts with `--expose-gc` (for memory figures), on
 * the given runtime (default `node`, as production runs), with NODE_ENV=production
 * unless the caller's environment sets NODE_ENV.
 * BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of each server there (on exit).
 */
export async function startServer<T>(name: string, env: Record<string, string>, options: { timeoutMs?: number; runtime?: Runtime; nodeArgs?: string[] } = {}): Promise<ServerProcess<T>> {
  const { timeoutMs = 300_000, runtime = 'node', nodeArgs = [] } = options;
  const script = fileURLToPath(new URL(`./servers/${name}.ts`, import.meta.url));
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const entry = runtime === 'node' ? ['--conditions=storm-dist', await compiled(name, script)] : ['--import', 'tsx', script];
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', ...nodeArgs, ...profile, ...entry], {
    // @apollo/gateway otherwise probes cloud metadata services (169.254.169.254)
    // and exports usage metrics to Apollo: a benchmark talks to 127.0.0.1 only.
    // NODE_ENV=production as deployed (k8s/base/config.yaml, the image): graphql-js otherwise
    // runs its development-mode checks (its instanceOf on every type test; 8-10% of a send's CPU).
    env: { ...process.env, NODE_ENV: SERVER_NODE_ENV, APOLLO_TELEMETRY_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs / 1000} s`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"ready"')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as T);
    });
  });
  return {
    info,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A request to a server's control port (bench/servers/harness.ts): GET, or POST with a JSON body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function control(port: number, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json();
}

/**
 * BENCH_SERVER_NODE_ARGS: extra node flags for the measured servers (the
 * fan-out targets, the send bench's STORM router), e.g. V8 heap settings, for
 * A/B runs. Space-separated; recorded in the report (fanout: serverSettings,
 * send: routerNodeArgs).
 */
export function measuredNodeArgs(): string[] {
  return nodeArgsOf('BENCH_SERVER_NODE_ARGS');
}

/** BENCH_BACKEND_NODE_ARGS: the same for the back-end process (the subgraphs), recorded as backendNodeArgs. */
export function backendNodeArgs(): string[] {
  return nodeArgsOf('BENCH_BACKEND_NODE_ARGS');
}

function nodeArgsOf(name: string): string[] {
  return (process.env[name] ?? '').split(/\s+/).filter(Boolean);
}

/** The NODE_ENV of the servers startServer starts: production as deployed, unless the caller's environment sets one. */
export const SERVER_NODE_ENV = process.env.NODE_ENV ?? 'production';
