import { randomUUID } from 'node:crypto';
import { IDENTITY_HEADER, identityKey, signIdentity } from '@storm/common';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUsersHarness, type UsersHarness } from '../../test-kit.js';
import { createStaticAvatarCheck } from '../profile/avatars.js';

let h: UsersHarness;
const ids: string[] = [];

beforeAll(async () => {
  h = await startUsersHarness();
  // Seeded directly: these tests are about reading, not registering.
  const seeded = Array.from({ length: 60 }, (_, i) => ({
    id: randomUUID(),
    handle: `user_${i}`,
    email: `user_${i}@example.com`,
    displayName: `User ${i}`,
    passwordHash: 'x',
  }));
  await h.prisma.user.createMany({ data: seeded });
  ids.push(...seeded.map((u) => u.id));
});
afterAll(async () => {
  await h?.close();
});

const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id handle displayName } } }`;

describe('queries', () => {
  it('me: the caller, or null when anonymous', async () => {
    const mine = await h.gql<{ me: { id: string; handle: string } | null }>(`{ me { id handle displayName } }`, {}, { userId: ids[0] });
    expect(mine.data?.me).toEqual({ id: ids[0], handle: 'user_0', displayName: 'User 0' });
    const anonymous = await h.gql(`{ me { id } }`);
    expect(anonymous.data).toEqual({ me: null });
  });

  it('user(id): found, unknown, malformed id; anonymous callers are refused', async () => {
    const q = `query ($id: ID!) { user(id: $id) { id handle } }`;
    expect((await h.gql(q, { id: ids[1] }, { userId: ids[0] })).data).toEqual({ user: { id: ids[1], handle: 'user_1' } });
    expect((await h.gql(q, { id: randomUUID() }, { userId: ids[0] })).data).toEqual({ user: null });
    const malformed = await h.gql(q, { id: "1' OR '1'='1" }, { userId: ids[0] });
    expect(malformed.errors).toBeUndefined();
    expect(malformed.data).toEqual({ user: null });
    const anonymous = await h.gql(q, { id: ids[1] });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('never exposes email or password hash in the schema', async () => {
    const res = await h.gql(`{ me { email } }`, {}, { userId: ids[0] });
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('_entities', () => {
  it('resolves 50 user references with ONE query, in order, unknown and malformed ids as null', async () => {
    const representations = [
      ...ids.slice(0, 50).map((id) => ({ __typename: 'User', id })),
      { __typename: 'User', id: ids[3] }, // duplicate
      { __typename: 'User', id: randomUUID() }, // unknown
      { __typename: 'User', id: 'not-a-uuid' }, // malformed
    ];
    h.queries.length = 0;
    const res = await h.gql<{ _entities: Array<{ id: string; handle: string } | null> }>(ENTITIES, { representations });
    expect(res.errors).toBeUndefined();
    const entities = res.data!._entities;
    expect(entities).toHaveLength(53);
    for (let i = 0; i < 50; i++) expect(entities[i]).toMatchObject({ id: ids[i], handle: `user_${i}` });
    expect(entities[50]).toMatchObject({ id: ids[3] });
    expect(entities[51]).toBeNull();
    expect(entities[52]).toBeNull();
    const userQueries = h.queries.filter((sql) => /from\s+"users"\."users"/i.test(sql));
    expect(userQueries).toHaveLength(1);
    expect(h.queries).toHaveLength(1);
  });

  it('loads are per request: nothing is cached between requests', async () => {
    const q = `{ me { displayName } }`;
    expect((await h.gql(q, {}, { userId: ids[5] })).data).toEqual({ me: { displayName: 'User 5' } });
    await h.prisma.user.update({ where: { id: ids[5] }, data: { displayName: 'Renamed' } });
    expect((await h.gql(q, {}, { userId: ids[5] })).data).toEqual({ me: { displayName: 'Renamed' } });
  });
});

describe('identity assertion', () => {
  async function post(headers: Record<string, string>) {
    const res = await fetch(h.service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } };
  }

  it('refuses a missing, forged, expired or wrongly typed identity with 401 UNAUTHENTICATED, executing nothing', async () => {
    const forgedKey = identityKey('another-secret-another-secret-another-secret');
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'storm-identity+jwt' })
      .setSubject(ids[0]!)
      .setAudience('storm-subgraphs')
      .setIssuer('storm-router')
      .setIssuedAt(now - 600)
      .setExpirationTime(now - 300)
      .sign(h.identityKey);
    // An access token is not an identity assertion, even though it names a user.
    const { signAccessToken } = await import('@storm/auth');
    const access = (await signAccessToken(ids[0]!, h.signingKeys, h.tokens)).token;
    const cases: Array<Record<string, string>> = [
      {},
      { [IDENTITY_HEADER]: '' },
      { [IDENTITY_HEADER]: 'garbage' },
      { [IDENTITY_HEADER]: await signIdentity({ userId: ids[0]! }, forgedKey) },
      { [IDENTITY_HEADER]: expired },
      { [IDENTITY_HEADER]: access },
    ];
    h.queries.length = 0;
    for (const headers of cases) {
      const res = await post(headers);
      expect(res.status).toBe(401);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(h.queries).toHaveLength(0);
  });

  it('accepts a valid one', async () => {
    const res = await post({ [IDENTITY_HEADER]: await signIdentity({ userId: ids[0]! }, h.identityKey) });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: { id: ids[0] } });
  });
});

describe('http', () => {
  it('GET /healthz is 200 while the database answers', async () => {
    const res = await fetch(h.service.url.replace(/\/graphql$/, '/healthz'));
    expect(res.status).toBe(200);
  });

  it('a body over 1 MB is 413 PAYLOAD_TOO_LARGE; bad JSON is 400', async () => {
    const identity = await signIdentity({ userId: null }, h.identityKey);
    const big = await fetch(h.service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: identity },
      body: JSON.stringify({ query: `{ me { id } }`, variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const bad = await fetch(h.service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: identity },
      body: '{"query":',
    });
    expect(bad.status).toBe(400);
  });

  it('introspection is off outside development', async () => {
    const res = await h.gql(`{ __schema { types { name } } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('database down', () => {
  it('queries fail UNAVAILABLE (retryable, no detail) and /healthz is 503', async () => {
    const { PrismaClient } = await import('../../generated/prisma/client.js');
    const { adapterFor } = await import('@storm/db');
    const { startUsersService } = await import('../../server.js');
    const prisma = new PrismaClient({
      adapter: adapterFor({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nowhere' }, { connectionTimeoutMs: 500 }),
    });
    const service = await startUsersService({
      prisma,
      identityKey: h.identityKey,
      host: '127.0.0.1',
      port: 0,
      development: false,
      signingKeys: h.signingKeys,
      tokens: h.tokens,
      avatars: createStaticAvatarCheck(),
      logError: () => {},
    });
    try {
      const res = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signIdentity({ userId: ids[0]! }, h.identityKey) },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]!.extensions.code).toBe('UNAVAILABLE');
      expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|postgres|ECONNREFUSED/i);
      const health = await fetch(service.url.replace(/\/graphql$/, '/healthz'));
      expect(health.status).toBe(503);
    } finally {
      await service.dispose();
      await prisma.$disconnect();
    }
  });
});
