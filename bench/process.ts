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
 * Runs bench/servers/<name>.ts with `--expose-gc` (for memory figures).
 * BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of each server there (on exit).
 */
export async function startServer<T>(name: string, env: Record<string, string>, timeoutMs = 300_000): Promise<ServerProcess<T>> {
  const script = fileURLToPath(new URL(`./servers/${name}.ts`, import.meta.url));
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', ...profile, '--import', 'tsx', script], {
    // @apollo/gateway otherwise probes cloud metadata services (169.254.169.254)
    // and exports usage metrics to Apollo: a benchmark talks to 127.0.0.1 only.
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: 'true', ...env },
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
