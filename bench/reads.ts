// What a batched page read costs: the query the subscription engine sends
// when messages arrive in many conversations at once (batch-query.ts: the
// page query repeated under aliases b0…bN), here sent by a client through the
// router, in sequence, with the whole stack in this process over the real
// PostgreSQL. Prints, per number of conversations per read, the wall time
// and this process's CPU time per read and per conversation, and the SQL
// statements per read by their first words (counted at pg.Client#query), so
// a per-alias fetch (one `_entities` request and query per conversation, as
// the query planner plans them without router/src/entity-batching.ts) shows.
//
//   npm run bench -- reads [--slots 1,10,50] [--reads 200]
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { batchPageQuery } from '@storm/router/subscriptions/batch-query';
import { ok } from '../tests/testkit/client.js';
import { CreateConversation, SendMessage } from '../tests/testkit/operations.js';
import { startTestStack } from '../tests/testkit/stack.js';
import { registerUser } from '../tests/testkit/users.js';
import { flag, writeReport } from './stats.js';

const PAGE = 'query StormMessagePage($stormConversationId: ID!, $stormAfter: Int!, $stormLimit: Int!) { conversation(id: $stormConversationId) { messages(after: $stormAfter, limit: $stormLimit) { id seq body author { displayName } } } }';

export async function reads(args: string[]): Promise<void> {
  const slotCounts = flag(args, 'slots', '1,10,50').split(',').map(Number);
  const n = Number(flag(args, 'reads', '200'));
  const most = Math.max(...slotCounts);
  if (!slotCounts.every((s) => Number.isInteger(s) && s > 0) || !(n > 0)) throw new Error('--slots takes positive integers, --reads a positive number');

  // The engine reads under no public operation limits (internal-executor.ts); a client needs them raised.
  // Counted only while a measured read's statements are sampled.
  const statements = new Map<string, number>();
  let counting = false;
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
    if (counting) {
      const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string } | undefined)?.text;
      const key = String(text).replace(/\s+/g, ' ').trim().slice(0, 60);
      statements.set(key, (statements.get(key) ?? 0) + 1);
    }
    return query.apply(this, a);
  } as typeof pg.Client.prototype.query;

  const stack = await startTestStack({ bus: 'nats', rateLimits: false, routerLimits: { operations: { maxAliases: most + 1, maxTokens: 100 * most + 2000, maxCost: 1_000 * most + 5000 } } });
  try {
    const owner = await registerUser(stack.httpUrl, 'readsowner');
    const reader = await registerUser(stack.httpUrl, 'readsreader');
    const ids: string[] = [];
    for (let c = 0; c < most; c++) {
      const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: `reads ${c}`, memberIds: [reader.id] } }, owner.accessToken);
      await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: `first of ${c}` } }, owner.accessToken);
      ids.push(createConversation.id);
    }
    const rows = [];
    for (const slots of slotCounts) {
      const text = slots === 1 ? PAGE : batchPageQuery(PAGE, slots);
      const variables: Record<string, unknown> = { stormLimit: 100, stormConversationId: ids[0], stormAfter: 0 };
      for (let i = 0; i < slots; i++) Object.assign(variables, { [`stormConversationId_${i}`]: ids[i], [`stormAfter_${i}`]: 0 });
      const read = async () => {
        const res = await fetch(stack.httpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${reader.accessToken}` },
          body: JSON.stringify({ query: text, variables }),
        });
        const body = (await res.json()) as { errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 300));
      };
      // The first read of a batch size plans its query (router) and parses and validates it (router and subgraphs).
      const firstStarted = performance.now();
      await read();
      const firstReadMs = performance.now() - firstStarted;
      for (let i = 0; i < 20; i++) await read(); // caches, JIT
      statements.clear();
      counting = true;
      for (let i = 0; i < 10; i++) await read();
      counting = false;
      const perRead = Object.fromEntries([...statements].map(([k, v]) => [k, v / 10]));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await read();
      const wallMs = (performance.now() - t0) / n;
      const used = process.cpuUsage(cpu0);
      const cpuMs = (used.user + used.system) / 1000 / n;
      rows.push({ slots, reads: n, firstReadMs, wallMsPerRead: wallMs, cpuMsPerRead: cpuMs, cpuMsPerConversation: cpuMs / slots, statementsPerRead: perRead });
      console.log(
        `${String(slots).padStart(3)} conversations per read: first read ${firstReadMs.toFixed(1)} ms; then ${wallMs.toFixed(2)} ms wall, ` +
          `${cpuMs.toFixed(2)} ms CPU per read, ${(cpuMs / slots).toFixed(3)} ms CPU per conversation`,
      );
      for (const [k, v] of Object.entries(perRead)) console.log(`      ${String(v).padStart(5)} × ${k}…`);
    }
    const file = await writeReport('reads', { query: PAGE, process: 'router + subgraphs in one process (CPU of this process; PostgreSQL not counted)', rows });
    console.log(`\nreport: ${file}`);
  } finally {
    pg.Client.prototype.query = query as typeof pg.Client.prototype.query;
    await stack.dispose();
  }
}
