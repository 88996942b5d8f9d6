// Editing a message to add `@handle` mentions, through the router on the NATS
// bus: the mentions follow the body, a newly named offline user is notified
// (once, in the edit's transaction) and gets it live on notificationAdded;
// a user the message already named is not notified again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, request, wsClient } from './testkit/client.js';
import { ChatHistory, ReadState, SendChatMessage } from './testkit/chat-operations.js';
import { NotificationAdded } from './testkit/live-operations.js';
import { Notifications } from './testkit/notifications-operations.js';
import { CreateConversation, EditMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe('editMessage adds mentions', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ bus: 'nats' });
    [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  const mentionNotifications = async (user: TestUser, messageId: string) =>
    (await ok(stack.httpUrl, Notifications, { limit: 100 }, user.accessToken)).notifications.notifications.filter((n) => n.message?.id === messageId);

  it('notifies the newly mentioned offline user, live, and not the one already mentioned', async () => {
    const url = stack.httpUrl;
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'GROUP', title: 'edits', memberIds: [bob.id, carol.id, dave.id] } }, alice.accessToken);
    const { sendMessage } = await ok(url, SendChatMessage, { input: { conversationId: createConversation.id, body: `hi @${bob.handle}` } }, alice.accessToken);
    expect(sendMessage.mentions.map((m) => m.id)).toEqual([bob.id]);
    expect(await mentionNotifications(bob, sendMessage.id)).toHaveLength(1);
    expect(await mentionNotifications(carol, sendMessage.id)).toHaveLength(0);

    // Dave is connected: a mention of him is no notification (as for sends).
    const daveClient = wsClient(stack.wsUrl, dave.accessToken, { lazy: false });
    await new Promise<void>((resolve) => daveClient.on('connected', () => resolve()));
    await new Promise((r) => setTimeout(r, 200)); // presence is recorded just after the ack

    const body = `hi @${bob.handle}, @${carol.handle} and @${dave.handle} (and @nobody_has_this_handle)`;
    const { editMessage } = await ok(url, EditMessage, { id: sendMessage.id, body }, alice.accessToken);
    expect(editMessage).toMatchObject({ id: sendMessage.id, body });

    // The mentions follow the edit: counted for Carol, shown to her as mentionsMe.
    const history = await ok(url, ChatHistory, { id: createConversation.id }, carol.accessToken);
    const edited = history.conversation!.messages.find((m) => m.id === sendMessage.id)!;
    expect(edited.mentionsMe).toBe(true);
    expect(edited.mentions.map((m) => m.handle).sort()).toEqual([bob.handle, carol.handle, dave.handle].sort());
    const carolState = await ok(url, ReadState, undefined, carol.accessToken);
    expect(carolState.conversations.find((c) => c.id === createConversation.id)?.mentionCount).toBe(1);

    // Carol (offline) has one, Bob still one (not notified again), Dave none (online).
    expect(await mentionNotifications(carol, sendMessage.id)).toMatchObject([{ kind: 'MENTION', message: { body } }]);
    expect(await mentionNotifications(bob, sendMessage.id)).toHaveLength(1);
    expect(await mentionNotifications(dave, sendMessage.id)).toHaveLength(0);
    await daveClient.dispose();

    // Carol connects: notificationAdded brings the edit's mention.
    const carolClient = wsClient(stack.wsUrl, carol.accessToken);
    const live = new Recorder(carolClient, NotificationAdded, {});
    const [first] = await live.waitFor(1);
    expect(first!.data!.notificationAdded).toMatchObject({ kind: 'MENTION', message: { body, author: { displayName: alice.displayName } } });

    // Editing again keeps Carol named: no second notification, none live.
    await ok(url, EditMessage, { id: sendMessage.id, body: `${body}!` }, alice.accessToken);
    await new Promise((r) => setTimeout(r, 500));
    expect(live.events).toHaveLength(1);
    live.unsubscribe();
    await carolClient.dispose();
    expect(await mentionNotifications(carol, sendMessage.id)).toHaveLength(1);
    expect(await mentionNotifications(bob, sendMessage.id)).toHaveLength(1);
  });

  it('an edit that is refused writes no mention and no notification', async () => {
    const url = stack.httpUrl;
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id, carol.id] } }, alice.accessToken);
    const { sendMessage } = await ok(url, SendChatMessage, { input: { conversationId: createConversation.id, body: 'plain' } }, alice.accessToken);
    // Bob is a member but not the author.
    const refused = await request(url, EditMessage, { id: sendMessage.id, body: `@${carol.handle} look` }, bob.accessToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await mentionNotifications(carol, sendMessage.id)).toHaveLength(0);
    const history = await ok(url, ChatHistory, { id: createConversation.id }, carol.accessToken);
    expect(history.conversation!.messages.find((m) => m.id === sendMessage.id)).toMatchObject({ body: 'plain', mentionsMe: false, mentions: [] });
  });
});
