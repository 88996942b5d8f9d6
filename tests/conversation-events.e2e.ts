// conversationEvents: every change to a conversation, live, each resolved
// once per group through the query planner with the subscriber's selection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { AddMembersLive, ConversationEvents, ReactLive, RenameLive } from './testkit/live-operations.js';
import { CreateConversation, EditMessage, SendMessage } from './testkit/operations.js';
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
});
