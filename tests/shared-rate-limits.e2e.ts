// Per-user rate limits shared by the replicas of the conversations service
// (REDIS_PREFIX): a stack whose conversations service keeps its buckets in the
// real Redis, and a second conversations replica behind a second router over
// the same database, bus and Redis prefix, as two pods of a deployment.
import { identityKey, type RunningService } from '@storm/common';
import { adapterFor } from '@storm/db';
import { createRedisLimiter, type LimiterStore } from '@storm/limiter';
import { startConversationsService } from '@storm/conversations/server';
import { createHttpUserDirectory } from '@storm/conversations/user-directory';
import { PrismaClient as ConversationsPrisma } from '@storm/conversations/generated/prisma/client';
import { DEFAULT_RATE_LIMITS } from '@storm/conversations/rate-limit';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, request, type GraphQLResponse } from './testkit/client.js';
import { AddReaction, ChatHistory, RemoveReaction } from './testkit/chat-operations.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { startReplica, startTestStack, TEST_REDIS_URL, type Replica, type TestStack } from './testkit/stack.js';
import { recordWrittenEvents } from './testkit/written-events.js';
import { registerUser, type TestUser } from './testkit/users.js';

// Small send and reaction budgets that do not refill within a test: 1 token per 20 s.
const LIMITS = { ...DEFAULT_RATE_LIMITS, send: { burst: 6, perSecond: 0.05 }, react: { burst: 4, perSecond: 0.05 } };

let stack: TestStack;
let replicaStore: LimiterStore;
let replicaPrisma: ConversationsPrisma;
let replicaConversations: RunningService;
let replica: Replica;
let db: pg.Client;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startTestStack({ limiter: 'redis', rateLimits: LIMITS });
  // The second conversations pod: its own process state and Redis connection, the same prefix.
  replicaStore = await createRedisLimiter({ url: TEST_REDIS_URL, prefix: stack.busPrefix });
  replicaPrisma = new ConversationsPrisma({ adapter: adapterFor(stack.db.target) });
  const key = identityKey(stack.secrets.identitySecret);
  replicaConversations = await startConversationsService({
    prisma: replicaPrisma,
    bus: stack.bus,
    busPrefix: stack.busPrefix,
    identityKey: key,
    userDirectory: createHttpUserDirectory({ url: stack.users.url, identityKey: key }),
    port: 0,
    development: false,
    relay: false, // the stack's relay publishes what this replica commits
    rateLimits: LIMITS,
    rateLimitStore: replicaStore,
  });
  replica = await startReplica(stack, { subgraphs: { conversations: replicaConversations.url } });
  db = new pg.Client({ connectionString: stack.db.url });
  await db.connect();
  [alice, bob] = await Promise.all([registerUser(stack.httpUrl, 'alice'), registerUser(stack.httpUrl, 'bob')]);
});

afterAll(async () => {
  await db?.end();
  await replica?.dispose();
  await replicaConversations?.dispose();
  await replicaPrisma?.$disconnect();
  await replicaStore?.dispose();
  await stack?.dispose();
});

const code = (r: GraphQLResponse<unknown>) => r.errors?.[0]?.extensions?.code;

