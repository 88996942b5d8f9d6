// Continuous authorization: a member who leaves or is removed stops receiving
// at once, on every router replica, whichever bus carries the events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { LeaveConversation, RemoveMember } from './testkit/live-operations.js';
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
});
