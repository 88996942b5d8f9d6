import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { IDENTITY_HEADER, identityKey, signIdentity, verifyIdentity } from '@storm/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstError, startKit, type Kit } from '../../test-kit.js';
import { createHttpUserDirectory, type UserDirectory } from '../../user-directory.js';

const CREATE = `mutation Create($input: CreateConversationInput!) {
  createConversation(input: $input) { id kind title lastSeq unreadCount members { id } }
}`;
const SEND = `mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id seq } }`;
const GET = `query Get($id: ID!) { conversation(id: $id) { id kind title lastSeq unreadCount members { id } } }`;
const MESSAGES = `query Messages($id: ID!) { conversation(id: $id) { messages { seq } } }`;
const MARK = `mutation Mark($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id lastSeq unreadCount } }`;
const LIST = `{ conversations { id lastSeq } }`;

/** Lets a test swap the directory the running service asks (unreachable, failing…). */
let directory: UserDirectory;
let kit: Kit;

beforeAll(async () => {
  kit = await startKit({ userDirectory: { existing: (ids, as) => directory.existing(ids, as), byHandles: (handles, as) => directory.byHandles(handles, as) } });
  directory = kit.users;
});
afterAll(async () => {
  await kit?.close();
});

const create = (userId: string, input: Record<string, unknown>) => kit.gql(userId, CREATE, { input });
const send = (userId: string, conversationId: string, body = 'hi') => kit.gql(userId, SEND, { input: { conversationId, body } });
const conversationCount = () => kit.prisma.conversation.count();

describe('createConversation', () => {
  it('adds the caller as OWNER plus the deduplicated members', async () => {
    const me = kit.newUser();
    const a = kit.newUser();
    const b = kit.newUser();
    const response = await create(me, { kind: 'GROUP', title: '  Team  ', memberIds: [a, b, a.toUpperCase(), me] });
    expect(response.errors).toBeUndefined();
    const conversation = response.data!.createConversation;
    expect(conversation).toMatchObject({ kind: 'GROUP', title: 'Team', lastSeq: 0, unreadCount: 0 });
    expect(conversation.members.map((m: { id: string }) => m.id).sort()).toEqual([me, a, b].sort());
    const memberships = await kit.prisma.membership.findMany({ where: { conversationId: conversation.id } });
    expect(memberships.find((m) => m.userId === me)?.role).toBe('OWNER');
    expect(memberships.filter((m) => m.role === 'MEMBER')).toHaveLength(2);
  });

  it('creates a CHANNEL with only the caller, without a title', async () => {
    const me = kit.newUser();
    const response = await create(me, { kind: 'CHANNEL', memberIds: [] });
    expect(response.data!.createConversation).toMatchObject({ kind: 'CHANNEL', title: null, members: [{ id: me }] });
  });

  it('returns the existing DIRECT conversation of a pair, from either side', async () => {
    const me = kit.newUser();
    const you = kit.newUser();
    const first = await create(me, { kind: 'DIRECT', memberIds: [you] });
    expect(first.errors).toBeUndefined();
    const again = await create(me, { kind: 'DIRECT', memberIds: [you, me] });
    const reverse = await create(you, { kind: 'DIRECT', memberIds: [me.toUpperCase()] });
    expect(again.data!.createConversation.id).toBe(first.data!.createConversation.id);
    expect(reverse.data!.createConversation.id).toBe(first.data!.createConversation.id);
    expect(first.data!.createConversation).toMatchObject({ kind: 'DIRECT', title: null });
    expect(await kit.prisma.conversation.count({ where: { kind: 'DIRECT', memberships: { some: { userId: me } } } })).toBe(1);
  });

  it('creates one DIRECT conversation when 10 creates of the pair race', async () => {
    const me = kit.newUser();
    const you = kit.newUser();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? create(me, { kind: 'DIRECT', memberIds: [you] }) : create(you, { kind: 'DIRECT', memberIds: [me] }))),
    );
    for (const response of responses) expect(response.errors).toBeUndefined();
    expect(new Set(responses.map((r) => r.data!.createConversation.id)).size).toBe(1);
    expect(await kit.prisma.conversation.count({ where: { kind: 'DIRECT', memberships: { some: { userId: me } } } })).toBe(1);
  });

  it.each([
    ['DIRECT with nobody else', () => ({ kind: 'DIRECT', memberIds: [] }), 'memberIds'],
    ['DIRECT with only the caller', (me: string) => ({ kind: 'DIRECT', memberIds: [me] }), 'memberIds'],
    ['DIRECT with two others', () => ({ kind: 'DIRECT', memberIds: [kit.newUser(), kit.newUser()] }), 'memberIds'],
    ['DIRECT with a title', () => ({ kind: 'DIRECT', title: 'us', memberIds: [kit.newUser()] }), 'title'],
    ['a title over 200 characters', () => ({ kind: 'GROUP', title: 't'.repeat(201), memberIds: [] }), 'title'],
    ['a malformed member id', () => ({ kind: 'GROUP', memberIds: ['nope'] }), 'memberIds'],
    ['an unknown user', () => ({ kind: 'GROUP', memberIds: [kit.newUser(), randomUUID()] }), 'memberIds'],
    ['an unknown DIRECT partner', () => ({ kind: 'DIRECT', memberIds: [randomUUID()] }), 'memberIds'],
    ['more than 1,000 members', () => ({ kind: 'GROUP', memberIds: Array.from({ length: 1000 }, () => randomUUID()) }), 'memberIds'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_name, input, field) => {
    const me = kit.newUser();
    const before = await conversationCount();
    const response = await create(me, input(me));
    expect(firstError(response)).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(await conversationCount()).toBe(before);
  });

  it('accepts exactly 1,000 members including the caller', async () => {
    const me = kit.newUser();
    const others = Array.from({ length: 999 }, () => kit.newUser());
    const response = await kit.gql(me, `mutation($input: CreateConversationInput!) { createConversation(input: $input) { id } }`, {
      input: { kind: 'CHANNEL', memberIds: others },
    });
    expect(response.errors).toBeUndefined();
    expect(await kit.prisma.membership.count({ where: { conversationId: response.data!.createConversation.id } })).toBe(1000);
  });

  it('answers UNAVAILABLE and writes nothing when the user directory is down', async () => {
    const me = kit.newUser();
    const other = kit.newUser();
    directory = createHttpUserDirectory({ url: 'http://127.0.0.1:9/graphql', identityKey: kit.key, timeoutMs: 1000 });
    try {
      const before = await conversationCount();
      const response = await create(me, { kind: 'GROUP', memberIds: [other] });
      expect(firstError(response)).toEqual({ code: 'UNAVAILABLE' });
      expect(JSON.stringify(response.errors)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|users/);
      expect(await conversationCount()).toBe(before);
    } finally {
      directory = kit.users;
    }
  });

  it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
    expect(firstError(await kit.gql(null, CREATE, { input: { kind: 'GROUP', memberIds: [] } }))).toEqual({ code: 'UNAUTHENTICATED' });
  });
});

