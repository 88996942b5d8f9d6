// Shared by the benchmark servers: each runs in its own process, prints one
// JSON line `{"ready":…}` on stdout, and serves GET /bench/memory on its
// control port (a forced GC first when run with --expose-gc) so the driver
// can measure memory per connection.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { AddressInfo } from 'node:net';

export async function startControl(extra: Record<string, (body: unknown) => Promise<unknown>> = {}): Promise<number> {
  // How long the event loop was held up, since the last GET /bench/eventloop (which resets it).
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const server = http.createServer(async (req, res) => {
    try {
      if (req.url === '/bench/eventloop') {
        const ms = (ns: number) => Math.round(ns / 1e5) / 10;
        res.end(JSON.stringify({ maxMs: ms(loopDelay.max), p99Ms: ms(loopDelay.percentile(99)), meanMs: ms(loopDelay.mean) }));
        loopDelay.reset();
        return;
      }
      if (req.url === '/bench/memory') {
        (globalThis as { gc?: () => void }).gc?.();
        (globalThis as { gc?: () => void }).gc?.();
        // Where the RSS is: each V8 space's committed size next to what is used in it.
        const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { committed: s.physical_space_size, used: s.space_used_size }]));
        res.end(JSON.stringify({ ...process.memoryUsage(), spaces }));
        return;
      }
      if (req.url === '/bench/profile/start' || req.url === '/bench/profile/stop') {
        res.end(JSON.stringify(await windowProfile(req.url.endsWith('start'))));
        return;
      }
      const handler = extra[req.url ?? ''];
      if (!handler) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const out = await handler(chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined);
      res.end(JSON.stringify(out ?? null));
    } catch (err) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: String(err) }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

let session: import('node:inspector/promises').Session | undefined;

/**
 * A V8 CPU profile of just a measured window (BENCH_CPU_PROFILE profiles a
 * process's whole life, set-up included): start, then stop, which writes
 * `<BENCH_WINDOW_PROFILE>/<pid>.cpuprofile`.
 */
async function windowProfile(start: boolean): Promise<string | boolean> {
  const { Session } = await import('node:inspector/promises');
  if (start) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    return true;
  }
  if (!session) return false;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  session = undefined;
  const { writeFile, mkdir } = await import('node:fs/promises');
  const dir = process.env.BENCH_WINDOW_PROFILE ?? '/tmp';
  await mkdir(dir, { recursive: true });
  const file = `${dir}/${process.pid}.cpuprofile`;
  await writeFile(file, JSON.stringify(profile));
  return file;
}

export function ready(info: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, ...info })}\n`);
}

/** The payload every server sends per event, so the three are compared on the same bytes. */
export interface BenchMessage {
  id: string;
  seq: number;
  body: string;
  /** The baselines' "commit": when the message was published. */
  createdAt: string;
  author: { displayName: string };
}
