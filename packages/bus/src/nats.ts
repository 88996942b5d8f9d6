/**
 * The NATS JetStream bus: the production default.
 *
 * Every publish is a JetStream publish into one stream covering `<prefix>.>`,
 * with `Nats-Msg-Id` set from `msgId`, so an outbox relay that retries a
 * publish whose ack it never saw does not deliver the message twice.
 *
 * Subscribers must not listen on `<prefix>.>` itself: the server delivers a
 * JetStream publish to core subscribers whether or not the stream keeps it,
 * duplicates included (verified on nats-server 2.9.10: a second publish with
 * the same msgId is acked `duplicate: true`, is not stored, and still reaches
 * a core subscription on its subject). The stream therefore republishes what
 * it stores to `$STORM.live.<subject>` (stream `republish`, server >= 2.9),
 * and subscriptions listen there: they see each stored message once, in
 * stream order, at core-NATS latency, with native `*` / `>` wildcards, and
 * without a JetStream consumer per subscription (the router may hold one
 * subscription per live conversation).
 *
 * While the server is unreachable the client keeps reconnecting forever and
 * restores its subscriptions by itself; a publish rejects after
 * `publishTimeoutMs` so the outbox relay retries. Such a publish may still
 * reach the stream after the reconnect (the client buffers it), which is
 * exactly what the msgId dedupe absorbs when the relay retries within the
 * duplicate window.
 */
