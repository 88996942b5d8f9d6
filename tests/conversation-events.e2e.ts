// conversationEvents: every change to a conversation, live, each resolved
// once per group through the query planner with the subscriber's selection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, request, wsClient } from './testkit/client.js';
import { AddMembersLive, ConversationEvents, ConversationEventsResumable, ReactLive, RenameLive, SetTyping, TypingEvents } from './testkit/live-operations.js';
import { ConversationHistory, CreateConversation, EditMessage, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe('conversationEvents', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ bus: 'nats' });
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('delivers messages, edits, reactions, membership and renames as they happen, then resumes messages with `after`', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'events', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, ConversationEvents, { conversationId });
    await stack.subscriptionsOpen(1);

    const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'first' } }, alice.accessToken);
    await live.waitFor(1);
    await ok(stack.httpUrl, EditMessage, { id: sendMessage.id, body: 'first, edited' }, alice.accessToken);
    await live.waitFor(2);
    await ok(stack.httpUrl, ReactLive, { messageId: sendMessage.id, emoji: '👍' }, alice.accessToken);
    await live.waitFor(3);
    await ok(stack.httpUrl, AddMembersLive, { conversationId, userIds: [carol.id] }, alice.accessToken);
    await live.waitFor(4);
    await ok(stack.httpUrl, RenameLive, { id: conversationId, title: 'renamed' }, alice.accessToken);
    const events = (await live.waitFor(5)).map((e) => e.data!.conversationEvents);

    expect(events.map((e) => e.kind)).toEqual(['MESSAGE_ADDED', 'MESSAGE_EDITED', 'REACTION_ADDED', 'MEMBER_ADDED', 'CONVERSATION_UPDATED']);
    for (const e of events) expect(e.at).toBe(conversationId);
    expect(events[0]).toMatchObject({ seq: 1, message: { id: sendMessage.id, body: 'first', author: { displayName: alice.displayName } }, user: null });
    expect(events[1]!.message).toMatchObject({ id: sendMessage.id, body: 'first, edited' });
    expect(events[1]!.message!.editedAt).not.toBeNull();
    expect(events[2]).toMatchObject({ seq: 1, emoji: '👍', user: { id: alice.id }, message: { id: sendMessage.id } });
    expect(events[3]).toMatchObject({ user: { id: carol.id, handle: carol.handle }, conversation: { title: 'events' } });
    expect(events[4]).toMatchObject({ conversation: { title: 'renamed' } });
    live.unsubscribe();

    // Resume: the messages missed while away come first, from the database.
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'second' } }, alice.accessToken);
    const resumed = new Recorder(client, ConversationEvents, { conversationId, after: 0 });
    const replay = (await resumed.waitFor(2)).map((e) => e.data!.conversationEvents);
    expect(replay.map((e) => [e.kind, e.seq, e.message?.body])).toEqual([
      ['MESSAGE_ADDED', 1, 'first, edited'],
      ['MESSAGE_ADDED', 2, 'second'],
    ]);
    resumed.unsubscribe();
    await client.dispose();
  });

  it('replays edits, reactions, membership and renames missed while away (afterEvent), in position order, then goes live with no gap and no duplicate', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'log', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const { sendMessage: first } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'one' } }, alice.accessToken);
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, ConversationEventsResumable, { conversationId });
    await stack.subscriptionsOpen(1);
    await ok(stack.httpUrl, EditMessage, { id: first.id, body: 'one, edited' }, alice.accessToken);
    const [seen] = (await live.waitFor(1)).map((e) => e.data!.conversationEvents);
    expect(seen).toMatchObject({ kind: 'MESSAGE_EDITED', position: 1, seq: 1 });
    live.unsubscribe();

    // Away: five changes, and a message.
    await ok(stack.httpUrl, ReactLive, { messageId: first.id, emoji: '🎉' }, alice.accessToken);
    await ok(stack.httpUrl, AddMembersLive, { conversationId, userIds: [carol.id] }, alice.accessToken);
    await ok(stack.httpUrl, RenameLive, { id: conversationId, title: 'renamed log' }, alice.accessToken);
    await ok(stack.httpUrl, EditMessage, { id: first.id, body: 'one, edited twice' }, alice.accessToken);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'two' } }, alice.accessToken);

    const resumed = new Recorder(client, ConversationEventsResumable, { conversationId, after: 1, afterEvent: seen!.position });
    const replay = (await resumed.waitFor(5)).map((e) => e.data!.conversationEvents);
    const changes = replay.filter((e) => e.kind !== 'MESSAGE_ADDED');
    expect(changes.map((e) => [e.kind, e.position])).toEqual([
      ['REACTION_ADDED', 2],
      ['MEMBER_ADDED', 3],
      ['CONVERSATION_UPDATED', 4],
      ['MESSAGE_EDITED', 5],
    ]);
    expect(changes[0]).toMatchObject({ emoji: '🎉', user: { id: alice.id } });
    expect(changes[1]).toMatchObject({ user: { id: carol.id } });
    expect(replay.filter((e) => e.kind === 'MESSAGE_ADDED').map((e) => [e.seq, e.message?.body])).toEqual([[2, 'two']]);

    // Then live, continuing the positions.
    await ok(stack.httpUrl, RenameLive, { id: conversationId, title: 'live again' }, alice.accessToken);
    const next = (await resumed.waitFor(6)).map((e) => e.data!.conversationEvents)[5]!;
    expect(next).toMatchObject({ kind: 'CONVERSATION_UPDATED', position: 6, conversation: { title: 'live again' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(resumed.events).toHaveLength(6);

    // A position the conversation has not reached is bad input; one the caller is not in stays NOT_FOUND.
    const ahead = new Recorder(client, ConversationEventsResumable, { conversationId, afterEvent: 99 });
    const errors = (await ahead.waitForError()) as Array<{ extensions?: { code?: string; field?: string } }>;
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'afterEvent' });
    resumed.unsubscribe();
    await client.dispose();
  });
});

