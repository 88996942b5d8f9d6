// Fan-out: N graphql-ws subscribers, messages offered at fixed rates, and
// what arrives. Three servers in one invocation, each in its own process,
// driven by this one (the machine's other core):
//   storm       the real router, full path: sendMessage → PostgreSQL (seq +
//               outbox) → relay → bus → group resolution through the query
//               planner with author { displayName } from the users subgraph
//   graphql-ws  graphql-ws useServer, library defaults: executes each event
//               once per subscriber
//   bare        the wire protocol straight on ws, one serialisation per event
//
//   npm run bench -- fanout [--clients 10000] [--conversations 1]
//       [--rates 2,4,8,16] [--seconds 5] [--targets storm,graphql-ws,bare] [--bus nats]
//       [--producer router|direct] [--producer-in-flight 128] [--client-processes 1] [--settle 20]
//       [--connect-batch 250] [--client raw|ws] [--runtime node|tsx]   (how the servers run: the compiled build, default, or tsx; bench/process.ts)
//   BENCH_WINDOW_PROFILE=<dir>: a V8 CPU profile of the router and back end for each measured window
//
// --producer (STORM only): `router` (default) sends each message with
// sendMessage through the measured router; `direct` has the back end call the
// conversations service's own send (same transaction, outbox, relay, bus) with
// no HTTP/GraphQL in front, for rates beyond what sendMessage through the
// router sustains here (see `bench send`), so the delivery side is what is
// measured. Everything from the commit on is the same path.
//
// Reports deliveries/s, p50/p99 latency per offered rate, both send → client
// (the driver's stamp in the body, before sendMessage) and commit → client
// (the message's createdAt: the issue's measure; for the baselines, the
// publish), and server memory per idle subscriber (heap and RSS after a
// forced GC, at once and after 20 s idle; the baseline after 20 s idle too).
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { cpuMs, cpuTicks, machineCores, machineTicks, pidsNamed } from './cpu.js';
import { connectFleet, type Fleet, type FleetClient } from './fleet.js';
import { control, measuredNodeArgs, parseRuntimes, startServer } from './process.js';
import { flag, summarize, writeReport } from './stats.js';

type Target = 'storm' | 'graphql-ws' | 'bare';

interface Ready {
  pid: number;
  wsUrl: string;
  httpUrl?: string;
  control: number;
  tokens?: string[];
  senderToken?: string;
  conversationIds?: string[];
  backendControl?: number;
  /** The back end's control port (storm), for window profiles. */
  backendControlPort?: number;
  /** The back end's process (storm), for CPU accounting. */
  backendPid?: number;
}

// createdAt: the message's commit stamp (PostgreSQL's now() of the statement
// that wrote it, a little before its commit), for commit → client latency.
const QUERY = 'subscription ($conversationId: ID!) { messageAdded(conversationId: $conversationId) { id seq body createdAt author { displayName } } }';
const SEND = 'mutation ($input: SendMessageInput!) { sendMessage(input: $input) { seq } }';
const now = () => performance.timeOrigin + performance.now();
/** How long the subscribers sit idle before the settled memory reading (and the server before its baseline). */
const DEFAULT_IDLE_SECONDS = 20;
/** Requests the driver keeps in flight when it offers messages itself. */
const MAX_IN_FLIGHT = 256;

