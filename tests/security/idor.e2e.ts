// Authorization on every path that exposes conversation data or media (issue 3,
// item 4): a non-member gets nothing through queries, mutations, `_entities`
// (router or subgraph) or subscriptions, and cannot tell "not yours" from "absent".
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { IDENTITY_HEADER, signIdentity } from '@storm/common';
import { ok, request } from '../testkit/client.js';
import { Conversations, CreateConversation, MessageAdded, SendMessage } from '../testkit/operations.js';
import { registerUser, type TestUser } from '../testkit/users.js';
import { RawSocket } from './raw-ws.js';
import { startSecurityStack, type SecurityStack } from './stack.js';

const REFUSED = ['NOT_FOUND', 'FORBIDDEN'];

describe('no conversation data or media reaches a non-member', () => {
  let stack: SecurityStack;
  let alice: TestUser;
  let bob: TestUser;
  let eve: TestUser;
  let group: string;
  let direct: string;
  let messageId: string;
  let mediaId: string;
  const secret = `secret-${randomUUID()}`;
  // Everything that must never appear in an answer to eve.
  const leaks = () => [secret, alice.id, bob.id, alice.handle, bob.handle, group, direct, messageId];

  beforeAll(async () => {
    stack = await startSecurityStack();
    [alice, bob, eve] = await Promise.all([registerUser(stack.httpUrl, 'alice'), registerUser(stack.httpUrl, 'bob'), registerUser(stack.httpUrl, 'eve')]);
    group = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: secret, memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    direct = (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken)).createConversation.id;
    messageId = (await ok(stack.httpUrl, SendMessage, { input: { conversationId: group, body: secret } }, alice.accessToken)).sendMessage.id;
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: direct, body: secret } }, bob.accessToken);
    // No upload mutation exists yet: bob's media is a row, as an upload would leave it.
    const db = new pg.Client({ connectionString: stack.db.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO media.media (id, owner_id, content_type, size, storage_key) VALUES (gen_random_uuid(), $1, 'image/png', 42, $2) RETURNING id`,
        [bob.id, `k/${randomUUID()}`],
      );
      mediaId = rows[0]!.id;
    } finally {
      await db.end();
    }
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  const expectRefused = (res: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> }, what: string) => {
    expect(res.errors?.length, what).toBeGreaterThan(0);
    expect(REFUSED, what).toContain(res.errors![0]!.extensions?.code);
    const text = JSON.stringify(res);
    for (const leak of leaks()) expect(text, `${what} leaked ${leak}`).not.toContain(leak);
  };

  it('members see what the rest of the suite assumes (the baseline)', async () => {
    const res = await ok(stack.httpUrl, `query($id: ID!) { conversation(id: $id) { title members { id } messages { body } } }`, { id: group }, bob.accessToken);
    expect(JSON.stringify(res)).toContain(secret);
    const media = await ok(stack.httpUrl, 'query($id: ID!) { media(id: $id) { id size } }', { id: mediaId }, bob.accessToken);
    expect(media).toEqual({ media: { id: mediaId, size: 42 } });
  });

  it('conversation(id) and its members, messages and unreadCount: NOT_FOUND, as for an id that does not exist', async () => {
    for (const id of [group, direct]) {
      const res = await request(stack.httpUrl, `query($id: ID!) { conversation(id: $id) { id kind title lastSeq unreadCount members { id handle } messages(after: 0) { id body author { id } } } }`, { id }, eve.accessToken);
      expectRefused(res, `conversation ${id}`);
      for (const field of ['members { id }', 'messages { body }', 'unreadCount', 'lastSeq']) {
        expectRefused(await request(stack.httpUrl, `query($id: ID!) { conversation(id: $id) { ${field} } }`, { id }, eve.accessToken), field);
      }
    }
    const absent = await request(stack.httpUrl, 'query($id: ID!) { conversation(id: $id) { id } }', { id: randomUUID() }, eve.accessToken);
    const foreign = await request(stack.httpUrl, 'query($id: ID!) { conversation(id: $id) { id } }', { id: group }, eve.accessToken);
    // Same code and message: ids cannot be probed.
    expect(foreign.errors?.map((e) => [e.message, e.extensions?.code])).toEqual(absent.errors?.map((e) => [e.message, e.extensions?.code]));
  });

  it('conversations lists only the caller\'s own', async () => {
    const { conversations } = await ok(stack.httpUrl, Conversations, {}, eve.accessToken);
    expect(conversations).toEqual([]);
    const own = await ok(stack.httpUrl, Conversations, {}, bob.accessToken);
    expect(own.conversations.map((c) => c.id).sort()).toEqual([group, direct].sort());
  });

  it('message(id): NOT_FOUND, whatever is selected', async () => {
    expectRefused(await request(stack.httpUrl, 'query($id: ID!) { message(id: $id) { id body conversationId author { id handle } } }', { id: messageId }, eve.accessToken), 'message');
    expectRefused(await request(stack.httpUrl, 'query($id: ID!) { message(id: $id) { __typename } }', { id: messageId }, eve.accessToken), 'message typename');
  });

  it('writes into a foreign conversation are refused and change nothing', async () => {
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['mutation($c: ID!) { sendMessage(input: { conversationId: $c, body: "intruder" }) { id } }', { c: group }],
      ['mutation($c: ID!) { markRead(conversationId: $c, seq: 1) { id unreadCount } }', { c: group }],
      ['mutation($m: ID!) { editMessage(id: $m, body: "defaced") { id body } }', { m: messageId }],
      ['mutation($m: ID!) { deleteMessage(id: $m) { id } }', { m: messageId }],
    ];
    for (const [query, variables] of attempts) expectRefused(await request(stack.httpUrl, query, variables, eve.accessToken), query);
    // A member who is not the author may not edit or delete either.
    for (const [query, variables] of attempts.slice(2)) {
      const res = await request(stack.httpUrl, query, variables, bob.accessToken);
      expect(res.errors?.[0]?.extensions?.code, query).toMatch(/FORBIDDEN|NOT_FOUND/);
    }
    const { conversation } = await ok<{ conversation: unknown }, { id: string }>(stack.httpUrl, `query($id: ID!) { conversation(id: $id) { lastSeq messages { body editedAt deletedAt } } }`, { id: group }, alice.accessToken);
    expect(conversation).toEqual({ lastSeq: 1, messages: [{ body: secret, editedAt: null, deletedAt: null }] });
  });

  it('media(id): someone else\'s media is NOT_FOUND, like an unknown id', async () => {
    const res = await request(stack.httpUrl, 'query($id: ID!) { media(id: $id) { id url size contentType } }', { id: mediaId }, eve.accessToken);
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(res)).not.toContain(mediaId);
    const absent = await request(stack.httpUrl, 'query($id: ID!) { media(id: $id) { id } }', { id: randomUUID() }, eve.accessToken);
    expect(absent.errors?.[0]?.message).toBe(res.errors?.[0]?.message);
    expect((await request(stack.httpUrl, 'query($id: ID!) { media(id: $id) { id } }', { id: mediaId })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('the router does not expose _entities or _service', async () => {
    const entities = await request(stack.httpUrl, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Conversation { id title } } }`, { r: [{ __typename: 'Conversation', id: group }] } as never, eve.accessToken);
    expect(entities.status).toBe(400);
    expect(entities.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(entities)).not.toContain(secret);
    const service = await request(stack.httpUrl, '{ _service { sdl } }', undefined, eve.accessToken);
    expect(service.status).toBe(400);
    expect(service.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  describe('direct subgraph requests (an attacker inside the network)', () => {
    const entitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Conversation { id title lastSeq unreadCount members { id } messages { id body } }
      ... on Message { id body conversationId } } }`;
    const mediaEntitiesQuery = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Media { id size url } } }';
    const post = async (url: string, query: string, variables: unknown, identity?: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(identity ? { [IDENTITY_HEADER]: identity } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, text: await res.text() };
    };
    const representations = () => [
      { __typename: 'Conversation', id: group },
      { __typename: 'Conversation', id: direct },
      { __typename: 'Message', id: messageId },
    ];

    it('a forged or missing identity gets 401 and no data from _entities or _service', async () => {
      const wrongKey = new TextEncoder().encode('y'.repeat(48));
      const forgedAsAlice = await signIdentity({ userId: alice.id }, wrongKey);
      const noneAlg = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: alice.id })).toString('base64url')}.`;
      for (const identity of [undefined, forgedAsAlice, noneAlg, alice.accessToken]) {
        for (const [url, query, variables] of [
          [stack.conversations.url, entitiesQuery, { r: representations() }],
          [stack.media.url, mediaEntitiesQuery, { r: [{ __typename: 'Media', id: mediaId }] }],
          [stack.conversations.url, '{ _service { sdl } }', {}],
          [stack.media.url, '{ _service { sdl } }', {}],
        ] as const) {
          const res = await post(url, query, variables, identity);
          expect(res.status, `${url} ${String(identity).slice(0, 12)}`).toBe(401);
          expect(res.text).not.toContain(secret);
          expect(res.text).not.toContain(mediaId);
          expect(res.text).not.toMatch(/"sdl"/);
        }
      }
    });

    it('a correctly signed identity of a non-member still gets NOT_FOUND for each entity', async () => {
      const asEve = await signIdentity({ userId: eve.id }, stack.identityKey);
      const res = await post(stack.conversations.url, entitiesQuery, { r: representations() }, asEve);
      const body = JSON.parse(res.text) as { data?: { _entities: unknown[] }; errors?: Array<{ extensions?: { code?: string } }> };
      expect(body.errors?.length).toBe(3);
      for (const error of body.errors ?? []) expect(REFUSED).toContain(error.extensions?.code);
      for (const entity of body.data?._entities ?? []) expect(entity).toBeNull();
      for (const leak of leaks()) expect(res.text).not.toContain(leak);

      const media = await post(stack.media.url, mediaEntitiesQuery, { r: [{ __typename: 'Media', id: mediaId }] }, asEve);
      expect(media.text).toContain('NOT_FOUND');
      expect(media.text).not.toContain('"size"');
      // Anonymous but correctly signed (what the router sends for login): refused too.
      const anonymous = await post(stack.conversations.url, entitiesQuery, { r: representations() }, await signIdentity({ userId: null }, stack.identityKey));
      expect(anonymous.text).toMatch(/UNAUTHENTICATED/);
      for (const leak of leaks()) expect(anonymous.text).not.toContain(leak);
    });
  });

  it('subscribing to a foreign conversation is refused on that id only; nothing is delivered', async () => {
    const socket = await RawSocket.open(stack.wsUrl);
    try {
      socket.init(eve.accessToken);
      await socket.next('connection_ack');
      for (const [id, variables] of [
        ['live', { conversationId: group }],
        ['replay', { conversationId: group, after: 0 }],
        ['direct', { conversationId: direct, after: 0 }],
      ] as const) {
        socket.send({ id, type: 'subscribe', payload: { query: print(MessageAdded), variables } });
      }
      const errors = await Promise.all(['live', 'replay', 'direct'].map(async (id) => {
        const deadline = Date.now() + 5_000;
        while (Date.now() < deadline) {
          const found = socket.messages.find((m) => m.id === id && m.type === 'error');
          if (found) return found;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`no error for ${id}: ${JSON.stringify(socket.messages)}`);
      }));
      for (const error of errors) expect(REFUSED).toContain((error.payload as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code);
      // A message sent now must not reach eve, and her socket is still usable.
      await ok(stack.httpUrl, SendMessage, { input: { conversationId: group, body: `${secret}-live` } }, alice.accessToken);
      socket.send({ id: 'me', type: 'subscribe', payload: { query: '{ me { id } }' } });
      expect(await socket.next('next')).toMatchObject({ id: 'me', payload: { data: { me: { id: eve.id } } } });
      await new Promise((r) => setTimeout(r, 300));
      expect(socket.messages.filter((m) => m.type === 'next' && m.id !== 'me')).toEqual([]);
      for (const leak of leaks()) expect(JSON.stringify(socket.messages)).not.toContain(leak);
    } finally {
      socket.close();
    }
  });
});
