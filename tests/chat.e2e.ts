// The chat product of issue 5, end to end through the router over the real
// PostgreSQL and NATS: channels and roles, threads, reactions, mentions, read
// state, search, rate limits.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsStreamName } from '@storm/bus';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, request, wsClient } from './testkit/client.js';
import {
  AddMembers,
  AddReaction,
  ChatHistory,
  RemoveReaction,
  SearchMessages,
  SendChatMessage,
  Thread,
  ArchiveConversation,
  ChangeRole,
  Channels,
  ConversationDetails,
  HistoryWithTombstones,
  JoinChannel,
  MarkReadState,
  ReadState,
  LeaveConversation,
  MembersAmong,
  RemoveMember,
  UnarchiveConversation,
  UpdateConversation,
} from './testkit/chat-operations.js';
import { ConversationHistory, Conversations, CreateConversation, DeleteMessage, EditMessage, MessageAdded, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';
import { recordWrittenEvents } from './testkit/written-events.js';

let stack: TestStack;
let db: pg.Client;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let events: Awaited<ReturnType<typeof recordWrittenEvents>>;

beforeAll(async () => {
  stack = await startTestStack({ bus: 'nats' });
  db = new pg.Client({ connectionString: stack.db.url });
  await db.connect();
  events = await recordWrittenEvents(stack, db);
  [alice, bob, carol] = await Promise.all([registerUser(stack.httpUrl, 'alice'), registerUser(stack.httpUrl, 'bob'), registerUser(stack.httpUrl, 'carol')]);
});
afterAll(async () => {
  await db?.end();
  await stack?.dispose();
  // Each stream reserves its max_bytes of JetStream storage: a leaked one
  // per run eventually leaves none for new streams.
  if (stack) {
    const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
    try {
      await (await jetstreamManager(nc)).streams.delete(natsStreamName(stack.busPrefix)).catch(() => {});
    } finally {
      await nc.close();
    }
  }
});

const code = (response: { errors?: Array<{ extensions?: { code?: string } }> }) => response.errors?.[0]?.extensions?.code;

/** Events written about a conversation: published (sent), then still in the outbox. */
const outbox = (conversationId: string) => events.list({ conversationId });

describe('channels, members and roles', () => {
  it('a channel is found by name, joined, and its live messages reach the new member', async () => {
    const tag = `e2e${Date.now().toString(36)}`;
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'CHANNEL', title: `${tag} General`, memberIds: [] } }, alice.accessToken);
    const id = createConversation.id;
    await ok(stack.httpUrl, UpdateConversation, { id, input: { topic: 'everything' } }, alice.accessToken);

    const found = await ok(stack.httpUrl, Channels, { search: `${tag} gen` }, bob.accessToken);
    expect(found.channels.channels).toEqual([{ id, title: `${tag} General`, topic: 'everything', memberCount: 1, joined: false }]);
    // Not a member yet: the conversation itself stays hidden.
    expect(code(await request(stack.httpUrl, ConversationHistory, { id }, bob.accessToken))).toBe('NOT_FOUND');

    const { joinChannel } = await ok(stack.httpUrl, JoinChannel, { id }, bob.accessToken);
    expect(joinChannel).toMatchObject({ id, myRole: 'MEMBER', memberCount: 2 });
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const live = new Recorder(client, MessageAdded, { conversationId: id });
    await stack.subscriptionsOpen(1);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: id, body: 'welcome' } }, alice.accessToken);
    const [event] = await live.waitFor(1);
    expect(event!.data?.messageAdded).toMatchObject({ body: 'welcome', author: { handle: alice.handle } });
    live.unsubscribe();
    await client.dispose();

    // The join was announced on the conversation and on bob's own subject, and published.
    await expect
      .poll(async () => (await outbox(id)).filter((e) => e.payload.event === 'member.added').map((e) => [e.subject, e.sent]))
      .toEqual([
        [`conv.${id}.member.added`, true],
        [`user.${bob.id}.membership`, true],
      ]);
  });

  it('roles: members cannot remove admins, admins cannot remove owners, only owners change roles, the last owner cannot leave', async () => {
    const { createConversation } = await ok(
      stack.httpUrl,
      CreateConversation,
      { input: { kind: 'GROUP', title: 'roles', memberIds: [bob.id] } },
      alice.accessToken,
    );
    const id = createConversation.id;
    expect(code(await request(stack.httpUrl, AddMembers, { conversationId: id, userIds: [carol.id] }, bob.accessToken))).toBe('FORBIDDEN');
    await ok(stack.httpUrl, ChangeRole, { conversationId: id, userId: bob.id, role: 'ADMIN' }, alice.accessToken);
    expect((await ok(stack.httpUrl, AddMembers, { conversationId: id, userIds: [carol.id] }, bob.accessToken)).addMembers.memberCount).toBe(3);

    expect(code(await request(stack.httpUrl, RemoveMember, { conversationId: id, userId: bob.id }, carol.accessToken))).toBe('FORBIDDEN');
    expect(code(await request(stack.httpUrl, RemoveMember, { conversationId: id, userId: alice.id }, bob.accessToken))).toBe('FORBIDDEN');
    expect(code(await request(stack.httpUrl, ChangeRole, { conversationId: id, userId: carol.id, role: 'ADMIN' }, bob.accessToken))).toBe('FORBIDDEN');
    expect(code(await request(stack.httpUrl, LeaveConversation, { id }, alice.accessToken))).toBe('CONFLICT');

    const details = await ok(stack.httpUrl, ConversationDetails, { id }, carol.accessToken);
    expect(details.conversation?.myRole).toBe('MEMBER');
    // By join time; alice and bob joined in the same statement.
    expect(details.conversation?.memberships.map((m) => [m.user.handle, m.role]).sort()).toEqual([
      [alice.handle, 'OWNER'],
      [bob.handle, 'ADMIN'],
      [carol.handle, 'MEMBER'],
    ]);

    // Removal takes effect at once: carol can neither read nor send.
    await ok(stack.httpUrl, RemoveMember, { conversationId: id, userId: carol.id }, bob.accessToken);
    expect(code(await request(stack.httpUrl, ConversationHistory, { id }, carol.accessToken))).toBe('NOT_FOUND');
    expect(code(await request(stack.httpUrl, SendMessage, { input: { conversationId: id, body: 'hello?' } }, carol.accessToken))).toBe('NOT_FOUND');

    // Hand over, then the former owner may leave.
    await ok(stack.httpUrl, ChangeRole, { conversationId: id, userId: bob.id, role: 'OWNER' }, alice.accessToken);
    expect((await ok(stack.httpUrl, LeaveConversation, { id }, alice.accessToken)).leaveConversation).toBe(id);
    await expect
      .poll(async () => (await outbox(id)).filter((e) => e.subject.startsWith('user.')).map((e) => [e.subject.split('.')[1], e.payload.event, e.sent]))
      .toEqual([
        [bob.id, 'member.role_changed', true],
        [carol.id, 'member.added', true],
        [carol.id, 'member.removed', true],
        [bob.id, 'member.role_changed', true],
        [alice.id, 'member.removed', true],
      ]);
  });

  it('an archived conversation refuses sends with CONFLICT until unarchived', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'old', memberIds: [bob.id] } }, alice.accessToken);
    const id = createConversation.id;
    const { archiveConversation } = await ok(stack.httpUrl, ArchiveConversation, { id }, alice.accessToken);
    expect(archiveConversation.archivedAt).toEqual(expect.any(String));
    expect(code(await request(stack.httpUrl, SendMessage, { input: { conversationId: id, body: 'anyone?' } }, bob.accessToken))).toBe('CONFLICT');
    expect(code(await request(stack.httpUrl, ArchiveConversation, { id }, bob.accessToken))).toBe('FORBIDDEN');
    await ok(stack.httpUrl, UnarchiveConversation, { id }, alice.accessToken);
    expect((await ok(stack.httpUrl, SendMessage, { input: { conversationId: id, body: 'back' } }, bob.accessToken)).sendMessage.seq).toBe(1);
  });

  it('a DIRECT conversation is one per pair: created again from either side (the caller listed too, the id in upper case) or concurrently, it is the same one', async () => {
    const [erin, frank, gina] = await Promise.all(['erin', 'frank', 'gina'].map((n) => registerUser(stack.httpUrl, n)));
    const direct = async (caller: TestUser, memberIds: string[]) =>
      (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds } }, caller.accessToken)).createConversation;
    const first = await direct(erin, [frank.id]);
    expect(first).toMatchObject({ kind: 'DIRECT', title: null, lastSeq: 0 });
    expect(first.members.map((m) => m.id).sort()).toEqual([erin.id, frank.id].sort());
    for (const [caller, memberIds] of [
      [erin, [frank.id]],
      [frank, [erin.id]],
      [frank, [erin.id.toUpperCase(), frank.id, erin.id]],
    ] as const) {
      expect((await direct(caller, [...memberIds])).id).toBe(first.id);
    }
    // It is the same conversation, not an empty twin: what one side sent is in what the other gets back.
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: first.id, body: 'hi frank' } }, erin.accessToken);
    expect(await direct(frank, [erin.id])).toMatchObject({ id: first.id, lastSeq: 1 });

    // Both of a new pair create it at once: one conversation for all four answers.
    const racing = await Promise.all([direct(erin, [gina.id]), direct(gina, [erin.id]), direct(erin, [gina.id]), direct(gina, [erin.id])]);
    expect(new Set(racing.map((c) => c.id)).size).toBe(1);
    const directs = async (user: TestUser) => (await ok(stack.httpUrl, Conversations, {}, user.accessToken)).conversations.filter((c) => c.kind === 'DIRECT').map((c) => c.id);
    expect(await directs(frank)).toEqual([first.id]);
    expect(await directs(gina)).toEqual([racing[0]!.id]);
    expect((await directs(erin)).sort()).toEqual([first.id, racing[0]!.id].sort());
  });

  it('membersAmong tells a member which of the given users are members (order kept, duplicates once); outsiders and bad lists learn nothing', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id] } }, alice.accessToken);
    const id = createConversation.id;
    const nobody = '00000000-0000-4000-8000-000000000000';
    const asked = [carol.id, bob.id.toUpperCase(), nobody, alice.id, bob.id];
    expect((await ok(stack.httpUrl, MembersAmong, { id, userIds: asked }, bob.accessToken)).conversation).toEqual({ id, membersAmong: [bob.id, alice.id] });
    // Not a member: the conversation itself is NOT_FOUND, as for every other field.
    expect(code(await request(stack.httpUrl, MembersAmong, { id, userIds: [bob.id] }, carol.accessToken))).toBe('NOT_FOUND');
    for (const userIds of [[], Array.from({ length: 1_001 }, () => nobody), ['not-a-uuid']]) {
      const response = await request(stack.httpUrl, MembersAmong, { id, userIds }, bob.accessToken);
      expect(code(response)).toBe('BAD_USER_INPUT');
      expect((response.errors?.[0]?.extensions as { field?: string }).field).toBe('userIds');
    }
  });
});

