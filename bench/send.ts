// Persisted sends and federated history, closed loop (each client sends its
// next request when the previous one is answered), at several concurrency
// levels, each next to a baseline measured in the same run:
//   sends    storm   sendMessage through STORM's router (own process) →
//                    conversations subgraph (back-end process) → PostgreSQL
//                    (seq under the conversation row lock + message + outbox)
//            direct  the same transaction, MessagesService.send on a
//                    PrismaClient in this process: no GraphQL, no HTTP
//   history  storm   conversation(id) { messages(limit: 50) { id seq body
//                    author { displayName } } } through STORM's router
//            plain   the same query through a plain @apollo/gateway (own
//                    process) over the same subgraphs
//
//   npm run bench -- send [--seconds 5] [--concurrency 1,10,100]
//       [--conversations 100] [--users 100] [--repeat 2] [--bus nats] [--limiter memory|redis]
//       [--runtime node|tsx|node,tsx] [--client raw|undici]
//
// --client: the driver's HTTP client, `raw` (default: bench/raw-http.ts, one
// keep-alive socket per client and target, the cheapest for the driver, which
// shares the cores with what it measures) or `undici` (its `request`).
//
// --runtime: how the servers run (bench/process.ts): `node` (default) the
// compiled build as production runs it, `tsx` the TypeScript through the
// loader. A second runtime starts a second STORM router on it, measured as
// `storm-<runtime>` beside `storm` in the same run (the back end and the
// plain gateway run on the first).
//
// The machine is shared, so each configuration runs --repeat times and the
// best run is kept (all runs are in the report); ratios are taken within a
// run. BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of each server process;
// BENCH_WINDOW_PROFILE=<dir> one of the router and the back end over each
// measured STORM window only (<dir>/<pid>.cpuprofile, the last window's).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { topics } from '@storm/bus';
import { adapterFor } from '@storm/db';
import { PrismaClient } from '@storm/conversations/generated/prisma/client';
import { MessagesService } from '@storm/conversations/modules/messages/messages.service';
import { cpuMs, cpuTicks } from './cpu.js';
import { RawHttpConnection } from './raw-http.js';
import { backendNodeArgs, control, measuredNodeArgs, parseRuntimes, startServer } from './process.js';
import { flag, summarize, writeReport } from './stats.js';

interface BackendReady {
  pid: number;
  control: number;
  databaseUrl: string;
  busPrefix: string;
  userIds: string[];
  tokens: string[];
  conversationIds: string[];
}
interface RouterReady {
  pid: number;
  httpUrl: string;
  control: number;
}

const SEND = 'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id seq } }';
const HISTORY = 'query History($id: ID!) { conversation(id: $id) { messages(limit: 50) { id seq body author { displayName } } } }';
const HISTORY_PAGE = 50;
/** Each phase first runs this long unrecorded: JIT, pools and caches warm up. */
const WARMUP_SECONDS = 1;
/**
 * Before run 1, every measured path runs this long unrecorded at the highest
 * concurrency: a fresh router needs seconds of traffic before V8 has
 * optimised its hot paths. With only the 1 s per phase, run 1 measured
 * 594–660 sends/s at 100 senders and run 2 931–1,046, same machine, same
 * code (2026-12-03, `send-2026-12-03T08-19-21-765Z` and the runs after it).
 */
const FIRST_WARMUP_SECONDS = 4;
/** The conversations subgraph's pool (adapterFor's default); the direct loop gets the same. */
const POOL_SIZE = 10;

type Op = (worker: number, i: number) => Promise<void>;

/** Control ports whose process is profiled over a measured window (BENCH_WINDOW_PROFILE). */
type Profiled = number[];

export interface PhaseResult {
  concurrency: number;
  seconds: number;
  ops: number;
  opsPerSecond: number;
  errors: number;
  firstError?: string;
  latencyMs: ReturnType<typeof summarize>;
  /**
   * CPU time per completed op, in ms, per process (user + system, from
   * /proc over the measured window): what the op costs whatever else the
   * shared machine is doing. `postgres` sums this database's server
   * processes (not the WAL writer or checkpointer, which every op shares).
   */
  cpuMsPerOp?: Record<string, number>;
  /** The machine's 1-minute load average at the end of the phase (others' work included). */
  loadAverage: number;
}

