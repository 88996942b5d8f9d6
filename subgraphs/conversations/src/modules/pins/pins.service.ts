import { ConversationEvent, type PinEventPayload, type Topics } from '@storm/bus';
import { conflict } from '@storm/common';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { parseId } from '../../errors.js';
import type { MessageRow, UserRef } from '../../models.js';
import { changeMessageAsMember } from '../messages/member-change.js';

/** Most pinned messages a conversation holds (as Slack's 100): pinning one more is CONFLICT. */
export const MAX_PINS = 100;

/** The advisory lock class (pg_advisory_xact_lock(int, int)) serialising the pins of one conversation, so the cap holds. */
const PINS_LOCK_CLASS = 0x7069; // "pi"

/** A Pin as the resolvers hand it on. */
export interface PinRow {
  message: MessageRow;
  pinnedBy: UserRef;
  pinnedAt: Date;
}

/**
 * Pinned messages: any member may pin a message of their conversation and
 * unpin any pinned one (as in Slack; a conversation's members share its
 * pins). Each change is a logged conversation event (MESSAGE_PINNED /
 * MESSAGE_UNPINNED) written in the same transaction. A deleted message's pin
 * is shown nowhere (and does not count against MAX_PINS).
 */
export class PinsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly topics: Topics,
    /** Called after a commit that wrote outbox rows (kicks the relay). */
    private readonly onCommitted: () => void = () => {},
  ) {}

  /** The live pins of each conversation (the caller is a member: checked by the resolver's parent), newest pin first. */
  async pinsOf(conversationIds: readonly string[]): Promise<Map<string, PinRow[]>> {
    const rows = await this.prisma.pin.findMany({
      where: { conversationId: { in: [...conversationIds] }, message: { deletedAt: null } },
      include: { message: true },
      orderBy: [{ pinnedAt: 'desc' }, { messageId: 'desc' }],
    });
    const pins = new Map<string, PinRow[]>(conversationIds.map((id) => [id, []]));
    for (const row of rows) pins.get(row.conversationId)?.push({ message: row.message, pinnedBy: { __typename: 'User', id: row.pinnedBy }, pinnedAt: row.pinnedAt });
    return pins;
  }

  /** Which of `messageIds` are pinned (messages the caller may read: the resolver's parent). */
  async pinned(messageIds: readonly string[]): Promise<Map<string, true>> {
    const rows = await this.prisma.pin.findMany({ where: { messageId: { in: [...messageIds] } }, select: { messageId: true } });
    return new Map(rows.map((row) => [row.messageId, true as const]));
  }

  async pin(userId: string, messageIdArg: unknown): Promise<MessageRow> {
    return this.change(userId, messageIdArg, true);
  }

  async unpin(userId: string, messageIdArg: unknown): Promise<MessageRow> {
    return this.change(userId, messageIdArg, false);
  }

  private async change(userId: string, messageIdArg: unknown, pinning: boolean): Promise<MessageRow> {
    const messageId = parseId(messageIdArg, 'messageId');
    return changeMessageAsMember(this.prisma, userId, messageId, this.onCommitted, async (tx, row) => {
      if (pinning && row.deletedAt) throw conflict('A deleted message cannot be pinned');
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PINS_LOCK_CLASS}::int, hashtext(${row.conversationId}))`;
      const where = { conversationId_messageId: { conversationId: row.conversationId, messageId } };
      let count: number;
      if (pinning) {
        if ((await tx.pin.findUnique({ where })) !== null) return undefined;
        const pinned = await tx.pin.count({ where: { conversationId: row.conversationId, message: { deletedAt: null } } });
        if (pinned >= MAX_PINS) throw conflict(`A conversation holds at most ${MAX_PINS} pinned messages: unpin one first`);
        await tx.pin.create({ data: { conversationId: row.conversationId, messageId, pinnedBy: userId } });
        count = 1;
      } else {
        count = (await tx.pin.deleteMany({ where: where.conversationId_messageId })).count;
      }
      if (count === 0) return undefined;
      const event = pinning ? ConversationEvent.MessagePinned : ConversationEvent.MessageUnpinned;
      const payload: PinEventPayload = { conversationId: row.conversationId, messageId, seq: row.seq, userId, committedAt: new Date().toISOString() };
      return { subject: this.topics.conversation(row.conversationId, event), payload };
    });
  }
}
