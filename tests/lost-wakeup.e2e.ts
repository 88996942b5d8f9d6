// The bus only wakes the router up; what it delivers is read from PostgreSQL.
// So a wake-up the bus loses (Redis pub/sub keeps nothing, and drops what is
// published while a subscriber reconnects) must not lose a delivery, even
// when no later message comes to wake the group: the router's periodic audit
// reads each live conversation's head and catches up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { AddMembersLive, ConversationEventsResumable, Inbox } from './testkit/live-operations.js';
import { CreateConversation, EditMessage, MessageAdded, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe.each(['redis', 'nats'] as const)('a wake-up the %s bus lost', (busKind) => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  let losing = false;
  const lost: string[] = [];
  /** Users whose membership events (`<prefix>.user.<id>.membership`) the bus loses. */
  const losingMembershipOf = new Set<string>();

  beforeAll(async () => {
    stack = await startTestStack({
      bus: busKind,
      routerLimits: { membershipAuditMs: 400, inboxAuditMs: 400 },
      losePublish: (subject) => {
        if (losing && subject.includes('.conv.')) lost.push(subject.slice(subject.lastIndexOf('.conv.')));
        const membership = [...losingMembershipOf].some((id) => subject.endsWith(`.user.${id}.membership`));
        if (membership) lost.push(subject.slice(subject.lastIndexOf('.user.')));
        return (losing && subject.includes('.conv.')) || membership;
      },
    });
    [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('still delivers the message, and the edit, with no later event to wake the group', async () => {
    const url = stack.httpUrl;
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'GROUP', title: 'lossy', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const messages = new Recorder(client, MessageAdded, { conversationId });
    const events = new Recorder(client, ConversationEventsResumable, { conversationId });
    await stack.subscriptionsOpen(2);

    const first = (await ok(url, SendMessage, { input: { conversationId, body: 'heard' } }, alice.accessToken)).sendMessage;
    await messages.waitFor(1);
    await events.waitFor(1);

    // From now on every conversation event is acknowledged by the bus and never sent.
    losing = true;
    const second = (await ok(url, SendMessage, { input: { conversationId, body: 'lost wake-up' } }, alice.accessToken)).sendMessage;
    await ok(url, EditMessage, { id: first.id, body: 'heard, edited' }, alice.accessToken);
    const deadline = Date.now() + 5_000;
    while (lost.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(lost.some((s) => s.endsWith('.message.added')) && lost.some((s) => s.endsWith('.message.edited'))).toBe(true);

    expect((await messages.waitFor(2)).map((e) => [e.data!.messageAdded.seq, e.data!.messageAdded.body])).toEqual([
      [first.seq, 'heard'],
      [second.seq, 'lost wake-up'],
    ]);
    const seen = (await events.waitFor(3)).map((e) => [e.data!.conversationEvents.kind, e.data!.conversationEvents.message?.body]);
    // New messages come in seq order and logged events in position order; the two caught up
    // together may interleave either way (SUBSCRIPTIONS.md promises each order, not one across them).
    expect(seen.filter(([kind]) => kind === 'MESSAGE_ADDED')).toEqual([
      ['MESSAGE_ADDED', 'heard'],
      ['MESSAGE_ADDED', 'lost wake-up'],
    ]);
    expect(seen.filter(([kind]) => kind !== 'MESSAGE_ADDED')).toEqual([['MESSAGE_EDITED', 'heard, edited']]);
    // Caught up once, not once per audit: nothing more arrives.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(messages.events).toHaveLength(2);
    expect(events.events).toHaveLength(3);
    expect((await stack.router.metrics.catchUps.get()).values[0]!.value).toBeGreaterThanOrEqual(2);
    losing = false;
    messages.unsubscribe();
    events.unsubscribe();
    await client.dispose();
  }, 30_000);

  it('brings a conversation whose member.added was lost into a live inbox, from where the new member starts', async () => {
    const [ann, ben] = await Promise.all(['ann', 'ben'].map((n) => registerUser(stack.httpUrl, n)));
    const url = stack.httpUrl;
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'GROUP', title: 'joined unheard', memberIds: [] } }, ann.accessToken);
    const conversationId = createConversation.id;
    await ok(url, SendMessage, { input: { conversationId, body: 'before ben' } }, ann.accessToken);
    // A direct conversation, so that the inbox's opening can be seen (one stream) before the join.
    await ok(url, CreateConversation, { input: { kind: 'DIRECT', memberIds: [ben.id] } }, ann.accessToken);
    const client = wsClient(stack.wsUrl, ben.accessToken);
    const inbox = new Recorder(client, Inbox, {});
    await stack.subscriptionsOpen(1);

    losingMembershipOf.add(ben.id);
    await ok(url, AddMembersLive, { conversationId, userIds: [ben.id] }, ann.accessToken);
    // Sent before the audit can have found the join: still ben's, since he was a member.
    const after = (await ok(url, SendMessage, { input: { conversationId, body: 'after ben joined' } }, ann.accessToken)).sendMessage;
    expect(lost).toContain(`.user.${ben.id}.membership`);
    losingMembershipOf.delete(ben.id);

    const seen = (await inbox.waitFor(1)).map((e) => [e.data!.inbox.conversationId, e.data!.inbox.seq, e.data!.inbox.message.body]);
    expect(seen).toEqual([[conversationId, after.seq, 'after ben joined']]);
    // Then live, as any conversation of the inbox.
    const next = (await ok(url, SendMessage, { input: { conversationId, body: 'live' } }, ann.accessToken)).sendMessage;
    expect((await inbox.waitFor(2))[1]!.data!.inbox.seq).toBe(next.seq);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(inbox.events).toHaveLength(2);
    inbox.unsubscribe();
    await client.dispose();
  }, 30_000);
});
