import { randomUUID } from 'node:crypto';
import { ConversationEvent, UserEvent, type ConversationUpdatedPayload, type ReadUpdatedPayload, type Topics } from '@storm/bus';
import { assertStorableText, badInput, conflict, decodePageCursor, encodePageCursor, ErrorCode, forbidden, notFound, unavailable } from '@storm/common';
import { GraphQLError } from 'graphql';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import { ConversationKind, MemberRole } from '../../generated/prisma/enums.js';
import { isUniqueViolation, isUuid, mapDbError, NOT_FOUND_CONVERSATION, parseId } from '../../errors.js';
import { MS_MUTED, type ChannelRow, type ConversationRow, type MembershipRow, type MyMembershipRow, type UserRef } from '../../models.js';
import type { UserDirectory } from '../../user-directory.js';
import type { BlocksService } from '../blocks/blocks.service.js';
import { lockConversation, TX_OPTIONS } from '../members/members.service.js';
import { writeOutbox } from '../outbox/outbox.service.js';

/** Most members a GROUP or CHANNEL may be created with, the caller included. */
export const MAX_MEMBERS = 1000;
/** Longest conversation title, in characters (the column is varchar(200)). */
export const MAX_TITLE_LENGTH = 200;

export interface CreateConversationArgs {
  kind: string;
  title?: string | null;
  memberIds: readonly string[];
}

/** The columns of a ConversationRow, from `conversations.conversations c`. */
export const CONVERSATION_COLUMNS = Prisma.sql`
  c.id::text AS id, c.kind::text AS kind, c.title, c.topic, c.direct_key AS "directKey",
  c.last_seq AS "lastSeq", c.created_by::text AS "createdBy", c.created_at AS "createdAt",
  c.archived_at AS "archivedAt", c.last_event AS "lastEvent"`;

/** Largest page of `channels`. */
export const MAX_CHANNEL_PAGE = 100;
/** Longest `channels(search:)`, in characters. */
export const MAX_SEARCH_LENGTH = 200;
/** Longest topic, in characters (the column is varchar(250)). */
export const MAX_TOPIC_LENGTH = 250;

/** Most user ids one `membersAmong` asks about. */
export const MAX_MEMBERS_AMONG = 1_000;

/** Key of a (conversation, user) pair for the membership loader (both lower-case UUIDs). */
export function pairKey(conversationId: string, userId: string): string {
  return `${conversationId}|${userId}`;
}

/** Conversations, memberships and read state: the only code that touches them. */
/** The caller's unread and mention totals, over all their conversations and over the ones they have not muted. */
export interface Totals {
  unread: number;
  mentions: number;
  unreadUnmuted: number;
  mentionsUnmuted: number;
}

/** The longest timed mute (a longer one is a mute until unmuted). */
export const MAX_MUTE_MS = 366 * 24 * 60 * 60_000;

