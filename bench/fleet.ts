// The fan-out benchmark's clients: N graphql-ws sockets that subscribe and
// record the latency of every delivery. One Node process reading 10,000
// sockets has a latency floor of its own (it reads a burst of 10,000 frames
// one after another), so the fleet can be split over several processes
// (bench/fleet-worker.ts), each holding a share of the sockets; their
// recordings are gathered when the driver takes them.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { RawWebSocket } from './raw-ws.js';

export interface FleetSpec {
  wsUrl: string;
  /** Access tokens, used round-robin (a server without auth gets "bench"). */
  tokens?: string[];
  query: string;
  /** Socket i subscribes to conversationIds[i % length]. */
  conversationIds: string[];
  /** The sockets this fleet holds: [first, first + count). */
  first: number;
  count: number;
  /** Sockets connecting and subscribing at once (a reconnect storm is one batch of all). @default 250 */
  connectBatch?: number;
  /**
   * The WebSocket client: `raw` (bench/raw-ws.ts: one shared read buffer, frames parsed in
   * place) or `ws` (the library, as most Node clients use it; it costs the driver more per
   * message, which on a shared machine shows in the latency it measures). @default 'raw'
   */
  client?: FleetClient;
}

export type FleetClient = 'raw' | 'ws';

export interface Recording {
  /** send → client, ms (the driver's stamp in the body). */
  latencies: number[];
  /** commit → client, ms (the message's createdAt). */
  commitLatencies: number[];
  count: number;
  errors: number;
}

export interface Fleet {
  readonly size: number;
  /** The processes holding the sockets (for CPU accounting). */
  readonly pids: number[];
  /** Deliveries and errors received since the last take(). */
  progress(): Promise<number>;
  /** What was recorded since the last take(); resets. */
  take(): Promise<Recording>;
  close(): Promise<void>;
}

const NEXT = Buffer.from('"type":"next"');
const ERROR = Buffer.from('"type":"error"');
const BODY_STAMP = Buffer.from('"body":"t:');
const CREATED_STAMP = Buffer.from('"createdAt":"');
/** 2026-12-01T23:30:00.123Z */
const ISO_LENGTH = 24;
const QUOTE = 0x22;
const now = () => performance.timeOrigin + performance.now();