export async function fanout(args: string[]): Promise<void> {
  const clients = Number(flag(args, 'clients', '10000'));
  const conversations = Number(flag(args, 'conversations', '1'));
  const rates = flag(args, 'rates', '2,4,8,16').split(',').map(Number);
  const seconds = Number(flag(args, 'seconds', '5'));
  const targets = flag(args, 'targets', 'storm,graphql-ws,bare').split(',') as Target[];
  const bus = flag(args, 'bus', 'nats');
  const runtimes = parseRuntimes(flag(args, 'runtime', 'node'));
  if (runtimes.length !== 1) throw new Error('fanout takes one --runtime');
  const runtime = runtimes[0]!;
  const producer = flag(args, 'producer', 'router') as 'router' | 'direct';
  // --producer direct: sends the back end keeps in flight.
  const producerInFlight = Number(flag(args, 'producer-in-flight', '128'));
  if (!Number.isInteger(producerInFlight) || producerInFlight < 1) throw new Error('--producer-in-flight takes a positive integer');
  // Client processes: one Node process reading 10,000 sockets has a latency floor of its own.
  const clientProcesses = Number(flag(args, 'client-processes', '1'));
  // Sockets each client process connects and subscribes at once: 250 paces the storm; all of them at once is a reconnect storm.
  const connectBatch = Number(flag(args, 'connect-batch', '250'));
  if (!Number.isInteger(connectBatch) || connectBatch < 1) throw new Error('--connect-batch takes a positive integer');
  if (!Number.isInteger(clientProcesses) || clientProcesses < 1) throw new Error('--client-processes takes a positive integer');
  if (producer !== 'router' && producer !== 'direct') throw new Error('--producer is router or direct');
  // The subscribers' WebSocket client (bench/fleet.ts): raw costs the driver least per delivery.
  const client = flag(args, 'client', 'raw') as FleetClient;
  if (client !== 'raw' && client !== 'ws') throw new Error('--client is raw or ws');
  // --settle 0: no idle waits (throughput runs; the settled memory figures then mean nothing).
  const IDLE_SECONDS = Number(flag(args, 'settle', String(DEFAULT_IDLE_SECONDS)));
  if (!Number.isFinite(IDLE_SECONDS) || IDLE_SECONDS < 0) throw new Error('--settle takes seconds (0 or more)');
  const results: Record<string, unknown> = {};

  for (const target of targets) {
    console.log(`\n== ${target}: ${clients} subscribers over ${conversations} conversation(s)`);
    // STORM: the measured router runs alone in its process; the subgraphs, the
    // database and the bus are the back end (other processes), as deployed.
    const backend =
      target === 'storm'
        ? await startServer<Ready>('storm-backend', { BENCH_CONVERSATIONS: String(conversations), BENCH_BUS: bus, BENCH_PRODUCER_IN_FLIGHT: String(producerInFlight) }, { runtime })
        : undefined;
    // A server that fails to start must not leave the back end running.
    const server = await startServer<Ready>(target, { BENCH_BUS: bus, ...(backend ? { BENCH_BACKEND: JSON.stringify(backend.info) } : {}) }, { runtime, nodeArgs: measuredNodeArgs() }).catch(async (err: unknown) => {
      await backend?.stop();
      throw err;
    });
    try {
      const info = server.info;
      const conversationIds = info.conversationIds ?? Array.from({ length: conversations }, (_, i) => `c${i}`);
      // The baseline is read as settled as the last reading: after IDLE_SECONDS
      // idle, so the start-up's garbage (and V8's grown young generation) is not
      // counted against the subscribers or for them.
      await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
      const memBefore = await memory(info.control);
      // The subscribe storm (every socket connects and subscribes, --connect-batch at a time): how
      // long, and the CPU of the server and, for STORM, of its back end and PostgreSQL (head reads).
      const subscribeStarted = now();
      const onPath = () => {
        const pids = new Map<string, number[]>([['server', [info.pid]]]);
        if (backend) pids.set('back end', [backend.info.pid]).set('postgres', pidsNamed('postgres'));
        return pids;
      };
      const subscribeTicks = cpuTicks(onPath());
      const fleet = await connectFleet({ wsUrl: info.wsUrl, tokens: info.tokens, query: QUERY, conversationIds, connectBatch, client }, clients, clientProcesses);
      if (target === 'storm') await waitFor(async () => (await control(info.control, '/engine')).subscribers >= clients, 120_000);
      const subscribeCpu = cpuMs(subscribeTicks, cpuTicks(onPath()));
      const cpuMsPerSubscriber = Object.fromEntries(Object.entries(subscribeCpu).map(([label, ms]) => [label, ms / clients]));
      const subscribe = { seconds: (now() - subscribeStarted) / 1000, serverCpuMsPerSubscriber: cpuMsPerSubscriber.server!, cpuMsPerSubscriber };
      console.log(
        `subscribed ${clients.toLocaleString('en-US')} sockets in ${subscribe.seconds.toFixed(1)} s; CPU per subscriber, ms: ` +
          Object.entries(cpuMsPerSubscriber).map(([label, ms]) => `${label} ${ms.toFixed(2)}`).join(', '),
      );
      if (target !== 'storm') await new Promise((r) => setTimeout(r, 2_000));
      const memAfter = await memory(info.control);
      // Right after subscribing, RSS still holds the pages of the set-up's
      // garbage (10,000 subscribes' head queries): V8 gives them back once the
      // process has been idle a while. Both readings are reported; "settled"
      // is after IDLE_SECONDS with the subscribers connected and nothing sent.
      // The idle time also prices holding the connections: keep-alive pings, timers, the membership audit.
      const idleTicks = cpuTicks(onPath());
      const idleStarted = now();
      await control(info.control, '/bench/eventloop'); // resets it
      await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
      const idleCpu = cpuMs(idleTicks, cpuTicks(onPath()));
      const idleCoreShare = Object.fromEntries(Object.entries(idleCpu).map(([label, ms]) => [label, ms / (now() - idleStarted)]));
      /** The longest the server's event loop was held up while idle (keep-alive rounds, audits). */
      const idleEventLoop = (await control(info.control, '/bench/eventloop')) as { maxMs: number; p99Ms: number; meanMs: number };
      const memSettled = await memory(info.control);
      const per = (after: number, before: number) => Math.round((after - before) / clients);
      const perConnection = {
        heapBytes: per(memAfter.heapUsed, memBefore.heapUsed),
        rssBytes: per(memAfter.rss, memBefore.rss),
        heapPlusExternalBytes: per(memAfter.heapUsed + memAfter.external, memBefore.heapUsed + memBefore.external),
        settledAfterSeconds: IDLE_SECONDS,
        heapSettledBytes: per(memSettled.heapUsed, memBefore.heapUsed),
        rssSettledBytes: per(memSettled.rss, memBefore.rss),
        /** V8's committed heap (what of the RSS is heap pages, used or not), after the idle time. */
        heapCommittedSettledBytes: per(memSettled.heapTotal, memBefore.heapTotal),
        /** Per V8 space, committed and used bytes per subscriber after the idle time. */
        spacesSettled: Object.fromEntries(
          Object.entries(memSettled.spaces ?? {}).map(([name, s]) => [name, { committed: per(s.committed, memBefore.spaces?.[name]?.committed ?? 0), used: per(s.used, memBefore.spaces?.[name]?.used ?? 0) }]),
        ),
      };
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      console.log(
        `memory per idle subscriber: heap ${kb(perConnection.heapBytes)}, heap+external ${kb(perConnection.heapPlusExternalBytes)}, RSS ${kb(perConnection.rssBytes)}; ` +
          `after ${IDLE_SECONDS} s idle: heap ${kb(perConnection.heapSettledBytes)} (committed ${kb(perConnection.heapCommittedSettledBytes)}), RSS ${kb(perConnection.rssSettledBytes)}`,
      );

      if (IDLE_SECONDS > 0) {
        console.log(
          `idle for ${IDLE_SECONDS} s with ${clients.toLocaleString('en-US')} subscribers, share of a core: ${Object.entries(idleCoreShare).map(([label, share]) => `${label} ${(share * 100).toFixed(1)}%`).join(', ')}; ` +
            `server event loop held up at most ${idleEventLoop.maxMs} ms (p99 ${idleEventLoop.p99Ms} ms)`,
        );
      }

      const runs = [];
      for (const rate of rates) {
        const run = await offer(target, { ...info, backendControl: backend?.info.backendControl, backendControlPort: backend?.info.control, backendPid: backend?.info.pid }, fleet, conversationIds, rate, seconds, producer);
        runs.push(run);
        if (target === 'storm') {
          const buckets = ((await control(info.control, '/latency')) as Array<{ labels: { le?: number | string }; value: number; metricName?: string }>).filter((v) => v.metricName?.endsWith('_bucket'));
          const resolutions = ((await control(info.control, '/resolutions')) as Array<{ value: number }>)[0]?.value;
          const batches = ((await control(info.control, '/batches')) as Array<{ value: number; metricName?: string }>);
          const batchCount = batches.find((b) => b.metricName?.endsWith('_count'))?.value ?? 0;
          const batchSum = batches.find((b) => b.metricName?.endsWith('_sum'))?.value ?? 0;
          console.log(`  router commit→socket (cumulative): ${buckets.map((b) => `≤${b.labels.le}s:${b.value}`).join(' ')}; resolutions so far ${resolutions}; page reads ${batchCount}, ${(batchSum / Math.max(1, batchCount)).toFixed(1)} conversations each`);
        }
        console.log(
          `offered ${String(rate).padStart(3)} msg/s (${(rate * (clients / conversations)).toLocaleString('en-US')} deliveries/s): ` +
            `got ${Math.round(run.deliveriesPerSecond).toLocaleString('en-US')} deliveries/s, ` +
            `send → client p50 ${run.latencyMs.p50.toFixed(1)} ms, p99 ${run.latencyMs.p99.toFixed(1)} ms; ` +
            `commit → client p50 ${run.commitLatencyMs.p50.toFixed(1)} ms, p99 ${run.commitLatencyMs.p99.toFixed(1)} ms; missing ${run.missing}, errors ${run.errors}`,
        );
        console.log(
          `  CPU per message, ms (share of a core): ${Object.entries(run.cpuMsPerMessage)
            .map(([label, ms]) => `${label} ${ms.toFixed(3)} (${Math.round(run.coreShare[label]! * 100)}%)`)
            .join(', ')}; the machine ${run.machineBusyCores?.toFixed(2) ?? '?'} of ${os.cpus().length} cores busy`,
        );
      }
      await fleet.close();
      results[target] = { subscribe, memoryPerIdleSubscriber: perConnection, ...(IDLE_SECONDS > 0 ? { idleCoreShare, idleEventLoop } : {}), runs };
    } finally {
      await server.stop();
      await backend?.stop();
    }
  }
  const file = await writeReport('fanout', { clients, clientProcesses, client, conversations, seconds, bus, runtime, connectBatch, producer, producerInFlight, serverSettings: serverSettings(), results });
  console.log(`\nreport: ${file}`);
}