describe('messages: threads, reactions, mentions', () => {
  it('a thread with replies, grouped reactions and @mentions resolved by the users subgraph, all through the router', async () => {
    const { createConversation } = await ok(
      stack.httpUrl,
      CreateConversation,
      { input: { kind: 'GROUP', title: 'threads', memberIds: [bob.id, carol.id] } },
      alice.accessToken,
    );
    const id = createConversation.id;
    const root = (await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `@${bob.handle} can you look?` } }, alice.accessToken)).sendMessage;
    expect(root.mentions).toEqual([{ id: bob.id, handle: bob.handle }]);
    expect(root.mentionsMe).toBe(false);
    const reply = (
      await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `on it @${alice.handle.toUpperCase()} @no_such_user_zz`, replyToId: root.id } }, bob.accessToken)
    ).sendMessage;
    expect(reply.replyTo).toEqual({ id: root.id, body: root.body });
    expect(reply.mentions).toEqual([{ id: alice.id, handle: alice.handle }]);
    await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: 'me too', replyToId: reply.id } }, carol.accessToken);

    await ok(stack.httpUrl, AddReaction, { messageId: root.id, emoji: '👍' }, bob.accessToken);
    await ok(stack.httpUrl, AddReaction, { messageId: root.id, emoji: '👍' }, carol.accessToken);
    await ok(stack.httpUrl, AddReaction, { messageId: root.id, emoji: '👍🏽' }, carol.accessToken);
    await ok(stack.httpUrl, AddReaction, { messageId: root.id, emoji: '🎉' }, alice.accessToken);
    await ok(stack.httpUrl, RemoveReaction, { messageId: root.id, emoji: '👍🏽' }, carol.accessToken);
    const bad = await request(stack.httpUrl, AddReaction, { messageId: root.id, emoji: 'lol' }, bob.accessToken);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'emoji' });

    const history = await ok(stack.httpUrl, ChatHistory, { id, limit: 10 }, bob.accessToken);
    const [first] = history.conversation!.messages;
    expect(first).toMatchObject({
      id: root.id,
      replyCount: 2,
      mentionsMe: true,
      author: { handle: alice.handle },
      mentions: [{ handle: bob.handle, displayName: bob.displayName }],
      reactions: [
        { emoji: '👍', count: 2, reactedByMe: true },
        { emoji: '🎉', count: 1, reactedByMe: false },
      ],
    });
    const thread = await ok(stack.httpUrl, Thread, { id, rootId: root.id }, carol.accessToken);
    expect(thread.conversation!.thread.map((m) => [m.body, m.author.handle, m.replyTo?.id])).toEqual([
      [reply.body, bob.handle, root.id],
      ['me too', carol.handle, root.id],
    ]);

    // Someone else's message cannot be edited; an admin's moderation delete works.
    expect(code(await request(stack.httpUrl, EditMessage, { id: reply.id, body: 'hijacked' }, alice.accessToken))).toBe('FORBIDDEN');
    expect((await ok(stack.httpUrl, DeleteMessage, { id: reply.id }, alice.accessToken)).deleteMessage.deletedAt).toEqual(expect.any(String));
  });
});

