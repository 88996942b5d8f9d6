import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstError, startKit, type Kit } from '../../test-kit.js';
import { canonicalEmoji, isSingleEmoji } from './emoji.js';
import { parseMentionHandles } from '../messages/mentions.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const SEND = `mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id seq replyTo { id } mentions { id } mentionsMe } }`;
const EDIT = `mutation Edit($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id mentions { id } } }`;
const DELETE = `mutation Delete($id: ID!) { deleteMessage(id: $id) { id deletedAt } }`;
const ADD = `mutation Add($id: ID!, $emoji: String!) { addReaction(messageId: $id, emoji: $emoji) { id reactions { emoji count reactedByMe } } }`;
const REMOVE = `mutation Remove($id: ID!, $emoji: String!) { removeReaction(messageId: $id, emoji: $emoji) { id reactions { emoji count reactedByMe } } }`;
const PAGE = `query Page($id: ID!) {
  conversation(id: $id) { messages(limit: 200) { id seq replyCount mentionsMe reactions { emoji count reactedByMe } } }
}`;
const THREAD = `query Thread($id: ID!, $root: ID!, $after: Int, $limit: Int) {
  conversation(id: $id) { thread(rootId: $root, after: $after, limit: $limit) { seq body replyTo { id } } }
}`;

let kit: Kit;

beforeAll(async () => {
  kit = await startKit();
});
afterAll(async () => {
  await kit?.close();
});

async function group(owner: string, others: string[] = []): Promise<string> {
  const response = await kit.gql(owner, CREATE, { input: { kind: 'GROUP', title: 'x', memberIds: others } });
  expect(response.errors).toBeUndefined();
  return response.data!.createConversation.id;
}

async function send(userId: string, conversationId: string, body: string, extra: Record<string, unknown> = {}) {
  const response = await kit.gql(userId, SEND, { input: { conversationId, body, ...extra } });
  expect(response.errors).toBeUndefined();
  return response.data!.sendMessage as { id: string; seq: number; replyTo: { id: string } | null; mentions: Array<{ id: string }>; mentionsMe: boolean };
}

const handle = (name: string) => `${name}_${randomBytes(3).toString('hex')}`;

describe('emoji and mention parsing', () => {
  it.each(['👍', '👍🏽', '❤️', '👨‍👩‍👧‍👦', '🇫🇷', '1️⃣', '🏳️‍🌈', '🫠'])('accepts %s as one emoji', (emoji) => {
    expect(isSingleEmoji(emoji)).toBe(true);
  });
  it.each(['a', ':+1:', '👍👍', '👍 ', 'x👍', '', '1', '\u200D', "'; DROP TABLE x; --"])('refuses %j', (text) => {
    expect(isSingleEmoji(text)).toBe(false);
  });
  it.each([
    ['❤', '❤️'],
    ['❤️', '❤️'],
    ['©', '©️'],
    ['1⃣', '1️⃣'],
    ['1️⃣', '1️⃣'],
    ['☝🏽', '☝🏽'],
    ['☝️🏽', '☝🏽'],
    ['🏳‍🌈', '🏳️‍🌈'],
    ['🏃‍♀', '🏃‍♀️'],
    ['👨‍👩‍👧', '👨‍👩‍👧'],
    ['👍', '👍'],
    ['🇫🇷', '🇫🇷'],
  ])('spells %s as %s', (typed, canonical) => {
    expect(canonicalEmoji(typed)).toBe(canonical);
    expect(isSingleEmoji(canonical)).toBe(true);
  });
  it.each(['1', '#', 'a', '\u200D'])('keeps refusing %j once spelled', (text) => {
    expect(isSingleEmoji(canonicalEmoji(text))).toBe(false);
  });
  it('finds @handles as whole words, lower-cased, once each, not in e-mail addresses', () => {
    expect(parseMentionHandles('hi @Alice and @bob_1, mail bob@example.com, @al (@carol) @alice @dave.')).toEqual(['alice', 'bob_1', 'carol', 'dave']);
    expect(parseMentionHandles('no mentions here')).toEqual([]);
  });
});