export async function send(args: string[]): Promise<void> {
  const seconds = Number(flag(args, 'seconds', '5'));
  const levels = flag(args, 'concurrency', '1,10,100').split(',').map(Number);
  const conversations = Number(flag(args, 'conversations', '100'));
  const users = Number(flag(args, 'users', '100'));
  const repeat = Number(flag(args, 'repeat', '2'));
  const bus = flag(args, 'bus', 'nats');
  // Where the conversations service keeps its per-user rate limits: memory (one process) or
  // redis (shared by replicas: one EVALSHA per send).
  const limiter = flag(args, 'limiter', 'memory');
  if (limiter !== 'memory' && limiter !== 'redis') throw new Error('--limiter is memory or redis');
  // Profiling one workload: --only send (or history) skips the other's phases.
  const only = flag(args, 'only', 'send,history').split(',');
  const runtimes = parseRuntimes(flag(args, 'runtime', 'node'));
  const runtime = runtimes[0]!;
  const clientKind = flag(args, 'client', 'raw');
  if (clientKind !== 'raw' && clientKind !== 'undici') throw new Error('--client is raw or undici');
  for (const n of [seconds, conversations, users, repeat, ...levels]) {
    if (!Number.isFinite(n) || n <= 0) throw new Error('--seconds, --concurrency, --conversations, --users and --repeat take positive numbers');
  }

  console.log(`starting: back end (${users} users, ${conversations} conversations, seeding ${HISTORY_PAGE} messages each), STORM router, plain gateway`);
  const backend = await startServer<BackendReady>('send-backend', {
    BENCH_USERS: String(users),
    BENCH_CONVERSATIONS: String(conversations),
    BENCH_SEED: String(HISTORY_PAGE),
    BENCH_BUS: bus,
    BENCH_LIMITER: limiter,
  }, { runtime, nodeArgs: backendNodeArgs() });
  const servers: Array<{ stop(): Promise<void> }> = [backend];
  const client = driverClient(clientKind, Math.max(...levels));
  const prisma = new PrismaClient({ adapter: adapterFor({ kind: 'postgres', url: backend.info.databaseUrl }, { poolSize: POOL_SIZE }) });
  try {
    const env = { BENCH_BUS: bus, BENCH_BACKEND: JSON.stringify(backend.info) };
    // routers[0] is `storm`; one more per extra runtime, `storm-<runtime>`.
    const routers: Array<{ name: string; label: string; info: RouterReady }> = [];
    for (const [i, rt] of runtimes.entries()) {
      const router = await startServer<RouterReady>('storm', env, { runtime: rt, nodeArgs: measuredNodeArgs() });
      servers.push(router);
      routers.push(i === 0 ? { name: 'storm', label: 'router', info: router.info } : { name: `storm-${rt}`, label: `router-${rt}`, info: router.info });
    }
    const storm = routers[0]!;
    const plain = await startServer<RouterReady>('send-plain-gateway', env, { runtime });
    servers.push(plain);
    const { tokens, userIds, conversationIds } = backend.info;
    const direct = new MessagesService(prisma, topics(backend.info.busPrefix));
    const cpu: CpuProbe = {
      async pids() {
        const pg = await prisma.$queryRaw<Array<{ pid: number }>>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
        return new Map([
          ...routers.map((r): [string, number[]] => [r.label, [r.info.pid]]),
          ['plain', [plain.info.pid]],
          ['subgraphs', [backend.info.pid]],
          ['postgres', pg.map((row) => row.pid)],
          ['driver', [process.pid]],
        ]);
      },
    };

    // Sender w's i-th request goes to conversation (w + i·n) mod conversations
    // as user (w + i·n) mod users (every user is in every conversation):
    // spread over all conversations, no two senders on the same one at the
    // same step, and each user's share of the load stays under the
    // conversations service's per-user send limit (30/s after a burst of 300,
    // its default; the stack takes no setting for it), i.e. up to 3,000/s in all.
    const target = (w: number, i: number, n: number) => conversationIds[(w + i * n) % conversationIds.length]!;
    const as = (w: number, i: number, n: number) => (w + i * n) % userIds.length;
    const body = (w: number, i: number) => `bench ${w}/${i} ${Date.now()}`;
    const sendOps = (n: number): Record<string, Op> => ({
      ...Object.fromEntries(
        routers.map((r): [string, Op] => [
          r.name,
          async (w, i) => {
            await client.graphql(w, r.info.httpUrl, tokens[as(w, i, n)]!, SEND, { input: { conversationId: target(w, i, n), body: body(w, i) } });
          },
        ]),
      ),
      direct: async (w, i) => {
        await direct.send(userIds[as(w, i, n)]!, { conversationId: target(w, i, n), body: body(w, i) });
      },
    });
    const historyOps = (n: number): Record<string, Op> => {
      const op = (url: string): Op => async (w, i) => {
        const data = (await client.graphql(w, url, tokens[as(w, i, n)]!, HISTORY, { id: target(w, i, n) })) as { conversation?: { messages?: unknown[] } };
        if (data.conversation?.messages?.length !== HISTORY_PAGE) throw new Error(`expected ${HISTORY_PAGE} messages, got ${data.conversation?.messages?.length}`);
      };
      return { ...Object.fromEntries(routers.map((r) => [r.name, op(r.info.httpUrl)])), plain: op(plain.info.httpUrl) };
    };

    const profiled: Profiled = process.env.BENCH_WINDOW_PROFILE ? [storm.info.control, backend.info.control] : [];
    const runs: Array<{ repeat: number; concurrency: number; sends: Record<string, PhaseResult>; history: Record<string, PhaseResult> }> = [];
    const top = Math.max(...levels);
    const warming = [...(only.includes('send') ? Object.values(sendOps(top)) : []), ...(only.includes('history') ? Object.values(historyOps(top)) : [])];
    console.log(`warming up: every path for ${FIRST_WARMUP_SECONDS + WARMUP_SECONDS} s at c=${top}, unrecorded`);
    for (const op of warming) await closedLoop(top, FIRST_WARMUP_SECONDS, op);
    for (let r = 1; r <= repeat; r++) {
      for (const n of levels) {
        const sends: Record<string, PhaseResult> = {};
        const history: Record<string, PhaseResult> = {};
        // Odd runs measure STORM first, even runs its baseline first: whichever
        // goes first in a fresh process pays for the JIT warming the shared back
        // end (history at 10 clients, run 1: STORM 0.95x the plain gateway,
        // run 2: 1.29x, send-2026-12-02T03-13-34-826Z.json), so no side always does.
        const order = <T>(entries: Array<[string, T]>) => (r % 2 === 1 ? entries : [...entries].reverse());
        for (const [name, op] of only.includes('send') ? order(Object.entries(sendOps(n))) : []) {
          sends[name] = await closedLoop(n, seconds, op, cpu, name === 'storm' ? profiled : []);
          print(`run ${r}  send     ${name.padEnd(6)}`, sends[name]);
        }
        for (const [name, op] of only.includes('history') ? order(Object.entries(historyOps(n))) : []) {
          history[name] = await closedLoop(n, seconds, op, cpu, name === 'storm' ? profiled : []);
          print(`run ${r}  history  ${name.padEnd(6)}`, history[name]);
        }
        console.log(`run ${r}  c=${n}: ${ratios(sends, history)}`);
        runs.push({ repeat: r, concurrency: n, sends, history });
      }
    }

    // Best run per configuration: throughput is what noise from other work
    // on the machine takes away, so the highest is the least disturbed.
    const best = levels.map((n) => {
      const at = runs.filter((run) => run.concurrency === n);
      const pick = (get: (run: (typeof at)[number]) => PhaseResult | undefined) =>
        at.map(get).reduce<PhaseResult | undefined>((a, b) => (b && (!a || b.opsPerSecond > a.opsPerSecond) ? b : a), undefined);
      return {
        concurrency: n,
        sendStorm: pick((run) => run.sends.storm),
        sendDirect: pick((run) => run.sends.direct),
        historyStorm: pick((run) => run.history.storm),
        historyPlain: pick((run) => run.history.plain),
        /** The routers on the other runtimes (--runtime a,b): `storm-<runtime>`. */
        otherRuntimes: Object.fromEntries(routers.slice(1).map((r) => [r.name, { send: pick((run) => run.sends[r.name]), history: pick((run) => run.history[r.name]) }])),
        // Within one run (same machine state); the spread over runs shows the noise.
        ratiosPerRun: at.map((run) => ratios(run.sends, run.history)),
      };
    });

    console.log(`\nbest of ${repeat} run(s) per configuration, ${seconds} s each (closed loop; latency per request, ms)`);
    console.log('| concurrency | path | ops/s | p50 ms | p99 ms | errors | CPU ms/op, all processes |');
    console.log('|---:|---|---:|---:|---:|---:|---:|');
    for (const b of best) {
      for (const [label, p] of [
        ['sendMessage via STORM router', b.sendStorm],
        ['send, direct Prisma loop (A)', b.sendDirect],
        ['history via STORM router', b.historyStorm],
        ['history via plain @apollo/gateway (B)', b.historyPlain],
        ...Object.entries(b.otherRuntimes).flatMap(([name, p]) => [
          [`sendMessage via STORM router (${name})`, p.send],
          [`history via STORM router (${name})`, p.history],
        ]),
      ] as Array<[string, PhaseResult | undefined]>) {
        if (p) console.log(`| ${b.concurrency} | ${label} | ${Math.round(p.opsPerSecond).toLocaleString('en-US')} | ${p.latencyMs.p50.toFixed(1)} | ${p.latencyMs.p99.toFixed(1)} | ${p.errors} | ${p.cpuMsPerOp?.total?.toFixed(2) ?? '?'} |`);
      }
    }
    console.log('\nratios within each run:');
    for (const b of best) b.ratiosPerRun.forEach((text, i) => console.log(`  c=${b.concurrency} run ${i + 1}: ${text}`));
    const file = await writeReport('send', {
      seconds,
      warmupSeconds: WARMUP_SECONDS,
      concurrency: levels,
      conversations,
      users,
      repeat,
      bus,
      limiter,
      runtimes,
      routerNodeArgs: measuredNodeArgs(),
      backendNodeArgs: backendNodeArgs(),
      client: clientKind,
      database: 'PostgreSQL 127.0.0.1:5432 (fresh database)',
      poolSize: POOL_SIZE,
      queries: { send: SEND, history: HISTORY },
      best,
      runs,
    });
    console.log(`\nreport: ${file}`);
  } finally {
    await prisma.$disconnect();
    await client.close();
    for (const server of servers.reverse()) await server.stop();
  }
}