describe('reactions, spelled either way', () => {
  it('counts an emoji typed with or without its variation selector as one group, and removes it by either spelling', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'hearts', memberIds: [bob.id] } }, alice.accessToken);
    const { sendMessage } = await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: createConversation.id, body: 'love it' } }, alice.accessToken);
    await ok(stack.httpUrl, AddReaction, { messageId: sendMessage.id, emoji: '\u2764' }, alice.accessToken); // ❤ as many keyboards send it
    const both = (await ok(stack.httpUrl, AddReaction, { messageId: sendMessage.id, emoji: '\u2764\uFE0F' }, bob.accessToken)).addReaction; // ❤️
    expect(both.reactions).toEqual([{ emoji: '\u2764\uFE0F', count: 2, reactedByMe: true }]);
    const left = (await ok(stack.httpUrl, RemoveReaction, { messageId: sendMessage.id, emoji: '\u2764\uFE0F' }, alice.accessToken)).removeReaction;
    expect(left.reactions).toEqual([{ emoji: '\u2764\uFE0F', count: 1, reactedByMe: false }]);
  });
});

describe('deleting messages', () => {
  it('leaves a tombstone in its place (same seq, empty body, deletedAt, no mentions or reactions): by the author, a plain member, or by an admin who is not the owner; another plain member is FORBIDDEN and changes nothing', async () => {
    const dave = await registerUser(stack.httpUrl, 'dave');
    const { createConversation } = await ok(
      stack.httpUrl,
      CreateConversation,
      { input: { kind: 'GROUP', title: 'tombstones', memberIds: [bob.id, carol.id, dave.id] } },
      alice.accessToken,
    );
    const id = createConversation.id;
    await ok(stack.httpUrl, ChangeRole, { conversationId: id, userId: carol.id, role: 'ADMIN' }, alice.accessToken);
    const send = async (author: TestUser, body: string) => (await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body } }, author.accessToken)).sendMessage;
    await send(alice, 'first');
    const byBob = await send(bob, `@${dave.handle} words of bob`);
    const byDave = await send(dave, `@${bob.handle} words of dave`);
    await send(alice, 'last');
    await ok(stack.httpUrl, AddReaction, { messageId: byBob.id, emoji: '👍' }, dave.accessToken);
    await ok(stack.httpUrl, AddReaction, { messageId: byDave.id, emoji: '🎉' }, bob.accessToken);
    const history = async (viewer: TestUser) => (await ok(stack.httpUrl, HistoryWithTombstones, { id, limit: 10 }, viewer.accessToken)).conversation!;

    const before = await history(dave);
    expect(before.messages.map((m) => [m.seq, m.body, m.deletedAt])).toEqual([
      [1, 'first', null],
      [2, `@${dave.handle} words of bob`, null],
      [3, `@${bob.handle} words of dave`, null],
      [4, 'last', null],
    ]);
    expect(before.messages[1]).toMatchObject({ mentions: [{ id: dave.id }], mentionsMe: true, reactions: [{ emoji: '👍', count: 1, reactedByMe: true }] });
    const bobBefore = await history(bob);

    // Dave is a plain member: bob's message is not his to delete (nor the owner's).
    for (const target of [byBob.id, before.messages[0]!.id]) {
      expect(code(await request(stack.httpUrl, DeleteMessage, { id: target }, dave.accessToken))).toBe('FORBIDDEN');
    }
    expect(await history(dave)).toEqual(before);
    expect(await history(bob)).toEqual(bobBefore);
    expect((await outbox(id)).filter((e) => e.subject.endsWith('.message.deleted'))).toEqual([]);

    // Bob, a plain member, deletes his own; carol, an admin, deletes dave's.
    const byAuthor = (await ok(stack.httpUrl, DeleteMessage, { id: byBob.id }, bob.accessToken)).deleteMessage;
    expect(byAuthor).toEqual({ id: byBob.id, seq: 2, deletedAt: expect.any(String) });
    const byAdmin = (await ok(stack.httpUrl, DeleteMessage, { id: byDave.id }, carol.accessToken)).deleteMessage;
    expect(byAdmin).toEqual({ id: byDave.id, seq: 3, deletedAt: expect.any(String) });

    for (const [viewer, was] of [
      [dave, before],
      [bob, bobBefore],
    ] as const) {
      const after = await history(viewer);
      // Same place in history, nothing renumbered, nothing dropped.
      expect(after.lastSeq).toBe(4);
      expect(after.messages.map((m) => [m.id, m.seq])).toEqual(was.messages.map((m) => [m.id, m.seq]));
      expect([after.messages[0], after.messages[3]]).toEqual([was.messages[0], was.messages[3]]);
      expect(after.messages[1]).toEqual({ id: byBob.id, seq: 2, body: '', deletedAt: byAuthor.deletedAt, author: { id: bob.id }, mentions: [], mentionsMe: false, reactions: [] });
      expect(after.messages[2]).toEqual({ id: byDave.id, seq: 3, body: '', deletedAt: byAdmin.deletedAt, author: { id: dave.id }, mentions: [], mentionsMe: false, reactions: [] });
    }
    await expect
      .poll(async () => (await outbox(id)).filter((e) => e.subject.endsWith('.message.deleted')).map((e) => [e.payload.id, e.sent]))
      .toEqual([
        [byBob.id, true],
        [byDave.id, true],
      ]);
  });
});