describe('rate limits shared by conversations replicas (Redis)', () => {
  it('a user’s send burst is spent across both replicas: the next send through either router is RATE_LIMITED with retryAfter, nothing is written, another user still sends', async () => {
    const routers = [stack.httpUrl, replica.router.url];
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'shared budget', memberIds: [bob.id] } }, alice.accessToken);
    const id = createConversation.id;

    // Six sends, alternating routers (and so conversations replicas): the whole burst.
    for (let i = 0; i < 6; i++) {
      const sent = await request(routers[i % 2]!, SendMessage, { input: { conversationId: id, body: `m${i}` } }, alice.accessToken);
      expect(sent.errors).toBeUndefined();
    }
    for (const url of routers) {
      const refused = await request(url, SendMessage, { input: { conversationId: id, body: 'one too many' } }, alice.accessToken);
      expect(code(refused)).toBe('RATE_LIMITED');
      // One token at 0.05/s: within 20 s, never 0.
      expect(refused.errors![0]!.extensions!.retryAfter).toBeGreaterThanOrEqual(1);
      expect(refused.errors![0]!.extensions!.retryAfter).toBeLessThanOrEqual(20);
    }
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM conversations.messages WHERE conversation_id = $1 AND author_id = $2`, [id, alice.id]);
    expect(rows[0]!.n).toBe(6);

    // Bob's bucket is his own, through either router.
    for (const url of routers) expect((await request(url, SendMessage, { input: { conversationId: id, body: 'bob here' } }, bob.accessToken)).errors).toBeUndefined();

    // The bucket is a Redis key under the deployment's prefix, expiring once it would be full again.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const ttl = await redis.pttl(`${stack.busPrefix}:bucket:send:${alice.id.toLowerCase()}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(6 * 20_000);
    } finally {
      await redis.quit();
    }
  });
  it('adding and removing reactions spend one bucket across both replicas: past it each is RATE_LIMITED with retryAfter and writes nothing; another user still reacts', async () => {
    const routers = [stack.httpUrl, replica.router.url];
    // Users of their own: the test above spent alice's send budget.
    const [carol, dave] = await Promise.all([registerUser(stack.httpUrl, 'carol'), registerUser(stack.httpUrl, 'dave')]);
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'reactions', memberIds: [dave.id] } }, carol.accessToken);
    const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'react to me' } }, carol.accessToken);
    const messageId = sendMessage.id;
    const written = await recordWrittenEvents(stack, db);
    const stored = async () => ({
      reactions: (await db.query(`SELECT user_id::text, emoji FROM conversations.reactions WHERE message_id = $1 ORDER BY 1, 2`, [messageId])).rows,
      events: (await written.list({ payload: { messageId } })).map((e) => ({ subject: e.subject, emoji: e.payload.emoji })),
    });

    // Four actions, alternating routers: the whole burst, adds and removes alike.
    const spent = [
      () => request(routers[0]!, AddReaction, { messageId, emoji: '👍' }, carol.accessToken),
      () => request(routers[1]!, AddReaction, { messageId, emoji: '🎉' }, carol.accessToken),
      () => request(routers[0]!, RemoveReaction, { messageId, emoji: '👍' }, carol.accessToken),
      () => request(routers[1]!, AddReaction, { messageId, emoji: '❤️' }, carol.accessToken),
    ];
    for (const action of spent) expect((await action()).errors).toBeUndefined();
    const before = await stored();
    expect(before.reactions.map((r) => r.emoji).sort()).toEqual(['❤️', '🎉'].sort());
    expect(before.events).toHaveLength(4);

    for (const refused of [
      await request(routers[0]!, AddReaction, { messageId, emoji: '😀' }, carol.accessToken),
      await request(routers[1]!, AddReaction, { messageId, emoji: '😀' }, carol.accessToken),
      await request(routers[0]!, RemoveReaction, { messageId, emoji: '🎉' }, carol.accessToken),
      await request(routers[1]!, RemoveReaction, { messageId, emoji: '❤️' }, carol.accessToken),
    ]) {
      expect(code(refused)).toBe('RATE_LIMITED');
      expect(refused.errors![0]!.extensions!.retryAfter).toBeGreaterThanOrEqual(1);
      expect(refused.errors![0]!.extensions!.retryAfter).toBeLessThanOrEqual(20);
    }
    expect(await stored()).toEqual(before);
    const history = await ok(stack.httpUrl, ChatHistory, { id: createConversation.id }, dave.accessToken);
    expect(history.conversation!.messages[0]!.reactions.map((r) => [r.emoji, r.count, r.reactedByMe]).sort()).toEqual(
      [
        ['❤️', 1, false],
        ['🎉', 1, false],
      ].sort(),
    );

    // Dave's bucket is his own, through either router.
    for (const url of routers) expect((await request(url, AddReaction, { messageId, emoji: '👀' }, dave.accessToken)).errors).toBeUndefined();
  });
});
