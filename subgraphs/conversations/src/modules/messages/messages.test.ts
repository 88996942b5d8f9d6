import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstError, startKit, type Kit } from '../../test-kit.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id lastSeq } }`;
const SEND = `mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) { id conversationId seq body clientMsgId author { id } createdAt editedAt deletedAt }
}`;
const PAGE = `query Page($id: ID!, $after: Int, $before: Int, $limit: Int) {
  conversation(id: $id) { lastSeq messages(after: $after, before: $before, limit: $limit) { seq } }
}`;
const EDIT = `mutation Edit($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id seq body editedAt deletedAt } }`;
const DELETE = `mutation Delete($id: ID!) { deleteMessage(id: $id) { id seq body editedAt deletedAt } }`;

let kit: Kit;

beforeAll(async () => {
  kit = await startKit();
});
afterAll(async () => {
  await kit?.close();
});

async function group(owner: string, others: string[] = []): Promise<string> {
  const response = await kit.gql(owner, CREATE, { input: { kind: 'GROUP', title: 'test', memberIds: others } });
  expect(response.errors).toBeUndefined();
  return response.data!.createConversation.id;
}

async function send(userId: string, conversationId: string, body: string, clientMsgId?: string) {
  return kit.gql(userId, SEND, { input: { conversationId, body, ...(clientMsgId ? { clientMsgId } : {}) } });
}

async function counts(conversationId: string) {
  const [messages, outbox, conversation] = await Promise.all([
    kit.prisma.message.count({ where: { conversationId } }),
    kit.events(conversationId).then((events) => events.length),
    kit.prisma.conversation.findUnique({ where: { id: conversationId }, select: { lastSeq: true } }),
  ]);
  return { messages, outbox, lastSeq: conversation?.lastSeq };
}

describe('sendMessage', () => {
  it('gives 20 concurrent senders x 10 messages seq 1..200 exactly, with 200 outbox rows delivered in order', async () => {
    const owner = kit.newUser();
    const senders = Array.from({ length: 20 }, () => kit.newUser());
    const id = await group(owner, senders);
    const delivered: number[] = [];
    const sub = await kit.bus.subscribe(`${kit.busPrefix}.conv.${id}.>`, (payload) => {
      delivered.push((payload as { seq: number }).seq);
    });
    const results = await Promise.all(
      senders.map(async (sender, s) => {
        const seqs: number[] = [];
        for (let i = 0; i < 10; i++) {
          const response = await send(sender, id, `message ${s}.${i}`);
          expect(response.errors).toBeUndefined();
          seqs.push(response.data!.sendMessage.seq);
        }
        return seqs;
      }),
    );
    // Each sender's own messages are in increasing seq order.
    for (const seqs of results) expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const all = results.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const rows = await kit.prisma.message.findMany({ where: { conversationId: id }, select: { seq: true }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.seq)).toEqual(all);
    expect(await counts(id)).toEqual({ messages: 200, outbox: 200, lastSeq: 200 });

    await kit.service.relay!.flushed();
    await expect.poll(() => delivered.length).toBe(200);
    expect(delivered).toEqual(all);
    expect(await kit.prisma.outboxEvent.count({ where: { subject: { contains: id } } })).toBe(0);
    await sub.unsubscribe();
  });

  it('trims the body and returns the author and timestamps', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const response = await send(me, id, '  hi there \n');
    expect(response.errors).toBeUndefined();
    const message = response.data!.sendMessage;
    expect(message).toMatchObject({ conversationId: id, seq: 1, body: 'hi there', clientMsgId: null, author: { id: me }, editedAt: null, deletedAt: null });
    expect(new Date(message.createdAt).toISOString()).toBe(message.createdAt);
  });

  it('is idempotent per clientMsgId: a sequential retry returns the first message and writes nothing', async () => {
    const me = kit.newUser();
    const other = kit.newUser();
    const id = await group(me, [other]);
    const first = await send(me, id, 'once', 'c-1');
    const again = await send(me, id, 'once (retried)', 'c-1');
    expect(again.errors).toBeUndefined();
    expect(again.data!.sendMessage).toEqual(first.data!.sendMessage);
    expect(await counts(id)).toEqual({ messages: 1, outbox: 1, lastSeq: 1 });
    // Another author may use the same clientMsgId: it is unique per sender.
    const theirs = await send(other, id, 'mine', 'c-1');
    expect(theirs.data!.sendMessage.seq).toBe(2);
  });

  it('is idempotent per clientMsgId under 10 concurrent retries: one message, one seq, one event', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const responses = await Promise.all(Array.from({ length: 10 }, () => send(me, id, 'racing', 'race-1')));
    for (const response of responses) expect(response.errors).toBeUndefined();
    const ids = new Set(responses.map((r) => r.data!.sendMessage.id));
    const seqs = new Set(responses.map((r) => r.data!.sendMessage.seq));
    expect(ids.size).toBe(1);
    expect([...seqs]).toEqual([1]);
    expect(await counts(id)).toEqual({ messages: 1, outbox: 1, lastSeq: 1 });
    // seq has no gap after the losers rolled back.
    expect((await send(me, id, 'next')).data!.sendMessage.seq).toBe(2);
  });

  it.each([
    ['an empty body', { body: '' }, 'body'],
    ['a blank body', { body: ' \n\t ' }, 'body'],
    ['a body over 4,000 characters', { body: 'x'.repeat(4001) }, 'body'],
    ['a NUL in the body', { body: 'a\u0000b' }, 'body'],
    ['a clientMsgId over 64 characters', { clientMsgId: 'c'.repeat(65) }, 'clientMsgId'],
    ['an empty clientMsgId', { clientMsgId: '' }, 'clientMsgId'],
    ['a malformed conversationId', { conversationId: 'not-a-uuid' }, 'conversationId'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_name, override, field) => {
    const me = kit.newUser();
    const id = await group(me);
    const response = await kit.gql(me, SEND, { input: { conversationId: id, body: 'ok', ...override } });
    expect(firstError(response)).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(response.data).toBeNull();
    expect(await counts(id)).toEqual({ messages: 0, outbox: 0, lastSeq: 0 });
  });

  it('accepts a body of exactly 4,000 characters (code points) and a 64-character clientMsgId', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const response = await send(me, id, '😀'.repeat(4000), 'k'.repeat(64));
    expect(response.errors).toBeUndefined();
    expect(response.data!.sendMessage.body).toBe('😀'.repeat(4000));
  });

  it('refuses a non-member with NOT_FOUND and writes nothing, as for a conversation that does not exist', async () => {
    const owner = kit.newUser();
    const stranger = kit.newUser();
    const id = await group(owner);
    const response = await send(stranger, id, 'let me in', 'x');
    expect(firstError(response)).toEqual({ code: 'NOT_FOUND' });
    const missing = await send(stranger, '00000000-0000-4000-8000-000000000000', 'hello');
    expect(firstError(missing)).toEqual({ code: 'NOT_FOUND' });
    expect(missing.errors![0].message).toBe(response.errors![0].message);
    expect(await counts(id)).toEqual({ messages: 0, outbox: 0, lastSeq: 0 });
  });

  it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
    const me = kit.newUser();
    const id = await group(me);
    expect(firstError(await send(null as unknown as string, id, 'hi'))).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await counts(id)).toEqual({ messages: 0, outbox: 0, lastSeq: 0 });
  });
});

