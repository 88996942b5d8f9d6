// Continuous authorization: a member who leaves or is removed stops receiving
// at once, on every router replica, whichever bus carries the events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { ConversationEvents, Inbox, LeaveConversation, RemoveMember } from './testkit/live-operations.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { startReplica, startTestStack, type Replica, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe.each(['nats', 'redis'] as const)('membership changes over the %s bus', (busKind) => {
  let stack: TestStack;
  let replica: Replica;
  let owner: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    stack = await startTestStack({ bus: busKind });
    // A second router replica sharing nothing with the first but the bus and the subgraphs.
    replica = await startReplica(stack);
    owner = await registerUser(stack.httpUrl, 'owner');
    bob = await registerUser(stack.httpUrl, 'bob');
    carol = await registerUser(stack.httpUrl, 'carol');
  });
  afterAll(async () => {
    await replica?.dispose();
    await stack?.dispose();
  });

  it('stops delivering to a removed member on every replica, and keeps delivering to the others', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'team', memberIds: [bob.id, carol.id] } }, owner.accessToken);
    const conversationId = createConversation.id;
    const replicaUrl = replica.wsUrl;
    const bobHere = wsClient(stack.wsUrl, bob.accessToken);
    const bobThere = wsClient(replicaUrl, bob.accessToken);
    const carolThere = wsClient(replicaUrl, carol.accessToken);
    const bob1 = new Recorder(bobHere, MessageAdded, { conversationId });
    const bob2 = new Recorder(bobThere, MessageAdded, { conversationId });
    const carolLive = new Recorder(carolThere, MessageAdded, { conversationId });
    await stack.subscriptionsOpen(1);
    while (replica.router.engine.subscriberCount < 2) await new Promise((r) => setTimeout(r, 10));

    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'before' } }, owner.accessToken);
    await Promise.all([bob1.waitFor(1), bob2.waitFor(1), carolLive.waitFor(1)]);

    await ok(stack.httpUrl, RemoveMember, { conversationId, userId: bob.id }, owner.accessToken);
    for (const recorder of [bob1, bob2]) {
      const errors = (await recorder.waitForError()) as Array<{ extensions?: { code?: string } }>;
      expect(errors[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'after' } }, owner.accessToken);
    const events = await carolLive.waitFor(2);
    expect(events.map((e) => e.data?.messageAdded.body)).toEqual(['before', 'after']);
    expect(bob1.events.map((e) => e.data?.messageAdded.body)).toEqual(['before']);
    expect(bob2.events.map((e) => e.data?.messageAdded.body)).toEqual(['before']);
    for (const c of [bobHere, bobThere, carolThere]) await c.dispose();
  });

  it('stops delivering to a member who leaves', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [carol.id] } }, owner.accessToken);
    const conversationId = createConversation.id;
    const client = wsClient(replica.wsUrl, carol.accessToken);
    const live = new Recorder(client, MessageAdded, { conversationId });
    while (replica.router.engine.subscriberCount < 1) await new Promise((r) => setTimeout(r, 10));
    await ok(stack.httpUrl, LeaveConversation, { id: conversationId }, carol.accessToken);
    const errors = (await live.waitForError()) as Array<{ extensions?: { code?: string } }>;
    expect(errors[0]?.extensions?.code).toBe('FORBIDDEN');
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'nobody reads this' } }, owner.accessToken);
    await new Promise((r) => setTimeout(r, 300));
    expect(live.events).toHaveLength(0);
    await client.dispose();
  });

  it('ends conversationEvents of a member removed (or who leaves) with FORBIDDEN instead of their MEMBER_REMOVED, on every replica, while the others get it', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'events', memberIds: [bob.id, carol.id] } }, owner.accessToken);
    const conversationId = createConversation.id;
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'before' } }, owner.accessToken);
    const clients = [wsClient(stack.wsUrl, owner.accessToken), wsClient(stack.wsUrl, bob.accessToken), wsClient(replica.wsUrl, bob.accessToken), wsClient(replica.wsUrl, carol.accessToken)];
    // `after: 0`: each replays `before` once it is open, so receiving it proves the subscription is live.
    const [ownerHere, bobHere, bobThere, carolThere] = clients.map((c) => new Recorder(c, ConversationEvents, { conversationId, after: 0 }));
    await Promise.all([ownerHere!, bobHere!, bobThere!, carolThere!].map((r) => r.waitFor(1)));
    const kinds = (r: typeof ownerHere) => r!.events.map(({ data }) => [data!.conversationEvents.kind, data!.conversationEvents.seq, data!.conversationEvents.user?.id ?? null]);

    await ok(stack.httpUrl, RemoveMember, { conversationId, userId: bob.id }, owner.accessToken);
    for (const recorder of [bobHere!, bobThere!]) {
      const errors = (await recorder.waitForError()) as Array<{ extensions?: { code?: string } }>;
      expect(errors[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    await Promise.all([ownerHere!.waitFor(2), carolThere!.waitFor(2)]);
    await ok(stack.httpUrl, LeaveConversation, { id: conversationId }, carol.accessToken);
    const errors = (await carolThere!.waitForError()) as Array<{ extensions?: { code?: string } }>;
    expect(errors[0]?.extensions?.code).toBe('FORBIDDEN');
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'after' } }, owner.accessToken);
    await ownerHere!.waitFor(4);
    await new Promise((r) => setTimeout(r, 300));

    expect(kinds(ownerHere!)).toEqual([
      ['MESSAGE_ADDED', 1, null],
      ['MEMBER_REMOVED', 1, bob.id],
      ['MEMBER_REMOVED', 1, carol.id],
      ['MESSAGE_ADDED', 2, null],
    ]);
    expect(kinds(carolThere!)).toEqual([
      ['MESSAGE_ADDED', 1, null],
      ['MEMBER_REMOVED', 1, bob.id],
    ]);
    for (const recorder of [bobHere!, bobThere!]) expect(kinds(recorder)).toEqual([['MESSAGE_ADDED', 1, null]]);
    for (const c of clients) await c.dispose();
  });

  it('takes a conversation out of the inbox of a member removed (or who leaves) silently, on every replica, and keeps the rest of their inbox and everyone else\'s', async () => {
    // Users of this test alone, so each router's subscription count is this test's inboxes (one stream per conversation).
    const [host, dan, erin] = await Promise.all(['host', 'dan', 'erin'].map((n) => registerUser(stack.httpUrl, n)));
    const leaving = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'x', memberIds: [dan.id, erin.id] } }, host.accessToken)).createConversation.id;
    const staying = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'y', memberIds: [dan.id, erin.id] } }, host.accessToken)).createConversation.id;
    const send = (conversationId: string, body: string) => ok(stack.httpUrl, SendMessage, { input: { conversationId, body } }, host.accessToken);
    const clients = [wsClient(stack.wsUrl, host.accessToken), wsClient(stack.wsUrl, dan.accessToken), wsClient(replica.wsUrl, dan.accessToken), wsClient(replica.wsUrl, erin.accessToken)];
    const [hostHere, danHere, danThere, erinThere] = clients.map((c) => new Recorder(c, Inbox, {}));
    await stack.subscriptionsOpen(4);
    await replica.subscriptionsOpen(4);
    /** What an inbox received, per conversation: the seqs in arrival order. */
    const seqs = (r: typeof hostHere, conversationId: string) =>
      r!.events.map((e) => e.data!.inbox).filter((e) => e.conversationId === conversationId).map((e) => e.seq);

    await send(leaving, 'x1');
    await Promise.all([hostHere!, danHere!, danThere!, erinThere!].map((r) => r.waitFor(1)));
    // Dan is removed: nothing from `leaving` reaches either of his inboxes, `staying` still does.
    await ok(stack.httpUrl, RemoveMember, { conversationId: leaving, userId: dan.id }, host.accessToken);
    await send(leaving, 'x2');
    await send(staying, 'y1');
    await Promise.all([hostHere!.waitFor(3), danHere!.waitFor(2), danThere!.waitFor(2), erinThere!.waitFor(3)]);
    // Erin leaves: the same for her.
    await ok(stack.httpUrl, LeaveConversation, { id: leaving }, erin.accessToken);
    await send(leaving, 'x3');
    await send(staying, 'y2');
    await Promise.all([hostHere!.waitFor(5), danHere!.waitFor(3), danThere!.waitFor(3), erinThere!.waitFor(4)]);
    await new Promise((r) => setTimeout(r, 300));

    expect([seqs(hostHere!, leaving), seqs(hostHere!, staying)]).toEqual([[1, 2, 3], [1, 2]]);
    for (const inbox of [danHere!, danThere!]) expect([seqs(inbox, leaving), seqs(inbox, staying)]).toEqual([[1], [1, 2]]);
    expect([seqs(erinThere!, leaving), seqs(erinThere!, staying)]).toEqual([[1, 2], [1, 2]]);
    // Silently (SUBSCRIPTIONS.md, inbox): the inbox itself is neither failed nor completed.
    for (const inbox of [hostHere!, danHere!, danThere!, erinThere!]) expect([inbox.error, inbox.completed]).toEqual([undefined, false]);
    for (const c of clients) await c.dispose();
  });
});
