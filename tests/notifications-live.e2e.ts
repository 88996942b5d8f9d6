// Notifications reach the user live when they connect: what was written while
// they were away arrives first on notificationAdded, once.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { NotificationAdded } from './testkit/live-operations.js';
import { MarkNotificationsRead, Notifications } from './testkit/notifications-operations.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { startTestStack, TEST_REDIS_URL, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe('notificationAdded', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ bus: 'nats' });
    [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('delivers what came while the user was away when they connect, once, oldest first', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'n', memberIds: [bob.id] } }, alice.accessToken);
    // Bob is offline: a mention and a plain message (the latter notifies nobody in a group).
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: `hey @${bob.handle}, look` } }, alice.accessToken);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'no mention here' } }, alice.accessToken);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: `@${bob.handle} again` } }, alice.accessToken);

    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, NotificationAdded, {});
    const events = (await live.waitFor(2)).map((e) => e.data!.notificationAdded);
    expect(events.map((n) => [n.kind, n.message?.body])).toEqual([
      ['MENTION', `hey @${bob.handle}, look`],
      ['MENTION', `@${bob.handle} again`],
    ]);
    expect(events[0]!.message!.author.displayName).toBe(alice.displayName);
    await new Promise((r) => setTimeout(r, 300));
    expect(live.events).toHaveLength(2);
    live.unsubscribe();
    await client.dispose();
  });
});

describe('notificationAdded while subscribed', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  let redis: Redis;
  beforeAll(async () => {
    stack = await startTestStack({ bus: 'nats', presence: 'redis' });
    [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await stack?.dispose();
  });

  it('sends a new notification live, and never an old one the user had already read', async () => {
    const url = stack.httpUrl;
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'GROUP', title: 'n', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    // While Bob is offline: two mentions he reads elsewhere, then one he has not read.
    await ok(url, SendMessage, { input: { conversationId, body: `@${bob.handle} one` } }, alice.accessToken);
    await ok(url, SendMessage, { input: { conversationId, body: `@${bob.handle} two` } }, alice.accessToken);
    expect((await ok(url, MarkNotificationsRead, { all: true }, bob.accessToken)).markNotificationsRead).toBe(2);
    await ok(url, SendMessage, { input: { conversationId, body: `@${bob.handle} three` } }, alice.accessToken);

    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, NotificationAdded, {});
    expect((await live.waitFor(1)).map((e) => e.data!.notificationAdded.message?.body)).toEqual([`@${bob.handle} three`]);

    // Bob's socket counts as connected, so a mention now writes no notification. A
    // router that crashed leaves no connection behind in Redis either: drop his, so
    // the conversations service sees him offline and notifies him while he listens.
    await redis.del(`${stack.busPrefix}:presence:{${bob.id}}:conns`);
    await ok(url, SendMessage, { input: { conversationId, body: `@${bob.handle} four` } }, alice.accessToken);
    const events = (await live.waitFor(2)).map((e) => e.data!.notificationAdded.message?.body);
    await new Promise((r) => setTimeout(r, 300));
    expect(live.events.map((e) => e.data!.notificationAdded.message?.body)).toEqual([`@${bob.handle} three`, `@${bob.handle} four`]);
    expect(events).toHaveLength(2);
    expect((await ok(url, Notifications, {}, bob.accessToken)).unreadNotificationCount).toBe(2);
    live.unsubscribe();
    await client.dispose();
  });
});
