// Compiled entries (`npm run dist`) run as their own processes, as the
// container image and Kubernetes run them (tests/dist.e2e.ts, tests/replica-kill.e2e.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm run dist`, as the container image build runs it, once per state of the
 * sources: test files run in parallel, and a rebuild (it writes over dist/ in
 * place) while another file's process loads its modules could hand that
 * process a half-written file. So builds are serialised by a lock directory,
 * and one is skipped when the sources are the same as at the last build.
 */
export function buildDist(): void {
  const key = sourcesKey();
  const stamp = join(root, 'node_modules', '.cache', 'storm-dist-built');
  withLock(join(root, 'node_modules', '.cache', 'storm-dist.lock'), () => {
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return;
    const built = spawnSync(process.execPath, ['scripts/dist.mjs'], { cwd: root, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    writeFileSync(stamp, key);
  });
}

/** Paths, sizes and modification times of everything dist/ is made from. */
function sourcesKey(): string {
  const parts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const { size, mtimeMs } = statSync(path);
        parts.push(`${path}:${size}:${mtimeMs}`);
      }
    }
  };
  for (const parent of ['packages', 'subgraphs']) for (const name of readdirSync(join(root, parent))) if (existsSync(join(root, parent, name, 'src'))) walk(join(root, parent, name, 'src'));
  walk(join(root, 'router', 'src'));
  const script = statSync(join(root, 'scripts', 'dist.mjs'));
  parts.push(`dist.mjs:${script.size}:${script.mtimeMs}`);
  return parts.join('\n');
}

/** Runs `fn` holding a lock directory (another process waits; one left by a crashed run is taken after 5 minutes). */
function withLock(lock: string, fn: () => void): void {
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() > deadline || Date.now() - statSync(lock).mtimeMs > 5 * 60_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * A compiled entry on plain node with only `env` (no loader may come in
 * through the environment); resolves with the URL its `ready` line names.
 * Everything it prints is collected in `output`.
 */
export async function startCompiled(entry: string, env: Record<string, string>, ready: RegExp, output: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--conditions=storm-dist', entry], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_OPTIONS: '', APOLLO_TELEMETRY_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // The caller never gets the child to stop: do not leave it running past the test file.
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not start in 60 s:\n${output.join('')}`));
    }, 60_000);
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}:\n${output.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(`${line}\n`);
      const url = ready.exec(line)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
  });
  return { child, url };
}

/** SIGTERM, then the exit code (null: the process had already ended). */
export async function stop(child: ChildProcess | undefined): Promise<number | null> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return null;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}