describe('threads', () => {
  it('replies join the root thread; replyTo, replyCount and thread listing with paging', async () => {
    const me = kit.newUser();
    const you = kit.newUser();
    const id = await group(me, [you]);
    const root = await send(me, id, 'root');
    await send(you, id, 'unrelated');
    const r1 = await send(you, id, 'reply 1', { replyToId: root.id });
    const r2 = await send(me, id, 'reply 2', { replyToId: r1.id.toUpperCase() });
    const r3 = await send(you, id, 'reply 3', { replyToId: root.id });
    expect(r1.replyTo).toEqual({ id: root.id });
    expect(r2.replyTo).toEqual({ id: root.id });
    await kit.gql(you, DELETE, { id: r3.id });

    const thread = await kit.gql(me, THREAD, { id, root: root.id });
    expect(thread.errors).toBeUndefined();
    expect(thread.data!.conversation.thread.map((m: { seq: number }) => m.seq)).toEqual([r1.seq, r2.seq, r3.seq]);
    const paged = await kit.gql(me, THREAD, { id, root: root.id, after: r1.seq, limit: 1 });
    expect(paged.data!.conversation.thread).toEqual([{ seq: r2.seq, body: 'reply 2', replyTo: { id: root.id } }]);
    const page = await kit.gql(me, PAGE, { id });
    const counts = Object.fromEntries(page.data!.conversation.messages.map((m: { seq: number; replyCount: number }) => [m.seq, m.replyCount]));
    // The deleted reply is not counted.
    expect(counts).toEqual({ [root.seq]: 2, 2: 0, [r1.seq]: 0, [r2.seq]: 0, [r3.seq]: 0 });
  });

  it('refuses a replyToId of another conversation (or none), and a thread root of another conversation', async () => {
    const me = kit.newUser();
    const a = await group(me);
    const b = await group(me);
    const inB = await send(me, b, 'elsewhere');
    for (const replyToId of [inB.id, '00000000-0000-4000-8000-000000000000', 'nope']) {
      const response = await kit.gql(me, SEND, { input: { conversationId: a, body: 'x', replyToId } });
      expect(firstError(response)).toEqual({ code: 'BAD_USER_INPUT', field: 'replyToId' });
    }
    expect(await kit.prisma.message.count({ where: { conversationId: a } })).toBe(0);
    expect(firstError(await kit.gql(me, THREAD, { id: a, root: inB.id }))).toEqual({ code: 'NOT_FOUND' });
    expect(firstError(await kit.gql(me, THREAD, { id: a, root: inB.id, limit: 500 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'limit' });
  });
});

describe('mentions', () => {
  it('resolves @handles of members to users; unknown handles and non-members are not mentions', async () => {
    const [hMe, hYou, hOut] = [handle('me'), handle('you'), handle('out')];
    const me = kit.newUser(hMe);
    const you = kit.newUser(hYou);
    kit.newUser(hOut); // exists, but not a member
    const id = await group(me, [you]);
    const message = await send(me, id, `hey @${hYou.toUpperCase()} and @${hOut} and @nobody_here_${randomBytes(2).toString('hex')} and @${hMe}`);
    expect(message.mentions.map((m) => m.id).sort()).toEqual([me, you].sort());
    const theirs = await kit.gql(you, `query($id: ID!) { message(id: $id) { mentionsMe } }`, { id: message.id });
    expect(theirs.data!.message.mentionsMe).toBe(true);
    const plain = await send(me, id, 'no one');
    expect(plain.mentions).toEqual([]);

    // An edit re-reads the body.
    const edited = await kit.gql(me, EDIT, { id: message.id, body: `only @${hMe} now` });
    expect(edited.data!.editMessage.mentions).toEqual([{ id: me }]);
    expect((await kit.gql(you, `query($id: ID!) { message(id: $id) { mentionsMe } }`, { id: message.id })).data!.message.mentionsMe).toBe(false);
    expect(await kit.prisma.mention.count({ where: { messageId: message.id } })).toBe(1);
  });

  it('still sends when the directory cannot resolve handles (no mentions)', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const original = kit.users.byHandles;
    kit.users.byHandles = async () => {
      throw new Error('down');
    };
    try {
      const message = await send(me, id, '@someone_else hi');
      expect(message.mentions).toEqual([]);
    } finally {
      kit.users.byHandles = original;
    }
  });
});

describe('reactions', () => {
  it('adds and removes idempotently, grouped with counts and reactedByMe, batched over a page', async () => {
    const me = kit.newUser();
    const you = kit.newUser();
    const id = await group(me, [you]);
    const a = await send(me, id, 'a');
    const b = await send(me, id, 'b');
    expect((await kit.gql(me, ADD, { id: a.id, emoji: '👍' })).data!.addReaction.reactions).toEqual([{ emoji: '👍', count: 1, reactedByMe: true }]);
    await kit.gql(me, ADD, { id: a.id, emoji: '👍' });
    await kit.gql(you, ADD, { id: a.id, emoji: '👍' });
    await kit.gql(you, ADD, { id: a.id, emoji: '🎉' });
    await kit.gql(you, ADD, { id: b.id, emoji: '❤️' });

    const page = await kit.gql(me, PAGE, { id });
    const byId = Object.fromEntries(page.data!.conversation.messages.map((m: { id: string; reactions: unknown }) => [m.id, m.reactions]));
    expect(byId[a.id]).toEqual([
      { emoji: '👍', count: 2, reactedByMe: true },
      { emoji: '🎉', count: 1, reactedByMe: false },
    ]);
    expect(byId[b.id]).toEqual([{ emoji: '❤️', count: 1, reactedByMe: false }]);

    const removed = await kit.gql(me, REMOVE, { id: a.id, emoji: '👍' });
    expect(removed.data!.removeReaction.reactions[0]).toEqual({ emoji: '👍', count: 1, reactedByMe: false });
    await kit.gql(me, REMOVE, { id: a.id, emoji: '👍' });
    const subjects = (await kit.events(id)).map((e) => e.subject.split('.').slice(-2).join('.'));
    expect(subjects.filter((s) => s.startsWith('reaction'))).toEqual(['reaction.added', 'reaction.added', 'reaction.added', 'reaction.added', 'reaction.removed']);
  });

  it('is idempotent under 10 concurrent identical adds', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const a = await send(me, id, 'a');
    const responses = await Promise.all(Array.from({ length: 10 }, () => kit.gql(me, ADD, { id: a.id, emoji: '🔥' })));
    for (const response of responses) expect(response.errors).toBeUndefined();
    expect(await kit.prisma.reaction.count({ where: { messageId: a.id } })).toBe(1);
    expect((await kit.events(id)).filter((e) => e.subject.endsWith('reaction.added') && (e.payload as { messageId?: unknown }).messageId === a.id)).toHaveLength(1);
  });

  it.each(['thumbs up', ':+1:', '👍👍', '', 'a👍', "'); DROP TABLE conversations.reactions; --"])('refuses %j with BAD_USER_INPUT field emoji, writing nothing', async (emoji) => {
    const me = kit.newUser();
    const id = await group(me);
    const a = await send(me, id, 'a');
    expect(firstError(await kit.gql(me, ADD, { id: a.id, emoji }))).toEqual({ code: 'BAD_USER_INPUT', field: 'emoji' });
    expect(await kit.prisma.reaction.count({ where: { messageId: a.id } })).toBe(0);
  });

  it('refuses non-members (NOT_FOUND) and deleted messages (CONFLICT); a deleted message shows no reactions', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const a = await send(me, id, 'a');
    await kit.gql(me, ADD, { id: a.id, emoji: '👍' });
    expect(firstError(await kit.gql(kit.newUser(), ADD, { id: a.id, emoji: '👍' }))).toEqual({ code: 'NOT_FOUND' });
    await kit.gql(me, DELETE, { id: a.id });
    expect(firstError(await kit.gql(me, ADD, { id: a.id, emoji: '🎉' }))).toEqual({ code: 'CONFLICT' });
    const page = await kit.gql(me, PAGE, { id });
    expect(page.data!.conversation.messages[0].reactions).toEqual([]);
  });
});