/** The sockets of `spec` in this process. */
export async function connectLocalFleet(spec: FleetSpec): Promise<Fleet> {
  const sockets: { terminate(): void }[] = [];
  let recording: Recording = { latencies: [], commitLatencies: [], count: 0, errors: 0 };
  // The load generator's own cost per message sets the floor of the latency it can
  // measure: find the stamps with native Buffer searches instead of turning every
  // frame into a string and parsing it as JSON.
  const onMessage = (frame: Buffer) => {
    if (frame[2] !== 105 /* {"id" */) return; // connection_ack, pong
    if (frame.indexOf(NEXT) === -1) {
      if (frame.indexOf(ERROR) !== -1) recording.errors++;
      return;
    }
    const at = frame.indexOf(BODY_STAMP);
    if (at === -1) {
      recording.errors++;
      return;
    }
    const start = at + BODY_STAMP.length;
    const end = frame.indexOf(QUOTE, start);
    const arrived = now();
    recording.latencies.push(arrived - Number(frame.toString('latin1', start, end)));
    const created = frame.indexOf(CREATED_STAMP, end);
    if (created !== -1) {
      const from = created + CREATED_STAMP.length;
      recording.commitLatencies.push(arrived - Date.parse(frame.toString('latin1', from, from + ISO_LENGTH)));
    }
    recording.count++;
  };
  const batch = spec.connectBatch ?? 250;
  const last = spec.first + spec.count;
  for (let start = spec.first; start < last; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, last - start) }, (_, k) => {
        const i = start + k;
        const init = JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${spec.tokens ? spec.tokens[i % spec.tokens.length] : 'bench'}` } });
        const subscribe = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: spec.query, variables: { conversationId: spec.conversationIds[i % spec.conversationIds.length] } } });
        return (spec.client ?? 'raw') === 'raw' ? rawSubscriber(spec.wsUrl, init, subscribe, onMessage, sockets) : wsSubscriber(spec.wsUrl, init, subscribe, onMessage, sockets);
      }),
    );
  }
  return {
    size: sockets.length,
    pids: [process.pid],
    progress: async () => recording.count + recording.errors,
    async take() {
      const out = recording;
      recording = { latencies: [], commitLatencies: [], count: 0, errors: 0 };
      return out;
    },
    async close() {
      for (const s of sockets) s.terminate();
    },
  };
}

type OnMessage = (payload: Buffer) => void;
const ACK = Buffer.from('connection_ack');

/** One subscriber on the `ws` library: resolves once subscribed. */
function wsSubscriber(url: string, init: string, subscribe: string, onMessage: OnMessage, sockets: { terminate(): void }[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false, skipUTF8Validation: true });
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('open', () => socket.send(init));
    socket.once('message', (data) => {
      if (!data.toString().includes('connection_ack')) return reject(new Error(`no ack: ${data.toString()}`));
      socket.on('message', (frame) => onMessage(frame as Buffer));
      socket.send(subscribe);
      resolve();
    });
  });
}

/** One subscriber on bench/raw-ws.ts: resolves once subscribed; a socket error after that counts as an error delivery. */
function rawSubscriber(url: string, init: string, subscribe: string, onMessage: OnMessage, sockets: { terminate(): void }[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let acked = false;
    let socket: RawWebSocket | undefined;
    RawWebSocket.connect(url, 'graphql-transport-ws', {
      onText(payload) {
        if (acked) return onMessage(payload);
        if (payload.indexOf(ACK) === -1) return reject(new Error(`no ack: ${payload.toString()}`));
        acked = true;
        socket!.send(subscribe);
        resolve();
      },
      onError(err) {
        if (!acked) reject(err);
        else console.error(`fleet socket: ${err.message}`);
      },
      onClose(code) {
        if (!acked) reject(new Error(`closed with ${code} before the ack`));
      },
    }).then((s) => {
      socket = s;
      sockets.push(s);
      s.send(init);
    }, reject);
  });
}

/** `clients` sockets split over `processes` worker processes (1: all in this one). */
export async function connectFleet(spec: Omit<FleetSpec, 'first' | 'count'>, clients: number, processes: number): Promise<Fleet> {
  if (processes <= 1) return connectLocalFleet({ ...spec, first: 0, count: clients });
  const workers = await Promise.all(
    Array.from({ length: processes }, (_, w) => {
      const first = Math.floor((w * clients) / processes);
      const count = Math.floor(((w + 1) * clients) / processes) - first;
      return startWorker({ ...spec, first, count });
    }),
  );
  return {
    size: clients,
    pids: workers.map((w) => w.pid),
    progress: async () => (await Promise.all(workers.map((w) => w.call<number>('progress')))).reduce((a, b) => a + b, 0),
    async take() {
      const parts = await Promise.all(workers.map((w) => w.call<Recording>('take')));
      return {
        latencies: parts.flatMap((p) => p.latencies),
        commitLatencies: parts.flatMap((p) => p.commitLatencies),
        count: parts.reduce((a, p) => a + p.count, 0),
        errors: parts.reduce((a, p) => a + p.errors, 0),
      };
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}

interface Worker {
  readonly pid: number;
  call<T>(command: 'progress' | 'take'): Promise<T>;
  stop(): Promise<void>;
}

async function startWorker(spec: FleetSpec): Promise<Worker> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./fleet-worker.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.result);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`fleet worker exited with ${code}`));
    pending.clear();
  });
  const call = <T>(command: string, args?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, command, args });
    });
  await call('connect', spec);
  return {
    pid: child.pid!,
    call: (command) => call(command),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      await call('close').catch(() => {});
      child.kill('SIGTERM');
      await exited;
    },
  };
}
