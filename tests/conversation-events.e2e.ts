// conversationEvents: every change to a conversation, live, each resolved
// once per group through the query planner with the subscriber's selection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, request, wsClient } from './testkit/client.js';
import {
  AddMembersLive,
  ChangeRoleLive,
  ConversationEvents,
  ConversationEventsFilled,
  ConversationEventsMutes,
  ConversationEventsReads,
  ConversationEventsResumable,
  LeaveConversation,
  ReactLive,
  RemoveMember,
  RemoveReactionLive,
  RenameLive,
  SetTyping,
  TypingEvents,
} from './testkit/live-operations.js';
import { ArchiveConversation, UnarchiveConversation } from './testkit/chat-operations.js';
import { ConversationHistory, CreateConversation, DeleteMessage, EditMessage, MarkRead, MarkUnread, SendMessage } from './testkit/operations.js';
import { MuteConversation, UnmuteConversation } from './testkit/notifications-operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe('conversationEvents', () => {
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

  it('delivers messages, edits, reactions, membership and renames as they happen, then resumes messages with `after`', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'events', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, ConversationEvents, { conversationId });
    await stack.subscriptionsOpen(1);

    const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'first' } }, alice.accessToken);
    await live.waitFor(1);
    await ok(stack.httpUrl, EditMessage, { id: sendMessage.id, body: 'first, edited' }, alice.accessToken);
    await live.waitFor(2);
    await ok(stack.httpUrl, ReactLive, { messageId: sendMessage.id, emoji: '👍' }, alice.accessToken);
    await live.waitFor(3);
    await ok(stack.httpUrl, AddMembersLive, { conversationId, userIds: [carol.id] }, alice.accessToken);
    await live.waitFor(4);
    await ok(stack.httpUrl, RenameLive, { id: conversationId, title: 'renamed' }, alice.accessToken);
    const events = (await live.waitFor(5)).map((e) => e.data!.conversationEvents);

    expect(events.map((e) => e.kind)).toEqual(['MESSAGE_ADDED', 'MESSAGE_EDITED', 'REACTION_ADDED', 'MEMBER_ADDED', 'CONVERSATION_UPDATED']);
    for (const e of events) expect(e.at).toBe(conversationId);
    expect(events[0]).toMatchObject({ seq: 1, message: { id: sendMessage.id, body: 'first', author: { displayName: alice.displayName } }, user: null });
    expect(events[1]!.message).toMatchObject({ id: sendMessage.id, body: 'first, edited' });
    expect(events[1]!.message!.editedAt).not.toBeNull();
    expect(events[2]).toMatchObject({ seq: 1, emoji: '👍', user: { id: alice.id }, message: { id: sendMessage.id } });
    expect(events[3]).toMatchObject({ user: { id: carol.id, handle: carol.handle }, conversation: { title: 'events' } });
    expect(events[4]).toMatchObject({ conversation: { title: 'renamed' } });
    live.unsubscribe();

    // Resume: the messages missed while away come first, from the database.
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'second' } }, alice.accessToken);
    const resumed = new Recorder(client, ConversationEvents, { conversationId, after: 0 });
    const replay = (await resumed.waitFor(2)).map((e) => e.data!.conversationEvents);
    expect(replay.map((e) => [e.kind, e.seq, e.message?.body])).toEqual([
      ['MESSAGE_ADDED', 1, 'first, edited'],
      ['MESSAGE_ADDED', 2, 'second'],
    ]);
    resumed.unsubscribe();
    await client.dispose();
  });

  it('replays edits, reactions, membership and renames missed while away (afterEvent), in position order, then goes live with no gap and no duplicate', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'log', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const { sendMessage: first } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'one' } }, alice.accessToken);
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, ConversationEventsResumable, { conversationId });
    await stack.subscriptionsOpen(1);
    await ok(stack.httpUrl, EditMessage, { id: first.id, body: 'one, edited' }, alice.accessToken);
    const [seen] = (await live.waitFor(1)).map((e) => e.data!.conversationEvents);
    expect(seen).toMatchObject({ kind: 'MESSAGE_EDITED', position: 1, seq: 1 });
    live.unsubscribe();

    // Away: five changes, and a message.
    await ok(stack.httpUrl, ReactLive, { messageId: first.id, emoji: '🎉' }, alice.accessToken);
    await ok(stack.httpUrl, AddMembersLive, { conversationId, userIds: [carol.id] }, alice.accessToken);
    await ok(stack.httpUrl, RenameLive, { id: conversationId, title: 'renamed log' }, alice.accessToken);
    await ok(stack.httpUrl, EditMessage, { id: first.id, body: 'one, edited twice' }, alice.accessToken);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'two' } }, alice.accessToken);

    const resumed = new Recorder(client, ConversationEventsResumable, { conversationId, after: 1, afterEvent: seen!.position });
    const replay = (await resumed.waitFor(5)).map((e) => e.data!.conversationEvents);
    const changes = replay.filter((e) => e.kind !== 'MESSAGE_ADDED');
    expect(changes.map((e) => [e.kind, e.position])).toEqual([
      ['REACTION_ADDED', 2],
      ['MEMBER_ADDED', 3],
      ['CONVERSATION_UPDATED', 4],
      ['MESSAGE_EDITED', 5],
    ]);
    expect(changes[0]).toMatchObject({ emoji: '🎉', user: { id: alice.id } });
    expect(changes[1]).toMatchObject({ user: { id: carol.id } });
    expect(replay.filter((e) => e.kind === 'MESSAGE_ADDED').map((e) => [e.seq, e.message?.body])).toEqual([[2, 'two']]);

    // Then live, continuing the positions.
    await ok(stack.httpUrl, RenameLive, { id: conversationId, title: 'live again' }, alice.accessToken);
    const next = (await resumed.waitFor(6)).map((e) => e.data!.conversationEvents)[5]!;
    expect(next).toMatchObject({ kind: 'CONVERSATION_UPDATED', position: 6, conversation: { title: 'live again' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(resumed.events).toHaveLength(6);

    // A position the conversation has not reached is bad input; one the caller is not in stays NOT_FOUND.
    const ahead = new Recorder(client, ConversationEventsResumable, { conversationId, afterEvent: 99 });
    const errors = (await ahead.waitForError()) as Array<{ extensions?: { code?: string; field?: string } }>;
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'afterEvent' });
    resumed.unsubscribe();
    await client.dispose();
  });

  it('delivers MESSAGE_DELETED, REACTION_REMOVED, ROLE_CHANGED and MEMBER_REMOVED live with the fields SUBSCRIPTIONS.md fills, in seq and position order, and replays them the same', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'changes', memberIds: [bob.id, carol.id, dave.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, ConversationEventsFilled, { conversationId });
    await stack.subscriptionsOpen(1);
    // One change at a time: messages (by seq) and changes (by position) are two streams with no order between them.
    const step = async (count: number, change: () => Promise<unknown>) => {
      await change();
      return (await live.waitFor(count))[count - 1]!.data!.conversationEvents;
    };
    const send = (body: string) => ok(stack.httpUrl, SendMessage, { input: { conversationId, body } }, alice.accessToken).then((r) => r.sendMessage);

    let first!: { id: string }, second!: { id: string };
    await step(1, async () => (first = await send('first')));
    await step(2, () => ok(stack.httpUrl, ReactLive, { messageId: first.id, emoji: '🎉' }, alice.accessToken));
    const unreacted = await step(3, () => ok(stack.httpUrl, RemoveReactionLive, { messageId: first.id, emoji: '🎉' }, alice.accessToken));
    await step(4, async () => (second = await send('second')));
    const deleted = await step(5, () => ok(stack.httpUrl, DeleteMessage, { id: second.id }, alice.accessToken));
    const promoted = await step(6, () => ok(stack.httpUrl, ChangeRoleLive, { conversationId, userId: carol.id, role: 'ADMIN' }, alice.accessToken));
    const removed = await step(7, () => ok(stack.httpUrl, RemoveMember, { conversationId, userId: dave.id }, alice.accessToken));
    await step(8, () => send('third'));
    const left = await step(9, () => ok(stack.httpUrl, LeaveConversation, { id: conversationId }, carol.accessToken));
    const events = live.events.map((e) => e.data!.conversationEvents);

    expect(events.map((e) => [e.kind, e.seq, e.position])).toEqual([
      ['MESSAGE_ADDED', 1, null],
      ['REACTION_ADDED', 1, 1],
      ['REACTION_REMOVED', 1, 2],
      ['MESSAGE_ADDED', 2, null],
      ['MESSAGE_DELETED', 2, 3],
      // Membership changes carry the conversation's lastSeq at the change.
      ['ROLE_CHANGED', 2, 4],
      ['MEMBER_REMOVED', 2, 5],
      ['MESSAGE_ADDED', 3, null],
      ['MEMBER_REMOVED', 3, 6],
    ]);
    for (const e of events) expect(e.conversationId).toBe(conversationId);
    // Reactions: the message, who reacted and the emoji; no conversation.
    expect(unreacted).toMatchObject({ emoji: '🎉', user: { id: alice.id, handle: alice.handle }, message: { id: first.id, seq: 1, body: 'first' }, conversation: null });
    // A deleted message is a tombstone: same id and seq, deletedAt, empty body.
    expect(deleted).toMatchObject({ message: { id: second.id, seq: 2, body: '' }, user: null, emoji: null, conversation: null });
    expect(deleted.message!.deletedAt).not.toBeNull();
    // Membership: the member, and the conversation as it is after the change.
    expect(promoted).toMatchObject({ user: { id: carol.id, handle: carol.handle }, message: null, conversation: { title: 'changes' } });
    expect(promoted.conversation!.memberships.find((m) => m.user.id === carol.id)?.role).toBe('ADMIN');
    expect(removed).toMatchObject({ user: { id: dave.id, handle: dave.handle }, message: null, conversation: { title: 'changes' } });
    expect(removed.conversation!.members.map((m) => m.id)).not.toContain(dave.id);
    // Leaving is a removal too.
    expect(left).toMatchObject({ user: { id: carol.id }, message: null });
    expect(left.conversation!.members.map((m) => m.id).sort()).toEqual([alice.id, bob.id].sort());
    await new Promise((r) => setTimeout(r, 200));
    expect(live.events).toHaveLength(9);
    live.unsubscribe();

    // The event log replays the same changes, in the same positions, with the same fields.
    const again = new Recorder(client, ConversationEventsFilled, { conversationId, after: 3, afterEvent: 0 });
    const replay = (await again.waitFor(6)).map((e) => e.data!.conversationEvents);
    const shape = (e: (typeof events)[number]) => [e.kind, e.seq, e.position, e.emoji, e.user?.id ?? null, e.message?.id ?? null, e.message?.body ?? null];
    expect(replay.map(shape)).toEqual(events.filter((e) => e.kind !== 'MESSAGE_ADDED').map(shape));
    await new Promise((r) => setTimeout(r, 200));
    expect(again.events).toHaveLength(6);
    again.unsubscribe();
    await client.dispose();
  });
});