describe('deleteMessage by admins', () => {
  it('lets an admin or owner delete a member’s message; a member cannot delete an admin’s', async () => {
    const owner = kit.newUser();
    const admin = kit.newUser();
    const member = kit.newUser();
    const id = await group(owner, [admin, member]);
    await kit.gql(owner, `mutation($id: ID!, $u: ID!) { changeRole(conversationId: $id, userId: $u, role: ADMIN) { role } }`, { id, u: admin });
    const byMember = await send(member, id, 'spam');
    const byAdmin = await send(admin, id, 'rules');
    expect(firstError(await kit.gql(member, DELETE, { id: byAdmin.id }))).toEqual({ code: 'FORBIDDEN' });
    const deleted = await kit.gql(admin, DELETE, { id: byMember.id });
    expect(deleted.data!.deleteMessage.deletedAt).toEqual(expect.any(String));
    const byOwner = await kit.gql(owner, DELETE, { id: byAdmin.id });
    expect(byOwner.data!.deleteMessage.deletedAt).toEqual(expect.any(String));
    // Tombstones keep their seq.
    const seqs = (await kit.prisma.message.findMany({ where: { conversationId: id }, orderBy: { seq: 'asc' } })).map((m) => m.seq);
    expect(seqs).toEqual([1, 2]);
  });
});