describe('read state', () => {
  it('unreadCount, mentionCount and the totals follow sends, deletes and markRead; a bad seq writes nothing', async () => {
    const dave = await registerUser(stack.httpUrl, 'dave');
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'reads', memberIds: [dave.id] } }, alice.accessToken);
    const id = createConversation.id;
    const { createConversation: direct } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [dave.id] } }, bob.accessToken);
    await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `@${dave.handle} first` } }, alice.accessToken);
    const second = (await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `@${dave.handle} second` } }, alice.accessToken)).sendMessage;
    await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: 'third' } }, alice.accessToken);
    await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: direct.id, body: 'psst' } }, bob.accessToken);
    await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `talking to myself @${dave.handle}` } }, dave.accessToken);

    const before = await ok(stack.httpUrl, ReadState, {}, dave.accessToken);
    expect(before.unreadTotal).toBe(4);
    expect(before.mentionTotal).toBe(2);
    expect(before.conversations.find((c) => c.id === id)).toMatchObject({ unreadCount: 3, mentionCount: 2 });

    await ok(stack.httpUrl, DeleteMessage, { id: second.id }, alice.accessToken);
    const marked = await ok(stack.httpUrl, MarkReadState, { id, seq: 1 }, dave.accessToken);
    expect(marked.markRead).toEqual({ id, unreadCount: 1, mentionCount: 0 });
    const bad = await request(stack.httpUrl, MarkReadState, { id, seq: 99 }, dave.accessToken);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'seq' });
    const after = await ok(stack.httpUrl, ReadState, {}, dave.accessToken);
    expect([after.unreadTotal, after.mentionTotal]).toEqual([2, 0]);
    await expect
      .poll(async () => {
        const rows = await events.list({ subjectEndsWith: `user.${dave.id}.read.updated` });
        return rows.map((r) => [r.payload.lastReadSeq, r.sent]);
      })
      .toEqual([[1, true]]);

    // Two mutations in one document: the second answers from what the first wrote, not from what it had read.
    const both = await ok(
      stack.httpUrl,
      'mutation ReadThenUnread($id: ID!) { r: markRead(conversationId: $id, seq: 4) { unreadCount lastReadSeq } u: markUnread(conversationId: $id, seq: 3) { unreadCount lastReadSeq } }',
      { id },
      dave.accessToken,
    );
    // After seq 2: message 3 (alice's) counts, 4 (dave's own) does not.
    expect(both).toEqual({ r: { unreadCount: 0, lastReadSeq: 4 }, u: { unreadCount: 1, lastReadSeq: 2 } });
  });

  it('unreadCount is right after concurrent sends, deletes and markReads (the read position only moves forward)', async () => {
    const gina = await registerUser(stack.httpUrl, 'gina');
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'busy', memberIds: [gina.id] } }, alice.accessToken);
    const id = createConversation.id;
    const first: Array<{ id: string; seq: number }> = [];
    for (let i = 0; i < 10; i++) first.push((await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `m${i}` } }, alice.accessToken)).sendMessage);
    // All at once: 20 more sends, 3 deletes (one already read, two not), marks at 3, 10 and 7, and 5 sends by gina herself.
    const [later] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, (_, i) => ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `n${i}` } }, alice.accessToken))),
      Promise.all([first[1]!, first[8]!, first[9]!].map((m) => ok(stack.httpUrl, DeleteMessage, { id: m.id }, alice.accessToken))),
      Promise.all([3, 10, 7].map((seq) => ok(stack.httpUrl, MarkReadState, { id, seq }, gina.accessToken))),
      Promise.all(Array.from({ length: 5 }, (_, i) => ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `mine ${i}` } }, gina.accessToken))),
    ]);
    // Read up to 10 (7 came after 10 and did not move it back); unread: the 20 later messages by alice; seq 9 and 10 were deleted but were read anyway.
    expect(later.map((r) => r.sendMessage.seq).every((seq) => seq > 10)).toBe(true);
    const state = await ok(stack.httpUrl, ReadState, {}, gina.accessToken);
    expect(state.conversations.find((c) => c.id === id)).toMatchObject({ unreadCount: 20, mentionCount: 0 });
    // Deleting one of the unread ones takes it off the count.
    await ok(stack.httpUrl, DeleteMessage, { id: later[0]!.sendMessage.id }, alice.accessToken);
    expect((await ok(stack.httpUrl, ReadState, {}, gina.accessToken)).conversations.find((c) => c.id === id)).toMatchObject({ unreadCount: 19 });
  });

  it('a member who joins a channel or is added to a group finds its history read: unread is what comes after', async () => {
    const erin = await registerUser(stack.httpUrl, 'erin');
    const frank = await registerUser(stack.httpUrl, 'frank');
    const { createConversation: channel } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'CHANNEL', title: `history ${Date.now()}`, memberIds: [] } }, alice.accessToken);
    const { createConversation: group } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'history', memberIds: [] } }, alice.accessToken);
    for (const id of [channel.id, group.id]) {
      await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: 'before you came' } }, alice.accessToken);
      await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `@${erin.handle} @${frank.handle} also before` } }, alice.accessToken);
    }
    await ok(stack.httpUrl, JoinChannel, { id: channel.id }, erin.accessToken);
    await ok(stack.httpUrl, AddMembers, { conversationId: group.id, userIds: [frank.id] }, alice.accessToken);
    const counts = async (user: TestUser, id: string) => (await ok(stack.httpUrl, ReadState, {}, user.accessToken)).conversations.find((c) => c.id === id);
    expect(await counts(erin, channel.id)).toMatchObject({ unreadCount: 0, mentionCount: 0 });
    expect(await counts(frank, group.id)).toMatchObject({ unreadCount: 0, mentionCount: 0 });
    for (const id of [channel.id, group.id]) await ok(stack.httpUrl, SendChatMessage, { input: { conversationId: id, body: `@${erin.handle} @${frank.handle} now` } }, alice.accessToken);
    expect(await counts(erin, channel.id)).toMatchObject({ unreadCount: 1, mentionCount: 1 });
    expect(await counts(frank, group.id)).toMatchObject({ unreadCount: 1, mentionCount: 1 });
  });
});

