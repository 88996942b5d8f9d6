// Notifications (issue 5, item 7) through the router: a user mentioned while
// not connected finds the notification, with the federated message author,
// and marks it read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from './testkit/client.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { MarkNotificationsRead, Notifications } from './testkit/notifications-operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

let stack: TestStack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startTestStack();
  [alice, bob] = await Promise.all([registerUser(stack.httpUrl, 'alice'), registerUser(stack.httpUrl, 'bob')]);
});
afterAll(async () => {
  await stack?.dispose();
});

describe('notifications', () => {
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
});