describe('typing indicators', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  let mallory: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ bus: 'redis' });
    [alice, bob, mallory] = await Promise.all(['alice', 'bob', 'mallory'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('reach the other members live, expire by themselves, are never stored, and only members may send them', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const bobClient = wsClient(stack.wsUrl, bob.accessToken);
    const aliceClient = wsClient(stack.wsUrl, alice.accessToken);
    const bobSees = new Recorder(bobClient, TypingEvents, { conversationId });
    const aliceSees = new Recorder(aliceClient, TypingEvents, { conversationId });
    await stack.subscriptionsOpen(2);

    const before = Date.now();
    expect((await ok(stack.httpUrl, SetTyping, { conversationId, typing: true }, alice.accessToken)).setTyping).toBe(true);
    const [typing] = (await bobSees.waitFor(1)).map((e) => e.data!.conversationEvents);
    expect(typing).toMatchObject({ kind: 'TYPING', typing: true, user: { id: alice.id } });
    const expiresAt = Date.parse(typing!.expiresAt as string);
    expect(expiresAt).toBeGreaterThan(before);
    expect(expiresAt - before).toBeLessThan(10_000);

    await ok(stack.httpUrl, SetTyping, { conversationId, typing: false }, alice.accessToken);
    expect((await bobSees.waitFor(2))[1]!.data!.conversationEvents).toMatchObject({ kind: 'TYPING', typing: false });
    // The typist does not hear themselves; nothing was stored (no message, seq unchanged).
    await new Promise((r) => setTimeout(r, 200));
    expect(aliceSees.events).toHaveLength(0);
    const history = await ok(stack.httpUrl, ConversationHistory, { id: conversationId }, bob.accessToken);
    expect(history.conversation!.lastSeq).toBe(0);

    const foreign = await request(stack.httpUrl, SetTyping, { conversationId, typing: true }, mallory.accessToken);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await new Promise((r) => setTimeout(r, 200));
    expect(bobSees.events).toHaveLength(2);
    await bobClient.dispose();
    await aliceClient.dispose();
  });
  it('are refused in an archived conversation as sends are (CONFLICT), reach nobody, and work again once unarchived', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'archived typing', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const bobClient = wsClient(stack.wsUrl, bob.accessToken);
    const bobSees = new Recorder(bobClient, TypingEvents, { conversationId });
    // The archiving and unarchiving reach bob too (CONVERSATION_UPDATED): only TYPING events count here.
    const typingSeen = () => bobSees.events.map((e) => e.data!.conversationEvents).filter((e) => e.kind === 'TYPING');
    await stack.subscriptionsOpen(1);
    // Heard while open: bob's subscription is live before the refusals below.
    await ok(stack.httpUrl, SetTyping, { conversationId, typing: true }, alice.accessToken);
    await expect.poll(() => typingSeen().length).toBe(1);
    await ok(stack.httpUrl, ArchiveConversation, { id: conversationId }, alice.accessToken);

    const send = await request(stack.httpUrl, SendMessage, { input: { conversationId, body: 'anyone?' } }, alice.accessToken);
    expect(send.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    for (const typing of [true, false]) {
      const refused = await request(stack.httpUrl, SetTyping, { conversationId, typing }, alice.accessToken);
      expect(refused.errors?.[0]?.extensions?.code, `typing: ${typing}`).toBe('CONFLICT');
      expect(refused.errors?.[0]?.message).toBe(send.errors?.[0]?.message);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(typingSeen()).toHaveLength(1);

    // (A "stopped" is never coalesced, so it shows whether typing passes again.)
    await ok(stack.httpUrl, UnarchiveConversation, { id: conversationId }, alice.accessToken);
    expect((await ok(stack.httpUrl, SetTyping, { conversationId, typing: false }, alice.accessToken)).setTyping).toBe(true);
    await expect.poll(() => typingSeen().length).toBe(2);
    expect(typingSeen()[1]).toMatchObject({ kind: 'TYPING', typing: false, user: { id: alice.id } });
    bobSees.unsubscribe();
    await bobClient.dispose();
  });

  it("tells every device of the member, and nobody else, that they muted or unmuted the conversation", async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'mutes', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const [bobPhone, bobLaptop, aliceClient] = [wsClient(stack.wsUrl, bob.accessToken), wsClient(stack.wsUrl, bob.accessToken), wsClient(stack.wsUrl, alice.accessToken)];
    const onPhone = new Recorder(bobPhone, ConversationEventsMutes, { conversationId });
    const onLaptop = new Recorder(bobLaptop, ConversationEventsMutes, { conversationId });
    const alices = new Recorder(aliceClient, ConversationEventsMutes, { conversationId });
    await stack.subscriptionsOpen(3);

    const until = new Date(Date.now() + 3_600_000).toISOString();
    await ok(stack.httpUrl, MuteConversation, { conversationId, until }, bob.accessToken);
    for (const recorder of [onPhone, onLaptop]) {
      expect((await recorder.waitFor(1))[0]!.data!.conversationEvents).toEqual({ kind: 'MUTE_UPDATED', seq: 0, conversation: { muted: true, mutedUntil: until } });
    }
    await ok(stack.httpUrl, UnmuteConversation, { conversationId }, bob.accessToken);
    for (const recorder of [onPhone, onLaptop]) {
      expect((await recorder.waitFor(2))[1]!.data!.conversationEvents).toEqual({ kind: 'MUTE_UPDATED', seq: 0, conversation: { muted: false, mutedUntil: null } });
    }
    // Alice hears only the message that follows: Bob's mute is his own.
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'after' } }, alice.accessToken);
    expect((await alices.waitFor(1)).map((e) => e.data!.conversationEvents.kind)).toEqual(['MESSAGE_ADDED']);
    await onPhone.waitFor(3);
    expect(onPhone.events.map((e) => e.data!.conversationEvents.kind)).toEqual(['MUTE_UPDATED', 'MUTE_UPDATED', 'MESSAGE_ADDED']);
    for (const recorder of [onPhone, onLaptop, alices]) recorder.unsubscribe();
    await Promise.all([bobPhone.dispose(), bobLaptop.dispose(), aliceClient.dispose()]);
  });

  it("tells the reader, and only the reader, that their read position moved, on every device", async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'reads', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const bobPhone = wsClient(stack.wsUrl, bob.accessToken);
    const bobLaptop = wsClient(stack.wsUrl, bob.accessToken);
    const aliceClient = wsClient(stack.wsUrl, alice.accessToken);
    const onPhone = new Recorder(bobPhone, ConversationEventsReads, { conversationId });
    const onLaptop = new Recorder(bobLaptop, ConversationEventsReads, { conversationId });
    const alices = new Recorder(aliceClient, ConversationEventsReads, { conversationId });
    await stack.subscriptionsOpen(3);

    for (const body of ['one', `two @${bob.handle}`, 'three']) await ok(stack.httpUrl, SendMessage, { input: { conversationId, body } }, alice.accessToken);
    await Promise.all([onPhone.waitFor(3), onLaptop.waitFor(3), alices.waitFor(3)]);
    // Bob reads up to seq 2 (from a third device, over HTTP): one unread left, no unread mention.
    expect((await ok(stack.httpUrl, MarkRead, { id: conversationId, seq: 2 }, bob.accessToken)).markRead.unreadCount).toBe(1);
    for (const recorder of [onPhone, onLaptop]) {
      const read = (await recorder.waitFor(4)).at(-1)!.data!.conversationEvents;
      expect(read).toEqual({ kind: 'READ_UPDATED', seq: 2, position: null, user: { id: bob.id }, conversation: { unreadCount: 1, mentionCount: 0 } });
    }
    // Alice's own read position did not move: she hears nothing (not even that Bob read).
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'four' } }, alice.accessToken);
    expect((await alices.waitFor(4)).map((e) => e.data!.conversationEvents.kind)).toEqual(['MESSAGE_ADDED', 'MESSAGE_ADDED', 'MESSAGE_ADDED', 'MESSAGE_ADDED']);
    await onPhone.waitFor(5);
    expect(onPhone.events.map((e) => e.data!.conversationEvents.kind)).toEqual(['MESSAGE_ADDED', 'MESSAGE_ADDED', 'MESSAGE_ADDED', 'READ_UPDATED', 'MESSAGE_ADDED']);

    // "Mark unread from here" at seq 2: the position goes back to 1; messages 2 (the mention), 3 and 4 are unread again, on every device.
    expect((await ok(stack.httpUrl, MarkUnread, { id: conversationId, seq: 2 }, bob.accessToken)).markUnread).toEqual({ id: conversationId, unreadCount: 3, mentionCount: 1, lastReadSeq: 1 });
    for (const recorder of [onPhone, onLaptop]) {
      expect((await recorder.waitFor(6)).at(-1)!.data!.conversationEvents).toEqual({ kind: 'READ_UPDATED', seq: 1, position: null, user: { id: bob.id }, conversation: { unreadCount: 3, mentionCount: 1 } });
    }
    // Never forward: from seq 3 the position (1) is already before it, nothing moves and nothing is announced.
    expect((await ok(stack.httpUrl, MarkUnread, { id: conversationId, seq: 3 }, bob.accessToken)).markUnread.lastReadSeq).toBe(1);
    for (const seq of [0, 99]) {
      const refused = await request(stack.httpUrl, MarkUnread, { id: conversationId, seq }, bob.accessToken);
      expect([refused.errors?.[0]?.extensions?.code, refused.errors?.[0]?.extensions?.field]).toEqual(['BAD_USER_INPUT', 'seq']);
    }
    expect((await request(stack.httpUrl, MarkUnread, { id: conversationId, seq: 1 }, mallory.accessToken)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'five' } }, alice.accessToken);
    await onPhone.waitFor(7);
    expect(onPhone.events.slice(5).map((e) => e.data!.conversationEvents.kind)).toEqual(['READ_UPDATED', 'MESSAGE_ADDED']);
    for (const recorder of [onPhone, onLaptop, alices]) recorder.unsubscribe();
    await Promise.all([bobPhone.dispose(), bobLaptop.dispose(), aliceClient.dispose()]);
  });
});