describe('the HTTP user directory', () => {
  let server: Server;
  let url: string;
  const known = new Set<string>();
  const seen: Array<{ userId: string | null; ids: string[] }> = [];
  let mode: 'ok' | 'error' | '500' = 'ok';

  beforeAll(async () => {
    // Stands in for the users subgraph: verifies the identity header and
    // answers `_entities` for User references (null for unknown ids).
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', async () => {
        const identity = await verifyIdentity(String(req.headers[IDENTITY_HEADER]), kit.key).catch(() => undefined);
        if (!identity || mode === '500') {
          res.writeHead(identity ? 500 : 401).end('{}');
          return;
        }
        const body = JSON.parse(raw) as { query: string; variables: { r: Array<{ __typename: string; id: string }> } };
        expect(body.query).toContain('_entities');
        seen.push({ userId: identity.userId, ids: body.variables.r.map((r) => r.id) });
        res.writeHead(200, { 'content-type': 'application/json' });
        if (mode === 'error') res.end(JSON.stringify({ data: null, errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
        else res.end(JSON.stringify({ data: { _entities: body.variables.r.map((r) => (known.has(r.id) ? { id: r.id } : null)) } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    directory = kit.users;
    await new Promise((resolve) => server.close(resolve));
  });

  it('checks every member in one signed call, as the caller', async () => {
    directory = createHttpUserDirectory({ url, identityKey: kit.key });
    const me = randomUUID();
    const a = randomUUID();
    const b = randomUUID();
    known.add(a).add(b);
    seen.length = 0;
    const response = await create(me, { kind: 'GROUP', memberIds: [a, b] });
    expect(response.errors).toBeUndefined();
    expect(seen).toEqual([{ userId: me, ids: [a, b] }]);
    const unknown = await create(me, { kind: 'GROUP', memberIds: [a, randomUUID()] });
    expect(firstError(unknown)).toEqual({ code: 'BAD_USER_INPUT', field: 'memberIds' });
  });

  it('is UNAVAILABLE when the users subgraph errors or answers 5xx, and when the signature is wrong', async () => {
    const me = randomUUID();
    const a = randomUUID();
    known.add(a);
    directory = createHttpUserDirectory({ url, identityKey: kit.key });
    mode = 'error';
    expect(firstError(await create(me, { kind: 'GROUP', memberIds: [a] }))).toEqual({ code: 'UNAVAILABLE' });
    mode = '500';
    expect(firstError(await create(me, { kind: 'GROUP', memberIds: [a] }))).toEqual({ code: 'UNAVAILABLE' });
    mode = 'ok';
    directory = createHttpUserDirectory({ url, identityKey: identityKey('another-secret-another-secret-another-secret') });
    expect(firstError(await create(me, { kind: 'GROUP', memberIds: [a] }))).toEqual({ code: 'UNAVAILABLE' });
  });
});

describe('reading conversations', () => {
  it('lists the caller’s conversations, newest activity first', async () => {
    const me = kit.newUser();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create(me, { kind: 'GROUP', memberIds: [] })).data!.createConversation.id);
    // Activity in the oldest one moves it to the top.
    await send(me, ids[0]);
    const response = await kit.gql(me, LIST);
    expect(response.data!.conversations.map((c: { id: string }) => c.id)).toEqual([ids[0], ids[2], ids[1]]);
    const stranger = kit.newUser();
    expect((await kit.gql(stranger, LIST)).data!.conversations).toEqual([]);
  });

  it('answers NOT_FOUND for a conversation that is not the caller’s, exactly as for one that does not exist', async () => {
    const owner = kit.newUser();
    const stranger = kit.newUser();
    const id = (await create(owner, { kind: 'GROUP', memberIds: [] })).data!.createConversation.id;
    await send(owner, id);
    const theirs = await kit.gql(stranger, GET, { id });
    const missing = await kit.gql(stranger, GET, { id: randomUUID() });
    expect(firstError(theirs)).toEqual({ code: 'NOT_FOUND' });
    expect(theirs.data).toEqual({ conversation: null });
    expect(missing).toEqual(theirs);
    expect(firstError(await kit.gql(stranger, MESSAGES, { id }))).toEqual({ code: 'NOT_FOUND' });
    expect(firstError(await kit.gql(stranger, GET, { id: 'x' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(firstError(await kit.gql(null, GET, { id }))).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('resolves Conversation references for members only, batched', async () => {
    const me = kit.newUser();
    const stranger = kit.newUser();
    const a = (await create(me, { kind: 'GROUP', title: 'a', memberIds: [] })).data!.createConversation.id;
    const b = (await create(me, { kind: 'GROUP', title: 'b', memberIds: [] })).data!.createConversation.id;
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Conversation { id title members { id } } } }`;
    const r = [a, b].map((id) => ({ __typename: 'Conversation', id }));
    const mine = await kit.gql(me, query, { r });
    expect(mine.data!._entities).toEqual([
      { id: a, title: 'a', members: [{ id: me }] },
      { id: b, title: 'b', members: [{ id: me }] },
    ]);
    const theirs = await kit.gql(stranger, query, { r });
    expect(theirs.data!._entities).toEqual([null, null]);
    expect(theirs.errors!.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });
});

describe('markRead and unreadCount', () => {
  it('counts messages by others, not deleted, above the read position; never moves backwards', async () => {
    const me = kit.newUser();
    const you = kit.newUser();
    const id = (await create(me, { kind: 'DIRECT', memberIds: [you] })).data!.createConversation.id;
    await send(me, id, 'mine'); // 1: mine, never unread for me
    const second = (await send(you, id, 'two')).data!.sendMessage.id; // 2
    await send(you, id, 'three'); // 3
    await send(you, id, 'four'); // 4
    await kit.gql(you, `mutation($id: ID!) { deleteMessage(id: $id) { id } }`, { id: second });
    expect((await kit.gql(me, GET, { id })).data!.conversation).toMatchObject({ lastSeq: 4, unreadCount: 2 });
    expect((await kit.gql(you, GET, { id })).data!.conversation.unreadCount).toBe(1);

    const marked = await kit.gql(me, MARK, { id, seq: 3 });
    expect(marked.errors).toBeUndefined();
    expect(marked.data!.markRead).toEqual({ id, lastSeq: 4, unreadCount: 1 });
    const backwards = await kit.gql(me, MARK, { id, seq: 1 });
    expect(backwards.data!.markRead.unreadCount).toBe(1);
    const membership = await kit.prisma.membership.findUnique({ where: { conversationId_userId: { conversationId: id, userId: me } } });
    expect(membership!.lastReadSeq).toBe(3);
    // Each member reads their own position.
    const positions = `query($id: ID!) { conversation(id: $id) { lastReadSeq } }`;
    expect((await kit.gql(me, positions, { id })).data!.conversation.lastReadSeq).toBe(3);
    expect((await kit.gql(you, positions, { id })).data!.conversation.lastReadSeq).toBe(0);
    expect((await kit.gql(me, MARK, { id, seq: 4 })).data!.markRead.unreadCount).toBe(0);
    expect((await kit.gql(me, MARK, { id, seq: 0 })).data!.markRead.unreadCount).toBe(0);
  });

  it('refuses seq beyond lastSeq or negative with BAD_USER_INPUT, a non-member with NOT_FOUND, and writes nothing', async () => {
    const me = kit.newUser();
    const stranger = kit.newUser();
    const id = (await create(me, { kind: 'GROUP', memberIds: [] })).data!.createConversation.id;
    await send(me, id);
    expect(firstError(await kit.gql(me, MARK, { id, seq: 2 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'seq' });
    expect(firstError(await kit.gql(me, MARK, { id, seq: -1 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'seq' });
    expect(firstError(await kit.gql(me, MARK, { id: 'bad', seq: 1 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'conversationId' });
    expect(firstError(await kit.gql(stranger, MARK, { id, seq: 1 }))).toEqual({ code: 'NOT_FOUND' });
    const memberships = await kit.prisma.membership.findMany({ where: { conversationId: id } });
    expect(memberships.map((m) => [m.userId, m.lastReadSeq])).toEqual([[me, 0]]);
  });
});

describe('the HTTP boundary', () => {
  it('refuses a request without, or with a forged, identity with HTTP 401 and runs nothing', async () => {
    const me = kit.newUser();
    const before = await conversationCount();
    const body = { query: CREATE, variables: { input: { kind: 'GROUP', memberIds: [] } } };
    const forged = await signIdentity({ userId: me }, identityKey('not-the-router-secret-not-the-router-secret'));
    const cases: Array<Record<string, string>> = [{}, { [IDENTITY_HEADER]: forged }, { [IDENTITY_HEADER]: 'garbage' }];
    for (const headers of cases) {
      const response = await kit.raw(headers, body);
      expect(response.status).toBe(401);
      expect(firstError(response)).toEqual({ code: 'UNAUTHENTICATED' });
    }
    expect(await conversationCount()).toBe(before);
  });

  it('reads a conversation of which the caller is no member only under a router-vouched identity, and never a viewer-dependent field there', async () => {
    const owner = kit.newUser();
    const outsider = kit.newUser();
    const id = (await create(owner, { kind: 'GROUP', memberIds: [] })).data!.createConversation.id as string;
    await send(owner, id, 'hello');
    const page = { query: `query($id: ID!) { conversation(id: $id) { lastSeq messages(limit: 5) { seq body } } }`, variables: { id } };
    const as = async (identity: Parameters<typeof signIdentity>[0], body: unknown) => kit.raw({ [IDENTITY_HEADER]: await signIdentity(identity, kit.key) }, body);

    expect(firstError(await as({ userId: outsider }, page))).toMatchObject({ code: 'NOT_FOUND' });
    const vouched = await as({ userId: outsider, membershipVouched: true }, page);
    expect(vouched.errors).toBeUndefined();
    expect(vouched.data).toEqual({ conversation: { lastSeq: 1, messages: [{ seq: 1, body: 'hello' }] } });
    for (const field of ['unreadCount', 'mentionCount', 'myRole', 'lastReadSeq', 'messages { mentionsMe }']) {
      const response = await as({ userId: owner, membershipVouched: true }, { query: `query($id: ID!) { conversation(id: $id) { ${field} } }`, variables: { id } });
      expect(firstError(response), field).toMatchObject({ code: 'FORBIDDEN' });
    }
    // Forged vouching is still forged.
    const forged = await signIdentity({ userId: outsider, membershipVouched: true }, identityKey('not-the-router-secret-not-the-router-secret'));
    expect((await kit.raw({ [IDENTITY_HEADER]: forged }, page)).status).toBe(401);
  });

  it('refuses introspection outside development, answers 413 for a body over 1 MB, and reports health', async () => {
    const introspection = await kit.gql(kit.newUser(), `{ __schema { types { name } } }`);
    expect(introspection.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const health = await fetch(kit.service.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
    const big = await fetch(kit.service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signIdentity({ userId: null }, kit.key) },
      body: JSON.stringify({ query: `{ conversations { id } }`, padding: 'x'.repeat(1_100_000) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