describe('Conversation.messages', () => {
  let me: string;
  let id: string;
  beforeAll(async () => {
    me = kit.newUser();
    id = await group(me);
    for (let i = 1; i <= 30; i++) await send(me, id, `m${i}`);
  });
  const seqs = async (args: Record<string, unknown>) => {
    const response = await kit.gql(me, PAGE, { id, ...args });
    expect(response.errors).toBeUndefined();
    return (response.data!.conversation.messages as Array<{ seq: number }>).map((m) => m.seq);
  };
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('reads several conversations at different `after` positions in one request, each its own page', async () => {
    const other = await group(me);
    for (let i = 1; i <= 5; i++) await send(me, other, `o${i}`);
    const response = await kit.gql(
      me,
      `query($a: ID!, $b: ID!) {
        a: conversation(id: $a) { messages(after: 27, limit: 10) { seq body } }
        b: conversation(id: $b) { messages(after: 2, limit: 2) { seq body } }
        c: conversation(id: $b) { messages(after: 4, limit: 10) { seq body } }
      }`,
      { a: id, b: other },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      a: { messages: [{ seq: 28, body: 'm28' }, { seq: 29, body: 'm29' }, { seq: 30, body: 'm30' }] },
      b: { messages: [{ seq: 3, body: 'o3' }, { seq: 4, body: 'o4' }] },
      c: { messages: [{ seq: 5, body: 'o5' }] },
    });
  });

  it('without cursors returns the newest `limit`, ascending (default limit 50)', async () => {
    expect(await seqs({ limit: 5 })).toEqual(range(26, 30));
    expect(await seqs({})).toEqual(range(1, 30));
  });
  it('with `after` returns the first `limit` with seq > after, ascending', async () => {
    expect(await seqs({ after: 10, limit: 5 })).toEqual(range(11, 15));
    expect(await seqs({ after: 0, limit: 3 })).toEqual([1, 2, 3]);
    expect(await seqs({ after: 28 })).toEqual([29, 30]);
    expect(await seqs({ after: 30 })).toEqual([]);
  });
  it('with `before` returns the last `limit` with seq < before, ascending', async () => {
    expect(await seqs({ before: 10, limit: 5 })).toEqual(range(5, 9));
    expect(await seqs({ before: 3, limit: 5 })).toEqual([1, 2]);
    expect(await seqs({ before: 1 })).toEqual([]);
  });
  it('with both treats them as a range: the first `limit` with after < seq < before', async () => {
    expect(await seqs({ after: 5, before: 20, limit: 4 })).toEqual([6, 7, 8, 9]);
    expect(await seqs({ after: 5, before: 9 })).toEqual([6, 7, 8]);
    expect(await seqs({ after: 9, before: 5 })).toEqual([]);
  });
  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 201 }, 'limit'],
    [{ limit: -1 }, 'limit'],
    [{ after: -1 }, 'after'],
    [{ before: -5 }, 'before'],
  ])('refuses %j with BAD_USER_INPUT', async (args, field) => {
    expect(firstError(await kit.gql(me, PAGE, { id, ...args }))).toEqual({ code: 'BAD_USER_INPUT', field });
  });
  it('batches pages of several conversations in one request', async () => {
    const other = await group(me);
    await send(me, other, 'only one');
    const response = await kit.gql(me, `{ conversations { id messages(limit: 2) { seq body } } }`);
    const byId = new Map((response.data!.conversations as Array<{ id: string; messages: unknown[] }>).map((c) => [c.id, c.messages]));
    expect(byId.get(id)).toEqual([{ seq: 29, body: 'm29' }, { seq: 30, body: 'm30' }]);
    expect(byId.get(other)).toEqual([{ seq: 1, body: 'only one' }]);
  });
});

