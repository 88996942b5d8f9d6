// The inbox: one stream per device for all of a user's conversations,
// including ones joined while connected, resumable from any event's cursor on
// any router replica with nothing skipped or repeated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { AddMembersLive, Inbox } from './testkit/live-operations.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe.each(['memory', 'redis'] as const)('inbox over the %s bus', (busKind) => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ bus: busKind });
    [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
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

  it('refuses a cursor it did not issue with BAD_USER_INPUT', async () => {
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const bad = new Recorder(client, Inbox, { cursor: 'not-a-cursor' });
    const errors = (await bad.waitForError()) as Array<{ extensions?: { code?: string; field?: string } }>;
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cursor' });
    await client.dispose();
  });
});
