// Notifications (issue 5, item 7) through the router: a user mentioned, or
// sent a direct message, while not connected finds the notification, with
// the federated message author, and marks it read; the store keeps the
// newest 500 per user.
import { DEFAULT_RATE_LIMITS } from '@storm/conversations/rate-limit';
import { MAX_NOTIFICATIONS_PER_USER } from '@storm/conversations/modules/notifications/notifications.service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, request, wsClient } from './testkit/client.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { MarkNotificationsRead, MuteConversation, MuteState, MuteTotals, Notifications, UnmuteConversation } from './testkit/notifications-operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { UserProfile } from './testkit/users-operations.js';
import { registerUser, type TestUser } from './testkit/users.js';

let stack: TestStack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  // The bound test sends 505 messages as one user: more than the default send burst (300).
  stack = await startTestStack({ rateLimits: { ...DEFAULT_RATE_LIMITS, send: { burst: 1_000, perSecond: 100 } } });
  [alice, bob] = await Promise.all([registerUser(stack.httpUrl, 'alice'), registerUser(stack.httpUrl, 'bob')]);
});
afterAll(async () => {
  await stack?.dispose();
});

describe('notifications', () => {
  it('a muted conversation notifies nothing (direct messages nor mentions) while counts go on; the mute ends by unmuting or by itself', async () => {
    const url = stack.httpUrl;
    const [dan, erin] = await Promise.all([registerUser(url, 'dan'), registerUser(url, 'erin')]);
    const direct = (await ok(url, CreateConversation, { input: { kind: 'DIRECT', memberIds: [dan.id] } }, erin.accessToken)).createConversation.id;
    const group = (await ok(url, CreateConversation, { input: { kind: 'GROUP', memberIds: [dan.id] } }, erin.accessToken)).createConversation.id;
    const count = async () => (await ok(url, Notifications, {}, dan.accessToken)).unreadNotificationCount;
    const send = (conversationId: string, body: string) => ok(url, SendMessage, { input: { conversationId, body } }, erin.accessToken);

    expect((await ok(url, MuteConversation, { conversationId: direct }, dan.accessToken)).muteConversation).toEqual({ id: direct, muted: true, mutedUntil: null });
    expect((await ok(url, MuteConversation, { conversationId: group }, dan.accessToken)).muteConversation.muted).toBe(true);
    await send(direct, 'psst');
    await send(group, `hey @${dan.handle}`);
    expect(await count()).toBe(0);
    // Still unread, still a mention: muting silences, it does not hide.
    expect((await ok(url, MuteState, { id: group }, dan.accessToken)).conversation).toMatchObject({ muted: true, unreadCount: 1, mentionCount: 1 });
    // Totals count muted conversations unless asked not to (an app badge that muting silences).
    const totals = await ok(url, MuteTotals, {}, dan.accessToken);
    expect(totals).toEqual({ unreadTotal: 2, mentionTotal: 1, unmutedUnread: 0, unmutedMentions: 0 });
    // Only Dan's setting: Erin, in the same conversations, still gets hers.
    await ok(url, SendMessage, { input: { conversationId: direct, body: 'reply' } }, dan.accessToken);
    expect((await ok(url, Notifications, {}, erin.accessToken)).unreadNotificationCount).toBe(1);

    expect((await ok(url, UnmuteConversation, { conversationId: direct }, dan.accessToken)).unmuteConversation).toEqual({ id: direct, muted: false, mutedUntil: null });
    await send(direct, 'now?');
    expect(await count()).toBe(1);

    // A timed mute holds until its end, then notifications come again.
    const until = new Date(Date.now() + 1500).toISOString();
    expect((await ok(url, MuteConversation, { conversationId: group, until }, dan.accessToken)).muteConversation).toEqual({ id: group, muted: true, mutedUntil: until });
    await send(group, `again @${dan.handle}`);
    expect(await count()).toBe(1);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await ok(url, MuteState, { id: group }, dan.accessToken)).conversation).toMatchObject({ muted: false, mutedUntil: null });
    await send(group, `and again @${dan.handle}`);
    expect(await count()).toBe(2);

    // Bad input: typed, nothing changed.
    for (const [variables, field, code] of [
      [{ conversationId: group, until: new Date(Date.now() - 1000).toISOString() }, 'until', 'BAD_USER_INPUT'],
      [{ conversationId: group, until: new Date(Date.now() + 400 * 86_400_000).toISOString() }, 'until', 'BAD_USER_INPUT'],
      [{ conversationId: group, until: 'tomorrow' }, undefined, 'BAD_USER_INPUT'],
      [{ conversationId: 'nope' }, 'conversationId', 'BAD_USER_INPUT'],
    ] as const) {
      const res = await request(url, MuteConversation, variables as never, dan.accessToken);
      if (field === undefined) expect(res.errors?.[0]?.message).toMatch(/^Variable "\$until" got invalid value "tomorrow"/);
      expect([res.errors?.[0]?.extensions?.code, res.errors?.[0]?.extensions?.field], JSON.stringify(variables)).toEqual([code, field]);
    }
    // Written into the document instead: the router itself refuses it as invalid, before any subgraph sees it.
    for (const literal of ['"soon"', '5']) {
      const res = await request(url, `mutation { muteConversation(conversationId: "${group}", until: ${literal}) { muted } }`, {}, dan.accessToken);
      expect([res.status, res.errors?.[0]?.extensions?.code], literal).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    }
    const outsider = await registerUser(url, 'outsider');
    expect((await request(url, MuteConversation, { conversationId: group }, outsider.accessToken)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await ok(url, MuteState, { id: group }, dan.accessToken)).conversation?.muted).toBe(false);
  });

  it('a mention of an offline user lists with its message and author; marking read clears the count', async () => {
    const url = stack.httpUrl;
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id] } }, alice.accessToken);
    const { sendMessage } = await ok(url, SendMessage, { input: { conversationId: createConversation.id, body: `ping @${bob.handle}` } }, alice.accessToken);

    const before = await ok(url, Notifications, {}, bob.accessToken);
    expect(before.unreadNotificationCount).toBe(1);
    expect(before.notifications.notifications).toHaveLength(1);
    const [notification] = before.notifications.notifications;
    expect(notification).toMatchObject({
      kind: 'MENTION',
      readAt: null,
      conversation: { id: createConversation.id },
      message: { id: sendMessage.id, body: `ping @${bob.handle}`, author: { displayName: alice.displayName } },
    });
    expect((await ok(url, Notifications, {}, alice.accessToken)).unreadNotificationCount).toBe(0);

    // Alice cannot mark Bob's notification; Bob can.
    expect((await ok(url, MarkNotificationsRead, { ids: [notification!.id] }, alice.accessToken)).markNotificationsRead).toBe(0);
    expect((await ok(url, MarkNotificationsRead, { ids: [notification!.id] }, bob.accessToken)).markNotificationsRead).toBe(1);
    const after = await ok(url, Notifications, {}, bob.accessToken);
    expect(after.unreadNotificationCount).toBe(0);
    expect(after.notifications.notifications[0]!.readAt).not.toBeNull();
  });
  it('a direct message to an offline user notifies them as DIRECT_MESSAGE, the sender not; once they are connected, nothing more', async () => {
    const url = stack.httpUrl;
    const carol = await registerUser(url, 'carol');
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'DIRECT', memberIds: [carol.id] } }, alice.accessToken);
    const { sendMessage } = await ok(url, SendMessage, { input: { conversationId: createConversation.id, body: 'are you there?' } }, alice.accessToken);

    const offline = await ok(url, Notifications, {}, carol.accessToken);
    expect(offline.unreadNotificationCount).toBe(1);
    expect(offline.notifications.notifications).toEqual([
      {
        id: expect.any(String),
        kind: 'DIRECT_MESSAGE',
        readAt: null,
        conversation: { id: createConversation.id },
        message: { id: sendMessage.id, body: 'are you there?', author: { displayName: alice.displayName } },
      },
    ]);
    expect((await ok(url, Notifications, {}, alice.accessToken)).notifications.notifications.filter((n) => n.conversation?.id === createConversation.id)).toEqual([]);

    // Carol connects (presence ONLINE): she reads it live, no notification is written.
    const client = wsClient(stack.wsUrl, carol.accessToken, { lazy: false });
    try {
      await expect.poll(async () => (await ok(url, UserProfile, { id: carol.id }, alice.accessToken)).user?.presence.status).toBe('ONLINE');
      await ok(url, SendMessage, { input: { conversationId: createConversation.id, body: 'ah, there you are' } }, alice.accessToken);
      const online = await ok(url, Notifications, {}, carol.accessToken);
      expect(online.unreadNotificationCount).toBe(1);
      expect(online.notifications.notifications.map((n) => n.message?.body)).toEqual(['are you there?']);
    } finally {
      await client.dispose();
    }
  });

  it('markNotificationsRead(all: true) marks every unread notification of the caller only, counting those it changed', async () => {
    const url = stack.httpUrl;
    const [dave, erin] = await Promise.all([registerUser(url, 'dave'), registerUser(url, 'erin')]);
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'GROUP', memberIds: [dave.id, erin.id] } }, alice.accessToken);
    for (const body of [`@${dave.handle} one`, `@${dave.handle} @${erin.handle} two`, `@${dave.handle} three`]) {
      await ok(url, SendMessage, { input: { conversationId: createConversation.id, body } }, alice.accessToken);
    }
    const listed = (await ok(url, Notifications, {}, dave.accessToken)).notifications.notifications;
    expect(listed.map((n) => [n.kind, n.message?.body])).toEqual([
      ['MENTION', `@${dave.handle} three`],
      ['MENTION', `@${dave.handle} @${erin.handle} two`],
      ['MENTION', `@${dave.handle} one`],
    ]);
    expect((await ok(url, MarkNotificationsRead, { ids: [listed[2]!.id] }, dave.accessToken)).markNotificationsRead).toBe(1);

    // Exactly one of ids and all: both, or neither, is bad input and marks nothing.
    for (const args of [{ ids: [listed[0]!.id], all: true }, {}, { all: false }]) {
      const refused = await request(url, MarkNotificationsRead, args, dave.accessToken);
      expect(refused.errors?.[0]?.extensions?.code, JSON.stringify(args)).toBe('BAD_USER_INPUT');
    }
    expect((await ok(url, Notifications, {}, dave.accessToken)).unreadNotificationCount).toBe(2);

    // The already-read one does not count again.
    expect((await ok(url, MarkNotificationsRead, { all: true }, dave.accessToken)).markNotificationsRead).toBe(2);
    const after = await ok(url, Notifications, {}, dave.accessToken);
    expect(after.unreadNotificationCount).toBe(0);
    expect(after.notifications.notifications.map((n) => [n.id, n.readAt !== null])).toEqual(listed.map((n) => [n.id, true]));
    expect((await ok(url, MarkNotificationsRead, { all: true }, dave.accessToken)).markNotificationsRead).toBe(0);
    // Erin's is still unread.
    const erins = await ok(url, Notifications, {}, erin.accessToken);
    expect(erins.unreadNotificationCount).toBe(1);
    expect(erins.notifications.notifications[0]!.readAt).toBeNull();
  });

  it('keeps only the newest 500 notifications per user: older ones are gone from the list and the count', { timeout: 120_000 }, async () => {
    const url = stack.httpUrl;
    const frank = await registerUser(url, 'frank');
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'DIRECT', memberIds: [frank.id] } }, alice.accessToken);
    const send = (body: string) => ok(url, SendMessage, { input: { conversationId: createConversation.id, body } }, alice.accessToken);
    // Frank is offline: every message notifies him. The 5 oldest first, one by one, then
    // 490 in parallel, then the 10 newest one by one (each sees all the others committed).
    for (let i = 0; i < 5; i++) await send(`old ${i}`);
    const middle = Array.from({ length: 490 }, (_, i) => `middle ${i}`);
    for (let i = 0; i < middle.length; i += 20) await Promise.all(middle.slice(i, i + 20).map(send));
    for (let i = 0; i < 10; i++) await send(`new ${i}`);

    const bodies: string[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listPage>> = await listPage(frank, after);
      bodies.push(...page.notifications.map((n) => n.message!.body));
      after = page.nextCursor;
    } while (after);
    expect(MAX_NOTIFICATIONS_PER_USER).toBe(500);
    expect(bodies).toHaveLength(500);
    expect(bodies.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `new ${9 - i}`));
    expect(bodies.slice(10).sort()).toEqual([...middle].sort());
    expect(bodies.filter((b) => b.startsWith('old'))).toEqual([]);
    expect((await ok(url, Notifications, { limit: 1 }, frank.accessToken)).unreadNotificationCount).toBe(500);
  });
});

async function listPage(user: TestUser, after: string | null) {
  return (await ok(stack.httpUrl, Notifications, { limit: 100, after }, user.accessToken)).notifications;
}
