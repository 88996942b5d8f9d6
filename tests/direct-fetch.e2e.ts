// The router's direct fetch (router/src/direct-fetch.ts): an operation the
// query planner answers with one subgraph fetch is, once it has succeeded the
// usual way, answered straight from that fetch. What a client sees must not
// change: the same headers and body on success, the same typed errors when
// the subgraph refuses or is down, each operation sent to the subgraph once.
// Counted at the subgraph's door by proxies between a replica and the subgraphs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRouter } from '@storm/router/server';
import { ok } from './testkit/client.js';
import { countingProxy, type CountingProxy } from './testkit/counting-proxy.js';
import { CreateConversation } from './testkit/operations.js';
import { startReplica, startTestStack, type Replica, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const SEND = 'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id seq body } }';
/** The same operation in other words: a different document, which has never succeeded, so it always goes the usual way. */
const SEND_USUAL = 'mutation Send($input: SendMessageInput!) {\n  sendMessage(input: $input) { id seq body }\n}';
/** Two fetches (conversations, then users for the author): never direct. */
const SEND_WITH_AUTHOR = 'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id seq author { displayName } } }';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: { data?: { sendMessage?: { id: string; seq: number; body?: string } | null } | null; errors?: Array<{ message: string; path?: unknown; extensions?: Record<string, unknown> }> };
}

