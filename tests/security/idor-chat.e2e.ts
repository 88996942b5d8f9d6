// Authorization on the chat paths that landed after the core IDOR suite
// (issue 3, item 4): channels, members and roles, threads, reactions,
// mentions, read state, search, profiles and presence, the new entity fields
// over `_entities`, and conversationEvents. Every refusal is checked twice:
// the typed code, and — re-read as a member or straight from PostgreSQL —
// that nothing was written and nothing leaked.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, isObjectType } from 'graphql';
import { IDENTITY_HEADER, signIdentity } from '@storm/common';
import { ok, request, type GraphQLResponse } from '../testkit/client.js';
import {
  AddMembersOp,
  ArchiveOp,
  ChangeRoleOp,
  ConversationThread,
  Create,
  Directory,
  ENTITIES_CHAT_FIELDS,
  ENTITIES_USER_PRESENCE,
  EVENTS_SUBSCRIPTION,
  FullConversation,
  Join,
  MarkRead,
  MESSAGES_SUBSCRIPTION,
  MessageById,
  MyAvatar,
  Profile,
  React,
  RemoveMemberOp,
  Search,
  Send,
  Totals,
  UnarchiveOp,
  Unreact,
  UpdateConversationOp,
  UpdateProfileOp,
} from '../testkit/idor-chat-operations.js';
import { registerUser, type TestUser } from '../testkit/users.js';
import { outboxPosition } from '../testkit/written-events.js';
import { RawSocket } from './raw-ws.js';
import { startSecurityStack, type SecurityStack } from './stack.js';

const REFUSED = ['NOT_FOUND', 'FORBIDDEN'];
// The inbox subscription is being added while this suite is written: its test
// runs once the supergraph the stack loads declares it.
const supergraphSdl = await readFile(fileURLToPath(new URL('../../router/supergraph.graphql', import.meta.url)), 'utf8');
const hasInbox = /\binbox\(cursor: String\)/.test(supergraphSdl);

