import { ConversationEvent, type ReactionEventPayload, type Topics } from '@storm/bus';
import { badInput, conflict } from '@storm/common';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { parseId } from '../../errors.js';
import type { MessageRow } from '../../models.js';
import { changeMessageAsMember } from '../messages/member-change.js';
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
    return changeMessageAsMember(this.prisma, userId, messageId, this.onCommitted, async (tx, row) => {
      if (adding && row.deletedAt) throw conflict('A deleted message cannot be reacted to');
      const count = adding
        ? await tx.$executeRaw`
            INSERT INTO conversations.reactions (message_id, emoji, user_id, conversation_id)
            VALUES (${messageId}::uuid, ${emoji}, ${userId}::uuid, ${row.conversationId}::uuid)
            ON CONFLICT DO NOTHING`
        : (await tx.reaction.deleteMany({ where: { messageId, emoji, userId } })).count;
      if (count === 0) return undefined;
      const event = adding ? ConversationEvent.ReactionAdded : ConversationEvent.ReactionRemoved;
      const payload: ReactionEventPayload = { conversationId: row.conversationId, messageId, seq: row.seq, userId, emoji, committedAt: new Date().toISOString() };
      return { subject: this.topics.conversation(row.conversationId, event), payload };
    });
  }
}
