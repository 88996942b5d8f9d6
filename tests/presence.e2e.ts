// Presence through the router: a user is online while a graphql-ws
// connection of theirs is open, and offline (with a last-seen time) after;
// every change (connections, setAway, expiry) is announced on presenceChanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { PresenceChanged } from './testkit/live-operations.js';
import { topics } from '@storm/bus';
import { busPresenceAnnouncer, createPresenceStore } from '@storm/presence';
import { startTestStack, TEST_REDIS_URL, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const PRESENCE = 'query Presence($id: ID!) { user(id: $id) { presence { status lastSeenAt } } }';
type PresenceResult = { user: { presence: { status: string; lastSeenAt: string | null } } };

describe('presence from live connections', () => {
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

  const statusOf = async (user: TestUser) => (await ok<PresenceResult, { id: string }>(stack.httpUrl, PRESENCE, { id: user.id }, alice.accessToken)).user.presence;

  it('shows a user online while connected and offline with last-seen after', async () => {
    expect((await statusOf(bob)).status).toBe('OFFLINE');
    const client = wsClient(stack.wsUrl, bob.accessToken, { lazy: false });
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));
    let deadline = Date.now() + 5_000;
    while ((await statusOf(bob)).status !== 'ONLINE') {
      if (Date.now() > deadline) throw new Error('bob never showed online');
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.dispose();
    deadline = Date.now() + 5_000;
    let presence = await statusOf(bob);
    while (presence.status !== 'OFFLINE') {
      if (Date.now() > deadline) throw new Error('bob never went offline');
      await new Promise((r) => setTimeout(r, 50));
      presence = await statusOf(bob);
    }
    expect(presence.lastSeenAt).not.toBeNull();
  });

  it('announces presence changes live to whoever watches, across the bus', async () => {
    const carol = await registerUser(stack.httpUrl, 'carol');
    const watcherClient = wsClient(stack.wsUrl, alice.accessToken);
    const watch = new Recorder(watcherClient, PresenceChanged, { userIds: [carol.id] });
    await new Promise((r) => setTimeout(r, 300)); // the watch is set up asynchronously; presence events are not replayed
    const carolClient = wsClient(stack.wsUrl, carol.accessToken, { lazy: false });
    const online = (await watch.waitFor(1))[0]!.data!.presenceChanged;
    expect(online).toMatchObject({ userId: carol.id, status: 'ONLINE' });
    await carolClient.dispose();
    const offline = (await watch.waitFor(2))[1]!.data!.presenceChanged;
    expect(offline).toMatchObject({ userId: carol.id, status: 'OFFLINE' });
    expect(Date.parse(offline.at as string)).toBeGreaterThanOrEqual(Date.parse(online.at as string));
    watch.unsubscribe();
    await watcherClient.dispose();
  });

  it('refuses an empty or oversized watch list with BAD_USER_INPUT on userIds', async () => {
    const client = wsClient(stack.wsUrl, alice.accessToken);
    for (const userIds of [[], Array.from({ length: 201 }, (_, i) => `u${i}`)]) {
      const refused = new Recorder(client, PresenceChanged, { userIds });
      const errors = (await refused.waitForError()) as Array<{ extensions?: { code?: string; field?: string } }>;
      expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userIds' });
    }
    await client.dispose();
  });
});

// Changes no connection announces: setAway, and connections that expired in
// Redis because their router died. Real Redis presence, NATS bus.
describe('presence announced live in all cases', () => {
  const SWEEP_MS = 200;
  let stack: TestStack;
  let watcher: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ bus: 'nats', presence: 'redis', routerLimits: { presenceSweepMs: SWEEP_MS } });
    watcher = await registerUser(stack.httpUrl, 'watcher');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  const SET_AWAY = 'mutation SetAway($away: Boolean!) { setAway(away: $away) { id presence { status } } }';

  it('a watcher sees AWAY after setAway, and ONLINE when back', async () => {
    const erin = await registerUser(stack.httpUrl, 'erin');
    const watcherClient = wsClient(stack.wsUrl, watcher.accessToken);
    const watch = new Recorder(watcherClient, PresenceChanged, { userIds: [erin.id] });
    await new Promise((r) => setTimeout(r, 300)); // the watch is set up asynchronously; presence events are not replayed
    const erinClient = wsClient(stack.wsUrl, erin.accessToken, { lazy: false });
    expect((await watch.waitFor(1))[0]!.data!.presenceChanged).toMatchObject({ userId: erin.id, status: 'ONLINE' });

    const away = await ok<{ setAway: { presence: { status: string } } }, { away: boolean }>(stack.httpUrl, SET_AWAY, { away: true }, erin.accessToken);
    expect(away.setAway.presence.status).toBe('AWAY');
    expect((await watch.waitFor(2))[1]!.data!.presenceChanged).toMatchObject({ userId: erin.id, status: 'AWAY' });
    // Saying it again changes nothing and announces nothing.
    await ok(stack.httpUrl, SET_AWAY, { away: true }, erin.accessToken);
    await ok(stack.httpUrl, SET_AWAY, { away: false }, erin.accessToken);
    expect((await watch.waitFor(3))[2]!.data!.presenceChanged).toMatchObject({ userId: erin.id, status: 'ONLINE' });
    await new Promise((r) => setTimeout(r, 3 * SWEEP_MS));
    expect(watch.events.map((e) => e.data!.presenceChanged.status)).toEqual(['ONLINE', 'AWAY', 'ONLINE']);

    watch.unsubscribe();
    await erinClient.dispose();
    await watcherClient.dispose();
  });

  it('a watcher sees OFFLINE after a crashed router\'s connection expires in Redis, with no router closing it', async () => {
    const frank = await registerUser(stack.httpUrl, 'frank');
    const watcherClient = wsClient(stack.wsUrl, watcher.accessToken);
    const watch = new Recorder(watcherClient, PresenceChanged, { userIds: [frank.id] });
    await new Promise((r) => setTimeout(r, 300));

    // Another router replica (keep-alive 250 ms, so its connections last
    // 500 ms unheard) records frank's socket and announces it, as any router
    // does on connect, then dies: no heartbeat, no close, no announcement.
    const deadRouter = await createPresenceStore({ redis: { url: TEST_REDIS_URL, prefix: stack.busPrefix }, heartbeatIntervalMs: 250, lastSeenTtlMs: 60_000 });
    const connected = await deadRouter.connected(frank.id, 'conn-of-a-dead-router');
    expect(connected).toMatchObject({ before: 'OFFLINE', after: 'ONLINE', changed: true });
    await busPresenceAnnouncer(stack.bus, topics(stack.busPrefix))(frank.id, 'ONLINE');
    await deadRouter.dispose();
    const online = (await watch.waitFor(1))[0]!.data!.presenceChanged;
    expect(online).toMatchObject({ userId: frank.id, status: 'ONLINE' });

    const offline = (await watch.waitFor(2, 5_000))[1]!.data!.presenceChanged;
    expect(offline).toMatchObject({ userId: frank.id, status: 'OFFLINE' });
    expect(Date.parse(offline.at as string)).toBeGreaterThanOrEqual(Date.parse(online.at as string) + 400);
    const read = await ok<PresenceResult, { id: string }>(stack.httpUrl, PRESENCE, { id: frank.id }, watcher.accessToken);
    expect(read.user.presence.status).toBe('OFFLINE');
    // Announced once: later sweeps find nothing new.
    await new Promise((r) => setTimeout(r, 3 * SWEEP_MS));
    expect(watch.events).toHaveLength(2);

    watch.unsubscribe();
    await watcherClient.dispose();
  });
});
