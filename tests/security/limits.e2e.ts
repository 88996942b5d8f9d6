// Operation limits, CSRF prevention, batching, introspection and suggestions,
// error masking with a request id (issue 3, item 5), against the real router.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import { createBus, type Bus } from '@storm/bus';
import { identityKey } from '@storm/common';
import { DEFAULT_ROUTER_LIMITS } from '@storm/stack';
import { startRouter, type RunningRouter } from '@storm/router/server';
import { ok, request } from '../testkit/client.js';
import { ConversationHistory, CreateConversation, SendMessage } from '../testkit/operations.js';
import { startTestStack, type TestStack } from '../testkit/stack.js';
import { registerUser, type TestUser } from '../testkit/users.js';

type Body = { errors?: Array<{ message: string; extensions?: Record<string, unknown> }>; data?: unknown };

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Body) : {} };
}

const many = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i)).join(' ');

describe('operation limits in production (defaults)', () => {
  let stack: TestStack;
  let alice: TestUser;
  beforeAll(async () => {
    stack = await startTestStack();
    alice = await registerUser(stack.httpUrl, 'alice');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('lets a real client through: the suite\'s own operations work under the default limits', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'limits', memberIds: [] } }, alice.accessToken);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'hi' } }, alice.accessToken);
    const { conversation } = await ok(stack.httpUrl, ConversationHistory, { id: createConversation.id, limit: 50 }, alice.accessToken);
    expect(conversation?.messages).toHaveLength(1);
    // Fifteen aliases (the limit) are fine.
    const res = await request(stack.httpUrl, `{ ${many(15, (i) => `a${i}: me { id }`)} }`, undefined, alice.accessToken);
    expect(res.errors).toBeUndefined();
  });

  it('refuses too many aliases, directives and tokens with a validation or parse error, before any subgraph runs', async () => {
    const aliases = await request(stack.httpUrl, `{ ${many(16, (i) => `a${i}: me { id }`)} }`, undefined, alice.accessToken);
    expect(aliases.status).toBe(400);
    expect(aliases.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' });
    expect(aliases.data).toBeUndefined();

    // The attack aliases are meant to multiply (issue 3, item 2): 100 logins in one request.
    const logins = await request(stack.httpUrl, `mutation { ${many(100, (i) => `l${i}: login(input: { email: "x${i}@example.test", password: "wrong password" }) { accessToken }`)} }`);
    expect(logins.status).toBe(400);
    expect(logins.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const directives = await request(stack.httpUrl, `{ me { ${many(21, () => 'id @include(if: true)')} } }`, undefined, alice.accessToken);
    expect(directives.status).toBe(400);
    expect(directives.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDirectives' });

    const tokens = await request(stack.httpUrl, `{ me { ${many(2100, () => 'id')} } }`, undefined, alice.accessToken);
    expect(tokens.status).toBe(400);
    expect(tokens.errors?.[0]).toMatchObject({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(tokens.errors?.[0]?.message).toMatch(/2000 tokens/);
  });

  it('answers an unknown operationName and a subscription over HTTP with 400, not a gateway 500 (found by the fuzz suite)', async () => {
    const unknown = await post(stack.httpUrl, { query: 'query A { me { id } }', operationName: 'B' }, { authorization: `Bearer ${alice.accessToken}` });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const ambiguous = await post(stack.httpUrl, { query: 'query A { me { id } } query B { me { handle } }' }, { authorization: `Bearer ${alice.accessToken}` });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const subscription = await post(stack.httpUrl, { query: 'subscription($c: ID!) { messageAdded(conversationId: $c) { id } }', variables: { c: '00000000-0000-4000-8000-000000000000' } }, { authorization: `Bearer ${alice.accessToken}` });
    expect(subscription.status).toBe(400);
    expect(subscription.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/WebSocket/) });
  });

  it('refuses batched requests (Apollo default, stated in server.ts)', async () => {
    const res = await post(stack.httpUrl, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/batching/i);
  });

  it('refuses a simple cross-site request (no preflight) and a GET without a preflight header', async () => {
    // What an HTML form on another site can send without CORS: text/plain.
    const form = await fetch(stack.httpUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(form.status).toBe(400);
    expect(await form.text()).toMatch(/Cross-Site Request Forgery/);
    const get = await fetch(`${stack.httpUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/Cross-Site Request Forgery/);
    // The same GET with a header that forces a preflight is a real client's.
    const preflighted = await fetch(`${stack.httpUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
  });

  it('answers a body above MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await post(stack.httpUrl, { query: `{ __typename } #${'x'.repeat(DEFAULT_ROUTER_LIMITS.maxBodyBytes)}` });
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('has introspection off and leaks no field names through suggestions', async () => {
    const introspection = await request(stack.httpUrl, getIntrospectionQuery());
    expect(introspection.status).toBe(400);
    expect(introspection.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(introspection.data).toBeUndefined();
    const typo = await request(stack.httpUrl, '{ conversatons { id } }', undefined, alice.accessToken);
    expect(typo.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(typo.errors)).not.toMatch(/Did you mean|conversations/);
    const typeTypo = await request(stack.httpUrl, 'query($id: IDD!) { conversation(id: $id) { id } }', { id: 'x' } as never, alice.accessToken);
    expect(JSON.stringify(typeTypo.errors)).not.toMatch(/Did you mean/);
  });

  it('masks an unexpected failure: no stack, SQL, host or service name, and a request id to correlate', async () => {
    // A subgraph that is gone is the classic leak: gateway errors name the service and its URL.
    const media = new URL(stack.media.url);
    await stack.media.dispose();
    const res = await post(stack.httpUrl, { query: 'query($id: ID!) { media(id: $id) { id url } }', variables: { id: '00000000-0000-4000-8000-000000000000' } }, { authorization: `Bearer ${alice.accessToken}`, 'x-request-id': 'probe-42' });
    expect(res.headers.get('x-request-id')).toBe('probe-42');
    const errors = res.body.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.extensions?.requestId).toBe('probe-42');
      expect(error.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error.extensions).not.toHaveProperty('stacktrace');
      expect(error.extensions).not.toHaveProperty('serviceName');
    }
    const text = JSON.stringify(res.body);
    for (const leak of [media.host, media.port, '127.0.0.1', 'subgraph', 'ECONNREFUSED', 'connect', 'at ', 'http://']) expect(text, leak).not.toContain(leak);
  });

  it('gives every error a request id, and replaces an unsafe caller-chosen one', async () => {
    const res = await post(stack.httpUrl, { query: '{ nope }' }, { 'x-request-id': 'evil id;\twith stuff' });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.errors?.[0]?.extensions?.requestId).toBe(id);
  });
});

describe('masking of database errors in production', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('shows no SQL, table or schema name when a query fails inside a subgraph', async () => {
    const bob = await registerUser(stack.httpUrl, 'bob');
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: stack.db.url });
    await client.connect();
    try {
      // Break the conversations schema under the running service.
      await client.query('ALTER TABLE conversations.memberships RENAME TO memberships_gone');
    } finally {
      await client.end();
    }
    const res = await post(stack.httpUrl, { query: '{ conversations { id } }' }, { authorization: `Bearer ${bob.accessToken}` });
    const text = JSON.stringify(res.body);
    expect(res.body.errors?.[0]?.extensions?.code).toMatch(/INTERNAL_SERVER_ERROR|UNAVAILABLE/);
    expect(res.body.errors?.[0]?.extensions?.requestId).toBeTruthy();
    for (const leak of ['memberships', 'relation', 'SELECT', 'conversations.', 'prisma', 'Prisma', 'postgres', '5432', 'stack']) expect(text, leak).not.toContain(leak);
  });
});