async function offer(target: Target, info: Ready, fleet: Fleet, conversationIds: string[], rate: number, seconds: number, producer: 'router' | 'direct') {
  await fleet.take();
  const profiled = process.env.BENCH_WINDOW_PROFILE ? [info.control, ...(info.backendControlPort ? [info.backendControlPort] : [])] : [];
  for (const port of profiled) await control(port, '/bench/profile/start');
  // Every process on the path, charged over the window (offering and draining);
  // listed again at the end: the pools open database connections as the load comes.
  const processes = () => {
    const found = new Map<string, number[]>([['server', [info.pid]]]);
    if (info.backendPid) found.set('back end', [info.backendPid]);
    found.set('postgres', pidsNamed('postgres'));
    found.set('nats', pidsNamed('nats-server'));
    found.set('driver', [...new Set([process.pid, ...fleet.pids])]);
    return found;
  };
  const cpuBefore = cpuTicks(processes());
  const machineBefore = machineTicks();
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const started = now();
  const sends: Promise<unknown>[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let refused = 0;
  if (target === 'storm' && producer === 'direct') {
    const produced = (await control(info.backendControl!, '/produce', { conversationIds, rate, seconds })) as { sent: number; errors: number; seconds: number };
    if (produced.errors) console.warn(`  producer: ${produced.errors} sends failed`);
    if (produced.seconds > seconds * 1.2) console.warn(`  producer fell behind: ${total} messages took ${produced.seconds.toFixed(1)} s, not ${seconds} s`);
  }
  for (let i = 0; i < (target === 'storm' && producer === 'direct' ? 0 : total); i++) {
    const due = started + i * interval;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Bounded in flight (a socket each): past it the offered rate is not met, and that shows.
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const conversationId = conversationIds[i % conversationIds.length]!;
    const text = `t:${now()}`;
    const send: Promise<unknown> = (
      target === 'storm'
        ? fetch(info.httpUrl!, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${info.senderToken}` },
            body: JSON.stringify({ query: SEND, variables: { input: { conversationId, body: text } } }),
          }).then((r) => r.json())
        : control(info.control, '/publish', { conversationId, text })
    )
      // A server too overloaded to take the offer is a result, not a crash of the driver.
      .catch(() => void refused++)
      .finally(() => inFlight.delete(send));
    inFlight.add(send);
    sends.push(send);
  }
  await Promise.all(sends);
  if (refused) console.warn(`  ${refused} of ${total} offers failed (the server did not answer them)`);
  const offeredSeconds = (now() - started) / 1000;
  if (!(target === 'storm' && producer === 'direct') && offeredSeconds > seconds * 1.2) console.warn(`  offering fell behind: ${total} messages took ${offeredSeconds.toFixed(1)} s, not ${seconds} s`);
  const expected = (total - refused) * (fleet.size / conversationIds.length);
  // Let in-flight deliveries land: until all arrived or 10 s without progress.
  let last = -1;
  let quietSince = now();
  for (;;) {
    const seen = await fleet.progress();
    if (seen >= expected) break;
    if (seen !== last) {
      last = seen;
      quietSince = now();
    } else if (now() - quietSince > 10_000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ended = now();
  const cpu = cpuMs(cpuBefore, cpuTicks(processes()));
  const machineBusyCores = machineCores(machineBefore, machineTicks(), os.cpus().length);
  for (const port of profiled) console.log(`  window profile: ${await control(port, '/bench/profile/stop')}`);
  const { latencies, commitLatencies, count, errors } = await fleet.take();
  return {
    offeredMessagesPerSecond: rate,
    offeredDeliveriesPerSecond: rate * (fleet.size / conversationIds.length),
    messages: total,
    deliveries: count,
    missing: Math.max(0, expected - count - errors),
    errors,
    deliveriesPerSecond: count / ((ended - started) / 1000),
    latencyMs: summarize(latencies),
    commitLatencyMs: summarize(commitLatencies),
    /** CPU ms of each process over the window (offering and draining), per message offered. */
    cpuMsPerMessage: Object.fromEntries(Object.entries(cpu).map(([label, ms]) => [label, ms / total])),
    /** Each process's share of one core over the window. */
    coreShare: Object.fromEntries(Object.entries(cpu).map(([label, ms]) => [label, ms / (ended - started)])),
    /** Cores the whole machine was busy over the window (kernel and other processes included). */
    machineBusyCores,
  };
}


type Memory = NodeJS.MemoryUsage & { spaces?: Record<string, { committed: number; used: number }> };

async function memory(port: number): Promise<Memory> {
  return control(port, '/bench/memory');
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for subscribers');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The router settings the storm bench server takes from the environment (bench/servers/storm.ts), when set. */
function serverSettings(): Record<string, string> {
  const names = ['SUBSCRIPTION_BATCH_CONCURRENCY', 'SUBSCRIPTION_BATCH_SIZE', 'BENCH_OPEN_CONCURRENCY', 'BENCH_SERVER_NODE_ARGS'];
  return Object.fromEntries(names.filter((n) => process.env[n]).map((n) => [n, process.env[n]!]));
}