/** `n` clients, each issuing its next op when the previous one settles, for WARMUP_SECONDS + `seconds`. */
async function closedLoop(n: number, seconds: number, op: Op, cpu?: CpuProbe, profiled: Profiled = []): Promise<PhaseResult> {
  const start = performance.now() + WARMUP_SECONDS * 1000;
  const end = start + seconds * 1000;
  // The processes are listed when the window opens: pools grow during the warm-up.
  let pids: Map<string, number[]> | undefined;
  let before: ReturnType<typeof cpuTicks> | undefined;
  let after: ReturnType<typeof cpuTicks> | undefined;
  let listed: Promise<void> | undefined;
  const t1 = setTimeout(() => {
    for (const port of profiled) void control(port, '/bench/profile/start');
    listed = cpu?.pids().then((found) => {
      pids = found;
      before = cpuTicks(found);
    }, () => {});
  }, WARMUP_SECONDS * 1000);
  const t2 = setTimeout(() => void listed?.then(() => (after = pids && cpuTicks(pids))), end - performance.now());
  const stopProfiles = new Promise<void>((resolve) =>
    setTimeout(async () => {
      for (const port of profiled) console.log(`  window profile: ${await control(port, '/bench/profile/stop')}`);
      resolve();
    }, end - performance.now()),
  );
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const t0 = performance.now();
        try {
          await op(w, i);
          const t1 = performance.now();
          if (t0 >= start && t1 <= end) latencies.push(t1 - t0);
        } catch (err) {
          if (t0 >= start) errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
        }
      }
    }),
  );
  clearTimeout(t1);
  clearTimeout(t2);
  await listed;
  await stopProfiles;
  if (pids && !after) after = cpuTicks(pids);
  const ops = latencies.length;
  let cpuMsPerOp: Record<string, number> | undefined;
  if (before && after && ops > 0) {
    cpuMsPerOp = {};
    let total = 0;
    for (const [label, ms] of Object.entries(cpuMs(before, after))) {
      cpuMsPerOp[label] = ms / ops;
      total += ms / ops;
    }
    cpuMsPerOp.total = total;
  }
  return { concurrency: n, seconds, ops, opsPerSecond: ops / seconds, errors, firstError, latencyMs: summarize(latencies), cpuMsPerOp, loadAverage: os.loadavg()[0]! };
}

