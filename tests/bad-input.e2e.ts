// The bad input of issue 5, through the router over the real PostgreSQL and
// NATS: each is a typed error or a defined harmless result, and none of them
// writes anything (messages, mentions, reactions, notifications, read
// positions, outbox events are compared before and after).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, request } from './testkit/client.js';
import { AddReaction, ChatHistory, MarkReadState, SearchMessages, SendChatMessage } from './testkit/chat-operations.js';
import { CreateConversation, EditMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';
import { UpdateProfile } from './testkit/users-operations.js';
import { outboxPosition } from './testkit/written-events.js';

let stack: TestStack;
let db: pg.Client;
let alice: TestUser;
let bob: TestUser;
let conversationId: string;
let aliceMessage: { id: string; body: string };

beforeAll(async () => {
  stack = await startTestStack({ bus: 'nats' });
  db = new pg.Client({ connectionString: stack.db.url });
  await db.connect();
  [alice, bob] = await Promise.all([registerUser(stack.httpUrl, 'alice'), registerUser(stack.httpUrl, 'bob')]);
  const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'bad input', memberIds: [bob.id] } }, alice.accessToken);
  conversationId = createConversation.id;
  const { sendMessage } = await ok(stack.httpUrl, SendChatMessage, { input: { conversationId, body: 'the original words' } }, alice.accessToken);
  aliceMessage = sendMessage;
  await ok(stack.httpUrl, SendChatMessage, { input: { conversationId, body: 'second' } }, bob.accessToken);
});
afterAll(async () => {
  await db?.end();
  await stack?.dispose();
});

/** Everything the chat operations could write, as one comparable value. */
async function written(): Promise<unknown> {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return {
    messages: await q('SELECT id, seq, body, edited_at, deleted_at FROM conversations.messages ORDER BY id'),
    conversations: await q('SELECT id, last_seq, title FROM conversations.conversations ORDER BY id'),
    memberships: await q('SELECT conversation_id, user_id, last_read_seq FROM conversations.memberships ORDER BY 1, 2'),
    mentions: await q('SELECT message_id, user_id FROM conversations.mentions ORDER BY 1, 2'),
    reactions: await q('SELECT message_id, user_id, emoji FROM conversations.reactions ORDER BY 1, 2, 3'),
    notifications: await q('SELECT id FROM conversations.notifications ORDER BY id'),
    outbox: await outboxPosition(db),
    users: await q('SELECT count(*)::int AS n FROM users.users'),
  };
}

const code = (res: { errors?: Array<{ extensions?: { code?: string; field?: string } }> }) => res.errors?.[0]?.extensions?.code;