/** An inbox cursor as an attacker writes one: version 1, then per conversation its UUID bytes and seq (LEB128). */
function forgeInboxCursor(positions: Array<[string, number]>): string {
  const bytes: number[] = [1];
  for (const [id, seq] of positions) {
    bytes.push(...Buffer.from(id.replace(/-/g, ''), 'hex'));
    let v = seq;
    do {
      bytes.push((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
      v = Math.floor(v / 128);
    } while (v > 0);
  }
  return Buffer.from(bytes).toString('base64url');
}
const mark = () => `x${randomBytes(6).toString('hex')}`;

describe('no chat data reaches a non-member, and no member goes beyond their role', () => {
  let stack: SecurityStack;
  let db: pg.Client;
  let alice: TestUser; // OWNER of everything below
  let bob: TestUser; // MEMBER of the group and the channel
  let carol: TestUser; // ADMIN of the group
  let eve: TestUser; // in none of them; owns her own group
  let frank: TestUser; // mentioned in the channel before joining it

  // One searchable word in every body; a unique marker per private string.
  const word = `w${randomBytes(5).toString('hex')}`;
  const groupTitle = `team ${mark()}`;
  const rootMarker = mark();
  const replyMarker = mark();
  const channelMarker = mark();
  const directMarker = mark();
  const eveMarker = mark();
  const channelTitle = `lobby ${mark()}`;
  const archivedTitle = `lobby ${mark()}`;

  let group: string;
  let channel: string;
  let archived: string;
  let direct: string;
  let own: string; // eve's group
  let root: string; // alice's message in the group, mentions bob (and names eve)
  let reply: string; // bob's reply to it
  let channelMessage: string; // alice's, names frank (not a member then)
  let ownMessage: string; // eve's, in her own group
  let directMessage: string; // bob's, to alice

  /** Everything private to the group, the channel's messages, the direct and the archived channel. */
  const privateToEve = () => [groupTitle, rootMarker, replyMarker, channelMarker, directMarker, group, archived, direct, root, reply, channelMessage, directMessage];

  const expectRefused = (res: GraphQLResponse<unknown>, what: string, leaks: string[] = privateToEve(), codes = REFUSED) => {
    expect(res.errors?.length, `${what}: ${JSON.stringify(res)}`).toBeGreaterThan(0);
    expect(codes, `${what}: ${JSON.stringify(res.errors)}`).toContain(res.errors![0]!.extensions?.code);
    const text = JSON.stringify(res);
    for (const leak of leaks) expect(text, `${what} leaked ${leak}`).not.toContain(leak);
  };

  /** The rows a refused request must leave as they were (the outbox: no event either). */
  const snapshot = async () => {
    const rows = async (sql: string) => (await db.query(sql)).rows;
    return {
      conversations: await rows('SELECT id, kind, title, topic, archived_at, last_seq FROM conversations.conversations ORDER BY id'),
      memberships: await rows('SELECT conversation_id, user_id, role, last_read_seq FROM conversations.memberships ORDER BY conversation_id, user_id'),
      messages: await rows('SELECT id, conversation_id, seq, body, edited_at, deleted_at, reply_to_id FROM conversations.messages ORDER BY id'),
      reactions: await rows('SELECT message_id, emoji, user_id FROM conversations.reactions ORDER BY 1, 2, 3'),
      mentions: await rows('SELECT message_id, user_id FROM conversations.mentions ORDER BY 1, 2'),
      outbox: await outboxPosition(db),
    };
  };

  beforeAll(async () => {
    stack = await startSecurityStack();
    db = new pg.Client({ connectionString: stack.db.url });
    await db.connect();
    [alice, bob, carol, eve, frank] = await Promise.all(['alice', 'bob', 'carol', 'eve', 'frank'].map((name) => registerUser(stack.httpUrl, name)));
    const url = stack.httpUrl;
    group = (await ok(url, Create, { input: { kind: 'GROUP', title: groupTitle, memberIds: [bob.id, carol.id] } }, alice.accessToken)).createConversation.id;
    await ok(url, ChangeRoleOp, { id: group, userId: carol.id, role: 'ADMIN' }, alice.accessToken);
    channel = (await ok(url, Create, { input: { kind: 'CHANNEL', title: channelTitle, memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    await ok(url, UpdateConversationOp, { id: channel, input: { topic: 'the public topic' } }, alice.accessToken);
    archived = (await ok(url, Create, { input: { kind: 'CHANNEL', title: archivedTitle, memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    await ok(url, ArchiveOp, { id: archived }, alice.accessToken);
    direct = (await ok(url, Create, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    own = (await ok(url, Create, { input: { kind: 'GROUP', title: 'eve alone', memberIds: [] } }, eve.accessToken)).createConversation.id;

    const sent = await ok(url, Send, { input: { conversationId: group, body: `${word} ${rootMarker} @${bob.handle} @${eve.handle}` } }, alice.accessToken);
    root = sent.sendMessage.id;
    // Eve is named but is no member: only bob is a mention.
    expect(sent.sendMessage.mentions).toEqual([{ id: bob.id }]);
    reply = (await ok(url, Send, { input: { conversationId: group, body: `${word} ${replyMarker}`, replyToId: root } }, bob.accessToken)).sendMessage.id;
    await ok(url, React, { messageId: root, emoji: '👍' }, bob.accessToken);
    const inChannel = await ok(url, Send, { input: { conversationId: channel, body: `${word} ${channelMarker} @${frank.handle}` } }, alice.accessToken);
    channelMessage = inChannel.sendMessage.id;
    expect(inChannel.sendMessage.mentions).toEqual([]);
    directMessage = (await ok(url, Send, { input: { conversationId: direct, body: `${word} ${directMarker}` } }, bob.accessToken)).sendMessage.id;
    ownMessage = (await ok(url, Send, { input: { conversationId: own, body: `${word} ${eveMarker}` } }, eve.accessToken)).sendMessage.id;
  });
  afterAll(async () => {
    await db?.end();
    await stack?.dispose();
  });

  it('members see what the rest of the suite assumes (the baseline)', async () => {
    const { conversation } = await ok(stack.httpUrl, FullConversation, { id: group }, bob.accessToken);
    expect(conversation.memberships.map((m) => [m.user.id, m.role]).sort()).toEqual(
      [[alice.id, 'OWNER'], [bob.id, 'MEMBER'], [carol.id, 'ADMIN']].sort(),
    );
    const first = conversation.messages.find((m) => m.id === root)!;
    expect(first).toMatchObject({ replyCount: 1, mentionsMe: true, mentions: [{ id: bob.id }], reactions: [{ emoji: '👍', count: 1, reactedByMe: true }] });
    expect(conversation.messages.find((m) => m.id === reply)!.replyTo).toEqual({ id: root, body: expect.stringContaining(rootMarker) });
    // The search word finds everything bob can read (so the refusals below are not vacuous).
    const found = await ok(stack.httpUrl, Search, { query: word }, bob.accessToken);
    expect(found.searchMessages.hits.map((h) => h.message.id).sort()).toEqual([root, reply, channelMessage, directMessage].sort());
    expect((await ok(stack.httpUrl, Totals, {}, bob.accessToken)).mentionTotal).toBe(1);
  });

  describe('channels', () => {
    it('the directory lists a live channel to a non-member, with only its public card', async () => {
      const { channels } = await ok(stack.httpUrl, Directory, { search: channelTitle }, eve.accessToken);
      expect(channels.channels).toEqual([{ id: channel, title: channelTitle, topic: 'the public topic', memberCount: 2, joined: false }]);
      // The card carries no members, no messages: the type has nothing else.
      const schema = buildSchema(await readFile(fileURLToPath(new URL('../../router/schema.graphql', import.meta.url)), 'utf8'));
      const card = schema.getType('Channel');
      expect(isObjectType(card) && Object.keys(card.getFields()).sort()).toEqual(['createdAt', 'id', 'joined', 'memberCount', 'title', 'topic']);
    });

    it('GROUP, DIRECT and archived conversations never appear in the directory, by any search or page', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: { channels: { channels: Array<{ id: string }>; nextCursor: string | null } } = await ok(stack.httpUrl, Directory, { limit: 1, after }, eve.accessToken);
        seen.push(...page.channels.channels.map((c) => c.id));
        after = page.channels.nextCursor;
      } while (after);
      expect(seen).toEqual([channel]);
      for (const search of [groupTitle, archivedTitle, 'team', 'alone', 'lobby']) {
        const res = await request(stack.httpUrl, Directory, { search }, eve.accessToken);
        const text = JSON.stringify(res);
        for (const leak of [group, archived, direct, own, groupTitle, archivedTitle]) expect(text, `search ${search} leaked ${leak}`).not.toContain(leak);
      }
      // Not even for their own members: the directory is channels only.
      const asBob = await ok(stack.httpUrl, Directory, {}, bob.accessToken);
      expect(asBob.channels.channels.map((c) => c.id)).toEqual([channel]);
    });

    it('a listed channel\'s messages, members and thread stay NOT_FOUND until joining', async () => {
      const leaks = [channelMarker, channelMessage, alice.id, bob.id];
      expectRefused(await request(stack.httpUrl, FullConversation, { id: channel }, eve.accessToken), 'conversation(channel)', leaks);
      for (const field of ['members { id }', 'memberships { user { id } }', 'messages { body }', 'memberCount', 'lastSeq', 'myRole']) {
        expectRefused(await request(stack.httpUrl, `query($id: ID!) { conversation(id: $id) { ${field} } }`, { id: channel }, eve.accessToken), field, leaks);
      }
      expectRefused(await request(stack.httpUrl, ConversationThread, { id: channel, rootId: channelMessage }, eve.accessToken), 'thread', leaks);
      expectRefused(await request(stack.httpUrl, MessageById, { id: channelMessage }, eve.accessToken), 'message(id)', leaks);
      expectRefused(await request(stack.httpUrl, Send, { input: { conversationId: channel, body: 'drive-by' } }, eve.accessToken), 'sendMessage', leaks);
      expectRefused(await request(stack.httpUrl, React, { messageId: channelMessage, emoji: '🔥' }, eve.accessToken), 'addReaction', leaks);
      expectRefused(await request(stack.httpUrl, MarkRead, { id: channel, seq: 1 }, eve.accessToken), 'markRead', leaks);
      expectRefused(await request(stack.httpUrl, Search, { query: word, conversationId: channel }, eve.accessToken), 'searchMessages(channel)', leaks);
      const everywhere = await ok(stack.httpUrl, Search, { query: word }, eve.accessToken);
      expect(everywhere.searchMessages.hits.map((h) => h.message.id)).toEqual([ownMessage]);
      expect((await ok(stack.httpUrl, Totals, {}, eve.accessToken)).conversations.map((c) => c.id)).toEqual([own]);
    });

    it('createConversation DIRECT never hands out someone else\'s pair', async () => {
      const hank = await registerUser(stack.httpUrl, 'hank');
      const withBob = await ok(stack.httpUrl, Create, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, hank.accessToken);
      const withAlice = await ok(stack.httpUrl, Create, { input: { kind: 'DIRECT', memberIds: [alice.id, hank.id] } }, hank.accessToken);
      expect(new Set([withBob.createConversation.id, withAlice.createConversation.id, direct]).size).toBe(3);
      const both = await request(stack.httpUrl, Create, { input: { kind: 'DIRECT', memberIds: [alice.id, bob.id] } }, hank.accessToken);
      expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(both)).not.toContain(direct);
      const { conversation } = await ok(stack.httpUrl, FullConversation, { id: withBob.createConversation.id }, hank.accessToken);
      expect(conversation.messages).toEqual([]);
    });

    it('joinChannel opens only channels: a GROUP, DIRECT or archived id is NOT_FOUND (like an unknown one) and adds nobody', async () => {
      const before = await snapshot();
      const unknown = await request(stack.httpUrl, Join, { id: randomUUID() }, eve.accessToken);
      for (const id of [group, direct, archived]) {
        const res = await request(stack.httpUrl, Join, { id }, eve.accessToken);
        if (id === archived) {
          // Archived channels answer CONFLICT per the schema; what matters is that nothing opened.
          expectRefused(res, `join ${id}`, privateToEve(), [...REFUSED, 'CONFLICT']);
        } else {
          expectRefused(res, `join ${id}`);
          expect(res.errors!.map((e) => [e.message, e.extensions?.code]), 'indistinguishable from an unknown id').toEqual(unknown.errors!.map((e) => [e.message, e.extensions?.code]));
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it('after joining, the channel opens; what was said before is history, not a mention', async () => {
      // frank was named before he joined: that gave him nothing then, and is no mention now.
      expectRefused(await request(stack.httpUrl, MessageById, { id: channelMessage }, frank.accessToken), 'message before join', [channelMarker]);
      expect(await ok(stack.httpUrl, Totals, {}, frank.accessToken)).toEqual({ unreadTotal: 0, mentionTotal: 0, conversations: [] });
      await ok(stack.httpUrl, Join, { id: channel }, frank.accessToken);
      const { conversation } = await ok(stack.httpUrl, FullConversation, { id: channel }, frank.accessToken);
      expect(conversation.messages.map((m) => [m.id, m.mentionsMe])).toEqual([[channelMessage, false]]);
      expect(conversation).toMatchObject({ myRole: 'MEMBER', mentionCount: 0 });
      expect((await ok(stack.httpUrl, Totals, {}, frank.accessToken)).mentionTotal).toBe(0);
    });
  });

  describe('members, roles and settings', () => {
    it('a non-member is NOT_FOUND for every membership and settings mutation, and nothing changes', async () => {
      const before = await snapshot();
      for (const id of [group, channel, direct]) {
        const attempts: Array<[string, GraphQLResponse<unknown>]> = [
          ['addMembers(self)', await request(stack.httpUrl, AddMembersOp, { id, userIds: [eve.id] }, eve.accessToken)],
          ['addMembers(frank)', await request(stack.httpUrl, AddMembersOp, { id, userIds: [frank.id] }, eve.accessToken)],
          ['removeMember', await request(stack.httpUrl, RemoveMemberOp, { id, userId: bob.id }, eve.accessToken)],
          ['changeRole(self)', await request(stack.httpUrl, ChangeRoleOp, { id, userId: eve.id, role: 'OWNER' }, eve.accessToken)],
          ['changeRole(bob)', await request(stack.httpUrl, ChangeRoleOp, { id, userId: bob.id, role: 'OWNER' }, eve.accessToken)],
          ['updateConversation', await request(stack.httpUrl, UpdateConversationOp, { id, input: { title: 'pwned', topic: 'pwned' } }, eve.accessToken)],
          ['archiveConversation', await request(stack.httpUrl, ArchiveOp, { id }, eve.accessToken)],
          ['unarchiveConversation', await request(stack.httpUrl, UnarchiveOp, { id }, eve.accessToken)],
        ];
        for (const [what, res] of attempts) {
          expectRefused(res, `${what} on ${id}`, [...privateToEve(), channelMarker]);
          expect(res.errors![0]!.extensions?.code, `${what} on ${id}: not yours reads as absent`).toBe('NOT_FOUND');
        }
      }
      // The archived channel is read-only to everyone, and not eve's to unarchive.
      expectRefused(await request(stack.httpUrl, UnarchiveOp, { id: archived }, eve.accessToken), 'unarchive archived');
      expect(await snapshot()).toEqual(before);
    });

    it('a MEMBER changes nobody and nothing: FORBIDDEN, and nothing changes', async () => {
      const before = await snapshot();
      for (const id of [group, channel]) {
        for (const [what, res] of [
          ['addMembers', await request(stack.httpUrl, AddMembersOp, { id, userIds: [eve.id] }, bob.accessToken)],
          ['removeMember(owner)', await request(stack.httpUrl, RemoveMemberOp, { id, userId: alice.id }, bob.accessToken)],
          ['changeRole(self)', await request(stack.httpUrl, ChangeRoleOp, { id, userId: bob.id, role: 'OWNER' }, bob.accessToken)],
          ['updateConversation', await request(stack.httpUrl, UpdateConversationOp, { id, input: { title: 'pwned' } }, bob.accessToken)],
          ['archiveConversation', await request(stack.httpUrl, ArchiveOp, { id }, bob.accessToken)],
        ] as const) {
          expect(res.errors?.[0]?.extensions?.code, `${what} on ${id}: ${JSON.stringify(res)}`).toBe('FORBIDDEN');
          expect(res.data ?? null, what).toBeNull();
        }
      }
      // The group's ADMIN may add and retitle, but not change roles, archive or remove an owner.
      for (const [what, res] of [
        ['changeRole(self)', await request(stack.httpUrl, ChangeRoleOp, { id: group, userId: carol.id, role: 'OWNER' }, carol.accessToken)],
        ['changeRole(bob)', await request(stack.httpUrl, ChangeRoleOp, { id: group, userId: bob.id, role: 'ADMIN' }, carol.accessToken)],
        ['removeMember(owner)', await request(stack.httpUrl, RemoveMemberOp, { id: group, userId: alice.id }, carol.accessToken)],
        ['archiveConversation', await request(stack.httpUrl, ArchiveOp, { id: group }, carol.accessToken)],
      ] as const) {
        expect(res.errors?.[0]?.extensions?.code, `admin ${what}: ${JSON.stringify(res)}`).toBe('FORBIDDEN');
      }
      // An admin of the group is nobody in the channel: her power to delete others' messages stops at the group.
      expect((await request(stack.httpUrl, AddMembersOp, { id: channel, userIds: [eve.id] }, carol.accessToken)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const deleteOp = 'mutation($id: ID!) { deleteMessage(id: $id) { id body deletedAt } }';
      expectRefused(await request(stack.httpUrl, deleteOp, { id: channelMessage }, carol.accessToken), 'admin elsewhere deletes', [channelMarker]);
      expect((await request(stack.httpUrl, deleteOp, { id: channelMessage }, bob.accessToken)).errors?.[0]?.extensions?.code, 'a MEMBER deletes the owner\'s').toBe('FORBIDDEN');
      const editOp = 'mutation($id: ID!) { editMessage(id: $id, body: "admin wrote this") { id } }';
      expect((await request(stack.httpUrl, editOp, { id: root }, carol.accessToken)).errors?.[0]?.extensions?.code, 'an ADMIN edits the owner\'s').toBe('FORBIDDEN');
      expect(await snapshot()).toEqual(before);
      // Re-read as the owner: roles, title and archive state as set up.
      const { conversation } = await ok(stack.httpUrl, FullConversation, { id: group }, alice.accessToken);
      expect(conversation).toMatchObject({ title: groupTitle, archivedAt: null, memberCount: 3 });
      expect(conversation.memberships.map((m) => [m.user.id, m.role]).sort()).toEqual([[alice.id, 'OWNER'], [bob.id, 'MEMBER'], [carol.id, 'ADMIN']].sort());
    });

    it('a removed member loses every path at once: reads, search, counts, reactions, threads, writes', async () => {
      const gina = await registerUser(stack.httpUrl, 'gina');
      const team = (await ok(stack.httpUrl, Create, { input: { kind: 'GROUP', title: `side ${mark()}`, memberIds: [gina.id] } }, alice.accessToken)).createConversation.id;
      const secret = mark();
      const said = (await ok(stack.httpUrl, Send, { input: { conversationId: team, body: `${word} ${secret} @${gina.handle}` } }, alice.accessToken)).sendMessage;
      expect(said.mentions).toEqual([{ id: gina.id }]);
      expect(await ok(stack.httpUrl, Totals, {}, gina.accessToken)).toMatchObject({ unreadTotal: 1, mentionTotal: 1 });

      await ok(stack.httpUrl, RemoveMemberOp, { id: team, userId: gina.id }, alice.accessToken);
      const before = await snapshot();
      const leaks = [secret, said.id];
      expectRefused(await request(stack.httpUrl, FullConversation, { id: team }, gina.accessToken), 'conversation', leaks);
      expectRefused(await request(stack.httpUrl, MessageById, { id: said.id }, gina.accessToken), 'message', leaks);
      expectRefused(await request(stack.httpUrl, ConversationThread, { id: team, rootId: said.id }, gina.accessToken), 'thread', leaks);
      expectRefused(await request(stack.httpUrl, Search, { query: word, conversationId: team }, gina.accessToken), 'search in', leaks);
      expect((await ok(stack.httpUrl, Search, { query: word }, gina.accessToken)).searchMessages).toEqual({ hits: [], nextCursor: null });
      expect(await ok(stack.httpUrl, Totals, {}, gina.accessToken)).toEqual({ unreadTotal: 0, mentionTotal: 0, conversations: [] });
      expectRefused(await request(stack.httpUrl, React, { messageId: said.id, emoji: '👍' }, gina.accessToken), 'react', leaks);
      expectRefused(await request(stack.httpUrl, MarkRead, { id: team, seq: 1 }, gina.accessToken), 'markRead', leaks);
      expectRefused(await request(stack.httpUrl, Send, { input: { conversationId: team, body: 'still here?', replyToId: said.id } }, gina.accessToken), 'reply', leaks);
      expectRefused(await request(stack.httpUrl, AddMembersOp, { id: team, userIds: [gina.id] }, gina.accessToken), 'add self back', leaks);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('threads', () => {
    it('thread, replyTo and replyCount of a foreign conversation are NOT_FOUND to a non-member', async () => {
      expectRefused(await request(stack.httpUrl, ConversationThread, { id: group, rootId: root }, eve.accessToken), 'thread');
      expectRefused(await request(stack.httpUrl, MessageById, { id: reply }, eve.accessToken), 'message(reply) { replyTo }');
      expectRefused(await request(stack.httpUrl, 'query($id: ID!) { message(id: $id) { replyCount } }', { id: root }, eve.accessToken), 'replyCount');
      // Her own conversation cannot borrow a foreign root: NOT_FOUND, as for an unknown id.
      const borrowed = await request(stack.httpUrl, ConversationThread, { id: own, rootId: root }, eve.accessToken);
      const unknown = await request(stack.httpUrl, ConversationThread, { id: own, rootId: randomUUID() }, eve.accessToken);
      expectRefused(borrowed, 'thread of own conversation with a foreign root');
      expect(borrowed.errors!.map((e) => [e.message, e.extensions?.code])).toEqual(unknown.errors!.map((e) => [e.message, e.extensions?.code]));
      // Nor the other way round: bob's group cannot list a thread rooted in eve's conversation.
      expectRefused(await request(stack.httpUrl, ConversationThread, { id: group, rootId: ownMessage }, bob.accessToken), 'member of another conversation', [eveMarker]);
    });

    it('a reply to a foreign message is refused like a reply to an unknown one, and nothing is written', async () => {
      const before = await snapshot();
      const intoForeign = await request(stack.httpUrl, Send, { input: { conversationId: group, body: 'me too', replyToId: root } }, eve.accessToken);
      expectRefused(intoForeign, 'reply inside the foreign conversation');
      // From her own conversation, pointing at the foreign root.
      const fromOwn = await request(stack.httpUrl, Send, { input: { conversationId: own, body: 'me too', replyToId: root } }, eve.accessToken);
      const toUnknown = await request(stack.httpUrl, Send, { input: { conversationId: own, body: 'me too', replyToId: randomUUID() } }, eve.accessToken);
      expectRefused(fromOwn, 'reply across conversations', privateToEve(), ['BAD_USER_INPUT', ...REFUSED]);
      expect(fromOwn.errors!.map((e) => [e.message, e.extensions?.code, e.extensions?.field])).toEqual(toUnknown.errors!.map((e) => [e.message, e.extensions?.code, e.extensions?.field]));
      expect(await snapshot()).toEqual(before);
      const { conversation } = await ok(stack.httpUrl, FullConversation, { id: group }, alice.accessToken);
      expect(conversation.messages.find((m) => m.id === root)!.replyCount).toBe(1);
      expect((await ok(stack.httpUrl, ConversationThread, { id: group, rootId: root }, alice.accessToken)).conversation.thread.map((m) => m.id)).toEqual([reply]);
    });
  });

  describe('reactions', () => {
    it('add and remove on a foreign message: NOT_FOUND, nothing written, bob\'s reaction intact', async () => {
      const before = await snapshot();
      for (const [what, res] of [
        ['add', await request(stack.httpUrl, React, { messageId: root, emoji: '🔥' }, eve.accessToken)],
        ['add existing emoji', await request(stack.httpUrl, React, { messageId: root, emoji: '👍' }, eve.accessToken)],
        ['remove', await request(stack.httpUrl, Unreact, { messageId: root, emoji: '👍' }, eve.accessToken)],
        ['add on the reply', await request(stack.httpUrl, React, { messageId: reply, emoji: '👍' }, eve.accessToken)],
      ] as const) {
        expectRefused(res, what);
        expect(res.errors![0]!.extensions?.code).toBe('NOT_FOUND');
      }
      const unknown = await request(stack.httpUrl, React, { messageId: randomUUID(), emoji: '🔥' }, eve.accessToken);
      const foreign = await request(stack.httpUrl, React, { messageId: root, emoji: '🔥' }, eve.accessToken);
      expect(foreign.errors!.map((e) => e.message)).toEqual(unknown.errors!.map((e) => e.message));
      expect(await snapshot()).toEqual(before);
      const asAlice = await ok(stack.httpUrl, MessageById, { id: root }, alice.accessToken);
      expect(asAlice.message.reactions).toEqual([{ emoji: '👍', count: 1, reactedByMe: false }]);
      const asBob = await ok(stack.httpUrl, MessageById, { id: root }, bob.accessToken);
      expect(asBob.message.reactions).toEqual([{ emoji: '👍', count: 1, reactedByMe: true }]);
    });

    it('reactions say how many and whether the caller did, never who', async () => {
      const schema = buildSchema(await readFile(fileURLToPath(new URL('../../router/schema.graphql', import.meta.url)), 'utf8'));
      const type = schema.getType('ReactionGroup');
      // Adding a "who" field here is a decision to make deliberately (members only), not by accident.
      expect(isObjectType(type) && Object.keys(type.getFields()).sort()).toEqual(['count', 'emoji', 'reactedByMe']);
      // Carol reacts too: each member's reactedByMe is theirs alone.
      await ok(stack.httpUrl, React, { messageId: reply, emoji: '🎉' }, carol.accessToken);
      try {
        for (const [user, mine] of [[carol, true], [bob, false], [alice, false]] as const) {
          const { message } = await ok(stack.httpUrl, MessageById, { id: reply }, user.accessToken);
          expect(message.reactions, user.handle).toEqual([{ emoji: '🎉', count: 1, reactedByMe: mine }]);
        }
      } finally {
        await ok(stack.httpUrl, Unreact, { messageId: reply, emoji: '🎉' }, carol.accessToken);
      }
    });
  });

  describe('mentions and read state', () => {
    it('being named in a conversation gives no access, no mention and no count', async () => {
      expectRefused(await request(stack.httpUrl, MessageById, { id: root }, eve.accessToken), 'the message naming eve');
      expectRefused(await request(stack.httpUrl, 'query($id: ID!) { message(id: $id) { mentionsMe } }', { id: root }, eve.accessToken), 'mentionsMe');
      const totals = await ok(stack.httpUrl, Totals, {}, eve.accessToken);
      // Only her own conversation, where everything is hers: nothing unread.
      expect(totals).toEqual({ unreadTotal: 0, mentionTotal: 0, conversations: [{ id: own, unreadCount: 0, mentionCount: 0 }] });
      const { rows } = await db.query('SELECT 1 FROM conversations.mentions WHERE user_id = $1', [eve.id]);
      expect(rows).toEqual([]);
    });

    it('unreadCount, mentionCount and the totals never count conversations the caller is not in', async () => {
      // Bob has unread messages in the group (alice's root) and the channel; eve and frank's totals stay theirs.
      const bobs = await ok(stack.httpUrl, Totals, {}, bob.accessToken);
      expect(bobs.unreadTotal).toBeGreaterThan(0);
      expect(bobs.unreadTotal).toBe(bobs.conversations.reduce((sum, c) => sum + c.unreadCount, 0));
      expect(bobs.mentionTotal).toBe(bobs.conversations.reduce((sum, c) => sum + c.mentionCount, 0));
      const eves = await ok(stack.httpUrl, Totals, {}, eve.accessToken);
      expect(eves.unreadTotal).toBe(0);
      for (const field of ['unreadCount', 'mentionCount']) {
        for (const id of [group, channel, direct]) {
          expectRefused(await request(stack.httpUrl, `query($id: ID!) { conversation(id: $id) { ${field} } }`, { id }, eve.accessToken), `${field} of ${id}`);
        }
      }
    });

    it('markRead on a foreign conversation is NOT_FOUND, whatever the seq, and moves nobody\'s position', async () => {
      const before = await snapshot();
      const bobsBefore = await ok(stack.httpUrl, Totals, {}, bob.accessToken);
      for (const id of [group, channel, direct]) {
        for (const seq of [0, 1, 10_000]) {
          const res = await request(stack.httpUrl, MarkRead, { id, seq }, eve.accessToken);
          expectRefused(res, `markRead ${id} ${seq}`);
          expect(res.errors![0]!.extensions?.code).toBe('NOT_FOUND');
        }
      }
      // A seq too large would be BAD_USER_INPUT to a member: to a non-member it must not reveal lastSeq.
      const far = await request(stack.httpUrl, MarkRead, { id: group, seq: 10_000 }, eve.accessToken);
      expect(JSON.stringify(far)).not.toMatch(/lastSeq \(\d+\)/);
      expect(await snapshot()).toEqual(before);
      expect(await ok(stack.httpUrl, Totals, {}, bob.accessToken)).toEqual(bobsBefore);
    });
  });

  describe('search', () => {
    it('searchMessages returns only the caller\'s conversations, hits and highlights alike', async () => {
      const everywhere = await request(stack.httpUrl, Search, { query: word, limit: 50 }, eve.accessToken);
      expect(everywhere.errors).toBeUndefined();
      expect(everywhere.data!.searchMessages.hits.map((h) => [h.message.id, h.message.conversationId])).toEqual([[ownMessage, own]]);
      expect(everywhere.data!.searchMessages.hits[0]!.highlight).toContain(`<mark>${word}</mark>`);
      for (const leak of privateToEve()) expect(JSON.stringify(everywhere), `leaked ${leak}`).not.toContain(leak);
      // Searching the private markers themselves finds nothing (they are words of foreign bodies).
      for (const marker of [rootMarker, replyMarker, channelMarker, directMarker, groupTitle.split(' ')[1]!, `${word} or ${rootMarker}`, `"${word} ${rootMarker}"`]) {
        const res = await ok(stack.httpUrl, Search, { query: marker }, eve.accessToken);
        expect(res.searchMessages.hits.filter((h) => h.message.id !== ownMessage), marker).toEqual([]);
        for (const leak of privateToEve()) expect(JSON.stringify(res), `${marker} leaked ${leak}`).not.toContain(leak);
      }
    });

    it('a foreign conversationId answers exactly like an unknown one', async () => {
      const unknown = await request(stack.httpUrl, Search, { query: word, conversationId: randomUUID() }, eve.accessToken);
      expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      for (const id of [group, channel, direct, archived]) {
        const res = await request(stack.httpUrl, Search, { query: word, conversationId: id }, eve.accessToken);
        expectRefused(res, `search in ${id}`);
        expect(res.errors!.map((e) => [e.message, e.extensions?.code])).toEqual(unknown.errors!.map((e) => [e.message, e.extensions?.code]));
        expect(res.data ?? null).toBeNull();
      }
      // A member of other conversations gets nothing from eve's.
      expectRefused(await request(stack.httpUrl, Search, { query: word, conversationId: own }, bob.accessToken), 'bob in eve\'s', [eveMarker, ownMessage]);
    });

    it('a cursor cannot carry a search into someone else\'s conversations', async () => {
      // Bob pages through his hits; eve replays his cursors: she still sees only her own.
      const first = await ok(stack.httpUrl, Search, { query: word, limit: 1 }, bob.accessToken);
      let after = first.searchMessages.nextCursor;
      expect(after).not.toBeNull();
      while (after) {
        const res = await request(stack.httpUrl, Search, { query: word, limit: 1, after }, eve.accessToken);
        const ids = res.data?.searchMessages.hits.map((h) => h.message.id) ?? [];
        expect(ids.filter((id) => id !== ownMessage)).toEqual([]);
        for (const leak of privateToEve()) expect(JSON.stringify(res), `cursor leaked ${leak}`).not.toContain(leak);
        after = (await ok(stack.httpUrl, Search, { query: word, limit: 1, after }, bob.accessToken)).searchMessages.nextCursor;
      }
    });
  });

  describe('profiles and presence', () => {
    it('updateProfile changes the caller only; there is no way to name someone else', async () => {
      const bobBefore = await ok(stack.httpUrl, Profile, { id: bob.id }, alice.accessToken);
      const changed = await ok(stack.httpUrl, UpdateProfileOp, { input: { displayName: 'Alice Again', statusText: 'busy' } }, alice.accessToken);
      expect(changed.updateProfile).toEqual({ id: alice.id, displayName: 'Alice Again', statusText: 'busy' });
      expect(await ok(stack.httpUrl, Profile, { id: bob.id }, alice.accessToken)).toEqual(bobBefore);
      // An id smuggled into the input is a validation error, not a target.
      const smuggled = await request(stack.httpUrl, 'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }', { input: { id: bob.id, displayName: 'Bob Owned' } }, alice.accessToken);
      expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(smuggled.errors?.[0]?.extensions?.code);
      const inline = await request(stack.httpUrl, `mutation { updateProfile(id: "${bob.id}", input: { displayName: "Bob Owned" }) { id } }`, undefined, alice.accessToken);
      expect(inline.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const { rows } = await db.query('SELECT display_name, status_text FROM users.users WHERE id = $1', [bob.id]);
      expect(rows).toEqual([{ display_name: bob.displayName, status_text: null }]);
      expect((await request(stack.httpUrl, UpdateProfileOp, { input: { displayName: 'anonymous' } })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('an avatar pointing at someone else\'s media is refused and shows none of it', async () => {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO media.media (id, owner_id, content_type, size, storage_key) VALUES (gen_random_uuid(), $1, 'image/png', 4242, $2) RETURNING id`,
        [bob.id, `k/${randomUUID()}`],
      );
      const bobsMedia = rows[0]!.id;
      const refused = await request(stack.httpUrl, UpdateProfileOp, { input: { avatarMediaId: bobsMedia } }, eve.accessToken);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'avatarMediaId' });
      expect(JSON.stringify(refused)).not.toMatch(/4242|image\/png/);
      expect((await db.query('SELECT avatar_media_id FROM users.users WHERE id = $1', [eve.id])).rows).toEqual([{ avatar_media_id: null }]);
      const res = await request(stack.httpUrl, MyAvatar, undefined, eve.accessToken);
      expect(res.data?.me?.avatar ?? null).toBeNull();
    });

    it('user(id) { presence } requires a signed-in caller', async () => {
      const anonymous = await request(stack.httpUrl, Profile, { id: bob.id });
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(anonymous)).not.toMatch(/ONLINE|AWAY|OFFLINE|lastSeenAt":"/);
      const presenceOnly = await request(stack.httpUrl, 'query($id: ID!) { user(id: $id) { presence { status } } }', { id: bob.id });
      expect(presenceOnly.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(presenceOnly)).not.toMatch(/ONLINE|AWAY|OFFLINE/);
      const signedIn = await ok(stack.httpUrl, Profile, { id: bob.id }, eve.accessToken);
      expect(['ONLINE', 'AWAY', 'OFFLINE']).toContain(signedIn.user!.presence.status);
      // Through conversation members too: presence of a foreign conversation's members is not reachable.
      expectRefused(await request(stack.httpUrl, `query($id: ID!) { conversation(id: $id) { members { id presence { status } } } }`, { id: group }, eve.accessToken), 'members presence');
    });
  });

  describe('direct subgraph requests with a correctly signed identity', () => {
    const post = async (url: string, query: string, variables: unknown, identity: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: identity },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, text: await res.text() };
    };
    type EntitiesAnswer = { data?: { _entities: Array<Record<string, unknown> | null> }; errors?: Array<{ path?: Array<string | number>; extensions?: { code?: string } }> };

    it('a non-member asking _entities for the new Conversation and Message fields gets NOT_FOUND for each', async () => {
      const asEve = await signIdentity({ userId: eve.id }, stack.identityKey);
      const representations = [
        { __typename: 'Conversation', id: group },
        { __typename: 'Conversation', id: channel },
        { __typename: 'Conversation', id: direct },
        { __typename: 'Conversation', id: archived },
        { __typename: 'Message', id: root },
        { __typename: 'Message', id: reply },
        { __typename: 'Message', id: channelMessage },
      ];
      const res = await post(stack.conversations.url, ENTITIES_CHAT_FIELDS, { r: representations, rootId: root }, asEve);
      const body = JSON.parse(res.text) as EntitiesAnswer;
      expect(body.data?._entities, res.text).toHaveLength(representations.length);
      for (const entity of body.data!._entities) expect(entity).toBeNull();
      const failed = new Set((body.errors ?? []).map((e) => e.path?.[1]));
      for (let i = 0; i < representations.length; i++) expect(failed.has(i), `representation ${i} has its own error`).toBe(true);
      for (const error of body.errors ?? []) expect(REFUSED, res.text).toContain(error.extensions?.code);
      for (const leak of privateToEve()) expect(res.text, `leaked ${leak}`).not.toContain(leak);
      expect(res.text).not.toContain(bob.id);
    });

    it('a member of one conversation gets their own entities and NOT_FOUND for the others in the same batch', async () => {
      const asBob = await signIdentity({ userId: bob.id }, stack.identityKey);
      const res = await post(
        stack.conversations.url,
        ENTITIES_CHAT_FIELDS,
        { r: [{ __typename: 'Message', id: root }, { __typename: 'Message', id: ownMessage }, { __typename: 'Conversation', id: own }, { __typename: 'Conversation', id: group }], rootId: root },
        asBob,
      );
      const body = JSON.parse(res.text) as EntitiesAnswer;
      const [mine, foreignMessage, foreignConversation, myGroup] = body.data!._entities;
      expect(mine).toMatchObject({ id: root, replyCount: 1, mentionsMe: true, reactions: [{ emoji: '👍', count: 1, reactedByMe: true }] });
      expect(foreignMessage).toBeNull();
      expect(foreignConversation).toBeNull();
      expect(myGroup).toMatchObject({ id: group, myRole: 'MEMBER', thread: [{ id: reply }] });
      expect(res.text).not.toContain(eveMarker);
      expect(res.text).not.toContain('eve alone');
      expect((body.errors ?? []).map((e) => [e.path?.[1], e.extensions?.code]).sort()).toEqual([[1, 'NOT_FOUND'], [2, 'NOT_FOUND']]);
    });

    it('an anonymous (signed) identity gets no presence from the users subgraph and nothing from conversations', async () => {
      const anonymous = await signIdentity({ userId: null }, stack.identityKey);
      const users = await post(stack.users.url, ENTITIES_USER_PRESENCE, { r: [{ __typename: 'User', id: bob.id }] }, anonymous);
      expect(users.text).toContain('UNAUTHENTICATED');
      expect(users.text).not.toMatch(/ONLINE|AWAY|OFFLINE/);
      const conversations = await post(stack.conversations.url, ENTITIES_CHAT_FIELDS, { r: [{ __typename: 'Message', id: root }, { __typename: 'Conversation', id: channel }], rootId: root }, anonymous);
      expect(conversations.text).toContain('UNAUTHENTICATED');
      for (const leak of [...privateToEve(), channelTitle]) expect(conversations.text, `leaked ${leak}`).not.toContain(leak);
    });
  });

  it('conversationEvents and messageAdded on foreign conversations (a listed channel included) are refused; nothing is delivered', async () => {
    const socket = await RawSocket.open(stack.wsUrl);
    try {
      socket.init(eve.accessToken);
      await socket.next('connection_ack');
      const subscriptions = [
        ['events-group', EVENTS_SUBSCRIPTION, { conversationId: group }],
        ['events-group-replay', EVENTS_SUBSCRIPTION, { conversationId: group, after: 0 }],
        ['events-channel', EVENTS_SUBSCRIPTION, { conversationId: channel }],
        ['events-direct', EVENTS_SUBSCRIPTION, { conversationId: direct, after: 0 }],
        ['messages-channel', MESSAGES_SUBSCRIPTION, { conversationId: channel, after: 0 }],
        ['messages-archived', MESSAGES_SUBSCRIPTION, { conversationId: archived, after: 0 }],
      ] as const;
      for (const [id, query, variables] of subscriptions) socket.send({ id, type: 'subscribe', payload: { query, variables } });
      for (const [id] of subscriptions) {
        const deadline = Date.now() + 5_000;
        let error: Record<string, unknown> | undefined;
        while (!error && Date.now() < deadline) {
          error = socket.messages.find((m) => m.id === id && m.type === 'error');
          if (!error) await new Promise((r) => setTimeout(r, 20));
        }
        expect(error, `${id}: ${JSON.stringify(socket.messages)}`).toBeDefined();
        expect(REFUSED).toContain((error!.payload as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code);
      }
      // Everything that makes an event, in each conversation: none may reach eve.
      const live = mark();
      await ok(stack.httpUrl, Send, { input: { conversationId: group, body: `${live} @${eve.handle}`, replyToId: root } }, alice.accessToken);
      await ok(stack.httpUrl, Send, { input: { conversationId: channel, body: live } }, alice.accessToken);
      await ok(stack.httpUrl, React, { messageId: root, emoji: '🔥' }, alice.accessToken);
      await ok(stack.httpUrl, UpdateConversationOp, { id: group, input: { topic: live } }, alice.accessToken);
      await ok(stack.httpUrl, AddMembersOp, { id: channel, userIds: [carol.id] }, alice.accessToken);
      socket.send({ id: 'me', type: 'subscribe', payload: { query: '{ me { id } }' } });
      expect(await socket.next('next')).toMatchObject({ id: 'me', payload: { data: { me: { id: eve.id } } } });
      await new Promise((r) => setTimeout(r, 500));
      expect(socket.messages.filter((m) => m.type === 'next' && m.id !== 'me')).toEqual([]);
      const text = JSON.stringify(socket.messages);
      for (const leak of [...privateToEve(), live]) expect(text, `leaked ${leak}`).not.toContain(leak);
    } finally {
      socket.close();
    }
  });

  it.skipIf(!hasInbox)('inbox with a forged cursor naming foreign conversations replays and delivers only the caller\'s own', async () => {
    const socket = await RawSocket.open(stack.wsUrl);
    try {
      socket.init(eve.accessToken);
      await socket.next('connection_ack');
      const cursor = forgeInboxCursor([[group, 0], [channel, 0], [direct, 0], [archived, 0], [own, 0]]);
      socket.send({ id: 'inbox', type: 'subscribe', payload: { query: 'subscription($c: String) { inbox(cursor: $c) { conversationId seq cursor message { id body } } }', variables: { c: cursor } } });
      // Eve's own conversation replays from 0: her message is the positive control.
      const first = await socket.next('next', 10_000);
      expect(first).toMatchObject({ id: 'inbox', payload: { data: { inbox: { conversationId: own, message: { id: ownMessage } } } } });
      const live = mark();
      await ok(stack.httpUrl, Send, { input: { conversationId: group, body: `${word} ${live}` } }, alice.accessToken);
      await ok(stack.httpUrl, Send, { input: { conversationId: channel, body: `${word} ${live}` } }, alice.accessToken);
      await ok(stack.httpUrl, Send, { input: { conversationId: own, body: 'second own' } }, eve.accessToken);
      const deadline = Date.now() + 5_000;
      while (socket.messages.filter((m) => m.type === 'next').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      const delivered = socket.messages.filter((m) => m.type === 'next').map((m) => (m.payload as { data: { inbox: { conversationId: string } } }).data.inbox.conversationId);
      expect(delivered).toEqual([own, own]);
      const text = JSON.stringify(socket.messages);
      for (const leak of [...privateToEve(), live]) expect(text, `leaked ${leak}`).not.toContain(leak);
    } finally {
      socket.close();
    }
  });
});