/** The processes whose CPU time a phase is charged: label → pids (PostgreSQL's are looked up per phase). */
interface CpuProbe {
  pids(): Promise<Map<string, number[]>>;
}

/** How the driver's client `w` (of at most `clients`) posts a GraphQL request; each client has one request in flight at a time. */
interface DriverClient {
  graphql(w: number, url: string, token: string, query: string, variables: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

function driverClient(kind: 'raw' | 'undici', clients: number): DriverClient {
  if (kind === 'undici') {
    const agent = new Agent({ connections: clients + 16, pipelining: 1, keepAliveTimeout: 10_000 });
    return {
      async graphql(_w, url, token, query, variables) {
        const res = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        return graphqlData(res.statusCode, await res.body.text());
      },
      close: () => agent.close(),
    };
  }
  // One connection per (target, client): a closed-loop client has one request in flight.
  const connections = new Map<string, RawHttpConnection[]>();
  return {
    async graphql(w, url, token, query, variables) {
      let perClient = connections.get(url);
      if (!perClient) connections.set(url, (perClient = []));
      const connection = (perClient[w] ??= new RawHttpConnection(url));
      const res = await connection.post(JSON.stringify({ query, variables }), { authorization: `Bearer ${token}` });
      return graphqlData(res.status, res.body);
    },
    async close() {
      for (const list of connections.values()) for (const connection of list) connection?.close();
    },
  };
}

/** The `data` of a GraphQL answer; anything but a 200 with data and no errors is an error. */
function graphqlData(status: number, text: string): unknown {
  const payload = JSON.parse(text) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (status !== 200 || payload.errors?.length || !payload.data) {
    throw new Error(`HTTP ${status}: ${JSON.stringify(payload.errors ?? payload).slice(0, 300)}`);
  }
  return payload.data;
}

function print(label: string, p: PhaseResult): void {
  console.log(
    `${label} c=${String(p.concurrency).padStart(3)}: ${Math.round(p.opsPerSecond).toLocaleString('en-US').padStart(6)} ops/s  ` +
      `p50 ${p.latencyMs.p50.toFixed(1).padStart(6)} ms  p99 ${p.latencyMs.p99.toFixed(1).padStart(6)} ms  errors ${p.errors}  load ${p.loadAverage.toFixed(1)}` +
      (p.cpuMsPerOp ? `  CPU ms/op ${Object.entries(p.cpuMsPerOp).filter(([, ms]) => ms > 0).map(([k, ms]) => `${k} ${ms.toFixed(2)}`).join(', ')}` : '') +
      (p.firstError ? `  (first: ${p.firstError})` : ''),
  );
}

/** The two ratios the issue sets targets for, from phases of one run. */
function ratios(sends: Record<string, PhaseResult>, history: Record<string, PhaseResult>): string {
  const out = [];
  if (sends.storm && sends.direct) out.push(`full path costs ${(sends.direct.opsPerSecond / sends.storm.opsPerSecond).toFixed(2)}× the direct loop (target ≤ 2×)`);
  if (history.storm && history.plain) out.push(`history STORM = ${(history.storm.opsPerSecond / history.plain.opsPerSecond).toFixed(2)}× plain gateway (target ≥ 1×)`);
  // The same router on another runtime: its throughput and its own CPU per op, relative to `storm`'s.
  for (const [phases, what] of [[sends, 'sends'], [history, 'history']] as const) {
    for (const name of Object.keys(phases).filter((k) => k.startsWith('storm-'))) {
      const other = phases[name]!;
      const base = phases.storm;
      const routerCpu = (p: PhaseResult | undefined, label: string) => p?.cpuMsPerOp?.[label];
      const label = `router-${name.slice('storm-'.length)}`;
      if (!base) continue;
      const cpu = routerCpu(other, label) && routerCpu(base, 'router') ? `, router CPU/op ${(routerCpu(other, label)! / routerCpu(base, 'router')!).toFixed(2)}×` : '';
      out.push(`${what} ${name} = ${(other.opsPerSecond / base.opsPerSecond).toFixed(2)}× storm's ops/s${cpu}`);
    }
  }
  return out.join('; ');
}