describe('search', () => {
  it('searches what the caller can read, ranked and paged, with highlights and federated authors; hostile queries are harmless', async () => {
    const word = `kw${Date.now().toString(36)}`;
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'search', memberIds: [bob.id] } }, alice.accessToken);
    const id = createConversation.id;
    const { createConversation: secret } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'secret', memberIds: [] } }, carol.accessToken);
    for (let i = 0; i < 4; i++) await ok(stack.httpUrl, SendMessage, { input: { conversationId: id, body: `${word} note ${i}` } }, alice.accessToken);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: id, body: `${word} ${word} important` } }, alice.accessToken);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: secret.id, body: `${word} for carol only` } }, carol.accessToken);

    const first = await ok(stack.httpUrl, SearchMessages, { query: word, limit: 3 }, bob.accessToken);
    expect(first.searchMessages.hits[0]).toMatchObject({
      highlight: `<mark>${word}</mark> <mark>${word}</mark> important`,
      message: { body: `${word} ${word} important`, author: { handle: alice.handle, displayName: alice.displayName } },
    });
    const second = await ok(stack.httpUrl, SearchMessages, { query: word, limit: 3, after: first.searchMessages.nextCursor }, bob.accessToken);
    expect(second.searchMessages.nextCursor).toBeNull();
    const all = [...first.searchMessages.hits, ...second.searchMessages.hits];
    expect(all).toHaveLength(5);
    expect(all.every((h) => h.message.conversationId === id)).toBe(true);

    for (const query of [`${word}:* & !x`, "'; DELETE FROM conversations.messages; --", '"unclosed']) {
      const response = await request(stack.httpUrl, SearchMessages, { query }, bob.accessToken);
      expect(response.errors).toBeUndefined();
    }
    expect(code(await request(stack.httpUrl, SearchMessages, { query: word, conversationId: secret.id }, bob.accessToken))).toBe('NOT_FOUND');
  });
});

describe('rate limits', () => {
  it('let one user send a burst of 100 messages (the API.md promise), and cut a flood of conversation creations with RATE_LIMITED and retryAfter', async () => {
    const eve = await registerUser(stack.httpUrl, 'eve');
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'flood', memberIds: [] } }, eve.accessToken);
    const id = createConversation.id;
    const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => request(stack.httpUrl, SendMessage, { input: { conversationId: id, body: `burst ${i}` } }, eve.accessToken)));
    expect(burst.filter((r) => r.errors)).toEqual([]);

    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM conversations.messages WHERE conversation_id = $1`, [id]);
    expect(rows[0]!.n).toBe(100);

    // Creation has a smaller bucket (30): a flood of 40 is cut, with the retry hint through the router.
    const creates = await Promise.all(
      Array.from({ length: 40 }, () => request(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'many', memberIds: [] } }, eve.accessToken)),
    );
    const limited = creates.filter((r) => code(r) === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThanOrEqual(10 - 1);
    for (const r of limited) expect(r.errors![0]!.extensions!.retryAfter).toBeGreaterThanOrEqual(1);
    expect(creates.filter((r) => !r.errors).length).toBeLessThanOrEqual(31);
  });
});
