// A client that stops reading: its subscriptions are told to resync (with the
// last seq written for them) once its socket backlog passes the bound,
// nothing more is queued for it, and everyone else keeps receiving.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { print } from 'graphql';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { Inbox, SetTyping, TypingEvents } from './testkit/live-operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const BACKLOG = 256 * 1024;
const SUBSCRIPTIONS = 100;
const MESSAGES = 40;
/** Characters per message body (its limit is 4,000 characters); each one 4 bytes of UTF-8, so a message is about 15.6 KB. */
const BODY_CHARS = 3_900;
const BODY_BYTES = 4 * BODY_CHARS;
const body = (i: number) => `${i} ${'😀'.repeat(BODY_CHARS)}`;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Heap plus Buffers (socket write queues hold frames as Buffers) after a full collection, bytes. */
function retained(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

describe('slow consumers', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    stack = await startTestStack({ routerLimits: { wsMaxBufferedBytes: BACKLOG, wsMaxSubscriptions: SUBSCRIPTIONS } });
    alice = await registerUser(stack.httpUrl, 'alice');
    bob = await registerUser(stack.httpUrl, 'bob');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('tells a client that stopped reading to resync instead of queueing for it, and keeps serving the others', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;

    // The slow client: many subscriptions on one socket, then it stops reading from the kernel.
    const slow = new WebSocket(stack.wsUrl, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      slow.once('error', reject);
      slow.once('open', () => slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${bob.accessToken}` } })));
      slow.once('message', () => {
        for (let i = 0; i < SUBSCRIPTIONS; i++) {
          slow.send(JSON.stringify({ id: `slow${i}`, type: 'subscribe', payload: { query: print(MessageAdded), variables: { conversationId } } }));
        }
        resolve();
      });
    });
    const fastClient = wsClient(stack.wsUrl, alice.accessToken);
    const fast = new Recorder(fastClient, MessageAdded, { conversationId });
    await stack.subscriptionsOpen(SUBSCRIPTIONS + 1);
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();

    const resyncsBefore = (await stack.router.metrics.resyncs.get()).values[0]?.value ?? 0;
    // The same path once over, elsewhere, so what it compiles and caches is in the baseline.
    const warm = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'warm-up', memberIds: [] } }, alice.accessToken)).createConversation.id;
    const warmFollower = new Recorder(fastClient, MessageAdded, { conversationId: warm });
    await stack.subscriptionsOpen(SUBSCRIPTIONS + 2);
    for (let i = 0; i < MESSAGES; i++) await ok(stack.httpUrl, SendMessage, { input: { conversationId: warm, body: body(i) } }, alice.accessToken);
    await warmFollower.waitFor(MESSAGES, 20_000);
    warmFollower.unsubscribe();
    const before = retained();
    for (let i = 0; i < MESSAGES; i++) {
      await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: body(i) } }, alice.accessToken);
    }
    const events = await fast.waitFor(MESSAGES, 20_000);
    // What the router holds for the client that stopped reading stays within the documented bound
    // (SUBSCRIPTIONS.md: WS_MAX_BUFFERED_BYTES plus one message per subscription, about 1.8 MB here),
    // not every message for every subscription (MESSAGES × SUBSCRIPTIONS × 15.6 KB ≈ 62 MB). The margin
    // covers the rest of this process (the whole stack runs in it, warmed up above: 3–5 MB seen).
    const grown = retained() - before;
    expect(grown).toBeLessThan(BACKLOG + SUBSCRIPTIONS * (BODY_BYTES + 200) + 12 * 1024 * 1024);
    expect(events.map((e) => e.data!.messageAdded.seq)).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));

    // The slow client's subscriptions were ended (told to resync), not kept with a growing queue.
    await new Promise((r) => setTimeout(r, 200));
    const resyncs = ((await stack.router.metrics.resyncs.get()).values[0]?.value ?? 0) - resyncsBefore;
    expect(resyncs).toBeGreaterThan(0);
    expect(stack.router.engine.subscriberCount).toBe(1 + SUBSCRIPTIONS - resyncs);

    // A mutation sent over the backed-up socket runs, and its one answer is kept for the client
    // (a stream's events are bounded; the answer to a mutation must not be lost).
    slow.send(JSON.stringify({ id: 'send', type: 'subscribe', payload: { query: print(SendMessage), variables: { input: { conversationId, body: 'from a backed-up socket' } } } }));
    const sent = await fast.waitFor(MESSAGES + 1, 20_000);
    expect(sent[MESSAGES]!.data!.messageAdded.body).toBe('from a backed-up socket');

    // When it reads again, it finds every message written for it, the resync signal with the seq of the last
    // of them (so resuming from it loses nothing), and the mutation's answer.
    const errors = new Map<string, { code: string; lastSeq: number }>();
    const delivered = new Map<string, number[]>();
    const answer: Array<{ type: string; payload?: { data?: { sendMessage?: { seq: number } } } }> = [];
    slow.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.id === 'send') answer.push(message);
      else if (message.type === 'next') delivered.set(message.id, [...(delivered.get(message.id) ?? []), message.payload.data.messageAdded.seq]);
      else if (message.type === 'error') errors.set(message.id, message.payload[0].extensions);
    });
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    await new Promise((r) => setTimeout(r, 500));
    expect(answer.map((m) => m.type)).toEqual(['next', 'complete']);
    expect(answer[0]!.payload!.data!.sendMessage!.seq).toBe(MESSAGES + 1);
    expect(errors.size).toBe(resyncs);
    for (const [id, e] of errors) {
      expect(e.code).toBe('RESYNC_REQUIRED');
      expect(e.lastSeq).toBeLessThan(MESSAGES);
      expect(delivered.get(id) ?? []).toEqual(Array.from({ length: e.lastSeq }, (_, i) => i + 1));
    }
    slow.terminate();
    await fastClient.dispose();

    // Resuming from the signal's lastSeq gives exactly the rest.
    const lastSeq = Math.min(...[...errors.values()].map((e) => e.lastSeq));
    const resumeClient = wsClient(stack.wsUrl, bob.accessToken);
    const resumed = new Recorder(resumeClient, MessageAdded, { conversationId, after: lastSeq });
    const rest = await resumed.waitFor(MESSAGES + 1 - lastSeq, 20_000);
    expect(rest.map((e) => e.data!.messageAdded.seq)).toEqual(Array.from({ length: MESSAGES + 1 - lastSeq }, (_, i) => lastSeq + 1 + i));
    await resumeClient.dispose();
  }, 60_000);

  it('replays a history larger than the socket’s bound to a client that reads it, paced by the socket, with no resync', async () => {
    const conversationId = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'long', memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    // 40 messages of 15.6 KB: about 625 KB of frames, over twice the 256 KB bound.
    for (let i = 0; i < MESSAGES; i++) await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: body(i) } }, alice.accessToken);
    const resyncsBefore = (await stack.router.metrics.resyncs.get()).values[0]?.value ?? 0;
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const replay = new Recorder(client, MessageAdded, { conversationId, after: 0 });
    const events = await replay.waitFor(MESSAGES, 20_000);
    expect(events.map((e) => e.data!.messageAdded.seq)).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));
    expect(events.every((e, i) => e.data!.messageAdded.body === body(i))).toBe(true);
    // Then live on the same subscription.
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'live' } }, alice.accessToken);
    expect((await replay.waitFor(MESSAGES + 1))[MESSAGES]!.data!.messageAdded.body).toBe('live');
    expect(((await stack.router.metrics.resyncs.get()).values[0]?.value ?? 0) - resyncsBefore).toBe(0);
    await client.dispose();
  }, 60_000);

  it('tells an inbox that stopped reading to resync with the cursor of the last event written: resuming from it loses and repeats nothing', async () => {
    const carol = await registerUser(stack.httpUrl, 'carol');
    const create = async (title: string) => (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title, memberIds: [carol.id] } }, alice.accessToken)).createConversation.id;
    const conversations = [await create('one'), await create('two')];
    const opened = stack.router.engine.subscriberCount;
    const slow = new WebSocket(stack.wsUrl, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      slow.once('error', reject);
      slow.once('open', () => slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${carol.accessToken}` } })));
      slow.once('message', () => {
        for (let i = 0; i < SUBSCRIPTIONS; i++) slow.send(JSON.stringify({ id: `inbox${i}`, type: 'subscribe', payload: { query: print(Inbox), variables: {} } }));
        resolve();
      });
    });
    // Each inbox streams both conversations.
    await stack.subscriptionsOpen(opened + SUBSCRIPTIONS * conversations.length);
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    const resyncsBefore = (await stack.router.metrics.resyncs.get()).values[0]?.value ?? 0;
    const sent: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const conversationId = conversations[i % 2]!;
      const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: body(i) } }, alice.accessToken);
      sent.push(`${conversationId}:${sendMessage.seq}`);
    }
    for (const deadline = Date.now() + 20_000; ((await stack.router.metrics.resyncs.get()).values[0]?.value ?? 0) === resyncsBefore; ) {
      if (Date.now() > deadline) throw new Error('no inbox was told to resync');
      await new Promise((r) => setTimeout(r, 20));
    }

    const delivered = new Map<string, string[]>();
    const errors = new Map<string, { code: string; cursor: string }>();
    slow.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'next') {
        const e = message.payload.data.inbox;
        delivered.set(message.id, [...(delivered.get(message.id) ?? []), `${e.conversationId}:${e.seq}`]);
      } else if (message.type === 'error') errors.set(message.id, message.payload[0].extensions);
    });
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    // Every inbox ends up with all the messages or with a resync.
    for (const deadline = Date.now() + 20_000; ; ) {
      const done = Array.from({ length: SUBSCRIPTIONS }, (_, i) => `inbox${i}`).every((id) => errors.has(id) || (delivered.get(id)?.length ?? 0) === MESSAGES);
      if (done) break;
      if (Date.now() > deadline) throw new Error('the slow inboxes neither got every message nor a resync');
      await new Promise((r) => setTimeout(r, 20));
    }
    slow.terminate();
    expect(errors.size).toBeGreaterThan(0);
    for (const e of errors.values()) expect(e.code).toBe('RESYNC_REQUIRED');

    // Resume some of them (fewest and most delivered, and one between) from their cursor: the rest, nothing twice.
    const ids = [...errors.keys()].sort((a, b) => (delivered.get(a)?.length ?? 0) - (delivered.get(b)?.length ?? 0));
    const resumeClient = wsClient(stack.wsUrl, carol.accessToken);
    for (const id of new Set([ids[0]!, ids[Math.floor(ids.length / 2)]!, ids.at(-1)!])) {
      const before = delivered.get(id) ?? [];
      const resumed = new Recorder(resumeClient, Inbox, { cursor: errors.get(id)!.cursor });
      const rest = (await resumed.waitFor(MESSAGES - before.length, 20_000)).map((e) => `${e.data!.inbox.conversationId}:${e.data!.inbox.seq}`);
      await new Promise((r) => setTimeout(r, 100));
      expect(resumed.events).toHaveLength(MESSAGES - before.length);
      expect([...before, ...rest].sort()).toEqual([...sent].sort());
      resumed.unsubscribe();
    }
    await resumeClient.dispose();
  }, 90_000);

  describe('under pressure', () => {
    /** A backlog bound far above one send's worth, so the socket can sit between a quarter of it and all of it. */
    const LARGE_BACKLOG = 4 * 1024 * 1024;
    const FILLERS = 50;
    let pressured: TestStack;
    beforeAll(async () => {
      pressured = await startTestStack({ routerLimits: { wsMaxBufferedBytes: LARGE_BACKLOG, wsMaxSubscriptions: FILLERS + 1 } });
    });
    afterAll(async () => {
      await pressured?.dispose();
    });

    it('drops ephemeral events (typing) first: they stop while durable events are still written', async () => {
      const [ann, ben] = await Promise.all(['ann', 'ben'].map((n) => registerUser(pressured.httpUrl, n)));
      const create = async () => (await ok(pressured.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'p', memberIds: [ben.id] } }, ann.accessToken)).createConversation.id;
      const [filler, talk] = [await create(), await create()];
      // Ben's slow socket: 50 subscriptions to the filler conversation (each message is 50 frames of 15.6 KB on it) and typing in the other.
      const slow = new WebSocket(pressured.wsUrl, 'graphql-transport-ws');
      await new Promise<void>((resolve, reject) => {
        slow.once('error', reject);
        slow.once('open', () => slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ben.accessToken}` } })));
        slow.once('message', () => {
          for (let i = 0; i < FILLERS; i++) slow.send(JSON.stringify({ id: `f${i}`, type: 'subscribe', payload: { query: print(MessageAdded), variables: { conversationId: filler } } }));
          slow.send(JSON.stringify({ id: 'typing', type: 'subscribe', payload: { query: print(TypingEvents), variables: { conversationId: talk } } }));
          resolve();
        });
      });
      await pressured.subscriptionsOpen(FILLERS + 1);
      (slow as unknown as { _socket: { pause(): void } })._socket.pause();

      const metric = async (m: 'ephemeralDropped' | 'resyncs' | 'deliveries') => (await pressured.router.metrics[m].get()).values[0]?.value ?? 0;
      const settled = async (check: () => Promise<boolean>) => {
        for (const deadline = Date.now() + 10_000; !(await check()); ) {
          if (Date.now() > deadline) throw new Error('the router did not act on the event');
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      // Each round: one message (50 frames) the socket must take, handed out in full, then one typing event,
      // handed out or dropped. Once the kernel's buffers are full the unsent backlog grows by ~0.8 MB a round:
      // past a quarter of the bound typing is dropped, and only past the whole bound are durable events
      // refused (with a resync).
      const rounds: Array<'typing sent' | 'typing dropped' | 'resync'> = [];
      for (let round = 0; round < 200 && !rounds.includes('resync'); round++) {
        const [delivered, dropped, resyncs] = [await metric('deliveries'), await metric('ephemeralDropped'), await metric('resyncs')];
        await ok(pressured.httpUrl, SendMessage, { input: { conversationId: filler, body: body(round) } }, ann.accessToken);
        await settled(async () => (await metric('deliveries')) + (await metric('resyncs')) - delivered - resyncs >= FILLERS);
        if ((await metric('resyncs')) > resyncs) {
          rounds.push('resync');
          break;
        }
        // Alternating: repeated `typing: true` within a second is coalesced to one event, a stop never is.
        await ok(pressured.httpUrl, SetTyping, { conversationId: talk, typing: round % 2 === 0 }, ann.accessToken);
        await settled(async () => (await metric('deliveries')) > delivered + FILLERS || (await metric('ephemeralDropped')) > dropped);
        rounds.push((await metric('ephemeralDropped')) > dropped ? 'typing dropped' : 'typing sent');
      }
      // Typing first reached the socket, then was dropped for some rounds in which every message still was, then the bound.
      const firstDrop = rounds.indexOf('typing dropped');
      expect(firstDrop).toBeGreaterThan(0);
      expect(rounds.slice(0, firstDrop).every((r) => r === 'typing sent')).toBe(true);
      expect(rounds.slice(firstDrop, -1).every((r) => r === 'typing dropped')).toBe(true);
      expect(rounds.at(-1)).toBe('resync');
      expect(await metric('resyncs')).toBeGreaterThan(0); // and the bound for durable events still holds
      slow.terminate();
    }, 90_000);
  });
});
