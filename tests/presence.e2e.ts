// Presence through the router: a user is online while a graphql-ws
// connection of theirs is open, and offline (with a last-seen time) after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, wsClient } from './testkit/client.js';
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
});