describe('bad input writes nothing', () => {
  it("editing someone else's message is FORBIDDEN; an unknown or malformed id NOT_FOUND / BAD_USER_INPUT", async () => {
    const before = await written();
    expect(code(await request(stack.httpUrl, EditMessage, { id: aliceMessage.id, body: 'hijacked' }, bob.accessToken))).toBe('FORBIDDEN');
    expect(code(await request(stack.httpUrl, EditMessage, { id: '00000000-0000-4000-8000-000000000000', body: 'x' }, bob.accessToken))).toBe('NOT_FOUND');
    const malformed = await request(stack.httpUrl, EditMessage, { id: "1'; DROP TABLE conversations.messages; --", body: 'x' }, bob.accessToken);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    // The author's own edit with an empty body is a validation error too.
    expect(code(await request(stack.httpUrl, EditMessage, { id: aliceMessage.id, body: '   ' }, alice.accessToken))).toBe('BAD_USER_INPUT');
    expect(await written()).toEqual(before);
    const history = await ok(stack.httpUrl, ChatHistory, { id: conversationId }, alice.accessToken);
    expect(history.conversation!.messages[0]).toMatchObject({ id: aliceMessage.id, body: 'the original words' });
  });

  it('a reaction that is not exactly one emoji is BAD_USER_INPUT on emoji', async () => {
    const before = await written();
    for (const emoji of ['lol', '', ' ', '👍👍', 'a👍', '👍 ', ':+1:', '<script>', "'; DELETE FROM conversations.reactions; --", '1', '👍'.repeat(40)]) {
      const res = await request(stack.httpUrl, AddReaction, { messageId: aliceMessage.id, emoji }, bob.accessToken);
      expect(res.errors?.[0]?.extensions, JSON.stringify(emoji)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'emoji' });
    }
    expect(await written()).toEqual(before);
  });

  it('mentions of unknown handles are simply not mentions: no mention, no notification', async () => {
    const before = (await written()) as { notifications: unknown[]; mentions: unknown[] };
    const { sendMessage } = await ok(
      stack.httpUrl,
      SendChatMessage,
      { input: { conversationId, body: '@nobody_has_this @x @' + 'a'.repeat(40) + ' @DROP_TABLE mail@nobody_has_this' } },
      alice.accessToken,
    );
    expect(sendMessage.mentions).toEqual([]);
    expect(sendMessage.mentionsMe).toBe(false);
    const after = (await written()) as { notifications: unknown[]; mentions: unknown[] };
    expect(after.mentions).toEqual(before.mentions);
    expect(after.notifications).toEqual(before.notifications);
  });

  it('search strings with SQL or tsquery syntax are plain words: a defined result, never an error', async () => {
    await ok(stack.httpUrl, SendChatMessage, { input: { conversationId, body: 'select the drop zone' } }, alice.accessToken);
    const before = await written();
    const hostile = [
      "'; DROP TABLE conversations.messages; --",
      "' OR 1=1 --",
      'drop & ( select | !zone',
      'zone:* <-> select',
      '!!!',
      '&|()<>:*',
      '"unclosed',
      '\\',
      '%_',
      '-',
    ];
    for (const query of hostile) {
      const res = await request(stack.httpUrl, SearchMessages, { query, conversationId }, bob.accessToken);
      expect(res.errors, query).toBeUndefined();
      // Whatever matches is a message of this conversation; nothing else is ever returned.
      for (const hit of res.data!.searchMessages.hits) expect(hit.message.conversationId).toBe(conversationId);
    }
    // Operators are not operators: "drop & ( select | !zone" finds the message with those words.
    const words = await ok(stack.httpUrl, SearchMessages, { query: 'drop & ( select | !zone', conversationId }, bob.accessToken);
    expect(words.searchMessages.hits.map((h) => h.message.body)).toEqual(['select the drop zone']);
    // Only punctuation: nothing to search for, no hits.
    expect((await ok(stack.httpUrl, SearchMessages, { query: '&|()<>:*', conversationId }, bob.accessToken)).searchMessages).toEqual({ hits: [], nextCursor: null });
    expect(await written()).toEqual(before);
  });

  it('markRead with a seq out of range is BAD_USER_INPUT on seq and moves nothing', async () => {
    await ok(stack.httpUrl, MarkReadState, { id: conversationId, seq: 1 }, bob.accessToken);
    const before = await written();
    const { rows } = await db.query<{ last_seq: number }>('SELECT last_seq FROM conversations.conversations WHERE id = $1', [conversationId]);
    for (const seq of [rows[0]!.last_seq + 1, 1_000_000, -1]) {
      const res = await request(stack.httpUrl, MarkReadState, { id: conversationId, seq }, bob.accessToken);
      expect(res.errors?.[0]?.extensions, String(seq)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'seq' });
    }
    // Beyond 32 bits is not an Int at all: refused before any subgraph runs.
    const huge = await request(stack.httpUrl, MarkReadState, { id: conversationId, seq: 2 ** 40 }, bob.accessToken);
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(code(huge));
    // Backwards is the defined harmless result: the position stays where it was.
    expect((await ok(stack.httpUrl, MarkReadState, { id: conversationId, seq: 0 }, bob.accessToken)).markRead.id).toBe(conversationId);
    expect(await written()).toEqual(before);
  });

  it('text with an unpaired surrogate (not Unicode: stored, it would read back as U+FFFD) is BAD_USER_INPUT on its field and writes nothing', async () => {
    const before = await written();
    const broken = `half a pair \ud83d here`;
    const refused = [
      await request(stack.httpUrl, SendChatMessage, { input: { conversationId, body: broken } }, alice.accessToken),
      await request(stack.httpUrl, EditMessage, { id: aliceMessage.id, body: broken }, alice.accessToken),
      await request(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: broken, memberIds: [] } }, alice.accessToken),
      await request(stack.httpUrl, SearchMessages, { query: broken }, alice.accessToken),
      await request(stack.httpUrl, UpdateProfile, { input: { displayName: broken } }, alice.accessToken),
      await request(stack.httpUrl, UpdateProfile, { input: { statusText: broken } }, alice.accessToken),
    ];
    expect(refused.map((res) => res.errors?.[0]?.extensions)).toEqual(
      ['body', 'body', 'title', 'query', 'displayName', 'statusText'].map((field) => expect.objectContaining({ code: 'BAD_USER_INPUT', field })),
    );
    expect(refused[0]!.errors![0]!.message).toBe('body must be valid Unicode (it holds an unpaired surrogate)');
    expect(await written()).toEqual(before);
    // A whole pair is an emoji like any other, and reads back as sent.
    const { sendMessage } = await ok(stack.httpUrl, SendChatMessage, { input: { conversationId, body: 'a whole pair \ud83d\ude00' } }, alice.accessToken);
    const { rows } = await db.query<{ body: string }>('SELECT body FROM conversations.messages WHERE id = $1', [sendMessage.id]);
    expect(rows[0]!.body).toBe('a whole pair 😀');
  });
});
