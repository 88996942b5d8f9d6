import { createMemoryBus, type Bus } from '@storm/bus';
import { adapterFor } from '@storm/db';
import { createTestDatabase, type TestDatabase } from '@storm/db/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../generated/prisma/client.js';
import { startOutboxRelay, type OutboxRelay } from './outbox.relay.js';

let db: TestDatabase;
let prisma: PrismaClient;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = new PrismaClient({ adapter: adapterFor(db.target) });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});
beforeEach(async () => {
  await prisma.$executeRaw`TRUNCATE conversations.outbox RESTART IDENTITY`;
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.dispose()));
});

const quiet = () => {};

function relay(bus: Bus, options: Partial<Parameters<typeof startOutboxRelay>[0]> = {}): OutboxRelay {
  const started = startOutboxRelay({ prisma, bus, pollIntervalMs: 20, log: quiet, ...options });
  relays.push(started);
  return started;
}

async function enqueue(count: number, from = 1): Promise<void> {
  await prisma.outboxEvent.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      subject: 't.conv.c1.message.added',
      msgId: `message.added:m${from + i}`,
      payload: { seq: from + i },
    })),
  });
}

/** A bus that records publishes and fails the first `failures` of them. */
function recordingBus(failures = 0, delayMs = 0) {
  const inner = createMemoryBus();
  const published: Array<{ seq: number; msgId?: string }> = [];
  let calls = 0;
  const bus: Bus = {
    ...inner,
    kind: inner.kind,
    async publish(subject, payload, options) {
      calls++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (calls <= failures) throw new Error(`bus down (call ${calls})`);
      published.push({ seq: (payload as { seq: number }).seq, msgId: options?.msgId });
      await inner.publish(subject, payload, options);
    },
  };
  return { bus, published, calls: () => calls };
}

/** Every row left in the outbox is unsent: the relay deletes what it published. */
const unsent = () => prisma.outboxEvent.count();

describe('outbox relay', () => {
  it('publishes in id order with the msgId, across batches, and deletes every row it published', async () => {
    const { bus, published } = recordingBus();
    await enqueue(250);
    const r = relay(bus, { batchSize: 100 });
    await r.flushed();
    expect(published.map((p) => p.seq)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(published[0].msgId).toBe('message.added:m1');
    expect(await unsent()).toBe(0);
  });

  it('publishes rows committed later when kicked, well before the poll interval', async () => {
    const { bus, published } = recordingBus();
    const r = relay(bus, { pollIntervalMs: 60_000 });
    await r.flushed();
    await enqueue(3);
    const started = Date.now();
    r.kick();
    await expect.poll(() => published.length, { interval: 5 }).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('delivers everything exactly once when the bus fails 5 times first, retrying only the rows that failed', async () => {
    const { bus, published, calls } = recordingBus(5);
    await enqueue(20);
    const r = relay(bus, { backoffBaseMs: 1_000, backoffMaxMs: 1_000 });
    // During the backoff: the fifteen published rows are gone, the five that failed stay, each with one attempt.
    await expect
      .poll(async () => (await prisma.outboxEvent.findMany({ orderBy: { id: 'asc' } })).map((row) => [Number(row.id), row.attempts]), { interval: 20 })
      .toEqual([1, 2, 3, 4, 5].map((id) => [id, 1]));
    await r.flushed();
    // The first batch's first five publishes failed; the other fifteen went out and were not repeated.
    expect([...published.map((p) => p.seq)].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(published.slice(0, 15).map((p) => p.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 6));
    expect(published.slice(15).map((p) => p.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(calls()).toBe(25);
    expect(await unsent()).toBe(0);
  });

  it('publishes a batch without waiting for each acknowledgement in turn', async () => {
    const { bus, published } = recordingBus(0, 20); // every publish takes 20 ms to be acknowledged
    await enqueue(100);
    const r = relay(bus, { batchSize: 100 });
    const started = Date.now();
    await r.flushed();
    expect(published.map((p) => p.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // One after another this would take 100 × 20 ms = 2 s.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('keeps rows unsent while the bus is down, backing off instead of spinning', async () => {
    const { bus, published, calls } = recordingBus(Number.POSITIVE_INFINITY);
    await enqueue(5);
    const r = relay(bus, { backoffBaseMs: 50, backoffMaxMs: 400 });
    for (let i = 0; i < 20; i++) {
      r.kick(); // kicks during a backoff are ignored
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // ~1 s: 50 + 100 + 200 + 400 + 400 … → a handful of attempts (each publishes the 5 rows), not hundreds.
    expect(calls()).toBeGreaterThanOrEqual(2 * 5);
    expect(calls()).toBeLessThanOrEqual(8 * 5);
    expect(published).toEqual([]);
    expect(await unsent()).toBe(5);
  });

  it('lets two relays share the outbox: every row published exactly once', async () => {
    const shared = recordingBus(0, 1);
    await enqueue(300);
    const a = relay(shared.bus, { batchSize: 10 });
    const b = relay(shared.bus, { batchSize: 10 });
    await Promise.all([a.flushed(), b.flushed()]);
    await expect.poll(unsent).toBe(0);
    const seqs = shared.published.map((p) => p.seq);
    expect(seqs).toHaveLength(300);
    expect(new Set(seqs).size).toBe(300);
  });

  it('dispose() waits for the in-flight batch, which still deletes what it published', async () => {
    const { bus, published } = recordingBus(0, 20);
    await enqueue(10);
    const r = relay(bus);
    await expect.poll(() => published.length, { interval: 2 }).toBeGreaterThan(0);
    await r.dispose();
    expect(await unsent()).toBe(10 - published.length);
    expect(published).toHaveLength(10);
  });
});
