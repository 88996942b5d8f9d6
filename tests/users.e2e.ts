// Profiles, user search, presence and login throttling through the router.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, request } from './testkit/client.js';
import { Login } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser } from './testkit/users.js';
import { MembersProfiles, SearchUsers, UpdateProfile, UserProfile } from './testkit/users-operations.js';

describe('profiles, search and presence through the router', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('updates the caller’s profile; others see it, also through entity references from conversations', async () => {
    const alice = await registerUser(stack.httpUrl, 'alice');
    const bob = await registerUser(stack.httpUrl, 'bob');
    // A media row as an upload leaves it (no upload mutation exists yet): an avatar must be an image of one's own.
    const db = new pg.Client({ connectionString: stack.db.url });
    await db.connect();
    const media = randomUUID();
    try {
      await db.query(`INSERT INTO media.media (id, owner_id, content_type, size, storage_key) VALUES ($1, $2, 'image/png', 1, $3)`, [media, alice.id, `k/${media}`]);
    } finally {
      await db.end();
    }
    const { updateProfile } = await ok(
      stack.httpUrl,
      UpdateProfile,
      { input: { displayName: ' Alice A. ', statusText: 'in a meeting', avatarMediaId: media } },
      alice.accessToken,
    );
    expect(updateProfile).toEqual({ id: alice.id, displayName: 'Alice A.', statusText: 'in a meeting', avatar: { id: media } });

    const { user } = await ok(stack.httpUrl, UserProfile, { id: alice.id }, bob.accessToken);
    expect(user).toMatchObject({ displayName: 'Alice A.', statusText: 'in a meeting', avatar: { id: media } });
    // Presence comes from WebSocket connections only, and alice has only made HTTP requests: OFFLINE, never seen.
    expect(user!.presence).toEqual({ status: 'OFFLINE', lastSeenAt: null });

    const { createConversation } = await ok(stack.httpUrl, MembersProfiles, { input: { kind: 'DIRECT', memberIds: [alice.id] } }, bob.accessToken);
    const member = createConversation.members.find((m) => m.id === alice.id);
    expect(member).toEqual({ id: alice.id, statusText: 'in a meeting', presence: { status: 'OFFLINE' } });
  });

  it('refuses bad profile input with the field at fault, changing nothing', async () => {
    const carol = await registerUser(stack.httpUrl, 'carol');
    for (const [input, field] of [
      [{ statusText: 'x'.repeat(141) }, 'statusText'],
      [{ displayName: '' }, 'displayName'],
      [{ displayName: 'Changed', avatarMediaId: 'not-a-uuid' }, 'avatarMediaId'],
    ] as const) {
      const res = await request(stack.httpUrl, UpdateProfile, { input }, carol.accessToken);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const { user } = await ok(stack.httpUrl, UserProfile, { id: carol.id }, carol.accessToken);
    expect(user).toMatchObject({ displayName: carol.displayName, statusText: null, avatar: null });
    expect((await request(stack.httpUrl, UpdateProfile, { input: { statusText: 'hi' } })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('searches users by handle prefix, wildcards literal, signed-in callers only', async () => {
    const [a, b] = [await registerUser(stack.httpUrl, 'zed'), await registerUser(stack.httpUrl, 'zed')];
    const { users } = await ok(stack.httpUrl, SearchUsers, { prefix: '@ZED_' }, a.accessToken);
    expect(users.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
    expect((await ok(stack.httpUrl, SearchUsers, { prefix: 'zed_', limit: 1 }, a.accessToken)).users).toHaveLength(1);
    expect((await request(stack.httpUrl, SearchUsers, { prefix: 'z%' }, a.accessToken)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'handlePrefix',
    });
    expect((await request(stack.httpUrl, SearchUsers, { prefix: 'zed' })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('throttles repeated failed logins of an account with RATE_LIMITED and retryAfter, through the router', async () => {
    const dave = await registerUser(stack.httpUrl, 'dave');
    const wrong = { input: { email: dave.email, password: 'not the password' } };
    for (let i = 0; i < 5; i++) expect((await request(stack.httpUrl, Login, wrong)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const refused = await request(stack.httpUrl, Login, { input: { email: dave.email, password: dave.password } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
  });
});