describe('direct fetch', () => {
  let stack: TestStack;
  let replica: Replica;
  let router: RunningRouter;
  let conversations: CountingProxy;
  let users: CountingProxy;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;

  const post = async (query: string, variables: unknown, token = alice.accessToken, extra: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...extra },
      body: JSON.stringify({ query, variables }),
    });
    const headers = Object.fromEntries([...res.headers].filter(([name]) => !['date', 'x-request-id', 'content-length', 'connection', 'keep-alive'].includes(name)));
    return { status: res.status, headers, body: (await res.json()) as Answer['body'] };
  };
  const direct = async () => (await router.metrics.directFetches.get()).values[0]?.value ?? 0;
  const operations = async (outcome: string) => (await router.metrics.operations.get()).values.find((v) => v.labels.outcome === outcome && v.labels.type === 'mutation')?.value ?? 0;
  /** Drops what differs between any two answers: the request id. */
  const withoutRequestId = (errors: Answer['body']['errors']) => errors?.map(({ extensions, ...rest }) => ({ ...rest, extensions: { ...extensions, requestId: undefined } }));

  beforeAll(async () => {
    stack = await startTestStack({ bus: 'nats' });
    [conversations, users] = await Promise.all([countingProxy(stack.conversations.url), countingProxy(stack.users.url)]);
    replica = await startReplica(stack, { subgraphs: { conversations: conversations.url, users: users.url } });
    router = replica.router;
    alice = await registerUser(stack.httpUrl, 'alice');
    bob = await registerUser(stack.httpUrl, 'bob');
    ({ createConversation: { id: conversationId } } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [] } }, alice.accessToken));
  });
  afterAll(async () => {
    await replica?.dispose();
    await conversations?.close();
    await users?.close();
    await stack?.dispose();
  });

  it('answers a single-fetch mutation it has seen succeed straight from the subgraph, with the same headers and body shape', async () => {
    const sent = conversations.count();
    const usual = await post(SEND, { input: { conversationId, body: 'one' } });
    expect(await direct()).toBe(0);
    const shortcut = await post(SEND, { input: { conversationId, body: 'two' } });
    expect(await direct()).toBe(1);
    // One subgraph request per send, whichever way it went.
    expect(conversations.count() - sent).toBe(2);

    expect(shortcut.status).toBe(usual.status);
    expect(shortcut.headers).toEqual(usual.headers);
    expect(usual.headers['cache-control']).toBe('no-store');
    expect(Object.keys(shortcut.body)).toEqual(['data']);
    expect(Object.keys(shortcut.body.data!.sendMessage!)).toEqual(Object.keys(usual.body.data!.sendMessage!));
    expect(shortcut.body.data!.sendMessage).toMatchObject({ seq: usual.body.data!.sendMessage!.seq + 1, body: 'two' });

    // Another accept header has not been seen to succeed yet: it goes the usual way first, then directly.
    const asGraphQL = { accept: 'application/graphql-response+json' };
    const first = await post(SEND, { input: { conversationId, body: 'three' } }, alice.accessToken, asGraphQL);
    expect(await direct()).toBe(1);
    const second = await post(SEND, { input: { conversationId, body: 'four' } }, alice.accessToken, asGraphQL);
    expect(await direct()).toBe(2);
    expect(second.headers).toEqual(first.headers);
    expect(second.headers['content-type']).toMatch(/^application\/graphql-response\+json/);
  });

  it('hands a refusal to the gateway without sending the operation again: the same typed error as the usual way', async () => {
    // Bob is not a member: the subgraph refuses.
    const refusedUsual = await post(SEND_USUAL, { input: { conversationId, body: 'not mine' } }, bob.accessToken);
    expect(refusedUsual.body.errors?.length).toBeGreaterThan(0);
    const [sent, directBefore, errorsBefore] = [conversations.count(), await direct(), await operations('error')];
    const refused = await post(SEND, { input: { conversationId, body: 'not mine' } }, bob.accessToken);
    expect(conversations.count() - sent).toBe(1);
    expect(await direct()).toBe(directBefore);
    expect(await operations('error')).toBe(errorsBefore + 1);
    expect(refused.status).toBe(refusedUsual.status);
    expect(refused.headers).toEqual(refusedUsual.headers);
    expect(refused.body.data).toEqual(refusedUsual.body.data);
    expect(withoutRequestId(refused.body.errors)).toEqual(withoutRequestId(refusedUsual.body.errors));
    expect(refused.body.errors![0]!.extensions!.requestId).toEqual(expect.any(String));
  });

  it('leaves what it has not seen succeed to Apollo Server: an empty operationName, a persisted-query hash', async () => {
    const before = await direct();
    const body = (extra: Record<string, unknown>) =>
      fetch(router.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.accessToken}` },
        body: JSON.stringify({ query: SEND, variables: { input: { conversationId, body: 'odd' } }, ...extra }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as Answer['body'] }));
    const unnamed = await body({ operationName: '' });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const hashed = await body({ extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    // A hash that does not match the text is the client's fault, said so (Apollo Server gives it no code).
    expect(hashed.status).toBe(400);
    expect(hashed.body.errors?.[0]).toMatchObject({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } });
    // An empty extensions object says nothing: that one may go direct.
    expect((await body({ extensions: {} })).body.data?.sendMessage?.body).toBe('odd');
    expect(await direct()).toBe(before + 1);
  });

  it('leaves variables that do not coerce to the gateway, which refuses them before any fetch', async () => {
    const sent = conversations.count();
    const usual = await post(SEND_USUAL, { input: { conversationId, body: 42, nope: true } });
    const bad = await post(SEND, { input: { conversationId, body: 42, nope: true } });
    expect(conversations.count()).toBe(sent);
    expect(bad.status).toBe(usual.status);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(withoutRequestId(bad.body.errors)).toEqual(withoutRequestId(usual.body.errors));
  });

  it('never shortcuts an operation that needs a second subgraph', async () => {
    const before = await direct();
    const usersBefore = users.count();
    for (let i = 0; i < 3; i++) {
      const answer = await post(SEND_WITH_AUTHOR, { input: { conversationId, body: `authored ${i}` } });
      expect(answer.body.data?.sendMessage).toMatchObject({ author: { displayName: expect.any(String) } });
    }
    expect(await direct()).toBe(before);
    expect(users.count() - usersBefore).toBe(3);
  });

  it('takes queries too, but never one with fragments or a field the gateway answers itself', async () => {
    const query = async (text: string) => {
      const res = await fetch(router.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.accessToken}` }, body: JSON.stringify({ query: text }) });
      return (await res.json()) as { data?: { me?: { id: string } } };
    };
    const before = await direct();
    const me = '{ me { id handle } }';
    expect((await query(me)).data?.me?.id).toBe(alice.id);
    expect((await query(me)).data?.me?.id).toBe(alice.id);
    expect(await direct()).toBe(before + 1);
    for (const other of ['{ me { ...Who } } fragment Who on User { id handle }', '{ __typename me { id handle } }']) {
      for (let i = 0; i < 2; i++) expect((await query(other)).data?.me?.id).toBe(alice.id);
    }
    expect(await direct()).toBe(before + 1);
  });

  it('answers with the gateway’s error when the subgraph is down, as the usual way does (runs last: it stops the proxy)', async () => {
    await conversations.close();
    const usual = await post(SEND_USUAL, { input: { conversationId, body: 'into the void' } });
    const down = await post(SEND, { input: { conversationId, body: 'into the void' } });
    expect(usual.body.errors?.length).toBeGreaterThan(0);
    expect(down.status).toBe(usual.status);
    expect(down.body.data).toEqual(usual.body.data);
    expect(withoutRequestId(down.body.errors)).toEqual(withoutRequestId(usual.body.errors));
  });
});