export class ConversationsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly userDirectory: UserDirectory,
    private readonly topics: Topics,
    /** Called after a commit that wrote outbox rows (kicks the relay). */
    private readonly onCommitted: () => void = () => {},
    /** Refuses a new DIRECT conversation across a block (BlocksService). */
    private readonly blocks?: Pick<BlocksService, 'assertNotBlocked'>,
  ) {}

  /** The conversations among `ids` that `userId` is a member of, by id. */
  async byIdsForMember(ids: readonly string[], userId: string): Promise<Map<string, ConversationRow>> {
    const rows = await this.prisma.conversation.findMany({
      where: { id: { in: [...ids] }, memberships: { some: { userId } } },
    });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** The conversations among `ids`, by id, whoever is a member: only for reads the router vouched for (Identity.membershipVouched). */
  async byIds(ids: readonly string[]): Promise<Map<string, ConversationRow>> {
    const rows = await this.prisma.conversation.findMany({ where: { id: { in: [...ids] } } });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** A conversation of the caller, or NOT_FOUND (also for one that is not theirs). */
  async getForMember(id: string, userId: string): Promise<ConversationRow> {
    const row = await this.prisma.conversation.findFirst({ where: { id, memberships: { some: { userId } } } });
    if (!row) throw notFound(NOT_FOUND_CONVERSATION);
    return row;
  }

  /** The caller's conversations, newest activity (last message, else creation) first. */
  async listForMember(userId: string): Promise<Array<{ conversation: ConversationRow; membership: MyMembershipRow }>> {
    // The newest message is the one whose seq is the conversation's lastSeq:
    // an index lookup per conversation, no scan of its messages. The
    // caller's membership rows come along: myRole and lastReadSeq then need
    // no second query (and read the same snapshot).
    const rows = await this.prisma.$queryRaw<
      Array<ConversationRow & { viewerRole: MyMembershipRow['role']; viewerJoinedAt: Date; viewerLastReadSeq: number; viewerMutedAt: Date | null; viewerMutedUntil: Date | null }>
    >`
      SELECT ${CONVERSATION_COLUMNS}, ms.role::text AS "viewerRole", ms.joined_at AS "viewerJoinedAt", ms.last_read_seq AS "viewerLastReadSeq",
             ms.muted_at AS "viewerMutedAt", ms.muted_until AS "viewerMutedUntil"
      FROM conversations.memberships ms
      JOIN conversations.conversations c ON c.id = ms.conversation_id
      LEFT JOIN conversations.messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
      WHERE ms.user_id = ${userId}::uuid
      ORDER BY COALESCE(m.created_at, c.created_at) DESC, c.id DESC`;
    return rows.map(({ viewerRole, viewerJoinedAt, viewerLastReadSeq, viewerMutedAt, viewerMutedUntil, ...conversation }) => ({
      conversation,
      membership: { conversationId: conversation.id, userId, role: viewerRole, joinedAt: viewerJoinedAt, lastReadSeq: viewerLastReadSeq, mutedAt: viewerMutedAt, mutedUntil: viewerMutedUntil },
    }));
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

  /** Memberships per conversation, by join time (callers have already checked membership). */
  async membershipsOf(conversationIds: readonly string[]): Promise<Map<string, MembershipRow[]>> {
    const rows = await this.prisma.membership.findMany({
      where: { conversationId: { in: [...conversationIds] } },
      select: { conversationId: true, userId: true, role: true, joinedAt: true },
      orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
    });
    const memberships = new Map<string, MembershipRow[]>(conversationIds.map((id) => [id, []]));
    for (const row of rows) memberships.get(row.conversationId)?.push(row);
    return memberships;
  }

  /**
   * Which (conversation, user) pairs are memberships, as `pairKey`s: one
   * primary-key probe of `memberships (conversation_id, user_id)` per pair, in
   * one statement however many pairs.
   */
  async memberPairs(pairs: readonly string[]): Promise<Map<string, true>> {
    if (pairs.length === 0) return new Map();
    const conversationIds = pairs.map((p) => p.slice(0, p.indexOf('|')));
    const userIds = pairs.map((p) => p.slice(p.indexOf('|') + 1));
    const rows = await this.prisma.$queryRaw<Array<{ conversation_id: string; user_id: string }>>`
      SELECT ms.conversation_id::text, ms.user_id::text
      FROM unnest(${conversationIds}::uuid[], ${userIds}::uuid[]) AS p(conversation_id, user_id)
      JOIN conversations.memberships ms ON ms.conversation_id = p.conversation_id AND ms.user_id = p.user_id`;
    return new Map(rows.map((row) => [pairKey(row.conversation_id, row.user_id), true as const]));
  }

  /** The caller's own membership per conversation. */
  async membershipsOfUser(conversationIds: readonly string[], userId: string): Promise<Map<string, MyMembershipRow>> {
    const rows = await this.prisma.membership.findMany({
      where: { conversationId: { in: [...conversationIds] }, userId },
      select: { conversationId: true, userId: true, role: true, joinedAt: true, lastReadSeq: true, mutedAt: true, mutedUntil: true },
    });
    return new Map(rows.map((row) => [row.conversationId, row]));
  }

  /**
   * The channel directory: live (not archived) channels by lower(title), id
   * (untitled last), optionally those whose title contains `search`
   * case-insensitively. Keyset-paginated on that order, so a page costs an
   * index range scan however deep it is (conversations_channel_name_idx; the
   * trigram index serves the search where pg_trgm exists).
   */
  async channels(userId: string, args: { search?: string | null; limit?: number | null; after?: string | null }): Promise<{ channels: ChannelRow[]; nextCursor: string | null }> {
    const limit = args.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHANNEL_PAGE) throw badInput(`limit must be between 1 and ${MAX_CHANNEL_PAGE}`, 'limit');
    if (args.search !== null && args.search !== undefined && typeof args.search !== 'string') throw badInput('search must be a string', 'search');
    const search = (args.search ?? '').trim().toLowerCase();
    if ([...search].length > MAX_SEARCH_LENGTH) throw badInput(`search must be at most ${MAX_SEARCH_LENGTH} characters`, 'search');
    assertStorableText(search, 'search');
    const cursor = args.after === null || args.after === undefined ? null : decodeChannelCursor(args.after);

    const conditions = [Prisma.sql`c.kind = 'CHANNEL'`, Prisma.sql`c.archived_at IS NULL`];
    if (search !== '') {
      // LIKE's own wildcards in the user's text are literal characters.
      const pattern = `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      conditions.push(Prisma.sql`lower(c.title) LIKE ${pattern} ESCAPE '\\'`);
    }
    if (cursor) {
      conditions.push(
        cursor.title === null
          ? Prisma.sql`(c.title IS NULL AND c.id > ${cursor.id}::uuid)`
          : Prisma.sql`(lower(c.title) > ${cursor.title} OR (lower(c.title) = ${cursor.title} AND c.id > ${cursor.id}::uuid) OR c.title IS NULL)`,
      );
    }
    const rows = await this.prisma.$queryRaw<Array<ChannelRow & { sortTitle: string | null }>>`
      SELECT c.id::text AS id, c.title, c.topic, c.created_at AS "createdAt", lower(c.title) AS "sortTitle",
             (SELECT count(*)::int FROM conversations.memberships m WHERE m.conversation_id = c.id) AS "memberCount",
             EXISTS (SELECT 1 FROM conversations.memberships m WHERE m.conversation_id = c.id AND m.user_id = ${userId}::uuid) AS joined
      FROM conversations.conversations c
      WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY lower(c.title) ASC NULLS LAST, c.id ASC
      LIMIT ${limit + 1}`;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeChannelCursor({ title: last.sortTitle, id: last.id }) : null;
    return { channels: page.map(({ sortTitle: _s, ...row }) => row), nextCursor };
  }

  /**
   * Per conversation: messages by others, not deleted, above the user's read
   * position, that mention the user. The mentions index (user, conversation,
   * seq) makes it a range scan per conversation.
   */
  async mentionCounts(conversationIds: readonly string[], userId: string): Promise<Map<string, number>> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string; count: number }>>`
      SELECT ms.conversation_id::text AS id, count(m.id)::int AS count
      FROM conversations.memberships ms
      LEFT JOIN conversations.mentions mn
        ON mn.user_id = ms.user_id AND mn.conversation_id = ms.conversation_id AND mn.seq > ms.last_read_seq
      LEFT JOIN conversations.messages m
        ON m.id = mn.message_id AND m.deleted_at IS NULL AND m.author_id <> ms.user_id
      WHERE ms.user_id = ${userId}::uuid AND ms.conversation_id = ANY(${[...conversationIds]}::uuid[])
      GROUP BY ms.conversation_id`;
    return new Map(rows.map((row) => [row.id, row.count]));
  }

  /** Unread messages (as unreadCount) and unread mentions (as mentionCount) over all the user's conversations. */
  async totals(userId: string): Promise<Totals> {
    const [row] = await this.prisma.$queryRaw<Totals[]>`
      SELECT COALESCE(sum(u.unread), 0)::int AS unread, COALESCE(sum(u.mentions), 0)::int AS mentions,
             COALESCE(sum(u.unread) FILTER (WHERE NOT u.muted), 0)::int AS "unreadUnmuted",
             COALESCE(sum(u.mentions) FILTER (WHERE NOT u.muted), 0)::int AS "mentionsUnmuted"
      FROM conversations.memberships ms
      CROSS JOIN LATERAL (
        SELECT
          (SELECT count(*) FROM conversations.messages m
            WHERE m.conversation_id = ms.conversation_id AND m.seq > ms.last_read_seq
              AND m.author_id <> ms.user_id AND m.deleted_at IS NULL) AS unread,
          (SELECT count(*) FROM conversations.mentions mn JOIN conversations.messages m ON m.id = mn.message_id
            WHERE mn.user_id = ms.user_id AND mn.conversation_id = ms.conversation_id AND mn.seq > ms.last_read_seq
              AND m.author_id <> ms.user_id AND m.deleted_at IS NULL) AS mentions,
          ${MS_MUTED} AS muted
      ) u
      WHERE ms.user_id = ${userId}::uuid`;
    return row ?? { unread: 0, mentions: 0, unreadUnmuted: 0, mentionsUnmuted: 0 };
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
      await this.blocks?.assertNotBlocked(userId, others[0]!);
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
    // One statement: the position only moves forward (concurrent markReads
    // end at the highest seq), and `read.updated` is written to the outbox
    // exactly when it moved, atomically with the move.
    await this.moveReadPosition(userId, conversationId, seq, 'forward');
    return conversation;
  }

  /**
   * "Mark unread from here": moves the caller's read position back to just
   * before message `seq` (lastReadSeq = seq − 1), so it and everything after
   * it count as unread again; never forward (a position already at or before
   * it stays). `seq` between 1 and lastSeq. Other devices hear it as
   * `read.updated`, like markRead.
   */
  async markUnread(userId: string, conversationIdArg: unknown, seq: unknown): Promise<ConversationRow> {
    const conversationId = parseId(conversationIdArg, 'conversationId');
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) throw badInput('seq must be a positive integer: the first message to count as unread', 'seq');
    const conversation = await this.getForMember(conversationId, userId);
    if (seq > conversation.lastSeq) throw badInput(`seq must not exceed the conversation's lastSeq (${conversation.lastSeq})`, 'seq');
    await this.moveReadPosition(userId, conversationId, seq - 1, 'back');
    return conversation;
  }

  /** Sets the caller's read position to `target` if that moves it in `direction`, writing `read.updated` in the same statement when it does. */
  private async moveReadPosition(userId: string, conversationId: string, target: number, direction: 'forward' | 'back'): Promise<void> {
    const payload: Omit<ReadUpdatedPayload, 'lastReadSeq'> = { conversationId, userId, committedAt: new Date().toISOString() };
    const moved = await this.prisma.$executeRaw`
      WITH moved AS (
        UPDATE conversations.memberships SET last_read_seq = ${target}
        WHERE conversation_id = ${conversationId}::uuid AND user_id = ${userId}::uuid
          AND ${direction === 'forward' ? Prisma.sql`last_read_seq < ${target}` : Prisma.sql`last_read_seq > ${target}`}
        RETURNING last_read_seq
      )
      INSERT INTO conversations.outbox (subject, msg_id, payload)
      SELECT ${this.topics.user(userId, UserEvent.ReadUpdated)}, ${`${UserEvent.ReadUpdated}:${randomUUID()}`},
             jsonb_set(${JSON.stringify(payload)}::jsonb, '{lastReadSeq}', to_jsonb(moved.last_read_seq))
      FROM moved`;
    if (moved > 0) this.onCommitted();
  }

  /**
   * Mutes (`until` a time within MAX_MUTE_MS, or null: until unmuted) or
   * unmutes (`mute` false) the conversation for the caller: a member's own
   * setting, allowed in archived conversations too. While muted, sends write
   * no notification for the caller (NotificationsService.write reads it in
   * the sending transaction); unread and mention counts go on counting.
   */
  async setMuted(userId: string, conversationIdArg: unknown, mute: boolean, until?: Date | null): Promise<ConversationRow> {
    const conversationId = parseId(conversationIdArg, 'conversationId');
    const now = new Date();
    if (mute && until != null && !(until > now && until.getTime() - now.getTime() <= MAX_MUTE_MS)) {
      throw badInput('until must be in the future and within a year (leave it out to mute until unmuted)', 'until');
    }
    const conversation = await this.getForMember(conversationId, userId);
    // One statement: the setting and the event that tells the caller's other
    // devices (MUTE_UPDATED on the read.updated subject), atomically.
    const payload: Omit<ReadUpdatedPayload, 'lastReadSeq'> = { conversationId, userId, committedAt: now.toISOString(), change: 'mute' };
    const [{ changed }] = await this.prisma.$queryRaw<Array<{ changed: number }>>`
      WITH changed AS (
        UPDATE conversations.memberships
        SET muted_at = ${mute ? now : null}::timestamptz, muted_until = ${mute ? (until ?? null) : null}::timestamptz
        WHERE conversation_id = ${conversationId}::uuid AND user_id = ${userId}::uuid
        RETURNING last_read_seq
      ), event AS (
        INSERT INTO conversations.outbox (subject, msg_id, payload)
        SELECT ${this.topics.user(userId, UserEvent.ReadUpdated)}, ${`mute:${randomUUID()}`},
               jsonb_set(${JSON.stringify(payload)}::jsonb, '{lastReadSeq}', to_jsonb(changed.last_read_seq))
        FROM changed
      )
      SELECT count(*)::int AS changed FROM changed`;
    // Left between the check and the update.
    if (changed === 0) throw notFound(NOT_FOUND_CONVERSATION);
    this.onCommitted();
    return conversation;
  }

  /**
   * Title and topic: ADMIN or OWNER of a GROUP or CHANNEL that is not
   * archived. An omitted field stays; null or blank clears. Announced as
   * `conversation.updated` when something changed.
   */
  async update(userId: string, idArg: unknown, input: { title?: unknown; topic?: unknown }): Promise<ConversationRow> {
    const id = parseId(idArg, 'id');
    const data: { title?: string | null; topic?: string | null } = {};
    if (input.title !== undefined) data.title = parseTitle(input.title, ConversationKind.GROUP);
    if (input.topic !== undefined) data.topic = parseTopic(input.topic);
    return this.settings(userId, id, MemberRole.ADMIN, (conversation) => {
      if (conversation.archivedAt) throw conflict('This conversation is archived');
      const changed = Object.entries(data).some(([key, value]) => conversation[key as keyof typeof data] !== value);
      return changed ? data : null;
    });
  }

  /** OWNER only; idempotent. */
  async setArchived(userId: string, idArg: unknown, archived: boolean): Promise<ConversationRow> {
    const id = parseId(idArg, 'id');
    return this.settings(userId, id, MemberRole.OWNER, (conversation) =>
      Boolean(conversation.archivedAt) === archived ? null : { archivedAt: archived ? new Date() : null },
    );
  }

  private async settings(
    userId: string,
    id: string,
    minimum: MemberRole,
    change: (conversation: ConversationRow) => Prisma.ConversationUpdateInput | null,
  ): Promise<ConversationRow> {
    try {
      const { conversation, changed } = await this.prisma.$transaction(async (tx) => {
        const locked = await lockConversation(tx, id, userId);
        if (!locked?.role) throw notFound(NOT_FOUND_CONVERSATION);
        const { conversation, role } = locked;
        if (conversation.kind === ConversationKind.DIRECT) throw conflict('A direct conversation’s members and settings are fixed');
        if (minimum === MemberRole.OWNER ? role !== MemberRole.OWNER : role === MemberRole.MEMBER) {
          throw forbidden(minimum === MemberRole.OWNER ? 'Only owners can do this' : 'Only admins and owners can do this');
        }
        const data = change(conversation);
        if (!data) return { conversation, changed: false };
        const updated = await tx.conversation.update({ where: { id }, data });
        const payload: ConversationUpdatedPayload = {
          conversationId: id,
          actorId: userId,
          title: updated.title,
          topic: updated.topic,
          archivedAt: updated.archivedAt?.toISOString() ?? null,
          lastSeq: updated.lastSeq,
          committedAt: new Date().toISOString(),
        };
        await writeOutbox(tx, this.topics.conversation(id, ConversationEvent.ConversationUpdated), payload);
        return { conversation: updated, changed: true };
      }, TX_OPTIONS);
      if (changed) this.onCommitted();
      return conversation;
    } catch (err) {
      throw mapDbError(err);
    }
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

function parseTopic(topic: unknown): string | null {
  if (topic === null) return null;
  if (typeof topic !== 'string') throw badInput('topic must be a string', 'topic');
  const trimmed = topic.trim();
  if ([...trimmed].length > MAX_TOPIC_LENGTH) throw badInput(`topic must be at most ${MAX_TOPIC_LENGTH} characters`, 'topic');
  assertStorableText(trimmed, 'topic');
  return trimmed === '' ? null : trimmed;
}

interface ChannelCursor {
  title: string | null;
  id: string;
}

function encodeChannelCursor(cursor: ChannelCursor): string {
  return encodePageCursor([cursor.title, cursor.id]);
}

function decodeChannelCursor(value: unknown): ChannelCursor {
  const invalid = () => badInput('after must be a cursor returned by channels()', 'after');
  const decoded = decodePageCursor(value, 2, 2000);
  if (!decoded) throw invalid();
  const [title, id] = decoded;
  if ((title !== null && typeof title !== 'string') || !isUuid(id)) throw invalid();
  return { title, id: id.toLowerCase() };
}

function parseKind(kind: unknown): ConversationKind {
  if (kind === ConversationKind.DIRECT || kind === ConversationKind.GROUP || kind === ConversationKind.CHANNEL) return kind;
  throw badInput('kind must be DIRECT, GROUP or CHANNEL', 'kind');
}

/** Trimmed title or null; refuses a DIRECT title and one over 200 characters (field "title"). */
export function parseTitle(title: unknown, kind: ConversationKind): string | null {
  if (title === null || title === undefined) return null;
  if (typeof title !== 'string') throw badInput('title must be a string', 'title');
  const trimmed = title.trim();
  if (kind === ConversationKind.DIRECT && trimmed !== '') throw badInput('A DIRECT conversation has no title', 'title');
  // Counted in code points, like the varchar(200) column does.
  if ([...trimmed].length > MAX_TITLE_LENGTH) throw badInput(`title must be at most ${MAX_TITLE_LENGTH} characters`, 'title');
  assertStorableText(trimmed, 'title');
  return trimmed === '' ? null : trimmed;
}
