import { randomUUID } from 'node:crypto';
import { ConversationEvent, type MessageEventPayload, type Topics } from '@storm/bus';
import type { Prisma } from '../../generated/prisma/client.js';
import type { MessageRow } from '../../models.js';

/** The fields of a message an event announces. */
export type MessageEventSource = Pick<MessageRow, 'id' | 'conversationId' | 'seq' | 'authorId' | 'editedAt'>;

/** The bus payload of a message event (MessageEventPayload). */
export function messageEventPayload(message: MessageEventSource): MessageEventPayload {
  return {
    id: message.id,
    conversationId: message.conversationId,
    seq: message.seq,
    authorId: message.authorId,
    // The commit follows within the same transaction; this is its closest
    // observable time from inside it.
    committedAt: new Date().toISOString(),
  };
}

/**
 * The bus idempotency key (NATS `Nats-Msg-Id`): a relay that publishes twice
 * (crash between publish and marking the row sent) is deduplicated. A
 * message is added and deleted once but may be edited many times, so an
 * edit's key carries its editedAt.
 */
export function messageEventMsgId(event: ConversationEvent, message: MessageEventSource): string {
  return event === ConversationEvent.MessageEdited
    ? `${event}:${message.id}:${(message.editedAt ?? new Date()).getTime()}`
    : `${event}:${message.id}`;
}

/**
 * Writes the outbox row announcing a message change, inside the caller's
 * transaction: the event exists if and only if the change committed.
 * (sendMessage writes its row in the same statement as the message instead,
 * to hold the conversation's row lock for one round trip; see MessagesService.)
 */
export async function writeMessageEvent(
  tx: Prisma.TransactionClient,
  topics: Topics,
  event: ConversationEvent,
  message: MessageEventSource,
  /** The bus idempotency key. @default messageEventMsgId(event, message) */
  msgId = messageEventMsgId(event, message),
): Promise<void> {
  await writeOutbox(tx, topics.conversation(message.conversationId, event), messageEventPayload(message), msgId);
}

/**
 * Events of a conversation kept in its event log (replayable by position):
 * every durable change but new messages, which have their own seq. Typing is
 * ephemeral and never reaches the outbox.
 */
const LOGGED_EVENTS: ReadonlySet<string> = new Set([
  ConversationEvent.MessageEdited,
  ConversationEvent.MessageDeleted,
  ConversationEvent.ReactionAdded,
  ConversationEvent.ReactionRemoved,
  ConversationEvent.MessagePinned,
  ConversationEvent.MessageUnpinned,
  ConversationEvent.MemberAdded,
  ConversationEvent.MemberRemoved,
  ConversationEvent.RoleChanged,
  ConversationEvent.ConversationUpdated,
]);

/** `<prefix>.conv.<conversationId>.<event>` (prefix and ids have no dots). */
const CONVERSATION_SUBJECT = /^[^.]+\.conv\.([^.]+)\.(.+)$/;

/**
 * Appends the conversation-subject rows of logged events to their
 * conversation's event log, inside the caller's transaction, and stamps each
 * payload with its `position` (1, 2, 3 … per conversation, no gaps: taken
 * with the conversation's row lock, so positions follow commit order).
 */
async function appendToLog(tx: Prisma.TransactionClient, rows: Array<{ subject: string; payload: object }>): Promise<Array<{ subject: string; payload: object }>> {
  const byConversation = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const match = CONVERSATION_SUBJECT.exec(row.subject);
    if (!match || !LOGGED_EVENTS.has(match[2]!)) return;
    const list = byConversation.get(match[1]!) ?? [];
    list.push(i);
    byConversation.set(match[1]!, list);
  });
  if (byConversation.size === 0) return rows;
  // Rows sharing one payload (a membership change on the conversation and on the user subject) stay identical.
  const stamped = new Map<object, object>();
  const entries: Prisma.ConversationLogEntryCreateManyInput[] = [];
  for (const [conversationId, indexes] of byConversation) {
    const [{ lastEvent }] = await tx.$queryRaw<Array<{ lastEvent: number }>>`
      UPDATE conversations.conversations SET last_event = last_event + ${indexes.length}
      WHERE id = ${conversationId}::uuid RETURNING last_event AS "lastEvent"`;
    indexes.forEach((rowIndex, k) => {
      const row = rows[rowIndex]!;
      const payload = { ...row.payload, position: lastEvent - indexes.length + 1 + k };
      stamped.set(row.payload, payload);
      entries.push({ conversationId, position: payload.position, event: CONVERSATION_SUBJECT.exec(row.subject)![2]!, payload: payload as Prisma.InputJsonValue });
    });
  }
  await tx.conversationLogEntry.createMany({ data: entries });
  return rows.map((row) => ({ ...row, payload: stamped.get(row.payload) ?? row.payload }));
}

/**
 * Writes one outbox row inside the caller's transaction. `msgId` must be
 * unique per event (the bus drops a repeat as a duplicate): events that may
 * happen many times over (membership, reactions, read positions) take a
 * random one, since each row is published once and only its retries repeat it.
 */
export async function writeOutbox(tx: Prisma.TransactionClient, subject: string, payload: object, msgId: string = randomUUID()): Promise<void> {
  await writeOutboxMany(tx, [{ subject, payload, msgId }]);
}

/** Several outbox rows in one INSERT (membership changes of many users at once). */
export async function writeOutboxMany(tx: Prisma.TransactionClient, rows: Array<{ subject: string; payload: object; msgId?: string }>): Promise<void> {
  if (rows.length === 0) return;
  const logged = await appendToLog(tx, rows);
  await tx.outboxEvent.createMany({
    data: rows.map((row, i) => ({ subject: row.subject, msgId: row.msgId ?? randomUUID(), payload: logged[i]!.payload as Prisma.InputJsonValue })),
  });
}
