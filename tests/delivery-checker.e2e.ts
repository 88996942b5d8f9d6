// A queue checker in the spirit of Jepsen's: many senders and subscribers,
// every acknowledged send and every delivery recorded, then, per
// conversation and subscriber: nothing acknowledged is lost, nothing is
// duplicated, seq strictly increases with no gap. Over every bus, and across
// a router replica killed mid-stream whose clients resume on another replica
// with their last cursor. Beside them, a conversationEvents client per conversation on the
// replica while the senders also react: every message and every logged change, once, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { check, checkEvents, EventsFollower, eventsCaughtUp, Follower, followOnBoth, sendAll, until } from './testkit/checker.js';
import { ConversationEvents } from './testkit/live-operations.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { startReplica, startTestStack, type Replica, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const CONVERSATIONS = 3;
const SENDERS = 4;
const MESSAGES_PER_SENDER = 25; // per conversation
const SUBSCRIBERS = 3; // per conversation per router
const REACT_EVERY = 5; // each sender reacts to every 5th of its messages

describe.each(['memory', 'nats', 'redis'] as const)('delivery checker over the %s bus', (busKind) => {
  let stack: TestStack;
  let replica: Replica;
  let senders: TestUser[];
  const conversationIds: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ bus: busKind });
    // The memory bus is one process: the replica shares its hub (same prefix), which is what a second process cannot do.
    replica = await startReplica(stack);
    senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => registerUser(stack.httpUrl, `sender${i}`)));
    for (let c = 0; c < CONVERSATIONS; c++) {
      const { createConversation } = await ok(
        stack.httpUrl,
        CreateConversation,
        { input: { kind: 'GROUP', title: `checked ${c}`, memberIds: senders.slice(1).map((s) => s.id) } },
        senders[0]!.accessToken,
      );
      conversationIds.push(createConversation.id);
    }
  });
  afterAll(async () => {
    await replica?.dispose();
    await stack?.dispose();
  });

  it('loses nothing, duplicates nothing and keeps seq order, across a replica killed mid-stream', async () => {
    const { onA: onMain, onB: onReplica } = followOnBoth(conversationIds, senders, SUBSCRIBERS, stack.wsUrl, replica.wsUrl);
    await stack.subscriptionsOpen(onMain.length);
    const events = conversationIds.map((id, c) => new EventsFollower(senders[(c + 2) % SENDERS]!, id));
    for (const follower of events) follower.follow(replica.wsUrl);
    await until(() => replica.router.engine.subscriberCount >= onReplica.length + events.length, 'replica subscriptions');

    // Every sender sends to every conversation at once; a third of the way in, the replica dies.
    let killed: Promise<void> | undefined;
    const { acked, reactions } = await sendAll(stack.httpUrl, senders, conversationIds, MESSAGES_PER_SENDER, () => (killed = replica.router.dispose()), { reactEvery: REACT_EVERY });
    await killed;

    // The replica's clients saw their sockets close; each resumes on the surviving router from its own cursor.
    await until(() => [...onReplica, ...events].every((f) => f.ended !== undefined), 'replica clients notice the kill');
    // Told to go elsewhere (1001), not that their subscriptions ended (`complete`, after which a client would not resume).
    expect([...onReplica, ...events].map((f) => (f.ended as { code?: number }).code)).toEqual([...onReplica, ...events].map(() => 1001));
    // The kill really was mid-stream: the replica's clients had not seen everything yet.
    expect(onReplica.some((f) => f.deliveries.length < SENDERS * MESSAGES_PER_SENDER)).toBe(true);
    for (const follower of onReplica) {
      await follower.close();
      follower.follow(stack.wsUrl, follower.lastSeq ?? 0);
    }
    expect(events.every((f) => f.messages.length < SENDERS * MESSAGES_PER_SENDER)).toBe(true);
    for (const follower of events) {
      await follower.close();
      follower.follow(stack.wsUrl); // after: its last seq, afterEvent: its last position
    }
    const expected = (id: string) => acked.get(id)!.length;
    await until(() => [...onMain, ...onReplica].every((f) => f.deliveries.length >= expected(f.conversationId)), 'every delivery', 30_000);
    await until(() => eventsCaughtUp(events, acked, reactions), 'every event', 30_000);
    await new Promise((r) => setTimeout(r, 200)); // a late duplicate would arrive now

    for (const id of conversationIds) expect(expected(id)).toBe(SENDERS * MESSAGES_PER_SENDER);
    check([...onMain, ...onReplica], acked);
    checkEvents(events, acked, reactions);
    for (const follower of [...onMain, ...onReplica, ...events]) await follower.close();
  }, 90_000);
});

describe.each(['nats', 'redis'] as const)('a replica listens only to what its clients need, over the %s bus', (busKind) => {
  let stack: TestStack;
  let replica: Replica;
  const live = new Map<string, number>();
  const ever = new Set<string>();

  beforeAll(async () => {
    stack = await startTestStack({ bus: busKind });
    replica = await startReplica(stack, {
      observeSubscriptions: {
        subscribed: (subject) => (ever.add(subject), live.set(subject, (live.get(subject) ?? 0) + 1)),
        unsubscribed: (subject) => live.set(subject, (live.get(subject) ?? 0) - 1),
      },
    });
  });
  afterAll(async () => {
    await replica?.dispose();
    await stack?.dispose();
  });

  it('subscribes to the conversations its own clients follow, nothing else, and lets go when they leave', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map(async (title) => (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title, memberIds: [bob.id] } }, alice.accessToken)).createConversation.id),
    );
    // On the main router: b and c. On the replica: a only.
    const main = [new Follower(alice, b), new Follower(alice, c)];
    main.forEach((f) => f.follow(stack.wsUrl, 0));
    const onReplica = [new Follower(bob, a), new Follower(alice, a)];
    onReplica.forEach((f) => f.follow(replica.wsUrl, 0));
    // conversationEvents also needs its user's read positions (READ_UPDATED): a user subject, bob's only.
    const eventsClient = wsClient(replica.wsUrl, bob.accessToken);
    const events = new Recorder(eventsClient, ConversationEvents, { conversationId: a });
    await stack.subscriptionsOpen(2);
    await replica.subscriptionsOpen(3);
    for (const id of [a, b, c]) await ok(stack.httpUrl, SendMessage, { input: { conversationId: id, body: 'hi' } }, alice.accessToken);
    await until(() => [...main, ...onReplica].every((f) => f.deliveries.length === 1), 'deliveries');
    await events.waitFor(1);

    const conversationSubjects = [...ever].filter((s) => s.includes('.conv.'));
    // One subject for a, shared by its three subscriptions; none for b or c, and no wildcard over all conversations.
    expect(conversationSubjects).toEqual([`${stack.busPrefix}.conv.${a}.>`]);
    expect(live.get(`${stack.busPrefix}.conv.${a}.>`)).toBe(1);
    expect([...ever].every((s) => !s.includes(b) && !s.includes(c) && !s.startsWith(`${stack.busPrefix}.conv.*`) && s !== `${stack.busPrefix}.>`)).toBe(true);
    // Everything it listens to: a, and bob's read positions (alice holds no conversationEvents here).
    expect([...ever].sort()).toEqual([`${stack.busPrefix}.conv.${a}.>`, `${stack.busPrefix}.user.${bob.id}.read.updated`].sort());

    for (const follower of onReplica) await follower.close();
    events.unsubscribe();
    await eventsClient.dispose();
    await until(() => [...live.values()].every((n) => n === 0), 'the replica lets go of a and of bob');
    for (const follower of main) await follower.close();
  });
});
