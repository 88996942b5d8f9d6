import { ConversationEvent, type MessageEventPayload, type Topics } from '@storm/bus/bus';
import type { Prisma } from '../../generated/prisma/client.js';
import type { MessageRow } from '../../models.js';

/**
 * Writes the outbox row announcing a message change, inside the caller's
 * transaction: the event exists if and only if the change committed.
 *
 * `msgId` is the bus idempotency key (NATS `Nats-Msg-Id`), so a relay that
 * publishes twice (crash between publish and marking the row sent) is
 * deduplicated. A message is added and deleted once, but may be edited many
 * times: each edit's key carries its editedAt.
 */
export async function writeMessageEvent(
  tx: Prisma.TransactionClient,
  topics: Topics,
  event: ConversationEvent,
  message: MessageRow,
): Promise<void> {
  const payload: MessageEventPayload = {
    id: message.id,
    conversationId: message.conversationId,
    seq: message.seq,
    authorId: message.authorId,
    // The commit happens a few statements later; this is its closest
    // observable time from inside the transaction.
    committedAt: new Date().toISOString(),
  };
  const msgId =
    event === ConversationEvent.MessageEdited
      ? `${event}:${message.id}:${(message.editedAt ?? new Date()).getTime()}`
      : `${event}:${message.id}`;
  await tx.outboxEvent.create({
    data: { subject: topics.conversation(message.conversationId, event), msgId, payload: payload as unknown as Prisma.InputJsonValue },
  });
}
