// The back end of STORM's fan-out benchmark: the three subgraphs (and a
// router used for setup) in this process over a fresh database on the real
// PostgreSQL and a shared bus (NATS by default). Registers `users` users and
// `conversations` GROUP conversations they all belong to, and hands the
// driver what the measured router replica (storm.ts, its own process) needs.
import { topics } from '@storm/bus';
import { adapterFor } from '@storm/db';
import { PrismaClient } from '@storm/conversations/generated/prisma/client';
import { MessagesService } from '@storm/conversations/modules/messages/messages.service';
import { ok } from '../../tests/testkit/client.js';
import { CreateConversation } from '../../tests/testkit/operations.js';
import { startTestStack } from '../../tests/testkit/stack.js';
import { registerUser } from '../../tests/testkit/users.js';
import { ready, startControl } from './harness.js';

const users = Number(process.env.BENCH_USERS ?? 50);
const conversations = Number(process.env.BENCH_CONVERSATIONS ?? 1);
const bus = (process.env.BENCH_BUS ?? 'nats') as 'memory' | 'nats' | 'redis';

// A load generator: no per-user rate limits (they would cap one sender at 30 sends/s).
const stack = await startTestStack({ bus, accessTtlSeconds: 3600, routerLimits: { wsMaxSubscriptions: 10_000 }, rateLimits: false });
const registered = [];
for (let i = 0; i < users; i++) registered.push(await registerUser(stack.httpUrl, `bench${i}`));
const owner = registered[0]!;
const conversationIds: string[] = [];
for (let c = 0; c < conversations; c++) {
  const { createConversation } = await ok(
    stack.httpUrl,
    CreateConversation,
    { input: { kind: 'GROUP', title: `bench ${c}`, memberIds: registered.slice(1).map((u) => u.id) } },
    owner.accessToken,
  );
  conversationIds.push(createConversation.id);
}
if (bus === 'memory') throw new Error('the fan-out benchmark runs the router in its own process: BENCH_BUS must be nats or redis');
// The `direct` producer: the conversations service's own send (transaction with seq and
// outbox row, relay kicked on commit) called in this process, without the router's HTTP and
// GraphQL layers in front of it, so the offered rate can exceed what sendMessage through the
// router sustains on this machine (see the send benchmark) and the delivery side is measured.
const prisma = new PrismaClient({ adapter: adapterFor(stack.db.target, { poolSize: 20 }) });
const messages = new MessagesService(prisma, topics(stack.busPrefix), () => stack.conversations.relay?.kick());
// Sends in flight (fanout --producer-in-flight): at 32 the producer itself fell
// behind at 3,000 messages/s (its group commits stayed small) while the
// delivery side had room.
const IN_FLIGHT = Number(process.env.BENCH_PRODUCER_IN_FLIGHT ?? 128);
const control = await startControl({
  '/produce': async (body) => {
    const { conversationIds: targets, rate, seconds } = body as { conversationIds: string[]; rate: number; seconds: number };
    const total = Math.max(1, Math.round(rate * seconds));
    const started = performance.timeOrigin + performance.now();
    let errors = 0;
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / rate - (performance.timeOrigin + performance.now());
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      const send = messages
        .send(owner.id, { conversationId: targets[i % targets.length]!, body: `t:${performance.timeOrigin + performance.now()}` })
        .catch(() => void errors++)
        .finally(() => inFlight.delete(send));
      inFlight.add(send);
    }
    await Promise.all(inFlight);
    return { sent: total - errors, errors, seconds: (performance.timeOrigin + performance.now() - started) / 1000 };
  },
});
const shutdown = async () => {
  await prisma.$disconnect();
  await stack.dispose();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
ready({
  control,
  subgraphs: { users: stack.users.url, conversations: stack.conversations.url, media: stack.media.url },
  busPrefix: stack.busPrefix,
  backendControl: control,
  ...stack.secrets,
  tokens: registered.map((u) => u.accessToken),
  senderToken: owner.accessToken,
  senderName: owner.displayName,
  conversationIds,
});
