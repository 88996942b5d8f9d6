/**
 * The Redis bus: pub/sub through graphql-redis-subscriptions' RedisPubSub on
 * two ioredis connections (Redis needs a connection of its own for
 * subscribing).
 *
 * Redis pub/sub is at-most-once: a message published while a subscriber is
 * disconnected is gone, and Redis has no idempotency key, so `msgId` is
 * ignored (a retried publish is delivered again; consumers already tolerate
 * that through `seq`). Use it where NATS is not available; correctness never
 * depends on the bus keeping a message.
 *
 * NATS wildcards become Redis pattern subscriptions. Redis' glob `*` also
 * matches dots, so `a.*` (exactly one token in NATS) is subscribed as the
 * pattern `a.*` and every matched channel is checked against the NATS rule
 * before a handler sees it.
 */
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import { topics, type Bus, type BusHandler, type PublishOptions, type Subscription } from './bus.js';
import { BusError } from './errors.js';
import { encodePayload, invokeHandler, logHandlerError, once, ReconnectListeners, withTimeout, type HandlerErrorListener } from './internal.js';
import { assertPublishSubject, assertSubscribeSubject, hasWildcard, subjectMatcher } from './subject.js';

export interface RedisBusOptions {
  /** e.g. `redis://127.0.0.1:6379` (or `rediss://` for TLS). */
  url: string;
  /** First subject token of every subject. No default. */
  prefix: string;
  /**
   * How long a publish, subscribe or ping waits for Redis before rejecting.
   * @default 5000
   */
  commandTimeoutMs?: number;
  /**
   * Told when a handler throws or rejects, or a message is not JSON.
   * @default logs to console.error
   */
  onHandlerError?: HandlerErrorListener;
  /**
   * Told once per outage when a connection fails, and when it is back.
   * @default console.warn
   */
  log?: (message: string) => void;
}

/** What the deserializer hands RedisPubSub's listeners: the channel is needed for wildcard filtering. */
interface Received {
  subject: string;
  json: string;
}

const GLOB_SPECIAL = /[\\*?[\]]/g;

/** NATS subscription subject -> Redis PSUBSCRIBE pattern (a superset; filter after). */
export function toRedisPattern(pattern: string): string {
  return pattern
    .split('.')
    .map((token) => (token === '*' || token === '>' ? '*' : token.replace(GLOB_SPECIAL, '\\$&')))
    .join('.');
}

/** Resolves once the client may send commands (the publisher queues none). */
function untilReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

