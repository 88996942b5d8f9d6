import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IDENTITY_HEADER, signIdentity } from '@storm/common';
import { createRedisLimiter } from '@storm/limiter';
import { startConversationsService } from '../../server.js';
import { firstError, startKit, type GraphQLResponse, type Kit } from '../../test-kit.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const SEND = `mutation Send($id: ID!, $body: String!) { sendMessage(input: { conversationId: $id, body: $body }) { seq } }`;
const REACT = `mutation React($id: ID!, $emoji: String!) { addReaction(messageId: $id, emoji: $emoji) { id } }`;

let kit: Kit;

beforeAll(async () => {
  kit = await startKit({
    rateLimits: { send: { burst: 5, perSecond: 0.1 }, react: { burst: 3, perSecond: 0.1 }, create: { burst: 2, perSecond: 0.1 } },
  });
});
afterAll(async () => {
  await kit?.close();
});

describe('rate limits (per user, token buckets)', () => {
  it('refuse sends beyond the burst with RATE_LIMITED and retryAfter, writing nothing; other users are not affected', async () => {
    const me = kit.newUser();
    const you = kit.newUser();
    const id = (await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [you] } })).data!.createConversation.id;
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => kit.gql(me, SEND, { id, body: `m${i}` })));
    const refused = responses.filter((r) => r.errors);
    expect(responses.length - refused.length).toBe(5);
    for (const response of refused) {
      expect(firstError(response)).toEqual({ code: 'RATE_LIMITED' });
      expect(response.errors![0].extensions!.retryAfter).toBeGreaterThanOrEqual(1);
      expect(response.errors![0].extensions!.retryAfter).toBeLessThanOrEqual(10);
    }
    expect(await kit.prisma.message.count({ where: { conversationId: id } })).toBe(5);
    expect((await kit.gql(you, SEND, { id, body: 'mine' })).errors).toBeUndefined();
  });

  it('limit reactions and conversation creation separately', async () => {
    const me = kit.newUser();
    const id = (await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [] } })).data!.createConversation.id;
    await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [] } });
    expect(firstError(await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [] } }))).toEqual({ code: 'RATE_LIMITED' });
    expect((await kit.gql(me, SEND, { id, body: 'x' })).errors).toBeUndefined();
    const messageId = (await kit.prisma.message.findFirst({ where: { conversationId: id } }))!.id;
    for (const emoji of ['👍', '🎉', '🔥']) expect((await kit.gql(me, REACT, { id: messageId, emoji })).errors).toBeUndefined();
    expect(firstError(await kit.gql(me, REACT, { id: messageId, emoji: '😀' }))).toEqual({ code: 'RATE_LIMITED' });
    expect(await kit.prisma.reaction.count({ where: { messageId } })).toBe(3);
  });
});

const REDIS_URL = 'redis://127.0.0.1:6379';

/** POST /graphql of another instance of the service, as `userId` (signed like the router does). */
async function gqlAt(url: string, key: Uint8Array, userId: string, query: string, variables: Record<string, unknown>): Promise<GraphQLResponse<any>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signIdentity({ userId }, key) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<any>;
}

async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

describe('rate limits shared through Redis', () => {
  const limits = { send: { burst: 4, perSecond: 0.05 }, react: { burst: 3, perSecond: 0.1 }, create: { burst: 5, perSecond: 0.1 } };

  it('two service instances over one Redis prefix spend one budget per user: the next send through either is RATE_LIMITED, writing nothing; another user is not affected', async () => {
    const prefix = `test_shared_limits_${randomBytes(4).toString('hex')}`;
    const [storeA, storeB] = [await createRedisLimiter({ url: REDIS_URL, prefix }), await createRedisLimiter({ url: REDIS_URL, prefix })];
    const kit = await startKit({ rateLimits: limits, rateLimitStore: storeA });
    // A second replica: same database, bus and Redis prefix, its own process state.
    const replica = await startConversationsService({
      prisma: kit.prisma,
      bus: kit.bus,
      busPrefix: kit.busPrefix,
      identityKey: kit.key,
      userDirectory: kit.users,
      port: 0,
      development: false,
      relay: false,
      rateLimits: limits,
      rateLimitStore: storeB,
    });
    try {
      const [me, you] = [kit.newUser(), kit.newUser()];
      const id = (await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [you] } })).data!.createConversation.id;
      const through = [kit.service.url, replica.url, kit.service.url, replica.url];
      for (const [i, url] of through.entries()) expect((await gqlAt(url, kit.key, me, SEND, { id, body: `m${i}` })).errors).toBeUndefined();
      for (const url of [kit.service.url, replica.url]) {
        const refused = await gqlAt(url, kit.key, me, SEND, { id, body: 'one too many' });
        expect(firstError(refused)).toEqual({ code: 'RATE_LIMITED' });
        // One token at 0.05/s: at most 20 s.
        expect(refused.errors![0].extensions!.retryAfter).toBeGreaterThanOrEqual(1);
        expect(refused.errors![0].extensions!.retryAfter).toBeLessThanOrEqual(20);
      }
      expect(await kit.prisma.message.count({ where: { conversationId: id, authorId: me } })).toBe(4);
      expect((await gqlAt(replica.url, kit.key, you, SEND, { id, body: 'mine' })).errors).toBeUndefined();
      expect((await kit.gql(you, SEND, { id, body: 'mine too' })).errors).toBeUndefined();
    } finally {
      await replica.dispose();
      await kit.close();
      await Promise.all([storeA.dispose(), storeB.dispose()]);
      await dropKeys(prefix);
    }
  });

  it('when Redis goes away, sends go on, limited by the instance’s own buckets, with a warning (fail open)', async () => {
    // Redis behind a proxy this test can cut.
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      const upstream = createConnection(6379, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const prefix = `test_limits_down_${randomBytes(4).toString('hex')}`;
    const url = `redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    // As index.ts builds it: no offline queue, so a dead connection fails at once.
    const store = await createRedisLimiter({ url, prefix, offlineQueue: false, commandTimeoutMs: 500 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kit = await startKit({ rateLimits: { ...limits, send: { burst: 3, perSecond: 0.05 } }, rateLimitStore: store });
    try {
      const me = kit.newUser();
      const id = (await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [] } })).data!.createConversation.id;
      expect((await kit.gql(me, SEND, { id, body: 'through Redis' })).errors).toBeUndefined();
      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      const started = performance.now();
      const during = [];
      for (let i = 0; i < 4; i++) during.push(await kit.gql(me, SEND, { id, body: `during ${i}` }));
      // Not held by the dead connection.
      expect(performance.now() - started).toBeLessThan(2000);
      // This instance's own bucket (full at the first failure) decides: 3 pass, the 4th is refused.
      expect(during.map((r) => firstError(r)?.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED']);
      expect(await kit.prisma.message.count({ where: { conversationId: id } })).toBe(4);
      const warnings = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('rate limit store failed'));
      expect(warnings).toHaveLength(1);
    } finally {
      warn.mockRestore();
      await kit.close();
      await store.dispose();
      await dropKeys(prefix);
    }
  });
});
