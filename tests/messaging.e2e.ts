// The federated core, end to end through the router: register, converse,
// subscribe, send, receive with fields from another subgraph, resume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, request, wsClient } from './testkit/client.js';
import { ConversationHistory, CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { ConversationEvents } from './testkit/live-operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe.each(['memory', 'nats', 'redis'] as const)('live messages over the %s bus', (busKind) => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    stack = await startTestStack({ bus: busKind });
    alice = await registerUser(stack.httpUrl, 'alice');
    bob = await registerUser(stack.httpUrl, 'bob');
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
    conversationId = createConversation.id;
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('delivers each sent message to a subscriber in seq order, with the author resolved by the users subgraph', async () => {
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, MessageAdded, { conversationId });
    await stack.subscriptionsOpen(1);

    const sent = [];
    for (let i = 1; i <= 5; i++) {
      const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: `hello ${i}` } }, alice.accessToken);
      sent.push(sendMessage);
    }
    const events = await live.waitFor(5);
    expect(events.map((e) => e.data?.messageAdded.seq)).toEqual(sent.map((m) => m.seq));
    expect(events.map((e) => e.data?.messageAdded.body)).toEqual(['hello 1', 'hello 2', 'hello 3', 'hello 4', 'hello 5']);
    for (const e of events) {
      expect(e.errors).toBeUndefined();
      expect(e.data?.messageAdded.author).toEqual({ id: alice.id, handle: alice.handle, displayName: alice.displayName });
    }
    live.unsubscribe();
    await client.dispose();
  });

  it('resumes with `after`: replays what was missed from the database, then goes live with no gap and no duplicate', async () => {
    const before = await ok(stack.httpUrl, ConversationHistory, { id: conversationId, limit: 1 }, bob.accessToken);
    const base = before.conversation!.lastSeq;
    // Sent while nobody listens: only the database has them.
    for (let i = 0; i < 3; i++) await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: `missed ${i}` } }, alice.accessToken);

    const client = wsClient(stack.wsUrl, bob.accessToken);
    const resumed = new Recorder(client, MessageAdded, { conversationId, after: base - 1 });
    // Live sends racing the replay: the switch must neither skip nor repeat.
    const racing = Promise.all([0, 1, 2].map((i) => ok(stack.httpUrl, SendMessage, { input: { conversationId, body: `live ${i}` } }, alice.accessToken)));
    await racing;
    const events = await resumed.waitFor(7);
    const seqs = events.map((e) => e.data!.messageAdded.seq);
    expect(seqs).toEqual(Array.from({ length: 7 }, (_, i) => base + i));
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.events).toHaveLength(7);
    resumed.unsubscribe();
    await client.dispose();
  });

  it('refuses a malformed conversationId with BAD_USER_INPUT naming conversationId, on messageAdded and conversationEvents alike', async () => {
    const mallory = await registerUser(stack.httpUrl, 'malformed');
    const client = wsClient(stack.wsUrl, mallory.accessToken);
    // Not one bus subject token (refused before any bus or subgraph work: a wildcard must not reach NATS), and not a UUID (the subgraph's word).
    for (const conversationId of ["x'; DROP TABLE conversations.messages; --", '*', '>', 'x', 12345]) {
      for (const refused of [new Recorder(client, MessageAdded, { conversationId }), new Recorder(client, ConversationEvents, { conversationId })]) {
        const error = (await refused.waitForError()) as Array<{ message: string; extensions?: Record<string, unknown> }>;
        expect(error[0]?.extensions, String(conversationId)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'conversationId' });
        expect(error[0]?.message).toMatch(/^conversationId /);
      }
    }
    await client.dispose();
  });

  it('refuses a subscription to a conversation the caller is not in, and keeps the socket for the rest', async () => {
    const mallory = await registerUser(stack.httpUrl, 'mallory');
    const client = wsClient(stack.wsUrl, mallory.accessToken);
    const denied = new Recorder(client, MessageAdded, { conversationId });
    const error = (await denied.waitForError()) as Array<{ extensions?: { code?: string } }>;
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(error[0]?.extensions?.code);

    // Same socket, a conversation mallory is in: still works.
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'own', memberIds: [] } }, mallory.accessToken);
    const own = new Recorder(client, MessageAdded, { conversationId: createConversation.id });
    await stack.subscriptionsOpen(1);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'mine' } }, mallory.accessToken);
    const [event] = await own.waitFor(1);
    expect(event!.data?.messageAdded.body).toBe('mine');
    own.unsubscribe();
    await client.dispose();
  });
});

