import { badInput, ErrorCode, notFound, unavailable } from '@storm/common';
import { GraphQLError } from 'graphql';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { ConversationKind } from '../../generated/prisma/enums.js';
import { isUniqueViolation, mapDbError, NOT_FOUND_CONVERSATION, parseId } from '../../errors.js';
import type { ConversationRow, UserRef } from '../../models.js';
import type { UserDirectory } from '../../user-directory.js';

/** Most members a GROUP or CHANNEL may be created with, the caller included. */
export const MAX_MEMBERS = 1000;
/** Longest conversation title, in characters (the column is varchar(200)). */
export const MAX_TITLE_LENGTH = 200;

export interface CreateConversationArgs {
  kind: string;
  title?: string | null;
  memberIds: readonly string[];
}

/** Conversations, memberships and read state: the only code that touches them. */
export class ConversationsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly userDirectory: UserDirectory,
  ) {}

  /** The conversations among `ids` that `userId` is a member of, by id. */
  async byIdsForMember(ids: readonly string[], userId: string): Promise<Map<string, ConversationRow>> {
    const rows = await this.prisma.conversation.findMany({
      where: { id: { in: [...ids] }, memberships: { some: { userId } } },
    });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** A conversation of the caller, or NOT_FOUND (also for one that is not theirs). */
  async getForMember(id: string, userId: string): Promise<ConversationRow> {
    const row = await this.prisma.conversation.findFirst({ where: { id, memberships: { some: { userId } } } });
    if (!row) throw notFound(NOT_FOUND_CONVERSATION);
    return row;
  }

  /** The caller's conversations, newest activity (last message, else creation) first. */
  async listForMember(userId: string): Promise<ConversationRow[]> {
    // The newest message is the one whose seq is the conversation's lastSeq:
    // an index lookup per conversation, no scan of its messages.
    return this.prisma.$queryRaw<ConversationRow[]>`
      SELECT c.id::text AS id, c.kind::text AS kind, c.title, c.direct_key AS "directKey",
             c.last_seq AS "lastSeq", c.created_by::text AS "createdBy", c.created_at AS "createdAt"
      FROM conversations.memberships ms
      JOIN conversations.conversations c ON c.id = ms.conversation_id
      LEFT JOIN conversations.messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
      WHERE ms.user_id = ${userId}::uuid
      ORDER BY COALESCE(m.created_at, c.created_at) DESC, c.id DESC`;
  }

  /** Member references per conversation (callers have already checked membership). */
  async membersOf(conversationIds: readonly string[]): Promise<Map<string, UserRef[]>> {
    const rows = await this.prisma.membership.findMany({
      where: { conversationId: { in: [...conversationIds] } },
      select: { conversationId: true, userId: true },
      orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
    });
    const members = new Map<string, UserRef[]>(conversationIds.map((id) => [id, []]));
    for (const row of rows) members.get(row.conversationId)?.push({ __typename: 'User', id: row.userId });
    return members;
  }

  /** Per conversation: messages by others, not deleted, above the user's read position. */
  async unreadCounts(conversationIds: readonly string[], userId: string): Promise<Map<string, number>> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string; unread: number }>>`
      SELECT ms.conversation_id::text AS id, count(m.id)::int AS unread
      FROM conversations.memberships ms
      LEFT JOIN conversations.messages m
        ON m.conversation_id = ms.conversation_id
       AND m.seq > ms.last_read_seq
       AND m.author_id <> ms.user_id
       AND m.deleted_at IS NULL
      WHERE ms.user_id = ${userId}::uuid AND ms.conversation_id = ANY(${[...conversationIds]}::uuid[])
      GROUP BY ms.conversation_id`;
    return new Map(rows.map((row) => [row.id, row.unread]));
  }

  async create(userId: string, args: CreateConversationArgs): Promise<ConversationRow> {
    const kind = parseKind(args.kind);
    const title = parseTitle(args.title, kind);
    if (!Array.isArray(args.memberIds)) throw badInput('memberIds must be a list', 'memberIds');
    const others = [...new Set(args.memberIds.map((id) => parseId(id, 'memberIds')))].filter((id) => id !== userId);

    let directKey: string | null = null;
    if (kind === ConversationKind.DIRECT) {
      if (others.length !== 1) throw badInput('A DIRECT conversation takes exactly one other member', 'memberIds');
      directKey = [userId, others[0]].sort().join(':');
      const existing = await this.findDirect(directKey, userId);
      if (existing) return existing;
    } else if (others.length + 1 > MAX_MEMBERS) {
      throw badInput(`A conversation has at most ${MAX_MEMBERS} members`, 'memberIds');
    }

    if (others.length > 0) {
      const known = await this.existingUsers(others, userId);
      const unknown = others.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new GraphQLError(`Unknown users: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`, {
          extensions: { code: ErrorCode.BadUserInput, field: 'memberIds', unknownIds: unknown.slice(0, 50) },
        });
      }
    }

    try {
      return await this.prisma.conversation.create({
        data: {
          kind,
          title,
          directKey,
          createdBy: userId,
          memberships: {
            create: [{ userId, role: 'OWNER' }, ...others.map((id) => ({ userId: id, role: 'MEMBER' as const }))],
          },
        },
      });
    } catch (err) {
      // Two concurrent creates of the same pair: the loser returns the winner's.
      if (directKey && isUniqueViolation(err)) {
        const existing = await this.findDirect(directKey, userId);
        if (existing) return existing;
      }
      throw mapDbError(err);
    }
  }

  /**
   * Moves the caller's read position forward to `seq` (never backwards) and
   * returns the conversation. NOT_FOUND for a non-member; `seq` outside
   * 0..lastSeq is BAD_USER_INPUT field "seq".
   */
  async markRead(userId: string, conversationIdArg: unknown, seq: unknown): Promise<ConversationRow> {
    const conversationId = parseId(conversationIdArg, 'conversationId');
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) throw badInput('seq must be a non-negative integer', 'seq');
    const conversation = await this.getForMember(conversationId, userId);
    // lastSeq only grows, so a seq valid now stays valid at the update.
    if (seq > conversation.lastSeq) throw badInput(`seq must not exceed the conversation's lastSeq (${conversation.lastSeq})`, 'seq');
    await this.prisma.$executeRaw`
      UPDATE conversations.memberships SET last_read_seq = GREATEST(last_read_seq, ${seq})
      WHERE conversation_id = ${conversationId}::uuid AND user_id = ${userId}::uuid`;
    return conversation;
  }

  private async findDirect(directKey: string, userId: string): Promise<ConversationRow | null> {
    return this.prisma.conversation.findFirst({ where: { directKey, memberships: { some: { userId } } } });
  }

  private async existingUsers(ids: string[], asUserId: string): Promise<Set<string>> {
    try {
      return await this.userDirectory.existing(ids, asUserId);
    } catch (err) {
      if (err instanceof GraphQLError) throw err;
      throw unavailable('The user directory is unavailable; retry later', err);
    }
  }
}

function parseKind(kind: unknown): ConversationKind {
  if (kind === ConversationKind.DIRECT || kind === ConversationKind.GROUP || kind === ConversationKind.CHANNEL) return kind;
  throw badInput('kind must be DIRECT, GROUP or CHANNEL', 'kind');
}

function parseTitle(title: unknown, kind: ConversationKind): string | null {
  if (title === null || title === undefined) return null;
  if (typeof title !== 'string') throw badInput('title must be a string', 'title');
  const trimmed = title.trim();
  if (kind === ConversationKind.DIRECT && trimmed !== '') throw badInput('A DIRECT conversation has no title', 'title');
  // Counted in code points, like the varchar(200) column does.
  if ([...trimmed].length > MAX_TITLE_LENGTH) throw badInput(`title must be at most ${MAX_TITLE_LENGTH} characters`, 'title');
  return trimmed === '' ? null : trimmed;
}
