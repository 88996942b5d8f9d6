// Pinned messages through the router over the real PostgreSQL and NATS: any
// member pins and unpins, the conversation lists its pins newest first with
// who pinned them, members following conversationEvents hear each change live
// and on resume from the event log, deleted messages drop out, and bad input
// writes nothing.
import { DEFAULT_RATE_LIMITS } from '@storm/conversations/rate-limit';
import { MAX_PINS } from '@storm/conversations/modules/pins/pins.service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './generated/index.js';
import { ok, Recorder, request, wsClient } from './testkit/client.js';
import { ConversationEventsResumable } from './testkit/live-operations.js';
import { CreateConversation, DeleteMessage, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const PinMessage = graphql(`
  mutation PinMessage($messageId: ID!) { pinMessage(messageId: $messageId) { id pinned } }
`);
const UnpinMessage = graphql(`
  mutation UnpinMessage($messageId: ID!) { unpinMessage(messageId: $messageId) { id pinned } }
`);
const Pins = graphql(`
  query Pins($id: ID!) {
    conversation(id: $id) { pins { pinnedAt pinnedBy { id handle } message { id body pinned author { displayName } } } messages { id pinned } }
  }
`);

let stack: TestStack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  // The cap test pins MAX_PINS + 1 messages as one user: more than the default burst of reactions, whose bucket pins share.
  stack = await startTestStack({ bus: 'nats', rateLimits: { ...DEFAULT_RATE_LIMITS, react: { burst: 1_000, perSecond: 100 } } });
  [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
});
afterAll(async () => {
  await stack?.dispose();
});

async function conversationWith(members: TestUser[], owner: TestUser, messages: number): Promise<{ id: string; messageIds: string[] }> {
  const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: members.map((m) => m.id) } }, owner.accessToken);
  const messageIds: string[] = [];
  for (let i = 0; i < messages; i++) messageIds.push((await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: `message ${i}` } }, owner.accessToken)).sendMessage.id);
  return { id: createConversation.id, messageIds };
}

describe('pinned messages', () => {
  it('any member pins and unpins; the pins list newest first; members hear it live and on resume', async () => {
    const { id, messageIds } = await conversationWith([bob], alice, 3);
    const [first, second, third] = messageIds as [string, string, string];
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const other = wsClient(stack.wsUrl, alice.accessToken);
    const live = new Recorder(client, ConversationEventsResumable, { conversationId: id, after: 3 });
    await stack.subscriptionsOpen(1);

    expect((await ok(stack.httpUrl, PinMessage, { messageId: first }, alice.accessToken)).pinMessage).toEqual({ id: first, pinned: true });
    expect((await ok(stack.httpUrl, PinMessage, { messageId: second }, bob.accessToken)).pinMessage.pinned).toBe(true);
    // Pinning again changes nothing and announces nothing.
    await ok(stack.httpUrl, PinMessage, { messageId: first }, bob.accessToken);
    const pins = (await ok(stack.httpUrl, Pins, { id }, bob.accessToken)).conversation!;
    expect(pins.pins.map((p) => [p.message.id, p.pinnedBy.id, p.message.pinned])).toEqual([
      [second, bob.id, true],
      [first, alice.id, true],
    ]);
    expect(pins.pins[1]!.message.author.displayName).toBe(alice.displayName);
    expect(pins.messages.map((m) => m.pinned)).toEqual([true, true, false]);

    // Any member unpins, whoever pinned.
    expect((await ok(stack.httpUrl, UnpinMessage, { messageId: first }, bob.accessToken)).unpinMessage).toEqual({ id: first, pinned: false });
    await ok(stack.httpUrl, UnpinMessage, { messageId: third }, bob.accessToken); // not pinned: nothing happens
    // A deleted message leaves the pins and cannot be pinned.
    await ok(stack.httpUrl, DeleteMessage, { id: second }, alice.accessToken);
    expect((await ok(stack.httpUrl, Pins, { id }, alice.accessToken)).conversation!.pins).toEqual([]);
    const deleted = await request(stack.httpUrl, PinMessage, { messageId: second }, alice.accessToken);
    expect(deleted.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const expected = [
      ['MESSAGE_PINNED', first, alice.id],
      ['MESSAGE_PINNED', second, bob.id],
      ['MESSAGE_UNPINNED', first, bob.id],
      ['MESSAGE_DELETED', second, null],
    ];
    await live.waitFor(expected.length);
    await new Promise((r) => setTimeout(r, 200)); // an announcement of the repeated pin would arrive now
    const seen = live.events.map((e) => e.data!.conversationEvents);
    expect(seen.map((e) => [e.kind, e.message?.id, e.user?.id ?? null])).toEqual(expected);
    expect(seen.map((e) => e.position)).toEqual([1, 2, 3, 4]);
    // The event log replays the same changes to a client that resumes from before them.
    const later = new Recorder(other, ConversationEventsResumable, { conversationId: id, after: 3, afterEvent: 0 });
    await later.waitFor(expected.length);
    expect(later.events.map((v) => [v.data!.conversationEvents.kind, v.data!.conversationEvents.message?.id, v.data!.conversationEvents.position])).toEqual(expected.map(([kind, message], i) => [kind, message, i + 1]));
    later.unsubscribe();
    live.unsubscribe();
    await Promise.all([client.dispose(), other.dispose()]);
  });

  it(`holds at most ${MAX_PINS} pins per conversation; non-members and bad ids get typed errors and change nothing`, async () => {
    const carol = await registerUser(stack.httpUrl, 'carol');
    const { id, messageIds } = await conversationWith([], carol, MAX_PINS + 1);
    for (const messageId of messageIds.slice(0, MAX_PINS)) await ok(stack.httpUrl, PinMessage, { messageId }, carol.accessToken);
    const over = await request(stack.httpUrl, PinMessage, { messageId: messageIds[MAX_PINS]! }, carol.accessToken);
    expect(over.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    // Re-pinning a pinned one at the cap is still fine (nothing changes).
    await ok(stack.httpUrl, PinMessage, { messageId: messageIds[0]! }, carol.accessToken);
    expect((await ok(stack.httpUrl, Pins, { id }, carol.accessToken)).conversation!.pins).toHaveLength(MAX_PINS);

    const outsider = await request(stack.httpUrl, PinMessage, { messageId: messageIds[0]! }, bob.accessToken);
    expect(outsider.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const unpinOutsider = await request(stack.httpUrl, UnpinMessage, { messageId: messageIds[0]! }, bob.accessToken);
    expect(unpinOutsider.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const malformed = await request(stack.httpUrl, PinMessage, { messageId: 'not-a-uuid' }, carol.accessToken);
    expect([malformed.errors?.[0]?.extensions?.code, malformed.errors?.[0]?.extensions?.field]).toEqual(['BAD_USER_INPUT', 'messageId']);
    expect((await ok(stack.httpUrl, Pins, { id }, carol.accessToken)).conversation!.pins).toHaveLength(MAX_PINS);
  });
});