describe('typing indicators', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  let mallory: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ bus: 'redis' });
    [alice, bob, mallory] = await Promise.all(['alice', 'bob', 'mallory'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('reach the other members live, expire by themselves, are never stored, and only members may send them', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const bobClient = wsClient(stack.wsUrl, bob.accessToken);
    const aliceClient = wsClient(stack.wsUrl, alice.accessToken);
    const bobSees = new Recorder(bobClient, TypingEvents, { conversationId });
    const aliceSees = new Recorder(aliceClient, TypingEvents, { conversationId });
    await stack.subscriptionsOpen(2);

    const before = Date.now();
    expect((await ok(stack.httpUrl, SetTyping, { conversationId, typing: true }, alice.accessToken)).setTyping).toBe(true);
    const [typing] = (await bobSees.waitFor(1)).map((e) => e.data!.conversationEvents);
    expect(typing).toMatchObject({ kind: 'TYPING', typing: true, user: { id: alice.id } });
    const expiresAt = Date.parse(typing!.expiresAt as string);
    expect(expiresAt).toBeGreaterThan(before);
    expect(expiresAt - before).toBeLessThan(10_000);

    await ok(stack.httpUrl, SetTyping, { conversationId, typing: false }, alice.accessToken);
    expect((await bobSees.waitFor(2))[1]!.data!.conversationEvents).toMatchObject({ kind: 'TYPING', typing: false });
    // The typist does not hear themselves; nothing was stored (no message, seq unchanged).
    await new Promise((r) => setTimeout(r, 200));
    expect(aliceSees.events).toHaveLength(0);
    const history = await ok(stack.httpUrl, ConversationHistory, { id: conversationId }, bob.accessToken);
    expect(history.conversation!.lastSeq).toBe(0);

    const foreign = await request(stack.httpUrl, SetTyping, { conversationId, typing: true }, mallory.accessToken);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await new Promise((r) => setTimeout(r, 200));
    expect(bobSees.events).toHaveLength(2);
    await bobClient.dispose();
    await aliceClient.dispose();
  });
});
