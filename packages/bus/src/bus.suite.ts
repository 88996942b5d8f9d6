/**
 * The one test suite every bus adapter passes, against the real servers
 * (bus.test.ts runs it over memory, NATS and Redis). Non-delivery is proven
 * without sleeping: a non-matching message is published before a matching
 * "sentinel" from the same publisher, and adapters keep a publisher's order,
 * so a leak would have arrived before the sentinel.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ConversationEvent, topics, type Bus, type BusKind, type MessageEventPayload } from './bus.js';
import { BusError } from './errors.js';
import type { HandlerErrorListener } from './internal.js';
import { Collector, closedPort, startTcpProxy } from './testing.js';

export interface BusFactoryOptions {
  onHandlerError: HandlerErrorListener;
}

export interface BusFactory {
  readonly kind: BusKind;
  /** A new bus for subjects under `prefix`; buses created with one prefix reach each other. */
  create(prefix: string, options: BusFactoryOptions): Promise<Bus>;
  /** Whether a repeated `msgId` is dropped (NATS JetStream) or delivered again. */
  readonly dedupesMsgId: boolean;
  /**
   * For adapters with a server: where it is, and how to create a bus that
   * connects to `127.0.0.1:<port>` instead, with short timeouts (outage tests).
   */
  readonly server?: {
    host: string;
    port: number;
    createVia(port: number, prefix: string, options: BusFactoryOptions): Promise<Bus>;
    /**
     * Does to the server what a restart may do while a client is cut off
     * (NATS: a memory-storage stream is gone); the adapter must recover on
     * reconnect.
     */
    loseStateWhileDown?(prefix: string): Promise<void>;
  };
  /** Removes what the adapter left on the server for `prefix` (a JetStream stream). */
  cleanup?(prefix: string): Promise<void>;
}

interface Seq {
  n: number | string;
}

