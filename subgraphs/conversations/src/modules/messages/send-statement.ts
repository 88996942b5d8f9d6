import { ConversationEvent, type Topics } from '@storm/bus';
import { badInput, conflict, notFound } from '@storm/common';
import { Prisma } from '../../generated/prisma/client.js';
import { NOT_FOUND_CONVERSATION } from '../../errors.js';
import type { MessageRow } from '../../models.js';
import { messageEventMsgId, messageEventPayload } from '../outbox/outbox.service.js';
import { ARCHIVED, MESSAGE_COLUMNS } from './messages.service.js';

/** A validated send, its message id chosen. */
export interface SendDraft {
  id: string;
  conversationId: string;
  authorId: string;
  body: string;
  clientMsgId: string | null;
  replyToId: string | null;
}

/**
 * What sendStatement answers, always one row: the message (written now, or
 * the first one with this clientMsgId) when there is one, and what decided
 * the outcome when there is none.
 */
export type SendResultRow = { [K in keyof MessageRow]: MessageRow[K] | null } & {
  /** null: the author is not a member (or the conversation does not exist). */
  archived: boolean | null;
  /** The replyToId names a message of this conversation. */
  parentFound: boolean;
  /** true: written by this statement; false: an earlier send with this clientMsgId. */
  created: boolean | null;
};

/**
 * One send as ONE statement (atomic on its own; one round trip and, outside
 * a transaction, one commit), deciding exactly what the interactive
 * transaction it replaces did, in the same order:
 *
 * 1. `member`: the author's membership, `FOR KEY SHARE OF ms` — a concurrent
 *    removal of this member (a DELETE of the row) waits for this send to
 *    commit, or this send sees the row gone: a removed member can never
 *    commit a message after the removal. Uncorrelated, so it runs (and locks)
 *    once, before the conversation row is touched.
 * 2. `existing`: the message this author already sent with this clientMsgId
 *    (the unique index `(conversation_id, author_id, client_msg_id)`); if
 *    there is one, nothing is written and it is the answer.
 * 3. `parent`: for a reply, the thread root (the parent, or its root:
 *    threads are one level deep); immutable once written.
 * 4. `bumped`: the next seq, `last_seq + 1` under the conversation's row lock
 *    (concurrent senders of one conversation queue there, for this statement
 *    plus the commit), only if 1–3 allow it and the conversation is not
 *    archived (re-checked on the row version it locks).
 * 5. the message with that seq, its outbox row (`message.added`, seq filled
 *    in from the row), its mentions (members only).
 *
 * A concurrent retry with the same clientMsgId makes the INSERT fail on the
 * unique index, and the whole statement rolls back: no seq is taken.
 */
export function sendStatement(topics: Topics, d: SendDraft, mentionIds: readonly string[]): Prisma.Sql {
  const event = ConversationEvent.MessageAdded;
  const source = { ...d, seq: 0, editedAt: null };
  // Only members can be mentioned; the hot path (no mention) skips the CTE.
  const mentions =
    mentionIds.length === 0
      ? Prisma.empty
      : Prisma.sql`, mentioned AS (
          INSERT INTO conversations.mentions (message_id, user_id, conversation_id, seq)
          SELECT m.id, ms.user_id, m.conversation_id, m.seq FROM m
          JOIN conversations.memberships ms ON ms.conversation_id = m.conversation_id AND ms.user_id = ANY(${[...mentionIds]}::uuid[])
        )`;
  const existing = d.clientMsgId
    ? Prisma.sql`m.conversation_id = ${d.conversationId}::uuid AND m.author_id = ${d.authorId}::uuid AND m.client_msg_id = ${d.clientMsgId}`
    : Prisma.sql`false`;
  const parent = d.replyToId ? Prisma.sql`p.id = ${d.replyToId}::uuid AND p.conversation_id = ${d.conversationId}::uuid` : Prisma.sql`false`;
  return Prisma.sql`
    WITH member AS (
      SELECT c.archived_at IS NOT NULL AS archived
      FROM conversations.memberships ms JOIN conversations.conversations c ON c.id = ms.conversation_id
      WHERE ms.conversation_id = ${d.conversationId}::uuid AND ms.user_id = ${d.authorId}::uuid
      FOR KEY SHARE OF ms
    ), existing AS (
      SELECT m.* FROM conversations.messages m WHERE ${existing}
    ), parent AS (
      SELECT coalesce(p.reply_to_id, p.id) AS root FROM conversations.messages p WHERE ${parent}
    ), bumped AS (
      UPDATE conversations.conversations SET last_seq = last_seq + 1
      WHERE id = ${d.conversationId}::uuid AND archived_at IS NULL
        AND EXISTS (SELECT 1 FROM member WHERE NOT archived)
        AND NOT EXISTS (SELECT 1 FROM existing)
        ${d.replyToId ? Prisma.sql`AND EXISTS (SELECT 1 FROM parent)` : Prisma.empty}
      RETURNING last_seq
    ), m AS (
      INSERT INTO conversations.messages (id, conversation_id, seq, author_id, body, client_msg_id, reply_to_id)
      SELECT ${d.id}::uuid, ${d.conversationId}::uuid, last_seq, ${d.authorId}::uuid, ${d.body}, ${d.clientMsgId}, (SELECT root FROM parent)
      FROM bumped
      RETURNING *
    ), event AS (
      INSERT INTO conversations.outbox (subject, msg_id, payload)
      SELECT ${topics.conversation(d.conversationId, event)}, ${messageEventMsgId(event, source)},
             jsonb_set(${JSON.stringify(messageEventPayload(source))}::jsonb, '{seq}', to_jsonb(m.seq))
      FROM m
    )${mentions}
    SELECT (SELECT archived FROM member) AS archived, EXISTS (SELECT 1 FROM parent) AS "parentFound", m.created, ${MESSAGE_COLUMNS}
    FROM (SELECT 1) one
    LEFT JOIN (SELECT m.*, true AS created FROM m UNION ALL SELECT e.*, false AS created FROM existing e) m ON true`;
}

/** The message and whether it was written now, or the typed refusal, from sendStatement's row. */
export function sendOutcome(row: SendResultRow | undefined, d: SendDraft): { message: MessageRow; created: boolean } {
  if (!row || row.archived === null) throw notFound(NOT_FOUND_CONVERSATION);
  if (row.id !== null) {
    const { archived: _archived, parentFound: _parentFound, created, ...message } = row;
    return { message: message as MessageRow, created: created === true };
  }
  if (!row.archived && d.replyToId && !row.parentFound) throw badInput('replyToId must be a message of the same conversation', 'replyToId');
  // Archived, or archived after the membership was read (the UPDATE re-checks on the row it locks).
  throw conflict(ARCHIVED);
}