export async function createRedisBus(options: RedisBusOptions): Promise<Bus> {
  const prefix = options.prefix;
  topics(prefix); // validates the prefix
  if (!/^rediss?:\/\//.test(options.url)) throw new BusError('url must be a redis:// or rediss:// URL');
  const timeoutMs = options.commandTimeoutMs ?? 5000;
  const onError = options.onHandlerError ?? logHandlerError;
  const log = options.log ?? ((message: string) => console.warn(message));

  const publisher = new Redis(options.url, {
    connectionName: `storm-bus-pub-${prefix}`,
    // A publish during an outage rejects at once, so the caller (the outbox
    // relay) retries instead of hanging. Not queueing matters: ioredis keeps a
    // timed-out command in its offline queue (and re-sends unanswered ones)
    // after the reconnect, so a publish we reported as failed would still be
    // delivered, after the relay's retry.
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    commandTimeout: timeoutMs,
  });
  const subscriber = new Redis(options.url, {
    connectionName: `storm-bus-sub-${prefix}`,
    // Subscribe commands wait for the reconnect however long it takes; our
    // own timeout bounds what a caller waits for. ioredis re-subscribes
    // everything after a reconnect (autoResubscribe).
    maxRetriesPerRequest: null,
  });
  const reconnected = new ReconnectListeners();
  for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    let down = false;
    client.on('error', (err: Error) => {
      if (!down) log(`bus(redis): ${role} connection failed: ${err.message}`);
      down = true;
    });
    client.on('close', () => {
      down = true;
    });
    client.on('ready', () => {
      if (!down) return;
      log(`bus(redis): ${role} connection is back`);
      down = false;
      if (role !== 'subscriber') return;
      // ioredis re-sends every (P)SUBSCRIBE on 'ready'; replies come in command
      // order, so once this PING is answered the subscriptions are live again.
      withTimeout(subscriber.ping(), timeoutMs, 'Redis resubscribe')
        .then(() => reconnected.notify(log))
        .catch((err: unknown) => log(`bus(redis): subscriber reconnected but did not answer: ${String(err)}`));
    });
  }
  // RedisPubSub fires UNSUBSCRIBE / PUNSUBSCRIBE without awaiting them; if
  // one is rejected (connection closed while it was queued) the rejection
  // would be unhandled and take the process down.
  for (const name of ['unsubscribe', 'punsubscribe'] as const) {
    const original = subscriber[name].bind(subscriber) as (...args: unknown[]) => Promise<unknown>;
    (subscriber as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const result = original(...args);
      result.catch(() => {});
      return result;
    };
  }

  const hardClose = () => {
    publisher.disconnect();
    subscriber.disconnect();
  };
  try {
    await withTimeout(
      Promise.all([untilReady(publisher).then(() => publisher.ping()), subscriber.ping()]),
      timeoutMs,
      'Redis connect',
    );
  } catch (err) {
    hardClose();
    throw new BusError(`cannot connect to Redis at ${redactUrl(options.url)}: ${(err as Error).message}`, { cause: err });
  }

  const pubsub = new RedisPubSub({
    publisher,
    subscriber,
    // encodePayload already produced the JSON text.
    serializer: (source: unknown) => source as string,
    deserializer: (source, context): Received => ({ subject: context.channel, json: source.toString() }),
  });

  let disposed = false;
  const assertOpen = () => {
    if (disposed) throw new BusError('bus is disposed');
  };

  return {
    kind: 'redis',

    async publish(subject: string, payload: unknown, _options?: PublishOptions): Promise<void> {
      assertOpen();
      assertPublishSubject(subject, prefix);
      const json = encodePayload(payload);
      try {
        await pubsub.publish(subject, json);
      } catch (err) {
        throw new BusError(`publish to ${subject} failed: ${(err as Error).message}`, { cause: err });
      }
    },

    async subscribe(subject: string, handler: BusHandler): Promise<Subscription> {
      assertOpen();
      assertSubscribeSubject(subject, prefix);
      const pattern = hasWildcard(subject);
      const matches = subjectMatcher(subject);
      let active = true;
      const listener = (message: Received) => {
        if (!active || !matches(message.subject)) return;
        let payload: unknown;
        try {
          payload = JSON.parse(message.json);
        } catch (cause) {
          onError(new BusError(`message on ${message.subject} is not JSON`, { cause }), message.subject);
          return;
        }
        invokeHandler(handler, payload, message.subject, onError);
      };
      // RedisPubSub resolves once Redis has answered the (P)SUBSCRIBE, so a
      // message published after this resolves is delivered.
      const pending = pubsub.subscribe<Received>(pattern ? toRedisPattern(subject) : subject, listener, { pattern });
      let id: number;
      try {
        id = await withTimeout(pending, timeoutMs, 'Redis subscribe');
      } catch (err) {
        active = false;
        // If Redis answers after all, do not leave the subscription behind.
        pending.then((late) => pubsub.unsubscribe(late)).catch(() => {});
        throw new BusError(`subscribe to ${subject} failed: ${(err as Error).message}`, { cause: err });
      }
      return {
        async unsubscribe() {
          if (!active) return;
          active = false;
          if (disposed) return;
          pubsub.unsubscribe(id);
          // Replies come in command order: once PING is answered, Redis has
          // processed the UNSUBSCRIBE. Delivery already stopped locally.
          await withTimeout(subscriber.ping(), timeoutMs, 'Redis unsubscribe').catch(() => {});
        },
      };
    },

    onReconnect: (listener) => reconnected.add(listener),

    async ping(): Promise<void> {
      assertOpen();
      try {
        await withTimeout(publisher.ping(), timeoutMs, 'Redis ping');
      } catch (err) {
        throw new BusError(`Redis is unreachable: ${(err as Error).message}`, { cause: err });
      }
    },

    dispose: once(async () => {
      disposed = true;
      try {
        // QUIT lets Redis answer what is queued (publishes in flight) first.
        await withTimeout(pubsub.close(), timeoutMs, 'Redis quit');
      } catch {
        hardClose();
      }
    }),
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an invalid URL';
  }
}
