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
): Promise<void> {
  await tx.outboxEvent.create({
    data: {
      subject: topics.conversation(message.conversationId, event),
      msgId: messageEventMsgId(event, message),
      payload: messageEventPayload(message) as unknown as Prisma.InputJsonValue,
    },
  });
}

/**
 * Writes one outbox row inside the caller's transaction. `msgId` must be
 * unique per event (the bus drops a repeat as a duplicate): events that may
 * happen many times over (membership, reactions, read positions) take a
 * random one, since each row is published once and only its retries repeat it.
 */
export async function writeOutbox(tx: Prisma.TransactionClient, subject: string, payload: object, msgId: string = randomUUID()): Promise<void> {
  await tx.outboxEvent.create({ data: { subject, msgId, payload: payload as Prisma.InputJsonValue } });
}

/** Several outbox rows in one INSERT (membership changes of many users at once). */
export async function writeOutboxMany(tx: Prisma.TransactionClient, rows: Array<{ subject: string; payload: object; msgId?: string }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.outboxEvent.createMany({
    data: rows.map((row) => ({ subject: row.subject, msgId: row.msgId ?? randomUUID(), payload: row.payload as Prisma.InputJsonValue })),
  });
}