export function busSuite(factory: BusFactory): void {
  const prefix = `bt${randomBytes(4).toString('hex')}_${factory.kind}`;
  const t = topics(prefix);
  let counter = 0;
  const id = () => `id${++counter}`;
  const handlerErrors: Array<{ error: unknown; subject: string }> = [];
  const options: BusFactoryOptions = { onHandlerError: (error, subject) => handlerErrors.push({ error, subject }) };

  let pub: Bus;
  let sub: Bus;
  const extra: Bus[] = [];
  const track = (bus: Bus) => {
    extra.push(bus);
    return bus;
  };

  beforeEach(async () => {
    handlerErrors.length = 0;
    pub = await factory.create(prefix, options);
    sub = await factory.create(prefix, options);
  });
  afterEach(async () => {
    await Promise.all([pub, sub, ...extra.splice(0)].map((bus) => bus.dispose()));
  });
  afterAll(async () => {
    await factory.cleanup?.(prefix);
  });

  test('reports its kind', () => {
    expect(pub.kind).toBe(factory.kind);
  });

  test('a subscriber on another bus receives the payload and the concrete subject', async () => {
    const c = new Collector<MessageEventPayload>();
    const subject = t.conversation(id(), ConversationEvent.MessageAdded);
    await sub.subscribe(subject, c.handler);
    const payload: MessageEventPayload = {
      id: 'm1',
      conversationId: 'c1',
      seq: 1,
      authorId: 'u1',
      committedAt: new Date(0).toISOString(),
    };
    await expect(pub.publish(subject, payload)).resolves.toBeUndefined();
    expect(await c.until(1)).toEqual([{ subject, payload }]);
  });

  test('a publisher never runs subscriber code on its own stack', async () => {
    const subject = t.user(id(), 'typing');
    const c = new Collector<Seq>();
    let ranDuringPublish = false;
    let publishing = false;
    await pub.subscribe(subject, (payload, s) => {
      if (publishing) ranDuringPublish = true;
      c.handler(payload, s);
    });
    publishing = true;
    const published = pub.publish(subject, { n: 1 });
    publishing = false;
    await published;
    await c.until(1);
    expect(ranDuringPublish).toBe(false);
  });

  test('a bus delivers its own publishes to its own subscribers', async () => {
    const c = new Collector<Seq>();
    const subject = t.user(id(), 'typing');
    await pub.subscribe(subject, c.handler);
    await pub.publish(subject, { n: 1 });
    expect(await c.until(1)).toEqual([{ subject, payload: { n: 1 } }]);
  });

  test('exact subjects do not leak across conversations, events or deeper subjects', async () => {
    const a = id();
    const b = id();
    const target = t.conversation(a, ConversationEvent.MessageAdded);
    const c = new Collector<Seq>();
    await sub.subscribe(target, c.handler);
    await pub.publish(t.conversation(b, ConversationEvent.MessageAdded), { n: 1 });
    await pub.publish(t.conversation(a, ConversationEvent.MessageEdited), { n: 2 });
    await pub.publish(`${target}.deeper`, { n: 3 });
    await pub.publish(t.user(a, ConversationEvent.MessageAdded), { n: 4 });
    await pub.publish(target, { n: 5 });
    await c.until(1);
    expect(c.messages).toEqual([{ subject: target, payload: { n: 5 } }]);
  });

  test('`*` matches exactly one token, at the end or in the middle', async () => {
    const u = id();
    const event = `ev${id()}`;
    const end = new Collector<Seq>();
    const middle = new Collector<Seq>();
    await sub.subscribe(`${prefix}.user.${u}.*`, end.handler);
    await sub.subscribe(`${prefix}.user.*.${event}`, middle.handler);
    await pub.publish(`${prefix}.user.${u}.typing`, { n: 1 }); // end
    await pub.publish(`${prefix}.user.${u}.typing.deep`, { n: 2 }); // neither: two tokens
    await pub.publish(`${prefix}.user.other.${event}`, { n: 3 }); // middle
    await pub.publish(`${prefix}.user.${u}.x.${event}`, { n: 4 }); // neither: two tokens in the middle
    await pub.publish(`${prefix}.user.${u}.${event}`, { n: 5 }); // both
    await end.until(2);
    await middle.until(2);
    expect(end.payloads).toEqual([{ n: 1 }, { n: 5 }]);
    expect(end.messages.map((m) => m.subject)).toEqual([`${prefix}.user.${u}.typing`, `${prefix}.user.${u}.${event}`]);
    expect(middle.payloads).toEqual([{ n: 3 }, { n: 5 }]);
  });

  test('`>` matches one or more trailing tokens', async () => {
    const a = id();
    const c = new Collector<Seq>();
    await sub.subscribe(t.conversation(a, '>'), c.handler);
    await pub.publish(t.conversation(a, ConversationEvent.MessageAdded), { n: 1 });
    await pub.publish(t.conversation(id(), ConversationEvent.MessageAdded), { n: 2 });
    await pub.publish(`${prefix}.conv.${a}`, { n: 3 }); // `>` needs at least one token
    await pub.publish(`${prefix}.conv.${a}x.message.added`, { n: 4 }); // a token is not a string prefix
    await pub.publish(t.conversation(a, ConversationEvent.MessageDeleted), { n: 5 });
    await c.until(2);
    expect(c.messages).toEqual([
      { subject: t.conversation(a, ConversationEvent.MessageAdded), payload: { n: 1 } },
      { subject: t.conversation(a, ConversationEvent.MessageDeleted), payload: { n: 5 } },
    ]);
  });

  test('every subscriber of a subject receives it, on one bus and across buses', async () => {
    const a = id();
    const subject = t.conversation(a, ConversationEvent.MessageAdded);
    const collectors = [new Collector(), new Collector(), new Collector(), new Collector()];
    await sub.subscribe(subject, collectors[0].handler);
    await sub.subscribe(subject, collectors[1].handler);
    await pub.subscribe(subject, collectors[2].handler);
    await sub.subscribe(t.conversation(a, '>'), collectors[3].handler);
    await pub.publish(subject, { n: 1 });
    for (const c of collectors) expect(await c.until(1)).toEqual([{ subject, payload: { n: 1 } }]);
  });

  test('unsubscribe stops delivery to that handler only, and is idempotent', async () => {
    const subject = t.conversation(id(), ConversationEvent.MessageAdded);
    const gone = new Collector<Seq>();
    const stays = new Collector<Seq>();
    const subscription = await sub.subscribe(subject, gone.handler);
    await sub.subscribe(subject, stays.handler);
    await pub.publish(subject, { n: 1 });
    await gone.until(1);
    await stays.until(1);
    await subscription.unsubscribe();
    await subscription.unsubscribe();
    await pub.publish(subject, { n: 2 });
    await stays.until(2);
    expect(gone.payloads).toEqual([{ n: 1 }]);
  });

  test('keeps per-subject order for 1,000 sequential publishes', async () => {
    const subject = t.conversation(id(), ConversationEvent.MessageAdded);
    const c = new Collector<Seq>();
    await sub.subscribe(subject, c.handler);
    for (let n = 0; n < 1000; n++) await pub.publish(subject, { n });
    const received = await c.until(1000, 20_000);
    expect(received.map((m) => m.payload.n)).toEqual(Array.from({ length: 1000 }, (_, n) => n));
  });

  test('a throwing handler breaks neither the other handlers nor the publisher', async () => {
    const subject = t.conversation(id(), ConversationEvent.MessageAdded);
    const c = new Collector<Seq>();
    await sub.subscribe(subject, () => {
      throw new Error('sync boom');
    });
    await sub.subscribe(subject, async () => {
      throw new Error('async boom');
    });
    await sub.subscribe(subject, c.handler);
    await expect(pub.publish(subject, { n: 1 })).resolves.toBeUndefined();
    await expect(pub.publish(subject, { n: 2 })).resolves.toBeUndefined();
    expect((await c.until(2)).map((m) => m.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    await vi.waitFor(() => expect(handlerErrors).toHaveLength(4));
    expect(handlerErrors.map((e) => (e.error as Error).message).sort()).toEqual(['async boom', 'async boom', 'sync boom', 'sync boom']);
    expect(new Set(handlerErrors.map((e) => e.subject))).toEqual(new Set([subject]));
  });

  test('refuses wildcard or foreign publish subjects, bad subscribe subjects and non-JSON payloads', async () => {
    const subject = t.conversation(id(), ConversationEvent.MessageAdded);
    const noop = () => {};
    await expect(pub.publish(`${prefix}.conv.*.message.added`, {})).rejects.toBeInstanceOf(BusError);
    await expect(pub.publish(`${prefix}.conv.>`, {})).rejects.toBeInstanceOf(BusError);
    await expect(pub.publish(`${prefix}.conv..x`, {})).rejects.toBeInstanceOf(BusError);
    await expect(pub.publish(`${prefix}.conv. x`, {})).rejects.toBeInstanceOf(BusError);
    await expect(pub.publish(`not${prefix}.conv.a.b`, {})).rejects.toBeInstanceOf(BusError);
    await expect(pub.publish(subject, 10n)).rejects.toBeInstanceOf(BusError);
    await expect(pub.publish(subject, undefined)).rejects.toBeInstanceOf(BusError);
    await expect(sub.subscribe(`${prefix}.>.x`, noop)).rejects.toBeInstanceOf(BusError);
    await expect(sub.subscribe(`not${prefix}.>`, noop)).rejects.toBeInstanceOf(BusError);
    await expect(sub.subscribe('', noop)).rejects.toBeInstanceOf(BusError);
  });

  test('ping resolves while the bus is reachable', async () => {
    await expect(pub.ping()).resolves.toBeUndefined();
  });

  test('dispose is idempotent, and a disposed bus refuses work', async () => {
    const bus = await factory.create(prefix, options);
    await Promise.all([bus.dispose(), bus.dispose()]);
    await bus.dispose();
    const subject = t.conversation(id(), ConversationEvent.MessageAdded);
    await expect(bus.publish(subject, {})).rejects.toBeInstanceOf(BusError);
    await expect(bus.subscribe(subject, () => {})).rejects.toBeInstanceOf(BusError);
    await expect(bus.ping()).rejects.toBeInstanceOf(BusError);
  });

  test('a disposed bus stops delivering to its subscribers; the others keep receiving', async () => {
    const subject = t.conversation(id(), ConversationEvent.MessageAdded);
    const leaving = track(await factory.create(prefix, options));
    const gone = new Collector<Seq>();
    const stays = new Collector<Seq>();
    await leaving.subscribe(subject, gone.handler);
    await sub.subscribe(subject, stays.handler);
    await leaving.dispose();
    await pub.publish(subject, { n: 1 });
    await stays.until(1);
    expect(gone.messages).toEqual([]);
  });

  if (factory.dedupesMsgId) {
    test('a repeated msgId is accepted but delivered once', async () => {
      const subject = t.conversation(id(), ConversationEvent.MessageAdded);
      const c = new Collector<Seq>();
      await sub.subscribe(subject, c.handler);
      const msgId = `msg-${id()}-${randomBytes(4).toString('hex')}`;
      await pub.publish(subject, { n: 1 }, { msgId });
      // The retry the outbox relay makes when it never saw the first ack.
      await expect(pub.publish(subject, { n: 2 }, { msgId })).resolves.toBeUndefined();
      await pub.publish(subject, { n: 3 }, { msgId: `${msgId}-other` });
      await pub.publish(subject, { n: 4 });
      await c.until(3);
      expect(c.payloads).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
    });
  } else {
    test('msgId is ignored: a repeated publish is delivered again (documented at-most-once, no dedupe)', async () => {
      const subject = t.conversation(id(), ConversationEvent.MessageAdded);
      const c = new Collector<Seq>();
      await sub.subscribe(subject, c.handler);
      await pub.publish(subject, { n: 1 }, { msgId: 'same' });
      await pub.publish(subject, { n: 2 }, { msgId: 'same' });
      expect((await c.until(2)).map((m) => m.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    });
  }

  const server = factory.server;
  if (server) {
    describe('when the server is unreachable', () => {
      test('creating a bus against a closed port rejects', async () => {
        const port = await closedPort();
        await expect(server.createVia(port, prefix, options)).rejects.toBeInstanceOf(BusError);
      });

      test('publish and ping reject while it is down; subscriptions survive the reconnect', async () => {
        const proxy = await startTcpProxy(server);
        let via: Bus | undefined;
        try {
          via = track(await server.createVia(proxy.port, prefix, options));
          const subject = t.conversation(id(), ConversationEvent.MessageAdded);
          const c = new Collector<Seq>();
          await via.subscribe(subject, c.handler);
          await pub.publish(subject, { n: 'before' });
          await c.until(1);
          let reconnects = 0;
          via.onReconnect(() => reconnects++);

          await proxy.stop();
          // Rejects (after the adapter's timeout) rather than hanging, so the
          // outbox relay can retry.
          await expect(via.publish(subject, { n: 'down' })).rejects.toBeInstanceOf(BusError);
          await expect(via.ping()).rejects.toBeInstanceOf(BusError);
          await server.loseStateWhileDown?.(prefix);

          expect(reconnects).toBe(0);
          await proxy.start();
          // The client re-subscribes on its own (and the adapter restores
          // what the server lost); the adapter says so once the restored
          // subscriptions are live, so one publish after that is delivered.
          await vi.waitFor(() => expect(reconnects).toBeGreaterThan(0), { timeout: 15_000, interval: 50 });
          await pub.publish(subject, { n: 'after' });
          expect((await c.until(2)).map((m) => m.payload)).toEqual([{ n: 'before' }, { n: 'after' }]);
          // The publisher is a connection of its own that reconnects on its
          // own backoff (ioredis waits up to 2 s between tries), which
          // onReconnect does not wait for: publishing works again once it is
          // back, which is what the outbox relay's retry relies on.
          await vi.waitFor(() => via!.publish(subject, { n: 'via-after' }), { timeout: 15_000, interval: 100 });
        } finally {
          await via?.dispose();
          await proxy.stop();
        }
      });
    });
  }
}
