import { ConversationEvent, type Topics } from '@storm/bus';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import { messageEventMsgId, messageEventPayload } from '../outbox/outbox.service.js';
import { MESSAGE_COLUMNS } from './messages.service.js';
import { sendStatement, type SendDraft, type SendResultRow } from './send-statement.js';

/** Group commit settings (MessagesService). */
export interface GroupCommitOptions {
  /**
   * Most sends written by one statement.
   * @default 100
   */
  maxBatch?: number;
  /**
   * Statements in flight at once; sends arriving while all are busy wait and
   * join the next batch (that is what makes batches under load).
   * @default 4
   */
  maxInFlight?: number;
}

/** What group commit did, for tests and the benchmark. */
export interface GroupCommitStats {
  /** Statements that wrote more than one send. */
  batches: number;
  /** Sends written by those statements. */
  batchedSends: number;
  /** Batches whose statement failed, whose sends were then written one by one. */
  fallbacks: number;
}

interface Waiter {
  draft: SendDraft;
  resolve(row: SendResultRow | undefined): void;
  reject(err: unknown): void;
}

/**
 * Group commit for plain sends (no mention, no notification): the sends that
 * arrive while earlier statements are in flight are written by ONE statement
 * (sendBatchStatement): one round trip, one plan, one commit and WAL flush for
 * all of them, each still answered with its own row (its own seq, or its
 * refusal).
 *
 * - A batch forms without waiting: the first send after an idle moment is
 *   written at the next turn of the event loop (setImmediate: the requests
 *   parsed in the same I/O phase join it); the batch grows only while
 *   `maxInFlight` statements are busy, so at low load nothing is delayed.
 * - Refusals (not a member, archived, a reply to a message of another
 *   conversation, a clientMsgId already used) are rows of the statement, not
 *   failures of it: they do not affect the other sends of the batch.
 * - If the statement itself fails (a concurrent retry with the same
 *   clientMsgId committed first: unique violation; a deadlock; anything
 *   unexpected), nothing of it was written, and each of its sends is then
 *   written on its own (sendStatement), in arrival order: only the bad one
 *   fails.
 * - Two sends with the same (conversation, author, clientMsgId) never share a
 *   batch: the later one waits for the next, where it finds the first.
 */
export class GroupCommit {
  private queue: Waiter[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  readonly stats: GroupCommitStats = { batches: 0, batchedSends: 0, fallbacks: 0 };

  constructor(
    private readonly prisma: PrismaClient,
    private readonly topics: Topics,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 100);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  }