describe('editMessage / deleteMessage', () => {
  it('lets the author edit (editedAt set, one message.edited event per edit)', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const sent = (await send(me, id, 'typo')).data!.sendMessage;
    const edited = await kit.gql(me, EDIT, { id: sent.id, body: ' fixed ' });
    expect(edited.errors).toBeUndefined();
    expect(edited.data!.editMessage).toMatchObject({ id: sent.id, seq: 1, body: 'fixed', deletedAt: null });
    expect(edited.data!.editMessage.editedAt).toEqual(expect.any(String));
    await kit.gql(me, EDIT, { id: sent.id, body: 'fixed again' });
    const events = await kit.events(id);
    expect(events.map((e) => e.subject.split('.').slice(-2).join('.'))).toEqual(['message.added', 'message.edited', 'message.edited']);
    expect(new Set(events.map((e) => e.msgId)).size).toBe(3);
  });

  it('announceMessageChange (media, after attachMedia): a message.edited event per call, keyed apart from text edits; the author only, not once deleted', async () => {
    const me = kit.newUser();
    const other = kit.newUser();
    const id = await group(me, [other]);
    const sent = (await send(me, id, 'with a photo')).data!.sendMessage;
    await kit.gql(me, EDIT, { id: sent.id, body: 'with a photo!' });
    const ANNOUNCE = 'mutation Announce($id: ID!) { announceMessageChange(id: $id) }';
    for (let i = 0; i < 2; i++) expect(await kit.gql(me, ANNOUNCE, { id: sent.id })).toMatchObject({ status: 200, data: { announceMessageChange: true } });
    const events = await kit.events(id);
    expect(events.map((e) => e.subject.split('.').slice(-2).join('.'))).toEqual(['message.added', 'message.edited', 'message.edited', 'message.edited']);
    // The bus would drop a repeated key: every announcement has its own.
    expect(new Set(events.map((e) => e.msgId)).size).toBe(4);
    expect(firstError(await kit.gql(other, ANNOUNCE, { id: sent.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(firstError(await kit.gql(kit.newUser(), ANNOUNCE, { id: sent.id }))).toMatchObject({ code: 'NOT_FOUND' });
    await kit.gql(me, DELETE, { id: sent.id });
    expect(firstError(await kit.gql(me, ANNOUNCE, { id: sent.id }))).toMatchObject({ code: 'CONFLICT' });
    expect((await kit.events(id)).length).toBe(5);
  });

  it('deletes as a tombstone: seq kept, body empty, deletedAt set; deleting again changes nothing', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const sent = (await send(me, id, 'oops')).data!.sendMessage;
    await send(me, id, 'after');
    const deleted = await kit.gql(me, DELETE, { id: sent.id });
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteMessage).toMatchObject({ id: sent.id, seq: 1, body: '' });
    expect(deleted.data!.deleteMessage.deletedAt).toEqual(expect.any(String));
    const again = await kit.gql(me, DELETE, { id: sent.id });
    expect(again.data!.deleteMessage).toEqual(deleted.data!.deleteMessage);
    const page = await kit.gql(me, PAGE, { id });
    expect(page.data!.conversation.messages).toEqual([{ seq: 1 }, { seq: 2 }]);
    expect(await counts(id)).toEqual({ messages: 2, outbox: 3, lastSeq: 2 });
    // A deleted message cannot be edited.
    expect(firstError(await kit.gql(me, EDIT, { id: sent.id, body: 'revive' }))).toEqual({ code: 'CONFLICT' });
  });

  it('refuses another member with FORBIDDEN, a non-member with NOT_FOUND, and writes nothing', async () => {
    const author = kit.newUser();
    const member = kit.newUser();
    const stranger = kit.newUser();
    const id = await group(author, [member]);
    const sent = (await send(author, id, 'mine')).data!.sendMessage;
    expect(firstError(await kit.gql(member, EDIT, { id: sent.id, body: 'yours' }))).toEqual({ code: 'FORBIDDEN' });
    expect(firstError(await kit.gql(member, DELETE, { id: sent.id }))).toEqual({ code: 'FORBIDDEN' });
    expect(firstError(await kit.gql(stranger, EDIT, { id: sent.id, body: 'yours' }))).toEqual({ code: 'NOT_FOUND' });
    expect(firstError(await kit.gql(stranger, DELETE, { id: sent.id }))).toEqual({ code: 'NOT_FOUND' });
    expect(firstError(await kit.gql(stranger, DELETE, { id: '00000000-0000-4000-8000-000000000000' }))).toEqual({ code: 'NOT_FOUND' });
    const row = await kit.prisma.message.findUnique({ where: { id: sent.id } });
    expect(row).toMatchObject({ body: 'mine', editedAt: null, deletedAt: null });
    expect(await counts(id)).toEqual({ messages: 1, outbox: 1, lastSeq: 1 });
  });

  it('validates the id and body', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const sent = (await send(me, id, 'x')).data!.sendMessage;
    expect(firstError(await kit.gql(me, EDIT, { id: 'nope', body: 'y' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(firstError(await kit.gql(me, EDIT, { id: sent.id, body: '  ' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(firstError(await kit.gql(me, EDIT, { id: sent.id, body: 'y'.repeat(4001) }))).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(firstError(await kit.gql(me, DELETE, { id: '1' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await counts(id)).toEqual({ messages: 1, outbox: 1, lastSeq: 1 });
  });
});

describe('message(id) and Message references', () => {
  it('returns a message to members only; NOT_FOUND otherwise', async () => {
    const me = kit.newUser();
    const stranger = kit.newUser();
    const id = await group(me);
    const sent = (await send(me, id, 'secret')).data!.sendMessage;
    const mine = await kit.gql(me, `query($id: ID!) { message(id: $id) { id body seq } }`, { id: sent.id });
    expect(mine.data!.message).toEqual({ id: sent.id, body: 'secret', seq: 1 });
    const theirs = await kit.gql(stranger, `query($id: ID!) { message(id: $id) { id body } }`, { id: sent.id });
    expect(firstError(theirs)).toEqual({ code: 'NOT_FOUND' });
    expect(theirs.data).toEqual({ message: null });
    expect(firstError(await kit.gql(me, `{ message(id: "x") { id } }`))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('resolves _entities for members, batched, and refuses the others per entity', async () => {
    const me = kit.newUser();
    const stranger = kit.newUser();
    const id = await group(me);
    const a = (await send(me, id, 'a')).data!.sendMessage.id;
    const b = (await send(me, id, 'b')).data!.sendMessage.id;
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Message { id seq body author { id } } } }`;
    const representations = [a, b].map((mid) => ({ __typename: 'Message', id: mid }));
    const mine = await kit.gql(me, query, { r: representations });
    expect(mine.errors).toBeUndefined();
    expect(mine.data!._entities).toEqual([
      { id: a, seq: 1, body: 'a', author: { id: me } },
      { id: b, seq: 2, body: 'b', author: { id: me } },
    ]);
    const theirs = await kit.gql(stranger, query, { r: representations });
    expect(theirs.data!._entities).toEqual([null, null]);
    expect(theirs.errors!.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });
});

describe('Subscription.messageAdded', () => {
  it('is declared for the supergraph but refuses to run in the subgraph', async () => {
    const me = kit.newUser();
    const id = await group(me);
    const response = await kit.gql(me, `subscription($id: ID!) { messageAdded(conversationId: $id) { id } }`, { id });
    expect(response.errors?.[0].message).toMatch(/router/);
    const events = await kit.gql(me, `subscription($id: ID!) { conversationEvents(conversationId: $id) { kind } }`, { id });
    expect(events.errors?.[0]).toMatchObject({ message: expect.stringMatching(/router/), extensions: { code: 'BAD_REQUEST' } });
  });
});