import { JetStreamApiError, JetStreamApiCodes, jetstream, jetstreamManager, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { connect, nanos, RequestError } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { topics, type Bus, type BusHandler, type PublishOptions, type Subscription } from './bus.js';
import { BusError } from './errors.js';
import { patchRequestOne } from './nats-request.js';
import { encodePayload, invokeHandler, logHandlerError, once, ReconnectListeners, withTimeout, type HandlerErrorListener } from './internal.js';
import { assertPublishSubject, assertSubscribeSubject } from './subject.js';

/**
 * Root of the subjects the stream republishes to. `$` cannot appear in a bus
 * prefix (see `topics`), so no deployment's stream can capture another's
 * republished messages.
 */
export const NATS_LIVE_ROOT = '$STORM.live';

export interface NatsBusOptions {
  /** Server URL(s), comma-separated, e.g. `nats://127.0.0.1:4222`. */
  servers: string;
  /** First subject token of every subject; also names the stream. No default. */
  prefix: string;
  /**
   * JetStream stream holding `<prefix>.>`; created or updated on connect.
   * @default `STORM_<prefix>`
   */
  streamName?: string;
  /**
   * How long the stream remembers a msgId to drop a repeated publish. Must
   * cover the outbox relay's retries; it costs server memory per message.
   * @default 120_000 (2 minutes, the server default)
   */
  duplicateWindowMs?: number;
  /**
   * How long the stream keeps messages. Nothing reads them back today
   * (PostgreSQL is the source of truth); they are there for inspection and
   * for a future durable consumer.
   * @default 86_400_000 (24 hours)
   */
  maxAgeMs?: number;
  /**
   * Size cap of the stream; the oldest messages go first.
   * @default 1 GiB
   */
  maxBytes?: number;
  /**
   * Where the stream lives on the server.
   * @default 'file'
   */
  storage?: 'file' | 'memory';
  /**
   * Stream replicas (a NATS cluster runs 3).
   * @default 1
   */
  replicas?: number;
  /**
   * Client name shown by the server's monitoring.
   * @default 'storm-bus'
   */
  name?: string;
  /**
   * How long a publish waits for the stream's ack (and a subscribe or ping
   * for the server) before rejecting.
   * @default 5000
   */
  publishTimeoutMs?: number;
  /**
   * Wait between reconnect attempts; the client never gives up.
   * @default 2000
   */
  reconnectTimeWaitMs?: number;
  /**
   * Told when a handler throws or rejects, or a message is not JSON.
   * @default logs to console.error
   */
  onHandlerError?: HandlerErrorListener;
  /**
   * Told about disconnects and reconnects.
   * @default console.warn
   */
  log?: (message: string) => void;
}

/** The stream's default duplicate window (the server's own default): 2 minutes. */
export const NATS_DUPLICATE_WINDOW_MS = 120_000;

const DEFAULTS = {
  duplicateWindowMs: NATS_DUPLICATE_WINDOW_MS,
  maxAgeMs: 86_400_000,
  maxBytes: 1024 ** 3,
  storage: 'file',
  replicas: 1,
  name: 'storm-bus',
  publishTimeoutMs: 5000,
  reconnectTimeWaitMs: 2000,
} as const;

/** The stream a NATS bus with this prefix uses, unless told otherwise. */
export function natsStreamName(prefix: string): string {
  return `STORM_${prefix}`;
}

type WantedStream = Partial<StreamConfig> & Pick<StreamConfig, 'name' | 'subjects' | 'storage'>;

/** The stream configuration a NATS bus ensures; exported for operators and tests. */
export function natsStreamConfig(options: NatsBusOptions): WantedStream {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  topics(o.prefix); // validates the prefix
  if (o.duplicateWindowMs <= 0) throw new BusError('duplicateWindowMs must be positive');
  if (o.maxAgeMs > 0 && o.duplicateWindowMs > o.maxAgeMs) {
    throw new BusError('duplicateWindowMs must not exceed maxAgeMs (the server refuses it)');
  }
  return {
    name: o.streamName ?? natsStreamName(o.prefix),
    description: `STORM bus events of prefix ${o.prefix}, republished to ${NATS_LIVE_ROOT}.${o.prefix}.>`,
    subjects: [`${o.prefix}.>`],
    retention: RetentionPolicy.Limits,
    storage: o.storage === 'memory' ? StorageType.Memory : StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(o.maxAgeMs),
    max_bytes: o.maxBytes,
    duplicate_window: nanos(o.duplicateWindowMs),
    num_replicas: o.replicas,
    republish: { src: `${o.prefix}.>`, dest: `${NATS_LIVE_ROOT}.${o.prefix}.>` },
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Creates the stream, or brings an existing one to the wanted limits and republish rule. */
async function ensureStream(jsm: JetStreamManager, want: WantedStream): Promise<void> {
  let current: StreamConfig | undefined;
  try {
    current = (await jsm.streams.info(want.name)).config;
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
  }
  if (!current) {
    try {
      await jsm.streams.add(want);
      return;
    } catch (err) {
      // Another replica created it between our info and add: update instead.
      if (!(err instanceof JetStreamApiError)) throw err;
      current = (await jsm.streams.info(want.name)).config;
    }
  }
  const same =
    JSON.stringify(current.subjects) === JSON.stringify(want.subjects) &&
    current.max_age === want.max_age &&
    current.max_bytes === want.max_bytes &&
    current.duplicate_window === want.duplicate_window &&
    current.num_replicas === want.num_replicas &&
    current.republish?.src === want.republish?.src &&
    current.republish?.dest === want.republish?.dest &&
    !current.republish?.headers_only;
  if (current.storage !== want.storage) {
    // The server cannot change storage in place; say so rather than run on
    // a stream that differs from the settings.
    throw new BusError(`stream ${want.name} uses ${current.storage} storage, settings ask for ${want.storage}; delete or migrate it`);
  }
  if (same) return;
  const { name: _name, retention: _r, storage: _s, ...updatable } = want;
  try {
    await jsm.streams.update(want.name, updatable);
  } catch (err) {
    const republishDiffers = current.republish?.src !== want.republish?.src || current.republish?.dest !== want.republish?.dest || !!current.republish?.headers_only;
    if (err instanceof JetStreamApiError && republishDiffers) {
      // nats-server < 2.10 cannot change a stream's republish rule in place,
      // and without the rule no subscriber receives anything. The stream only
      // holds copies (PostgreSQL is the source of truth), but deleting it is
      // an operator's call, not a side effect of starting a service.
      throw new BusError(
        `stream ${want.name} republishes ${JSON.stringify(current.republish ?? null)} but the bus needs ${JSON.stringify(want.republish)}, ` +
          `and this server cannot change that in place: delete the stream (nats stream rm ${want.name}) and restart`,
        { cause: err },
      );
    }
    throw err;
  }
}

export async function createNatsBus(options: NatsBusOptions): Promise<Bus> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const prefix = o.prefix;
  const streamConfig = natsStreamConfig(options);
  const onError = o.onHandlerError ?? logHandlerError;
  const log = o.log ?? ((message: string) => console.warn(message));
  const timeoutMs = o.publishTimeoutMs;
  // Every answered request otherwise builds a RequestError it throws away (nats-request.ts).
  patchRequestOne();

  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: o.servers.split(',').map((s) => s.trim()).filter(Boolean),
      name: o.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: o.reconnectTimeWaitMs,
      // A silently dead TCP connection (no RST) is noticed within ~30 s
      // instead of the client's default of several minutes.
      pingInterval: 10_000,
      maxPingOut: 3,
      timeout: timeoutMs,
      // Otherwise every request, each JetStream publish included, builds an
      // Error with a stack trace up front to decorate a timeout that almost
      // never happens: ~9% of the subgraph process's CPU under a send load.
      // Our own BusError names the subject on a timeout.
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new BusError(`cannot connect to NATS at ${o.servers}: ${(err as Error).message}`, { cause: err });
  }

  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    await ensureStream(jsm, streamConfig);
  } catch (err) {
    await nc.close().catch(() => {});
    throw new BusError(`cannot set up JetStream stream ${streamConfig.name}: ${(err as Error).message}`, { cause: err });
  }
  const js = jetstream(nc, { timeout: timeoutMs });

  const reconnected = new ReconnectListeners();
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') log(`bus(nats): disconnected from ${status.server}`);
      else if (status.type === 'reconnect') {
        log(`bus(nats): reconnected to ${status.server}`);
        // A restarted server may have lost a memory-storage stream (or be a
        // fresh one); without it every publish fails, so put it back.
        const restored = ensureStream(jsm, streamConfig).catch((err: unknown) => log(`bus(nats): cannot restore stream ${streamConfig.name}: ${String(err)}`));
        // The client re-sent every SUB before anything else; once a PING after
        // them is answered, the server has the interest again.
        Promise.all([withTimeout(nc.flush(), timeoutMs, 'NATS resubscribe'), restored])
          .then(() => reconnected.notify(log))
          .catch((err: unknown) => log(`bus(nats): reconnected but did not answer: ${String(err)}`));
      }
      else if (status.type === 'error') log(`bus(nats): server error: ${String(status.error)}`);
    }
  })().catch(() => {});

  const liveRootLength = NATS_LIVE_ROOT.length + 1;
  let disposed = false;
  const assertOpen = () => {
    if (disposed) throw new BusError('bus is disposed');
  };

  return {
    kind: 'nats',

    async publish(subject: string, payload: unknown, options?: PublishOptions): Promise<void> {
      assertOpen();
      assertPublishSubject(subject, prefix);
      const data = encodePayload(payload);
      try {
        // The ack (or duplicate ack) means the stream has it; either way the
        // outbox row may be deleted.
        await js.publish(subject, data, { timeout: timeoutMs, ...(options?.msgId ? { msgID: options.msgId } : {}) });
      } catch (err) {
        // The client reports "jetstream is not enabled" when nothing answered,
        // which here almost always means the stream is gone.
        const cause = (err as { cause?: unknown }).cause;
        const reason =
          cause instanceof RequestError && cause.isNoResponders()
            ? `no JetStream stream answered (is stream ${streamConfig.name} missing?)`
            : (err as Error).message;
        throw new BusError(`publish to ${subject} failed: ${reason}`, { cause: err });
      }
    },

    async subscribe(subject: string, handler: BusHandler): Promise<Subscription> {
      assertOpen();
      assertSubscribeSubject(subject, prefix);
      let active = true;
      const sub = nc.subscribe(`${NATS_LIVE_ROOT}.${subject}`, {
        callback: (err, msg) => {
          if (err || !active) return;
          const original = msg.subject.slice(liveRootLength);
          let payload: unknown;
          try {
            payload = JSON.parse(msg.string());
          } catch (cause) {
            onError(new BusError(`message on ${original} is not JSON`, { cause }), original);
            return;
          }
          invokeHandler(handler, payload, original, onError);
        },
      });
      const stop = () => {
        active = false;
        if (!sub.isClosed()) sub.unsubscribe();
      };
      try {
        // The server has the interest once it answers a PING sent after SUB.
        await withTimeout(nc.flush(), timeoutMs, 'NATS subscribe');
      } catch (err) {
        stop();
        throw new BusError(`subscribe to ${subject} failed: ${(err as Error).message}`, { cause: err });
      }
      return {
        async unsubscribe() {
          if (!active) return;
          stop();
          if (!nc.isClosed()) await withTimeout(nc.flush(), timeoutMs, 'NATS unsubscribe').catch(() => {});
        },
      };
    },

    onReconnect: (listener) => reconnected.add(listener),

    async ping(): Promise<void> {
      assertOpen();
      try {
        await withTimeout(nc.rtt(), timeoutMs, 'NATS ping');
      } catch (err) {
        throw new BusError(`NATS is unreachable: ${(err as Error).message}`, { cause: err });
      }
    },

    dispose: once(async () => {
      disposed = true;
      if (nc.isClosed()) return;
      try {
        // Drain unsubscribes everything, lets in-flight messages reach their
        // handlers and flushes what was published; bounded so a dead server
        // cannot hold a shutdown forever.
        await withTimeout(nc.drain(), timeoutMs, 'NATS drain');
      } catch {
        await nc.close().catch(() => {});
      }
    }),
  };
}