  /** Writes `draft` (autocommit, possibly with others); resolves with its row of the statement. */
  submit(draft: SendDraft): Promise<SendResultRow | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ draft, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.queue.length > 0) void this.write(this.take());
    });
  }

  /** Up to maxBatch waiters, in arrival order, no two with the same clientMsgId key. */
  private take(): Waiter[] {
    const batch: Waiter[] = [];
    const rest: Waiter[] = [];
    const keys = new Set<string>();
    for (const waiter of this.queue) {
      const { conversationId, authorId, clientMsgId } = waiter.draft;
      const key = clientMsgId === null ? null : `${conversationId}|${authorId}|${clientMsgId}`;
      if (batch.length >= this.maxBatch || (key !== null && keys.has(key))) {
        rest.push(waiter);
        continue;
      }
      if (key !== null) keys.add(key);
      batch.push(waiter);
    }
    this.queue = rest;
    return batch;
  }

  private async write(batch: Waiter[]): Promise<void> {
    this.inFlight++;
    try {
      if (batch.length === 1) {
        await this.one(batch[0]!);
        return;
      }
      let rows: SendResultRow[];
      try {
        rows = await this.prisma.$queryRaw<Array<SendResultRow & { ord: number }>>(sendBatchStatement(this.topics, batch.map((w) => w.draft)));
      } catch {
        // Nothing of the batch was written (one statement); isolate the failure.
        // One after another, in arrival order (this is rare).
        this.stats.fallbacks++;
        for (const waiter of batch) await this.one(waiter);
        return;
      }
      this.stats.batches++;
      this.stats.batchedSends += batch.length;
      const byOrd = new Map((rows as Array<SendResultRow & { ord: number }>).map(({ ord, ...row }) => [ord, row as SendResultRow]));
      batch.forEach((waiter, ord) => waiter.resolve(byOrd.get(ord)));
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  private async one(waiter: Waiter): Promise<void> {
    try {
      const [row] = await this.prisma.$queryRaw<SendResultRow[]>(sendStatement(this.topics, waiter.draft, []));
      waiter.resolve(row);
    } catch (err) {
      waiter.reject(err);
    }
  }
}

/**
 * Several plain sends as ONE statement, deciding for each exactly what
 * sendStatement decides for one (see there), plus what sharing a statement
 * needs:
 *
 * - Lock order: `locked` takes the row locks of the batch's conversations in
 *   id order (ORDER BY … FOR NO KEY UPDATE locks rows as the sort emits
 *   them), and `bumped` waits for it (an uncorrelated subquery in its WHERE
 *   is evaluated before its first row), so two batches touching the same
 *   conversations queue instead of deadlocking.
 * - Seq: each conversation's last_seq grows by its number of accepted sends
 *   at once; its sends take base + 1, base + 2 … in arrival order (`ord`),
 *   and their outbox rows are inserted in that order (outbox ids follow seq
 *   within a conversation, which the relay's ordering relies on).
 * - Answers: one row per send (`ord` = its index), as sendStatement's.
 */
export function sendBatchStatement(topics: Topics, drafts: readonly SendDraft[]): Prisma.Sql {
  const event = ConversationEvent.MessageAdded;
  const column = <T>(get: (d: SendDraft) => T) => drafts.map(get);
  return Prisma.sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${drafts.map((_, i) => i)}::int[], ${column((d) => d.id)}::uuid[], ${column((d) => d.conversationId)}::uuid[],
        ${column((d) => d.authorId)}::uuid[], ${column((d) => d.body)}::text[], ${column((d) => d.clientMsgId)}::text[],
        ${column((d) => d.replyToId)}::uuid[], ${column((d) => topics.conversation(d.conversationId, event))}::text[],
        ${column((d) => messageEventMsgId(event, { ...d, seq: 0, editedAt: null }))}::text[],
        ${column((d) => JSON.stringify(messageEventPayload({ ...d, seq: 0, editedAt: null })))}::text[]
      ) AS x(ord, id, conversation_id, author_id, body, client_msg_id, reply_to, subject, msg_id, payload)
    ), member AS (
      SELECT i.ord, c.archived_at IS NOT NULL AS archived
      FROM input i
      JOIN conversations.memberships ms ON ms.conversation_id = i.conversation_id AND ms.user_id = i.author_id
      JOIN conversations.conversations c ON c.id = ms.conversation_id
      FOR KEY SHARE OF ms
    ), existing AS (
      SELECT i.ord, m.id FROM input i
      JOIN conversations.messages m ON m.conversation_id = i.conversation_id AND m.author_id = i.author_id AND m.client_msg_id = i.client_msg_id
    ), parent AS (
      SELECT i.ord, coalesce(p.reply_to_id, p.id) AS root FROM input i
      JOIN conversations.messages p ON p.id = i.reply_to AND p.conversation_id = i.conversation_id
    ), candidate AS (
      SELECT i.*, pa.root FROM input i
      JOIN member mb ON mb.ord = i.ord AND NOT mb.archived
      LEFT JOIN parent pa ON pa.ord = i.ord
      WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.ord = i.ord) AND (i.reply_to IS NULL OR pa.root IS NOT NULL)
    ), locked AS (
      SELECT c.id FROM conversations.conversations c
      WHERE c.id IN (SELECT conversation_id FROM candidate)
      ORDER BY c.id
      FOR NO KEY UPDATE
    ), bumped AS (
      UPDATE conversations.conversations c SET last_seq = c.last_seq + k.n
      FROM (SELECT conversation_id, count(*)::int AS n FROM candidate GROUP BY conversation_id) k
      WHERE c.id = k.conversation_id AND c.archived_at IS NULL AND (SELECT count(*) FROM locked) > 0
      RETURNING c.id, c.last_seq - k.n AS base
    ), numbered AS (
      SELECT cd.*, (b.base + row_number() OVER (PARTITION BY cd.conversation_id ORDER BY cd.ord))::int AS seq
      FROM candidate cd JOIN bumped b ON b.id = cd.conversation_id
    ), m AS (
      INSERT INTO conversations.messages (id, conversation_id, seq, author_id, body, client_msg_id, reply_to_id)
      SELECT id, conversation_id, seq, author_id, body, client_msg_id, root FROM numbered ORDER BY ord
      RETURNING *
    ), event AS (
      INSERT INTO conversations.outbox (subject, msg_id, payload)
      SELECT n.subject, n.msg_id, jsonb_set(n.payload::jsonb, '{seq}', to_jsonb(n.seq)) FROM numbered n ORDER BY n.ord
    )
    SELECT i.ord, mb.archived, pa.root IS NOT NULL AS "parentFound", m.created, ${MESSAGE_COLUMNS}
    FROM input i
    LEFT JOIN member mb ON mb.ord = i.ord
    LEFT JOIN parent pa ON pa.ord = i.ord
    LEFT JOIN LATERAL (
      SELECT w.*, true AS created FROM m w WHERE w.id = i.id
      UNION ALL
      SELECT x.*, false AS created FROM existing e JOIN conversations.messages x ON x.id = e.id WHERE e.ord = i.ord
    ) m ON true`;
}
