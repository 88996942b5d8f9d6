import type { Bus } from '@storm/bus';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { EVENT_LOG_RETENTION_MS, pruneEventLog } from '../live/event-log.service.js';

/**
 * The outbox relay: publishes committed outbox rows to the bus, in id order,
 * and deletes them.
 *
 * - Claiming: each batch is one transaction that selects rows in id order
 *   `FOR UPDATE SKIP LOCKED`, publishes them, and deletes the published ones;
 *   several replicas may run relays, each claiming different rows. Every row
 *   in the table is unsent. (Until 2026-12-03 a published row was marked
 *   `sent_at` and pruned an hour later: the mark wrote a whole new version of
 *   the row, payload included, into the heap, every index and the WAL, and
 *   the prune deleted it again. The messages and the conversations' event
 *   logs keep what a published row said.)
 * - Publishing: the rows of a batch are published in id order without waiting
 *   for each acknowledgement (the bus client pipelines them on one connection,
 *   so a batch costs about one round trip, not one per row: waiting for each
 *   JetStream ack capped a relay at a few hundred rows a second). Within a
 *   conversation id order is commit order (the conversation row lock
 *   serialises senders), so while the bus accepts everything one relay keeps
 *   each conversation's seq order. Consumers do not depend on it: they order
 *   by seq (messages) and position (logged events) and fill gaps from
 *   PostgreSQL, as they must anyway with several relays or a lossy bus.
 * - Failure: the rows whose publish rejected get `attempts` incremented and
 *   stay, the others are deleted, and the relay retries after a
 *   capped exponential backoff: a failed row may then reach the bus after
 *   later ones. Nothing committed is ever dropped. A crash between publish and
 *   commit publishes again; the bus drops the duplicate by msgId.
 * - Latency: `kick()` (called after each commit) runs a batch at once instead
 *   of waiting for the poll; kicks during a backoff are ignored, so a down bus
 *   is not hammered.
 * - Pruning: the conversations' event logs (entries older than
 *   EVENT_LOG_RETENTION_MS) are pruned at most once per `pruneIntervalMs`
 *   (1 minute), after a successful batch. Outbox rows are never pruned.
 * - Shutdown: dispose() lets the in-flight batch finish (and delete what it
 *   published); rows still unsent stay in the table for the next relay.
 */
export interface OutboxRelayOptions {
  prisma: PrismaClient;
  bus: Bus;
  /** Poll for rows written by other processes (or missed kicks). @default 250 */
  pollIntervalMs?: number;
  /**
   * Rows claimed per transaction. @default 1000 (a batch costs about five
   * round trips whatever its size, each one a turn of a busy event loop: at 100
   * a relay under load kept up with about 1,500 rows a second)
   */
  batchSize?: number;
  /** First retry delay after a failed publish; doubles per failure. @default 100 */
  backoffBaseMs?: number;
  /** Cap of the retry delay. @default 10000 */
  backoffMaxMs?: number;
  /** A publish slower than this counts as failed (it holds row locks). @default 10000 */
  publishTimeoutMs?: number;
  /** How often pruning runs. @default 60000 */
  pruneIntervalMs?: number;
  /** @default console.error for warnings, nothing for info */
  log?: (level: 'info' | 'warn' | 'error', message: string, err?: unknown) => void;
}

export interface OutboxRelay {
  /** Runs a batch as soon as possible (unless backing off after a failure). */
  kick(): void;
  /**
   * Resolves once a batch has found nothing left to publish, i.e. every row
   * committed before the call has been published (tests, graceful shutdown).
   */
  flushed(): Promise<void>;
  /** Stops polling and waits for the in-flight batch. Idempotent. */
  dispose(): Promise<void>;
}

interface ClaimedRow {
  id: string;
  subject: string;
  msgId: string;
  payload: unknown;
  attempts: number;
}