describe('development router', () => {
  let router: RunningRouter;
  let bus: Bus;
  beforeAll(async () => {
    bus = await createBus({ kind: 'memory', prefix: `sec_${randomBytes(4).toString('hex')}` });
    const nowhere = 'http://127.0.0.1:9/graphql';
    router = await startRouter({
      supergraphSdl: await readFile(fileURLToPath(new URL('../../router/supergraph.graphql', import.meta.url)), 'utf8'),
      subgraphs: { users: nowhere, conversations: nowhere, media: nowhere },
      bus,
      busPrefix: 'sec',
      identityKey: identityKey(randomBytes(32).toString('base64url')),
      verifyAccessToken: async () => ({ userId: 'u' }),
      host: '127.0.0.1',
      port: 0,
      development: true,
      limits: { ...DEFAULT_ROUTER_LIMITS, operations: { maxDepth: 3, maxCost: 15 } },
    });
  });
  afterAll(async () => {
    await router?.dispose();
    await bus?.dispose();
  });

  it('serves introspection and field suggestions (Apollo Sandbox needs them)', async () => {
    const introspection = await request(router.url, getIntrospectionQuery());
    expect(introspection.errors).toBeUndefined();
    expect(JSON.stringify(introspection.data)).toContain('"Conversation"');
    const typo = await request(router.url, '{ conversatons { id } }');
    expect(typo.errors?.[0]?.message).toMatch(/Did you mean "conversations"/);
  });

  it('enforces configured depth and cost limits before planning (no subgraph is reached)', async () => {
    const deep = await request(router.url, '{ conversations { messages { author { id } } } }');
    expect(deep.status).toBe(400);
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth' });
    const costly = await request(router.url, '{ conversations { id kind title lastSeq unreadCount members { id handle displayName } } }');
    expect(costly.status).toBe(400);
    expect(costly.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost' });
    // Within both limits: validation passes and the request goes on to the (absent) subgraphs.
    const fine = await request(router.url, '{ conversations { id } }');
    expect(fine.errors?.[0]?.extensions?.code).not.toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
