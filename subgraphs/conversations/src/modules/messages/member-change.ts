import { conflict, notFound } from '@storm/common';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { mapDbError, NOT_FOUND_MESSAGE } from '../../errors.js';
import type { MessageRow } from '../../models.js';
import { TX_OPTIONS } from '../members/members.service.js';
import { ARCHIVED } from './messages.service.js';
import { writeOutbox } from '../outbox/outbox.service.js';

/**
 * One member's change to a message of their conversation (a reaction, a pin),
 * in one transaction: the message is read as a member of its conversation
 * (NOT_FOUND otherwise) and refused in an archived conversation (CONFLICT);
 * `apply` makes the change and returns the event announcing it, or undefined
 * when nothing changed (then nothing is announced); the event goes to the
 * outbox in the same transaction, and `onCommitted` (the relay's kick) runs
 * after the commit. Returns the message as read.
 */
export async function changeMessageAsMember(
  prisma: PrismaClient,
  userId: string,
  messageId: string,
  onCommitted: () => void,
  apply: (tx: Prisma.TransactionClient, message: MessageRow) => Promise<{ subject: string; payload: object } | undefined>,
): Promise<MessageRow> {
  try {
    const { message, changed } = await prisma.$transaction(async (tx) => {
      const found = await tx.message.findFirst({ where: { id: messageId, conversation: { memberships: { some: { userId } } } }, include: { conversation: { select: { archivedAt: true } } } });
      if (!found) throw notFound(NOT_FOUND_MESSAGE);
      const { conversation, ...row } = found;
      if (conversation.archivedAt) throw conflict(ARCHIVED);
      const event = await apply(tx, row);
      if (event) await writeOutbox(tx, event.subject, event.payload);
      return { message: row, changed: event !== undefined };
    }, TX_OPTIONS);
    if (changed) onCommitted();
    return message;
  } catch (err) {
    throw mapDbError(err);
  }
}
