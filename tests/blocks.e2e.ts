// Blocking through the router over the real PostgreSQL: a block in either
// direction stops direct messages between two users (new and existing direct
// conversations), the blocked user's mentions stop notifying the blocker,
// shared groups go on, and unblocking restores everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './generated/index.js';
import { ok, request } from './testkit/client.js';
import { Notifications } from './testkit/notifications-operations.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const BlockUser = graphql(`
  mutation BlockUser($userId: ID!) { blockUser(userId: $userId) { id handle } }
`);
const UnblockUser = graphql(`
  mutation UnblockUser($userId: ID!) { unblockUser(userId: $userId) { id } }
`);
const BlockedUsers = graphql(`
  query BlockedUsers { blockedUsers { id handle } }
`);

let stack: TestStack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startTestStack({});
  [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
});
afterAll(async () => {
  await stack?.dispose();
});

const send = (conversationId: string, body: string, as: TestUser) => request(stack.httpUrl, SendMessage, { input: { conversationId, body } }, as.accessToken);
const code = async (res: ReturnType<typeof send>) => (await res).errors?.[0]?.extensions?.code;

describe('blocking', () => {
  it('stops direct messages both ways and mentions of the blocker, leaves groups alone, and unblocking restores both', async () => {
    const dm = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    const group = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: dm, body: 'hi bob' } }, alice.accessToken);
    const notified = async () => (await ok(stack.httpUrl, Notifications, {}, bob.accessToken)).unreadNotificationCount;
    expect(await notified()).toBe(1); // the direct message, bob being offline

    expect((await ok(stack.httpUrl, BlockUser, { userId: alice.id }, bob.accessToken)).blockUser).toEqual({ id: alice.id, handle: alice.handle });
    await ok(stack.httpUrl, BlockUser, { userId: alice.id }, bob.accessToken); // idempotent
    expect((await ok(stack.httpUrl, BlockedUsers, {}, bob.accessToken)).blockedUsers.map((u) => u.id)).toEqual([alice.id]);

    // No direct message, in either direction.
    expect(await code(send(dm, 'still there?', alice))).toBe('FORBIDDEN');
    expect(await code(send(dm, 'go away', bob))).toBe('FORBIDDEN');
    // In the group both still talk, but alice's mention no longer notifies bob.
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: group, body: `hey @${bob.handle}` } }, alice.accessToken);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: group, body: 'noted' } }, bob.accessToken);
    expect(await notified()).toBe(1);
    // Nothing was written by the refused sends: the DM holds the one message.
    const history = await ok(stack.httpUrl, graphql(`query BlockedHistory($id: ID!) { conversation(id: $id) { lastSeq } }`), { id: dm }, bob.accessToken);
    expect(history.conversation?.lastSeq).toBe(1);

    await ok(stack.httpUrl, UnblockUser, { userId: alice.id }, bob.accessToken);
    expect((await ok(stack.httpUrl, BlockedUsers, {}, bob.accessToken)).blockedUsers).toEqual([]);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: dm, body: 'sorry' } }, alice.accessToken);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: group, body: `again @${bob.handle}` } }, alice.accessToken);
    expect(await notified()).toBe(3);
  });

  it('refuses to start a direct conversation across a block, from either side, and creates nothing', async () => {
    const carol = await registerUser(stack.httpUrl, 'carol');
    await ok(stack.httpUrl, BlockUser, { userId: alice.id }, carol.accessToken);
    for (const [from, to] of [
      [alice, carol],
      [carol, alice],
    ] as const) {
      const res = await request(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [to.id] } }, from.accessToken);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const conversations = await ok(stack.httpUrl, graphql(`query BlockedList { conversations { id } }`), {}, carol.accessToken);
    expect(conversations.conversations).toEqual([]);
    // A group with both is still possible.
    await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [carol.id] } }, alice.accessToken);
  });

  it('bad input: oneself, an unknown user, a malformed id', async () => {
    for (const [userId, expected] of [
      [alice.id, ['BAD_USER_INPUT', 'userId']],
      ['00000000-0000-4000-8000-000000000000', ['NOT_FOUND', undefined]],
      ['nope', ['BAD_USER_INPUT', 'userId']],
    ] as const) {
      const res = await request(stack.httpUrl, BlockUser, { userId }, alice.accessToken);
      expect([res.errors?.[0]?.extensions?.code, res.errors?.[0]?.extensions?.field], userId).toEqual(expected);
    }
    expect((await ok(stack.httpUrl, BlockedUsers, {}, alice.accessToken)).blockedUsers).toEqual([]);
    expect((await request(stack.httpUrl, BlockedUsers, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
