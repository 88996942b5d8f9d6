// The inbox: one stream per device for all of a user's conversations,
// including ones joined while connected, resumable from any event's cursor on
// any router replica with nothing skipped or repeated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { AddMembersLive, Inbox, InboxWithoutCursor } from './testkit/live-operations.js';
import { Conversations, CreateConversation, SendMessage } from './testkit/operations.js';
import { startReplica, startTestStack, type Replica, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe.each(['memory', 'redis'] as const)('inbox over the %s bus', (busKind) => {
  let stack: TestStack;
  /** A second router: the cursor is all the state, so either resumes what the other served. */
  let replica: Replica;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ bus: busKind });
    // The memory bus is one process: the replica shares its hub (same prefix).
    replica = await startReplica(stack);
    [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    await replica?.dispose();
    await stack?.dispose();
  });

  const send = (conversationId: string, body: string) => ok(stack.httpUrl, SendMessage, { input: { conversationId, body } }, alice.accessToken);

  it('streams every conversation, adds one joined while connected, and resumes from a cursor without gap or duplicate', async () => {
    const direct = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    const group = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'g', memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    const later = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'later', memberIds: [] } }, alice.accessToken)).createConversation.id;

    const client = wsClient(stack.wsUrl, bob.accessToken);
    const inbox = new Recorder(client, Inbox, {});
    await stack.subscriptionsOpen(2);

    await send(direct, 'd1');
    await inbox.waitFor(1);
    await send(group, 'g1');
    await inbox.waitFor(2);
    // Bob joins `later` while connected: its messages arrive on the same stream.
    await ok(stack.httpUrl, AddMembersLive, { conversationId: later, userIds: [bob.id] }, alice.accessToken);
    await stack.subscriptionsOpen(3);
    await send(later, 'l1');
    const seen = (await inbox.waitFor(3)).map((e) => e.data!.inbox);
    expect(seen.map((e) => [e.conversationId, e.seq, e.message.body])).toEqual([
      [direct, 1, 'd1'],
      [group, 1, 'g1'],
      [later, 1, 'l1'],
    ]);
    expect(seen[0]!.message.author.displayName).toBe(alice.displayName);
    const cursor = seen[2]!.cursor;
    inbox.unsubscribe();
    await client.dispose();

    // Away: more messages everywhere. Then resume on a fresh connection from the cursor.
    await send(group, 'g2');
    await send(direct, 'd2');
    await send(later, 'l2');
    const again = wsClient(stack.wsUrl, bob.accessToken);
    const resumed = new Recorder(again, Inbox, { cursor });
    const replay = (await resumed.waitFor(3)).map((e) => e.data!.inbox);
    expect(replay.map((e) => `${e.conversationId === direct ? 'd' : e.conversationId === group ? 'g' : 'l'}${e.seq}`).sort()).toEqual(['d2', 'g2', 'l2']);
    await send(direct, 'd3');
    const [live] = (await resumed.waitFor(4)).slice(3).map((e) => e.data!.inbox);
    expect([live!.conversationId, live!.seq]).toEqual([direct, 3]);
    await new Promise((r) => setTimeout(r, 200));
    expect(resumed.events).toHaveLength(4);
    resumed.unsubscribe();
    await again.dispose();
  });

  it('resumes on another replica exactly what was missed, then live, and replays a conversation joined since from its start', async () => {
    // Users of this test alone, so each router's subscription count is this test's inbox (one stream per conversation).
    const [ann, ben] = await Promise.all(['ann', 'ben'].map((n) => registerUser(stack.httpUrl, n)));
    const direct = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [ben.id] } }, ann.accessToken)).createConversation.id;
    const group = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'g', memberIds: [ben.id] } }, ann.accessToken)).createConversation.id;
    const post = (conversationId: string, body: string) => ok(stack.httpUrl, SendMessage, { input: { conversationId, body } }, ann.accessToken);
    const label = (e: { conversationId: string; seq: number; message: { body: string } }) => `${e.conversationId === direct ? 'd' : e.conversationId === group ? 'g' : 'j'}${e.seq}:${e.message.body}`;

    // On the first router: some events, and the cursor of the last.
    const first = wsClient(stack.wsUrl, ben.accessToken);
    const before = new Recorder(first, Inbox, {});
    await stack.subscriptionsOpen(2);
    await post(direct, 'd1');
    await post(group, 'g1');
    await post(direct, 'd2');
    const seen = (await before.waitFor(3)).map((e) => e.data!.inbox);
    expect(seen.map(label).sort()).toEqual(['d1:d1', 'd2:d2', 'g1:g1']);
    const cursor = seen[2]!.cursor;
    await first.dispose();

    // Away: messages in both, and a conversation ben is added to (with a message from before he was in it).
    await post(group, 'g2');
    await post(direct, 'd3');
    const joined = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'joined', memberIds: [] } }, ann.accessToken)).createConversation.id;
    await post(joined, 'j1');
    await ok(stack.httpUrl, AddMembersLive, { conversationId: joined, userIds: [ben.id] }, ann.accessToken);
    await post(joined, 'j2');

    // On the other router: exactly what was missed, each conversation in seq order, the joined one from its start.
    const second = wsClient(replica.wsUrl, ben.accessToken);
    const resumed = new Recorder(second, Inbox, { cursor });
    const replay = (await resumed.waitFor(4)).map((e) => e.data!.inbox);
    expect(replay.map(label).sort()).toEqual(['d3:d3', 'g2:g2', 'j1:j1', 'j2:j2']);
    expect(replay.filter((e) => e.conversationId === joined).map((e) => e.seq)).toEqual([1, 2]);
    // Then live, no duplicate at the switch.
    await replica.subscriptionsOpen(3);
    await post(group, 'g3');
    await post(joined, 'j3');
    const all = (await resumed.waitFor(6)).map((e) => e.data!.inbox);
    expect(all.slice(4).map(label).sort()).toEqual(['g3:g3', 'j3:j3']);
    await new Promise((r) => setTimeout(r, 200));
    expect(resumed.events).toHaveLength(6);
    const last = all[5]!.cursor;
    await second.dispose();

    // And back: the second router's cursor resumes on the first with nothing repeated.
    const third = wsClient(stack.wsUrl, ben.accessToken);
    const back = new Recorder(third, Inbox, { cursor: last });
    await stack.subscriptionsOpen(3);
    await post(direct, 'd4');
    const [next] = (await back.waitFor(1)).map((e) => e.data!.inbox);
    expect(label(next!)).toBe('d4:d4');
    await new Promise((r) => setTimeout(r, 200));
    expect(back.events).toHaveLength(1);
    await third.dispose();
  });

  it('delivers a message whose body looks like the router’s cursor placeholder as written, with or without `cursor` selected', async () => {
    const conversation = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'odd', memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const plain = new Recorder(client, InboxWithoutCursor, {});
    const full = new Recorder(client, Inbox, {});
    await stack.subscriptionsOpen(2 * (await ok(stack.httpUrl, Conversations, {}, bob.accessToken)).conversations.length);
    await send(conversation, '~storm-cursor~');
    expect((await plain.waitFor(1))[0]!.data!.inbox.message.body).toBe('~storm-cursor~');
    const withCursor = (await full.waitFor(1))[0]!.data!.inbox;
    expect(withCursor.message.body).toBe('~storm-cursor~');
    expect(withCursor.cursor).not.toBe('~storm-cursor~');
    await client.dispose();
  });

  it('refuses a cursor it did not issue with BAD_USER_INPUT', async () => {
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const bad = new Recorder(client, Inbox, { cursor: 'not-a-cursor' });
    const errors = (await bad.waitForError()) as Array<{ extensions?: { code?: string; field?: string } }>;
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cursor' });
    await client.dispose();
  });
});
