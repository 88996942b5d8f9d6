// Notifications reach the user live when they connect: what was written while
// they were away arrives first on notificationAdded, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { NotificationAdded } from './testkit/live-operations.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
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
