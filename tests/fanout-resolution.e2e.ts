// One resolution per group: 1,000 subscribers with the same selection cost one
// trip to each subgraph per event, not 1,000. Counted at the subgraphs' door
// by proxies placed between a router replica and the subgraphs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { print } from 'graphql';
import type { RunningRouter } from '@storm/router/server';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { countingProxy, type CountingProxy } from './testkit/counting-proxy.js';
import { MessageAddedForMe } from './testkit/live-operations.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { startReplica, startTestStack, type Replica, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const SOCKETS = 10;
const PER_SOCKET = 100;
const EVENTS = 5;

describe('fan-out resolution', () => {
  let stack: TestStack;
  let replica: Replica;
  let router: RunningRouter;
  let proxies: CountingProxy[];
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    stack = await startTestStack({ bus: 'nats' });
    proxies = await Promise.all([countingProxy(stack.users.url), countingProxy(stack.conversations.url)]);
    replica = await startReplica(stack, { subgraphs: { users: proxies[0]!.url, conversations: proxies[1]!.url }, limits: { wsMaxSubscriptions: PER_SOCKET } });
    router = replica.router;
    alice = await registerUser(stack.httpUrl, 'alice');
    bob = await registerUser(stack.httpUrl, 'bob');
  });
  afterAll(async () => {
    await replica?.dispose();
    for (const p of proxies ?? []) await p.close();
    await stack?.dispose();
  });

  it('resolves each event once for 1,000 subscribers with the same selection and sends them identical bytes', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const payloads = new Map<number, Set<string>>();
    let received = 0;
    const sockets = await Promise.all(
      Array.from({ length: SOCKETS }, (_, s) => {
        const socket = new WebSocket(router.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
        return new Promise<WebSocket>((resolve, reject) => {
          socket.once('error', reject);
          socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${s % 2 ? alice.accessToken : bob.accessToken}` } })));
          socket.on('message', (data) => {
            const message = JSON.parse(data.toString());
            if (message.type === 'connection_ack') {
              for (let i = 0; i < PER_SOCKET; i++) {
                socket.send(JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query: print(MessageAdded), variables: { conversationId } } }));
              }
              resolve(socket);
            } else if (message.type === 'next') {
              const seq = message.payload.data.messageAdded.seq as number;
              if (!payloads.has(seq)) payloads.set(seq, new Set());
              payloads.get(seq)!.add(JSON.stringify(message.payload));
              received++;
            }
          });
        });
      }),
    );
    while (router.engine.subscriberCount < SOCKETS * PER_SOCKET) await new Promise((r) => setTimeout(r, 20));
    expect(router.engine.groupCount).toBe(1);

    const before = proxies.map((p) => p.count());
    for (let e = 1; e <= EVENTS; e++) {
      await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: `event ${e}` } }, alice.accessToken);
      while (received < e * SOCKETS * PER_SOCKET) await new Promise((r) => setTimeout(r, 10));
    }
    const [usersTrips, conversationsTrips] = proxies.map((p, i) => p.count() - before[i]!);
    // One page query per event (a wake-up can find nothing new: allow one spare), and one author fetch per page.
    expect(conversationsTrips).toBeGreaterThanOrEqual(1);
    expect(conversationsTrips).toBeLessThanOrEqual(EVENTS + 1);
    expect(usersTrips).toBeGreaterThanOrEqual(1);
    expect(usersTrips).toBeLessThanOrEqual(EVENTS + 1);
    expect(received).toBe(EVENTS * SOCKETS * PER_SOCKET);
    // Every subscriber of the group got the very same payload for each event, its author resolved from the users subgraph.
    expect([...payloads.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    for (const variants of payloads.values()) {
      expect(variants.size).toBe(1);
      const { messageAdded } = JSON.parse([...variants][0]!).data;
      expect(messageAdded.author).toEqual({ id: alice.id, handle: alice.handle, displayName: alice.displayName });
    }
    for (const socket of sockets) socket.terminate();
  }, 60_000);

  it('authorizes a burst of 1,000 subscribes with a few batched head reads, refusing the stranger among them as it would alone', async () => {
    const carol = await registerUser(stack.httpUrl, 'carol');
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const missing = '00000000-0000-4000-8000-000000000000';
    const subscribed = router.engine.subscriberCount;
    const refused: Array<{ id: string; code: string; message: string }> = [];
    let received = 0;
    const before = proxies[1]!.count();
    // Every socket subscribes as soon as it is acknowledged: the head reads all fall in the same few turns.
    const open = (token: string, subscriptions: Array<{ id: string; conversationId: string }>) => {
      const socket = new WebSocket(router.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString());
        if (message.type === 'connection_ack') {
          for (const s of subscriptions) socket.send(JSON.stringify({ id: s.id, type: 'subscribe', payload: { query: print(MessageAdded), variables: { conversationId: s.conversationId } } }));
        } else if (message.type === 'error') refused.push({ id: message.id, code: message.payload[0].extensions.code, message: message.payload[0].message });
        else if (message.type === 'next') received++;
      });
      return socket;
    };
    const perSocket = (prefix: string) => Array.from({ length: PER_SOCKET }, (_, i) => ({ id: `${prefix}${i}`, conversationId }));
    const sockets = Array.from({ length: SOCKETS }, (_, s) => open(s % 2 ? alice.accessToken : bob.accessToken, perSocket(`m${s}-`)));
    sockets.push(open(carol.accessToken, [{ id: 'stranger', conversationId }, { id: 'nowhere', conversationId: missing }]));
    sockets.push(open(alice.accessToken, [{ id: 'nowhere-member', conversationId: missing }]));
    const deadline = Date.now() + 30_000;
    while ((router.engine.subscriberCount < subscribed + SOCKETS * PER_SOCKET || refused.length < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const headReads = proxies[1]!.count() - before;

    expect(router.engine.subscriberCount).toBe(subscribed + SOCKETS * PER_SOCKET);
    expect(refused.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'nowhere', code: 'NOT_FOUND', message: 'Conversation not found' },
      { id: 'nowhere-member', code: 'NOT_FOUND', message: 'Conversation not found' },
      { id: 'stranger', code: 'NOT_FOUND', message: 'Conversation not found' },
    ]);
    // One read per burst, not one per subscribe (1,003 before head-batch.ts); the groups' first page reads come on top.
    expect(headReads).toBeLessThan(40);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'to all members' } }, alice.accessToken);
    while (received < SOCKETS * PER_SOCKET && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toBe(SOCKETS * PER_SOCKET);
    for (const socket of sockets) socket.terminate();
  }, 60_000);

  it('delivers a burst over many conversations through shared, vouched page reads: each subscriber gets only its own conversation, authors resolved, events that arrive together read in one batch', async () => {
    const CONVERSATIONS = 12;
    // Each conversation has its own member besides alice: a batch is read for
    // subscribers who share no conversation, so it cannot rest on any one viewer's membership.
    const owners = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => registerUser(stack.httpUrl, `solo${i}`)));
    const ids = await Promise.all(
      owners.map(async (u) => (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [alice.id] } }, u.accessToken)).createConversation.id),
    );
    const subscribed = router.engine.subscriberCount;
    const clients = owners.map((u) => wsClient(router.url.replace(/^http/, 'ws'), u.accessToken));
    const recorders = clients.map((c, i) => new Recorder(c, MessageAdded, { conversationId: ids[i] }));
    while (router.engine.subscriberCount < subscribed + CONVERSATIONS) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300)); // each new group's first look

    const before = proxies[1]!.count();
    const usersBefore = proxies[0]!.count();
    const batches = async () => (await router.metrics.pageBatchSize.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const batchesBefore = await batches();
    // A slow conversations subgraph: the first reads (at most 4 in flight per selection) take 300 ms, so the
    // events that arrive meanwhile (the sends are sent through the other router) wait and leave together.
    proxies[1]!.delay(300);
    try {
      await Promise.all(ids.map((conversationId, i) => ok(stack.httpUrl, SendMessage, { input: { conversationId, body: `to ${i}` } }, alice.accessToken)));
      const events = await Promise.all(recorders.map((r) => r.waitFor(1)));
      events.forEach((e, i) => {
        expect(e.map((x) => [x.data?.messageAdded.body, x.data?.messageAdded.author.displayName])).toEqual([[`to ${i}`, alice.displayName]]);
      });
    } finally {
      proxies[1]!.delay(0);
    }
    // 12 events, at most 4 reads in flight then one batch for the rest (and a spare wake-up): never one read per event.
    const reads = proxies[1]!.count() - before;
    expect(reads).toBeLessThanOrEqual(6);
    expect((await batches()) - batchesBefore).toBe(reads);
    // The authors of a batched read arrive in one _entities request, not one
    // per conversation (the planner plans one entity fetch per alias; entity-batching.ts joins them).
    expect(proxies[0]!.count() - usersBefore).toBeLessThanOrEqual(reads);
    await new Promise((r) => setTimeout(r, 200));
    for (const r of recorders) expect(r.events).toHaveLength(1);
    for (const c of clients) await c.dispose();
  }, 60_000);

  it("fetches the authors of a query's aliased conversations from the users subgraph in one request, each alias with its own", async () => {
    const carol = await registerUser(stack.httpUrl, 'aliascarol');
    const ids: string[] = [];
    for (const [author, body] of [[alice, 'from alice'], [carol, 'from carol'], [alice, 'again alice']] as const) {
      const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id, alice.id, carol.id].filter((id) => id !== author.id) } }, author.accessToken);
      await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body } }, author.accessToken);
      ids.push(createConversation.id);
    }
    const query = `query Aliased($a: ID!, $b: ID!, $c: ID!) {
      a: conversation(id: $a) { messages(limit: 5) { body author { displayName } } }
      b: conversation(id: $b) { messages(limit: 5) { body author { displayName } } }
      c: conversation(id: $c) { messages(limit: 5) { body author { displayName } } }
    }`;
    const usersBefore = proxies[0]!.count();
    const res = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bob.accessToken}` },
      body: JSON.stringify({ query, variables: { a: ids[0], b: ids[1], c: ids[2] } }),
    });
    const body = (await res.json()) as { data: Record<string, { messages: Array<{ body: string; author: { displayName: string } }> }>; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(proxies[0]!.count() - usersBefore).toBe(1);
    expect(['a', 'b', 'c'].map((k) => body.data[k]!.messages.map((m) => [m.body, m.author.displayName]))).toEqual([
      [['from alice', alice.displayName]],
      [['from carol', carol.displayName]],
      [['again alice', alice.displayName]],
    ]);
  }, 60_000);

  it('resolves a selection with @viewer fields per subscriber: mentionsMe is each subscriber\'s own', async () => {
    const carol = await registerUser(stack.httpUrl, 'carol');
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id, carol.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const bobClient = wsClient(router.url.replace(/^http/, 'ws'), bob.accessToken);
    const carolClient = wsClient(router.url.replace(/^http/, 'ws'), carol.accessToken);
    const groupsBefore = router.engine.groupCount;
    const bobLive = new Recorder(bobClient, MessageAddedForMe, { conversationId });
    const carolLive = new Recorder(carolClient, MessageAddedForMe, { conversationId });
    while (router.engine.groupCount < groupsBefore + 2) await new Promise((r) => setTimeout(r, 20));
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: `hi @${bob.handle}` } }, alice.accessToken);
    const [[forBob], [forCarol]] = await Promise.all([bobLive.waitFor(1), carolLive.waitFor(1)]);
    expect(forBob!.data?.messageAdded).toMatchObject({ body: `hi @${bob.handle}`, mentionsMe: true });
    expect(forCarol!.data?.messageAdded).toMatchObject({ body: `hi @${bob.handle}`, mentionsMe: false });
    await bobClient.dispose();
    await carolClient.dispose();
  }, 60_000);
});
