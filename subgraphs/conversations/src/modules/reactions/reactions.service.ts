import { ConversationEvent, type ReactionEventPayload, type Topics } from '@storm/bus';
import { badInput, conflict, notFound } from '@storm/common';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { mapDbError, NOT_FOUND_MESSAGE, parseId } from '../../errors.js';
import type { MessageRow } from '../../models.js';
import { TX_OPTIONS } from '../members/members.service.js';
import { writeOutbox } from '../outbox/outbox.service.js';
import { canonicalEmoji, isSingleEmoji } from './emoji.js';

/** A ReactionGroup as the resolvers hand it on. */
export interface ReactionGroupRow {
  emoji: string;
  count: number;
  reactedByMe: boolean;
}

function parseEmoji(value: unknown): string {
  // NFC and one spelling per emoji, so the same emoji typed on two keyboards is one group.
  const emoji = typeof value === 'string' ? canonicalEmoji(value.normalize('NFC')) : value;
  if (!isSingleEmoji(emoji)) throw badInput('emoji must be exactly one emoji', 'emoji');
  return emoji;
}

/** Reactions: the only code that writes them (and their outbox events). */
export class ReactionsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly topics: Topics,
    /** Called after a commit that wrote outbox rows (kicks the relay). */
    private readonly onCommitted: () => void = () => {},
  ) {}

  /**
   * Per message: one group per emoji, in order of first use, with the
   * caller's own reaction flagged. One query for any number of messages.
   */
  async groups(messageIds: readonly string[], userId: string): Promise<Map<string, ReactionGroupRow[]>> {
    const rows = await this.prisma.$queryRaw<Array<ReactionGroupRow & { messageId: string }>>`
      SELECT r.message_id::text AS "messageId", r.emoji, count(*)::int AS count, bool_or(r.user_id = ${userId}::uuid) AS "reactedByMe"
      FROM conversations.reactions r
      WHERE r.message_id = ANY(${[...messageIds]}::uuid[])
      GROUP BY r.message_id, r.emoji
      ORDER BY min(r.created_at), r.emoji`;
    const groups = new Map<string, ReactionGroupRow[]>(messageIds.map((id) => [id, []]));
    for (const { messageId, ...group } of rows) groups.get(messageId)?.push(group);
    return groups;
  }

  async add(userId: string, messageIdArg: unknown, emojiArg: unknown): Promise<MessageRow> {
    return this.change(userId, messageIdArg, emojiArg, true);
  }

  async remove(userId: string, messageIdArg: unknown, emojiArg: unknown): Promise<MessageRow> {
    return this.change(userId, messageIdArg, emojiArg, false);
  }

  private async change(userId: string, messageIdArg: unknown, emojiArg: unknown, adding: boolean): Promise<MessageRow> {
    const messageId = parseId(messageIdArg, 'messageId');
    const emoji = parseEmoji(emojiArg);
    try {
      const { message, changed } = await this.prisma.$transaction(async (tx) => {
        const message = await tx.message.findFirst({ where: { id: messageId, conversation: { memberships: { some: { userId } } } }, include: { conversation: { select: { archivedAt: true } } } });
        if (!message) throw notFound(NOT_FOUND_MESSAGE);
        const { conversation, ...row } = message;
        if (adding && row.deletedAt) throw conflict('A deleted message cannot be reacted to');
        if (conversation.archivedAt) throw conflict('This conversation is archived');
        const count = adding
          ? await tx.$executeRaw`
              INSERT INTO conversations.reactions (message_id, emoji, user_id, conversation_id)
              VALUES (${messageId}::uuid, ${emoji}, ${userId}::uuid, ${row.conversationId}::uuid)
              ON CONFLICT DO NOTHING`
          : (await tx.reaction.deleteMany({ where: { messageId, emoji, userId } })).count;
        if (count === 0) return { message: row, changed: false };
        const event = adding ? ConversationEvent.ReactionAdded : ConversationEvent.ReactionRemoved;
        const payload: ReactionEventPayload = { conversationId: row.conversationId, messageId, seq: row.seq, userId, emoji, committedAt: new Date().toISOString() };
        await writeOutbox(tx, this.topics.conversation(row.conversationId, event), payload);
        return { message: row, changed: true };
      }, TX_OPTIONS);
      if (changed) this.onCommitted();
      return message;
    } catch (err) {
      throw mapDbError(err);
    }
  }
}