type BatchResult = { claimed: number; published: number; failed: boolean };

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const {
    prisma,
    bus,
    pollIntervalMs = 250,
    batchSize = 1000,
    backoffBaseMs = 100,
    backoffMaxMs = 10_000,
    publishTimeoutMs = 10_000,
    pruneIntervalMs = 60_000,
    log = (level, message, err) => {
      if (level !== 'info') console.error(`[outbox] ${message}`, err ?? '');
    },
  } = options;

  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let kicked = false;
  let disposed = false;
  let failures = 0;
  let lastPrune = Date.now();
  let flushWaiters: Array<() => void> = [];

  const schedule = (delayMs: number) => {
    if (disposed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), delayMs);
  };

  async function publishWithTimeout(row: ClaimedRow): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        bus.publish(row.subject, row.payload, { msgId: row.msgId }),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`publish timed out after ${publishTimeoutMs} ms`)), publishTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timeout);
    }
  }

  async function batch(): Promise<BatchResult> {
    return prisma.$transaction(
      async (tx) => {
        // The claim walks the primary key in id order. Deleted rows leave dead
        // entries in it until a vacuum; an index scan marks those it passes as
        // dead and later scans skip them, but the bitmap scan the planner picks
        // for a large LIMIT on stale statistics never does, and then every claim
        // visits every published row's heap page since the last vacuum (29 ms
        // per claim at 150,000 rows on a cluster without autovacuum; 3.6 ms as
        // an index scan).
        await tx.$executeRawUnsafe('SET LOCAL enable_bitmapscan = off');
        const rows = await tx.$queryRaw<ClaimedRow[]>`
          SELECT o.id::text AS id, o.subject, o.msg_id AS "msgId", o.payload, o.attempts
          FROM conversations.outbox o
          -- o.id, the bigint: a bare "id" would sort by the text output column.
          ORDER BY o.id
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED`;
        const outcomes = await Promise.allSettled(rows.map((row) => publishWithTimeout(row)));
        const sent = rows.filter((_, i) => outcomes[i]!.status === 'fulfilled').map((row) => row.id);
        const rejected = rows.filter((_, i) => outcomes[i]!.status === 'rejected');
        const failed = rejected.length > 0;
        if (failed) {
          const first = rejected[0]!;
          const reason = (outcomes[rows.indexOf(first)] as PromiseRejectedResult).reason;
          log('warn', `publish of ${rejected.length} outbox row(s) failed (first ${first.id}, ${first.subject}, attempt ${first.attempts + 1}); retrying`, reason);
          await tx.$executeRaw`UPDATE conversations.outbox SET attempts = attempts + 1 WHERE id = ANY(${rejected.map((r) => r.id)}::bigint[])`;
        }
        if (sent.length > 0) {
          await tx.$executeRaw`DELETE FROM conversations.outbox WHERE id = ANY(${sent}::bigint[])`;
        }
        return { claimed: rows.length, published: sent.length, failed };
      },
      // The transaction spans the publishes; bound it by their timeouts.
      { maxWait: 10_000, timeout: publishTimeoutMs * 2 + 30_000 },
    );
  }

  async function prune(): Promise<void> {
    if (Date.now() - lastPrune < pruneIntervalMs) return;
    lastPrune = Date.now();
    const expired = await pruneEventLog(prisma);
    if (expired > 0) log('info', `pruned ${expired} event log entries older than ${EVENT_LOG_RETENTION_MS / 86_400_000} days`);
  }

  async function loop(): Promise<void> {
    for (;;) {
      kicked = false;
      // Only a batch that started after a flushed() call can answer it.
      const waiting = flushWaiters;
      flushWaiters = [];
      let result: BatchResult;
      try {
        result = await batch();
      } catch (err) {
        flushWaiters.unshift(...waiting);
        throw err;
      }
      if (result.failed) {
        flushWaiters.unshift(...waiting);
        failures++;
        return;
      }
      failures = 0;
      // Throttled inside; here rather than only when drained, so a relay
      // that never catches up still prunes.
      await prune();
      if (result.claimed < batchSize) {
        waiting.forEach((resolve) => resolve());
        // A kick or flushed() during this batch may stand for a commit the
        // batch did not see: go round once more.
        if (!kicked && flushWaiters.length === 0) return;
      } else {
        flushWaiters.unshift(...waiting);
      }
      if (disposed) return;
    }
  }

  async function run(): Promise<void> {
    if (disposed || inFlight) return;
    clearTimeout(timer);
    inFlight = loop().catch((err) => {
      // The database itself failed (not the bus): same backoff, rows stay unsent.
      failures++;
      log('error', 'outbox batch failed', err);
    });
    await inFlight;
    inFlight = undefined;
    if (disposed) return;
    if (failures > 0) schedule(Math.min(backoffMaxMs, backoffBaseMs * 2 ** (failures - 1)));
    else schedule(kicked ? 0 : pollIntervalMs);
  }

  schedule(0);

  return {
    kick() {
      if (disposed || failures > 0) return;
      if (inFlight) kicked = true;
      else schedule(0);
    },
    flushed() {
      if (disposed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        flushWaiters.push(resolve);
        if (!inFlight && failures === 0) schedule(0);
      });
    },
    async dispose() {
      if (disposed) return inFlight;
      disposed = true;
      clearTimeout(timer);
      await inFlight;
      const waiters = flushWaiters;
      flushWaiters = [];
      waiters.forEach((resolve) => resolve());
    },
  };
}
