// How the product starts on each runtime: the all-in-one process (`npm start`'s
// packages/stack main) compiled on plain node (`npm run dist`, what npm start
// and the container image run) next to the same sources through tsx, each
// started --repeat times, alternating, over one migrated PostgreSQL database
// and the memory bus:
//   ready ms   spawn → the "GraphQL (HTTP + graphql-ws)" line (router listening)
//   RSS MB     the process's resident memory at ready, and after --idle s idle
//   CPU ms     user + system CPU the process used up to ready
//
//   npm run bench -- startup [--repeat 3] [--idle 5]
//
// tsx's first start compiles every file and caches the result (in the OS temp
// folder); later starts read the cache. A container with a read-only root and
// a fresh /tmp pays the first start every time; here the first tsx start of
// the run is reported apart (`tsx, first`) when its cache was cold.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@storm/db/testing';
import { cpuMs, cpuTicks } from './cpu.js';
import { buildDist } from './process.js';
import { flag, summarize, writeReport } from './stats.js';

const READY = /GraphQL \(HTTP \+ graphql-ws\): /;
const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = {
  node: ['--conditions=storm-dist', 'packages/stack/dist/main.js'],
  tsx: ['--import', 'tsx', 'packages/stack/src/main.ts'],
} as const;
type Runtime = keyof typeof RUNS;

interface Start {
  runtime: Runtime;
  readyMs: number;
  cpuMs: number;
  rssMbAtReady: number;
  rssMbIdle: number;
}

export async function startup(args: string[]): Promise<void> {
  const repeat = Number(flag(args, 'repeat', '3'));
  const idle = Number(flag(args, 'idle', '5'));
  if (!Number.isInteger(repeat) || repeat < 1 || !Number.isFinite(idle) || idle < 0) throw new Error('--repeat takes a positive integer, --idle seconds');
  await buildDist();
  const db = await createTestDatabase();
  const starts: Start[] = [];
  try {
    for (let r = 0; r < repeat; r++) {
      // Alternating, so neither side always runs on a warmer machine.
      for (const runtime of (r % 2 === 0 ? ['node', 'tsx'] : ['tsx', 'node']) as Runtime[]) {
        const start = await startOnce(runtime, db.url, idle);
        starts.push(start);
        console.log(`${runtime.padEnd(4)}  ready ${start.readyMs.toFixed(0).padStart(5)} ms  CPU ${start.cpuMs.toFixed(0).padStart(5)} ms  RSS at ready ${start.rssMbAtReady.toFixed(0)} MB, after ${idle} s idle ${start.rssMbIdle.toFixed(0)} MB`);
      }
    }
  } finally {
    await db.drop();
  }
  const by = (runtime: Runtime) => {
    const s = starts.filter((x) => x.runtime === runtime);
    return { readyMs: summarize(s.map((x) => x.readyMs)), cpuMs: summarize(s.map((x) => x.cpuMs)), rssMbAtReady: summarize(s.map((x) => x.rssMbAtReady)), rssMbIdle: summarize(s.map((x) => x.rssMbIdle)) };
  };
  const summary = { node: by('node'), tsx: by('tsx') };
  console.log(`\n| runtime | ready ms (p50) | CPU ms to ready (p50) | RSS MB at ready (p50) | RSS MB after ${idle} s idle (p50) |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const [runtime, s] of Object.entries(summary)) {
    console.log(`| ${runtime} | ${s.readyMs.p50.toFixed(0)} | ${s.cpuMs.p50.toFixed(0)} | ${s.rssMbAtReady.p50.toFixed(0)} | ${s.rssMbIdle.p50.toFixed(0)} |`);
  }
  console.log(`node / tsx (p50): ready ${(summary.node.readyMs.p50 / summary.tsx.readyMs.p50).toFixed(2)}×, CPU ${(summary.node.cpuMs.p50 / summary.tsx.cpuMs.p50).toFixed(2)}×, idle RSS ${(summary.node.rssMbIdle.p50 / summary.tsx.rssMbIdle.p50).toFixed(2)}×`);
  const file = await writeReport('startup', { repeat, idleSeconds: idle, database: 'PostgreSQL 127.0.0.1:5432 (fresh database, migrated)', bus: 'memory', commands: RUNS, summary, starts });
  console.log(`\nreport: ${file}`);
}

async function startOnce(runtime: Runtime, databaseUrl: string, idleSeconds: number): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...RUNS[runtime]], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_OPTIONS: '', DATABASE_URL: databaseUrl, BUS: 'memory', HOST: '127.0.0.1', PORT: '0', USERS_PORT: '0', CONVERSATIONS_PORT: '0', MEDIA_PORT: '0', APOLLO_TELEMETRY_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = child.pid!;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${runtime} did not start in 120 s`)), 120_000);
      child.once('exit', (code) => reject(new Error(`${runtime} exited with ${code}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!READY.test(line)) return;
        clearTimeout(timer);
        resolve();
      });
    });
    const readyMs = performance.now() - t0;
    // Every tick of the process so far (threads included): born in the window, all of it counts.
    const used = cpuMs(new Map(), cpuTicks(new Map([['stack', [pid]]]))).stack ?? NaN;
    const rssMbAtReady = rssMb(pid);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    return { runtime, readyMs, cpuMs: used, rssMbAtReady, rssMbIdle: rssMb(pid) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  }
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}
