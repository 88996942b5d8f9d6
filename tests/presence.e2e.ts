// Presence through the router: a user is online while a graphql-ws
// connection of theirs is open, and offline (with a last-seen time) after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { PresenceChanged } from './testkit/live-operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
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
