// The back end of the send benchmark: the three subgraphs (and a router used
// for setup) in this process over a fresh database on the real PostgreSQL
// and a shared bus (NATS by default), as storm-backend.ts does for fan-out.
// Registers `users` users, creates `conversations` GROUP conversations that
// every user belongs to (so any sender may write to any of them), seeds each
// with `seed` messages for the history query, and hands the driver what the
// measured routers (storm.ts, send-plain-gateway.ts) and the direct Prisma
// loop need, including the database URL.
import { topics } from '@storm/bus';
import { adapterFor } from '@storm/db';
import { PrismaClient } from '@storm/conversations/generated/prisma/client';
import { MessagesService } from '@storm/conversations/modules/messages/messages.service';
import { ok } from '../../tests/testkit/client.js';
import { CreateConversation } from '../../tests/testkit/operations.js';
import { startTestStack } from '../../tests/testkit/stack.js';
import { registerUser, type TestUser } from '../../tests/testkit/users.js';
import { ready, startControl } from './harness.js';

const users = Number(process.env.BENCH_USERS ?? 100);
const conversations = Number(process.env.BENCH_CONVERSATIONS ?? 100);
const seed = Number(process.env.BENCH_SEED ?? 50);
const bus = (process.env.BENCH_BUS ?? 'nats') as 'memory' | 'nats' | 'redis';
if (bus === 'memory') throw new Error('the send benchmark runs the router in its own process: BENCH_BUS must be nats or redis');

// Access tokens outlive the run (the default 15 min could expire mid-benchmark).
// BENCH_LIMITER=redis: the per-user rate limits shared through Redis, as replicas run them (REDIS_PREFIX).
const limiter = (process.env.BENCH_LIMITER ?? 'memory') as 'memory' | 'redis';
const stack = await startTestStack({ bus, accessTtlSeconds: 4 * 3600, limiter });
const registered: TestUser[] = [];
for (let i = 0; i < users; i += 10) {
  registered.push(...(await Promise.all(Array.from({ length: Math.min(10, users - i) }, (_, k) => registerUser(stack.httpUrl, `send${i + k}`)))));
}
const conversationIds: string[] = [];
for (let c = 0; c < conversations; c++) {
  const owner = registered[c % users]!;
  const { createConversation } = await ok(
    stack.httpUrl,
    CreateConversation,
    { input: { kind: 'GROUP', title: `send bench ${c}`, memberIds: registered.filter((u) => u !== owner).map((u) => u.id) } },
    owner.accessToken,
  );
  conversationIds.push(createConversation.id);
}

// History needs full pages: `seed` messages per conversation, written by the
// service's own send path (no HTTP: seeding is not what is measured).
const prisma = new PrismaClient({ adapter: adapterFor(stack.db.target) });
const messages = new MessagesService(prisma, topics(stack.busPrefix));
await Promise.all(
  conversationIds.map(async (conversationId, c) => {
    for (let i = 0; i < seed; i++) await messages.send(registered[(c + i) % users]!.id, { conversationId, body: `seed ${c}/${i}` });
  }),
);
await prisma.$disconnect();

const control = await startControl();
const shutdown = async () => {
  await stack.dispose();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
ready({
  control,
  databaseUrl: stack.db.url,
  subgraphs: { users: stack.users.url, conversations: stack.conversations.url, media: stack.media.url },
  busPrefix: stack.busPrefix,
  ...stack.secrets,
  userIds: registered.map((u) => u.id),
  tokens: registered.map((u) => u.accessToken),
  senderToken: registered[0]!.accessToken,
  conversationIds,
});
