// Time from sendMessage to delivery on a graphql-ws subscription, through the
// whole path: router → conversations subgraph → PostgreSQL commit (seq +
// outbox) → outbox relay → bus → router → query planner (author from the
// users subgraph) → socket. Sends are sequential, so this is latency at rest,
// not under load.
//
//   npm run bench -- latency [--sends 300] [--bus memory|nats|redis]
import { performance } from 'node:perf_hooks';
import { ok, Recorder, wsClient } from '../tests/testkit/client.js';
import { CreateConversation, MessageAdded, SendMessage } from '../tests/testkit/operations.js';
import { startTestStack } from '../tests/testkit/stack.js';
import { registerUser } from '../tests/testkit/users.js';
import { flag, summarize, writeReport } from './stats.js';

export async function latency(args: string[]): Promise<void> {
  const sends = Number(flag(args, 'sends', '300'));
  const buses = flag(args, 'bus', 'memory,nats,redis').split(',') as Array<'memory' | 'nats' | 'redis'>;
  const results: Record<string, unknown> = {};
  for (const bus of buses) {
    const stack = await startTestStack({ bus });
    try {
      const alice = await registerUser(stack.httpUrl, 'alice');
      const bob = await registerUser(stack.httpUrl, 'bob');
      const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
      const conversationId = createConversation.id;
      const client = wsClient(stack.wsUrl, bob.accessToken);
      const live = new Recorder(client, MessageAdded, { conversationId });
      await stack.subscriptionsOpen(1);

      const warmup = 20;
      const sendToDelivery: number[] = [];
      const ackToDelivery: number[] = [];
      for (let i = 0; i < warmup + sends; i++) {
        const t0 = performance.now();
        const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: `bench ${i}` } }, alice.accessToken);
        const acked = performance.now();
        const [event] = (await live.waitFor(i + 1)).slice(i);
        const delivered = performance.now();
        if (event?.data?.messageAdded.id !== sendMessage.id) throw new Error(`delivery ${i} is not the message sent`);
        if (event.data.messageAdded.author.displayName !== alice.displayName) throw new Error('author not resolved');
        if (i >= warmup) {
          sendToDelivery.push(delivered - t0);
          ackToDelivery.push(delivered - acked);
        }
      }
      live.unsubscribe();
      await client.dispose();
      const row = { sendToDeliveryMs: summarize(sendToDelivery), ackToDeliveryMs: summarize(ackToDelivery) };
      results[bus] = row;
      const f = (n: number) => n.toFixed(2).padStart(7);
      console.log(
        `${bus.padEnd(7)} send→delivery ms  p50 ${f(row.sendToDeliveryMs.p50)}  p99 ${f(row.sendToDeliveryMs.p99)}  max ${f(row.sendToDeliveryMs.max)}   |  ack→delivery ms  p50 ${f(row.ackToDeliveryMs.p50)}  p99 ${f(row.ackToDeliveryMs.p99)}   (${sends} sends)`,
      );
    } finally {
      await stack.dispose();
    }
  }
  const file = await writeReport('latency', { sends, database: 'PostgreSQL 127.0.0.1:5432', results });
  console.log(`report: ${file}`);
}
