// `npm run bench -- audit [--users 200] [--conversations 10] [--audits 5]`:
// what one inbox audit costs (the router's INBOX_AUDIT_MS work: each user
// with a live inbox has their conversations read, one request per user),
// per inbox user: wall time, and CPU of the router, the back end (gateway
// target: the conversations subgraph) and PostgreSQL. Every user is in every
// conversation, so `--conversations` is each user's conversation count.
// BENCH_WINDOW_PROFILE=<dir>: CPU profiles of the router and back end over the audits.
import { WebSocket } from 'ws';
import { cpuMs, cpuTicks, pidsNamed } from './cpu.js';
import { control, measuredNodeArgs, startServer } from './process.js';
import { flag, summarize, writeReport } from './stats.js';

interface Ready {
  pid: number;
  control: number;
  wsUrl: string;
  tokens: string[];
}

const INBOX = 'subscription { inbox { __typename } }';

export async function audit(args: string[]): Promise<void> {
  const users = Number(flag(args, 'users', '200'));
  const conversations = Number(flag(args, 'conversations', '10'));
  const audits = Number(flag(args, 'audits', '5'));
  console.log(`starting: back end (${users} users, each in ${conversations} conversations), STORM router`);
  const backend = await startServer<Ready>('storm-backend', { BENCH_USERS: String(users), BENCH_CONVERSATIONS: String(conversations), BENCH_BUS: 'nats' }, { timeoutMs: 600_000 });
  const server = await startServer<Ready>('storm', { BENCH_BUS: 'nats', BENCH_BACKEND: JSON.stringify(backend.info) }, { nodeArgs: measuredNodeArgs() }).catch(async (err: unknown) => {
    await backend.stop();
    throw err;
  });
  const sockets: WebSocket[] = [];
  try {
    const info = server.info;
    // One inbox per user, as one device each would open.
    for (const token of info.tokens) {
      const socket = new WebSocket(info.wsUrl, 'graphql-transport-ws');
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
        socket.once('message', (data) => {
          if (!data.toString().includes('connection_ack')) return reject(new Error(`no ack: ${data.toString()}`));
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: INBOX } }));
          resolve();
        });
      });
    }
    const deadline = Date.now() + 120_000;
    while ((await control(info.control, '/engine')).inboxes < users) {
      if (Date.now() > deadline) throw new Error('the inboxes did not all open in 120 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const pids = () => new Map<string, number[]>([['router', [info.pid]], ['back end', [backend.info.pid]], ['postgres', pidsNamed('postgres')]]);
    // One unrecorded audit warms the planner and the pools.
    await control(info.control, '/audit');
    const rows: Array<{ ms: number; cpuMs: Record<string, number> }> = [];
    // BENCH_WINDOW_PROFILE=<dir>: a V8 CPU profile of the router and the back end over the recorded audits.
    const profiled = process.env.BENCH_WINDOW_PROFILE ? [info.control, backend.info.control] : [];
    for (const port of profiled) await control(port, '/bench/profile/start');
    for (let i = 1; i <= audits; i++) {
      const before = cpuTicks(pids());
      const { ms } = (await control(info.control, '/audit')) as { ms: number };
      const cpu = cpuMs(before, cpuTicks(pids()));
      rows.push({ ms, cpuMs: cpu });
      console.log(
        `audit ${i}: ${ms.toFixed(0)} ms for ${users} inbox users (${((ms * 1000) / users).toFixed(0)} µs each); CPU per user, ms: ` +
          Object.entries(cpu).map(([label, total]) => `${label} ${(total / users).toFixed(3)}`).join(', '),
      );
    }
    for (const port of profiled) console.log(`  window profile: ${await control(port, '/bench/profile/stop')}`);
    const perUser = (pick: (r: (typeof rows)[number]) => number) => summarize(rows.map(pick).map((v) => v / users).sort((a, b) => a - b));
    const labels = Object.keys(rows[0]!.cpuMs);
    const summary = {
      wallMsPerUser: perUser((r) => r.ms),
      cpuMsPerUser: Object.fromEntries(labels.map((label) => [label, perUser((r) => r.cpuMs[label] ?? 0)])),
    };
    const file = await writeReport('audit', { users, conversationsPerUser: conversations, audits, rows, summary });
    console.log(`report: ${file}`);
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stop();
    await backend.stop();
  }
}
