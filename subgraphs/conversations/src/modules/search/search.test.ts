import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstError, startKit, type GraphQLResponse, type Kit } from '../../test-kit.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const SEND = `mutation Send($id: ID!, $body: String!) { sendMessage(input: { conversationId: $id, body: $body }) { id seq } }`;
const DELETE = `mutation Delete($id: ID!) { deleteMessage(id: $id) { id } }`;
const SEARCH = `query Search($query: String!, $conversationId: ID, $limit: Int, $after: String) {
  searchMessages(query: $query, conversationId: $conversationId, limit: $limit, after: $after) {
    hits { rank highlight message { id conversationId seq body } }
    nextCursor
  }
}`;

let kit: Kit;

beforeAll(async () => {
  kit = await startKit();
});
afterAll(async () => {
  await kit?.close();
});

async function create(owner: string, memberIds: string[] = []): Promise<string> {
  const response = await kit.gql(owner, CREATE, { input: { kind: 'GROUP', memberIds } });
  return response.data!.createConversation.id;
}

async function send(userId: string, id: string, body: string): Promise<{ id: string; seq: number }> {
  const response = await kit.gql(userId, SEND, { id, body });
  expect(response.errors).toBeUndefined();
  return response.data!.sendMessage;
}

type Hit = { rank: number; highlight: string; message: { id: string; conversationId: string; seq: number; body: string } };

async function search(userId: string, args: Record<string, unknown>): Promise<{ hits: Hit[]; nextCursor: string | null }> {
  const response = await kit.gql(userId, SEARCH, args);
  expect(response.errors).toBeUndefined();
  return response.data!.searchMessages;
}

describe('searchMessages', () => {
  it('finds only messages the caller can read, ranked, with escaped highlights', async () => {
    const word = `zq${randomBytes(4).toString('hex')}`;
    const me = kit.newUser();
    const stranger = kit.newUser();
    const mine = await create(me);
    const other = await create(me);
    const theirs = await create(stranger);
    const strong = await send(me, mine, `${word} ${word} ${word} is <b>bold</b> & loud`);
    const weak = await send(me, other, `a long message that mentions ${word} only once among many other words here`);
    const gone = await send(me, mine, `${word} deleted`);
    await kit.gql(me, DELETE, { id: gone.id });
    await send(stranger, theirs, `${word} secret`);

    const result = await search(me, { query: word.toUpperCase() });
    expect(result.hits.map((h) => h.message.id)).toEqual([strong.id, weak.id]);
    expect(result.hits[0]!.rank).toBeGreaterThan(result.hits[1]!.rank);
    // PostgreSQL's parser drops tag-like text from headlines; the rest is escaped.
    expect(result.hits[0]!.highlight).toMatch(new RegExp(`^<mark>${word}</mark> <mark>${word}</mark> <mark>${word}</mark> is\\s+bold\\s+&amp; loud$`));
    expect(result.nextCursor).toBeNull();

    const scoped = await search(me, { query: word, conversationId: other });
    expect(scoped.hits.map((h) => h.message.id)).toEqual([weak.id]);
    expect(firstError(await kit.gql(me, SEARCH, { query: word, conversationId: theirs }))).toEqual({ code: 'NOT_FOUND' });
    expect((await search(stranger, { query: word })).hits.map((h) => h.message.body)).toEqual([`${word} secret`]);
  });

  it('supports phrases, or and exclusion; tsquery and SQL syntax are harmless', async () => {
    const tag = `tg${randomBytes(4).toString('hex')}`;
    const me = kit.newUser();
    const id = await create(me);
    const a = await send(me, id, `${tag} red apple`);
    const b = await send(me, id, `${tag} apple red`);
    const c = await send(me, id, `${tag} green pear`);
    const ids = async (query: string) => (await search(me, { query, conversationId: id })).hits.map((h) => h.message.id).sort();
    expect(await ids(`${tag} "red apple"`)).toEqual([a.id]);
    expect(await ids(`${tag} red -apple`)).toEqual([]);
    expect(await ids(`${tag} pear or red`)).toEqual([a.id, b.id, c.id].sort());
    expect(await ids(`${tag} -green`)).toEqual([a.id, b.id].sort());
    for (const hostile of [`${tag} & | ! :* (`, `'); DROP TABLE conversations.messages; --`, `${tag}:*`, '!!!', `\\' OR 1=1 --`, '<->', '"']) {
      const response = await kit.gql(me, SEARCH, { query: hostile, conversationId: id });
      expect(response.errors).toBeUndefined();
    }
    expect(await kit.prisma.message.count({ where: { conversationId: id } })).toBe(3);
  });

  it('pages with a cursor without gaps or repeats, even among equal ranks', async () => {
    const word = `pg${randomBytes(4).toString('hex')}`;
    const me = kit.newUser();
    const id = await create(me);
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) sent.push((await send(me, id, `${word} number ${i}`)).id);
    for (let i = 0; i < 3; i++) sent.push((await send(me, id, `${word} ${word} twice ${i}`)).id);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const response: GraphQLResponse<any> = await kit.gql(me, SEARCH, { query: word, limit: 3, after });
      expect(response.errors).toBeUndefined();
      seen.push(...response.data!.searchMessages.hits.map((h: Hit) => h.message.id));
      after = response.data!.searchMessages.nextCursor;
      pages++;
    } while (after && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(10);
    expect(new Set(seen)).toEqual(new Set(sent));
    // The three double matches rank first.
    expect(new Set(seen.slice(0, 3))).toEqual(new Set(sent.slice(7)));
  });

  it.each([
    [{ query: '' }, 'query'],
    [{ query: '   ' }, 'query'],
    [{ query: 'x'.repeat(201) }, 'query'],
    [{ query: 'a\u0000b' }, 'query'],
    [{ query: 'ok', limit: 0 }, 'limit'],
    [{ query: 'ok', limit: 51 }, 'limit'],
    [{ query: 'ok', after: 'bogus' }, 'after'],
    [{ query: 'ok', conversationId: 'nope' }, 'conversationId'],
  ])('refuses %j with BAD_USER_INPUT', async (args, field) => {
    expect(firstError(await kit.gql(kit.newUser(), SEARCH, args))).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  it('uses the GIN index for the match', async () => {
    const rows = await kit.prisma.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(
      `EXPLAIN SELECT id FROM conversations.messages m WHERE m.body_tsv @@ websearch_to_tsquery('simple', 'hello')`,
    );
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    // A fresh, small table may be scanned sequentially; the index must at least exist and be usable.
    const indexes = await kit.prisma.$queryRaw<Array<{ indexdef: string }>>`
      SELECT indexdef FROM pg_indexes WHERE schemaname = 'conversations' AND indexname = 'messages_body_tsv_idx'`;
    expect(indexes[0]?.indexdef).toMatch(/USING gin \(body_tsv\)/);
    expect(plan).toMatch(/messages/);
  });
});