describe('messages through the router', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    stack = await startTestStack();
    alice = await registerUser(stack.httpUrl, 'alice');
    bob = await registerUser(stack.httpUrl, 'bob');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('assigns gap-free seq to parallel senders', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'race', memberIds: [bob.id] } }, alice.accessToken);
    const sends = Array.from({ length: 40 }, (_, i) =>
      ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: `m${i}` } }, i % 2 ? alice.accessToken : bob.accessToken),
    );
    const seqs = (await Promise.all(sends)).map((r) => r.sendMessage.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const history = await ok(stack.httpUrl, ConversationHistory, { id: createConversation.id, limit: 100 }, bob.accessToken);
    expect(history.conversation!.messages.map((m) => m.seq)).toEqual(seqs);
    expect(history.conversation!.lastSeq).toBe(40);
  });

  it('makes a retried send with the same clientMsgId return the first message and deliver nothing new', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, MessageAdded, { conversationId });
    await stack.subscriptionsOpen(1);

    const input = { conversationId, body: 'once', clientMsgId: 'c-1' };
    const [first, second] = await Promise.all([ok(stack.httpUrl, SendMessage, { input }, alice.accessToken), ok(stack.httpUrl, SendMessage, { input }, alice.accessToken)]);
    const third = await ok(stack.httpUrl, SendMessage, { input }, alice.accessToken);
    expect(second.sendMessage.id).toBe(first.sendMessage.id);
    expect(third.sendMessage).toEqual(first.sendMessage);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'next' } }, alice.accessToken);
    const events = await live.waitFor(2);
    expect(events.map((e) => e.data?.messageAdded.body)).toEqual(['once', 'next']);
    live.unsubscribe();
    await client.dispose();
  });

  it('pages history by seq in both directions', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id] } }, alice.accessToken);
    const id = createConversation.id;
    for (let i = 1; i <= 10; i++) await ok(stack.httpUrl, SendMessage, { input: { conversationId: id, body: `p${i}` } }, alice.accessToken);
    const page = async (vars: { after?: number; before?: number; limit?: number }) =>
      (await ok(stack.httpUrl, ConversationHistory, { id, ...vars }, bob.accessToken)).conversation!.messages.map((m) => m.seq);
    expect(await page({ limit: 3 })).toEqual([8, 9, 10]);
    expect(await page({ after: 2, limit: 3 })).toEqual([3, 4, 5]);
    expect(await page({ before: 5, limit: 3 })).toEqual([2, 3, 4]);
    const unread = await ok(stack.httpUrl, ConversationHistory, { id, limit: 1 }, bob.accessToken);
    expect(unread.conversation!.unreadCount).toBe(10);
  });

  it('rejects bad input with typed errors and writes nothing', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
    const id = createConversation.id;
    const before = (await ok(stack.httpUrl, ConversationHistory, { id, limit: 1 }, alice.accessToken)).conversation!.lastSeq;

    const empty = await request(stack.httpUrl, SendMessage, { input: { conversationId: id, body: '   ' } }, alice.accessToken);
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
    const huge = await request(stack.httpUrl, SendMessage, { input: { conversationId: id, body: 'x'.repeat(4001) } }, alice.accessToken);
    expect(huge.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
    const unknown = await request(stack.httpUrl, SendMessage, { input: { conversationId: '00000000-0000-4000-8000-000000000000', body: 'x' } }, alice.accessToken);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(unknown.errors?.[0]?.extensions?.code);
    const malformed = await request(stack.httpUrl, SendMessage, { input: { conversationId: 'not-an-id', body: 'x' } }, alice.accessToken);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const anonymous = await request(stack.httpUrl, SendMessage, { input: { conversationId: id, body: 'x' } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const mallory = await registerUser(stack.httpUrl, 'mallory');
    const foreign = await request(stack.httpUrl, SendMessage, { input: { conversationId: id, body: 'x' } }, mallory.accessToken);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(foreign.errors?.[0]?.extensions?.code);
    const peek = await request(stack.httpUrl, ConversationHistory, { id }, mallory.accessToken);
    expect(peek.data?.conversation ?? null).toBeNull();
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(peek.errors?.[0]?.extensions?.code);

    const after = (await ok(stack.httpUrl, ConversationHistory, { id, limit: 1 }, alice.accessToken)).conversation!.lastSeq;
    expect(after).toBe(before);
    // None of it leaks internals.
    for (const res of [empty, huge, unknown, malformed, anonymous, foreign, peek]) {
      expect(JSON.stringify(res.errors)).not.toMatch(/prisma|postgres|SELECT|127\.0\.0\.1|stack|conversations subgraph/i);
    }
  });
});
