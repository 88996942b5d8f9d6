import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { ConversationEvent, type Topics } from '@storm/bus';
import { assertStorableText, badInput, conflict, forbidden, notFound, unavailable } from '@storm/common';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type { MemberRole } from '../../generated/prisma/enums.js';
import { isUniqueViolation, mapDbError, NOT_FOUND_MESSAGE, parseId } from '../../errors.js';
import type { MessageRow } from '../../models.js';
import type { UserDirectory } from '../../user-directory.js';
import type { MediaAttachments } from '../../media-attachments.js';
import type { BlocksService } from '../blocks/blocks.service.js';
import { writeMessageEvent } from '../outbox/outbox.service.js';
import { parseMentionHandles } from './mentions.js';
import { GroupCommit, type GroupCommitOptions } from './send-batch.js';
import { sendOutcome as outcome, sendStatement, type SendDraft, type SendResultRow } from './send-statement.js';
import type { EditNotifier } from '../notifications/notifications.service.js';

/** Longest message body, in characters (code points), after trimming. */
export const MAX_BODY_LENGTH = 4000;
/** Longest clientMsgId, in characters (the column is varchar(64)). */
export const MAX_CLIENT_MSG_ID_LENGTH = 64;
export const ARCHIVED = 'This conversation is archived';

/** Largest page of `Conversation.messages`. */
export const MAX_PAGE_SIZE = 200;

/**
 * Interactive transactions wait for a pooled connection and then must finish;
 * bounded so an overloaded database answers UNAVAILABLE instead of hanging.
 */
const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

export interface SendMessageArgs {
  conversationId: unknown;
  body: unknown;
  clientMsgId?: unknown;
  replyToId?: unknown;
  attachmentIds?: unknown;
}

/**
 * A page of `Conversation.messages` (API.md): with `after`, the first `limit`
 * messages with seq > after; with `before`, the last `limit` with seq < before;
 * with both, the first `limit` with after < seq < before (a range); with
 * neither, the newest `limit`. Always returned by seq ascending.
 */
export interface PageArgs {
  after?: number | null;
  before?: number | null;
  limit: number;
}

/** The key of one (conversation, after) page of MessagesService.pagesAfter. */
export function pageKey(conversationId: string, after: number): string {
  return `${conversationId}|${after}`;
}

export const MESSAGE_COLUMNS = Prisma.sql`
  m.id::text AS id, m.conversation_id::text AS "conversationId", m.seq, m.author_id::text AS "authorId",
  m.body, m.client_msg_id AS "clientMsgId", m.created_at AS "createdAt", m.edited_at AS "editedAt",
  m.deleted_at AS "deletedAt", m.reply_to_id::text AS "replyToId"`;

/** Answers of a send that mean nothing was written. */
const REFUSALS: ReadonlySet<string> = new Set(['NOT_FOUND', 'CONFLICT', 'BAD_USER_INPUT', 'FORBIDDEN']);

/** Messages: the only code that writes them (and their outbox events). */
export class MessagesService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly topics: Topics,
    /** Called after a commit that wrote outbox rows (kicks the relay). */
    private readonly onCommitted: () => void = () => {},
    /** Resolves `@handle` mentions; without one, nothing is a mention. */
    private readonly userDirectory?: UserDirectory,
    /** Writes notifications for offline recipients in the sending (or editing) transaction. */
    private readonly notifier?: EditNotifier,
    /**
     * Group commit of concurrent plain sends (GroupCommit), or `false` for
     * one statement per send.
     * @default {} (maxBatch 100, maxInFlight 4)
     */
    groupCommit: GroupCommitOptions | false = {},
    /** Stores `attachmentIds` of a send with the media service; without it such a send is UNAVAILABLE. */
    private readonly attachments?: MediaAttachments,
    /** Refuses a direct message across a block (BlocksService); without it nothing is refused for one. */
    private readonly blocks?: Pick<BlocksService, 'assertMaySend'>,
  ) {
    this.groupCommit = groupCommit === false ? undefined : new GroupCommit(prisma, topics, groupCommit);
  }

  /** Undefined when turned off. */
  readonly groupCommit: GroupCommit | undefined;

  /**
   * The user ids behind the `@handle`s of `body`. Asked before the
   * transaction (a network call must not hold locks). Unknown handles are
   * simply not mentions; if the users service cannot answer, the message is
   * still sent, without mentions (logged): a mention is worth less than the
   * message.
   */
  private async resolveMentions(body: string, asUserId: string): Promise<string[]> {
    const handles = parseMentionHandles(body);
    if (handles.length === 0 || !this.userDirectory) return [];
    try {
      return [...new Set((await this.userDirectory.byHandles(handles, asUserId)).values())];
    } catch (err) {
      console.warn('[conversations] mentions not resolved: the user directory is unavailable', err);
      return [];
    }
  }

  /** The messages among `ids` whose conversation `userId` is a member of, by id. */
  async byIdsForMember(ids: readonly string[], userId: string): Promise<Map<string, MessageRow>> {
    const rows = await this.prisma.message.findMany({
      where: { id: { in: [...ids] }, conversation: { memberships: { some: { userId } } } },
    });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** One page per conversation, in one query (callers have already checked membership). */
  async pages(conversationIds: readonly string[], page: PageArgs): Promise<Map<string, MessageRow[]>> {
    const { after, before, limit } = page;
    const ascending = after !== null && after !== undefined;
    const conditions = [Prisma.sql`m.conversation_id = c.id`];
    if (ascending) conditions.push(Prisma.sql`m.seq > ${after}`);
    if (before !== null && before !== undefined) conditions.push(Prisma.sql`m.seq < ${before}`);
    // LATERAL: each conversation's page is an index range scan on (conversation_id, seq).
    const rows = await this.prisma.$queryRaw<MessageRow[]>`
      SELECT p.* FROM unnest(${[...conversationIds]}::uuid[]) AS c(id)
      CROSS JOIN LATERAL (
        SELECT ${MESSAGE_COLUMNS}
        FROM conversations.messages m
        WHERE ${Prisma.join(conditions, ' AND ')}
        ORDER BY m.seq ${ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`}
        LIMIT ${limit}
      ) p`;
    const pages = new Map<string, MessageRow[]>(conversationIds.map((id) => [id, []]));
    for (const row of rows) pages.get(row.conversationId)?.push(row);
    for (const list of pages.values()) list.sort((a, b) => a.seq - b.seq);
    return pages;
  }

  /**
   * For each (conversation, after) pair, the first `limit` messages with seq >
   * after, ascending: one statement for conversations read at different
   * positions (the router's batched subscription reads), where `pages` would
   * take one per distinct `after`.
   */
  async pagesAfter(keys: ReadonlyArray<{ conversationId: string; after: number }>, limit: number): Promise<Map<string, MessageRow[]>> {
    const rows = await this.prisma.$queryRaw<Array<MessageRow & { _after: number }>>`
      SELECT c.after AS "_after", p.* FROM unnest(${keys.map((k) => k.conversationId)}::uuid[], ${keys.map((k) => k.after)}::int[]) AS c(id, after)
      CROSS JOIN LATERAL (
        SELECT ${MESSAGE_COLUMNS}
        FROM conversations.messages m
        WHERE m.conversation_id = c.id AND m.seq > c.after
        ORDER BY m.seq ASC
        LIMIT ${limit}
      ) p`;
    const pages = new Map<string, MessageRow[]>(keys.map((k) => [pageKey(k.conversationId, k.after), []]));
    for (const { _after, ...row } of rows) pages.get(pageKey(row.conversationId, _after))?.push(row);
    return pages;
  }

  /**
   * The replies of `rootId` (a message of `conversationId`, else NOT_FOUND)
   * with seq > after, by seq, at most `limit` (callers have already checked
   * membership of the conversation).
   */
  async thread(conversationId: string, rootIdArg: unknown, page: { after?: number | null; limit?: number | null }): Promise<MessageRow[]> {
    const rootId = parseId(rootIdArg, 'rootId');
    const { after, limit } = parsePage({ after: page.after, limit: page.limit });
    const root = await this.prisma.message.findUnique({ where: { id: rootId }, select: { conversationId: true } });
    if (!root || root.conversationId !== conversationId) throw notFound(NOT_FOUND_MESSAGE);
    return this.prisma.$queryRaw<MessageRow[]>`
      SELECT ${MESSAGE_COLUMNS} FROM conversations.messages m
      WHERE m.reply_to_id = ${rootId}::uuid AND m.seq > ${after ?? 0}
      ORDER BY m.seq ASC LIMIT ${limit}`;
  }

  /** Replies that are not deleted, per thread root. */
  async replyCounts(ids: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string; count: number }>>`
      SELECT m.reply_to_id::text AS id, count(*)::int AS count FROM conversations.messages m
      WHERE m.reply_to_id = ANY(${[...ids]}::uuid[]) AND m.deleted_at IS NULL
      GROUP BY m.reply_to_id`;
    return new Map(rows.map((row) => [row.id, row.count]));
  }

  /** Mentioned user ids per message. */
  async mentionsOf(ids: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await this.prisma.mention.findMany({ where: { messageId: { in: [...ids] } }, select: { messageId: true, userId: true }, orderBy: { userId: 'asc' } });
    const mentions = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const row of rows) mentions.get(row.messageId)?.push(row.userId);
    return mentions;
  }

  /**
   * Sends a message. The membership check (FOR KEY SHARE), the clientMsgId
   * lookup, the next seq under the conversation's row lock (concurrent
   * senders queue there, so seq has no gap and no duplicate), the message,
   * its mentions and its outbox event are ONE statement (sendStatement): a
   * single statement is atomic on its own, so the common send is one round
   * trip and one commit instead of an interactive transaction of four;
   * concurrent plain sends (no mention) share one statement and one commit
   * (GroupCommit, send-batch.ts), each still answered on its own. Only when notifications are due (an offline mentioned user or
   * direct-message recipient) is that statement followed by their writes in
   * one transaction, as before. A clientMsgId the author already used in
   * this conversation returns the first message and writes nothing.
   */
  async send(userId: string, args: SendMessageArgs): Promise<MessageRow> {
    const conversationId = parseId(args.conversationId, 'conversationId');
    const attachmentIds = parseAttachmentIds(args.attachmentIds);
    // A message of files alone (a photo) needs no text.
    const body = parseBody(args.body, attachmentIds.length > 0);
    const clientMsgId = parseClientMsgId(args.clientMsgId);
    const replyToId = args.replyToId === null || args.replyToId === undefined ? null : parseId(args.replyToId, 'replyToId');
    await this.blocks?.assertMaySend(userId, conversationId);
    const mentionIds = await this.resolveMentions(body, userId);
    const pending = await this.notifier?.prepare(userId, conversationId, mentionIds);
    const draft: SendDraft = { id: randomUUID(), conversationId, authorId: userId, body, clientMsgId, replyToId };
    if (attachmentIds.length > 0) {
      // Before the message exists, under the id it will have: no reader ever sees it without its files.
      // A send that is then refused releases them (releaseAttachments); any left point at a message that never exists, which media shows to nobody.
      if (!this.attachments) throw unavailable('Attachments need the media service');
      await this.attachments.attachToNew(draft.id, conversationId, attachmentIds, userId);
    }
    try {
      const { message, created } = pending
        ? await this.prisma.$transaction(async (tx) => {
            const sent = outcome(await this.writeOne(tx, draft, mentionIds), draft);
            if (sent.created) await this.notifier!.write(tx, sent.message, pending);
            return sent;
          }, TX_OPTIONS)
        : outcome(
            // Mentions are written by the single-send statement only.
            this.groupCommit && mentionIds.length === 0 ? await this.groupCommit.submit(draft) : await this.writeOne(this.prisma, draft, mentionIds),
            draft,
          );
      if (created) this.onCommitted();
      // The answer is an earlier message of this clientMsgId: the draft's id is never written.
      else this.releaseAttachments(draft.id, attachmentIds, userId);
      return message;
    } catch (err) {
      // A concurrent retry with the same clientMsgId committed first: ours
      // rolled back (no seq taken, no event), theirs is the answer.
      if (clientMsgId && isUniqueViolation(err)) {
        const existing = await this.prisma.message.findUnique({ where: { conversationId_authorId_clientMsgId: { conversationId, authorId: userId, clientMsgId } } });
        if (existing) {
          this.releaseAttachments(draft.id, attachmentIds, userId);
          return existing;
        }
      }
      const mapped = mapDbError(err);
      // A refusal means nothing was written; an unknown failure (the commit's answer lost) may have written it: keep its files then.
      if (mapped instanceof GraphQLError && REFUSALS.has(String(mapped.extensions?.code))) this.releaseAttachments(draft.id, attachmentIds, userId);
      throw mapped;
    }
  }

  /** Best effort, not awaited: the attachment rows of a draft that was never written (they would show nothing, but they are clutter). */
  private releaseAttachments(messageId: string, attachmentIds: readonly string[], userId: string): void {
    if (attachmentIds.length === 0 || !this.attachments) return;
    this.attachments.releaseNew(messageId, userId).catch((err: unknown) => console.warn('[conversations] releasing the attachments of an unsent message failed', err));
  }

  /** One send as one statement (autocommit on `db` = the client; inside the caller's transaction on `db` = tx). */
  private async writeOne(db: Prisma.TransactionClient | PrismaClient, draft: SendDraft, mentionIds: string[]): Promise<SendResultRow | undefined> {
    const [row] = await db.$queryRaw<SendResultRow[]>(sendStatement(this.topics, draft, mentionIds));
    return row;
  }

  /** Author only; a deleted message cannot be edited (CONFLICT). Sets editedAt. */
  async edit(userId: string, idArg: unknown, bodyArg: unknown): Promise<MessageRow> {
    const id = parseId(idArg, 'id');
    const body = parseBody(bodyArg);
    const mentionIds = await this.resolveMentions(body, userId);
    const pending = mentionIds.length > 0 ? await this.notifier?.prepareMentions(userId, mentionIds) : undefined;
    return this.change(userId, id, (current) => current.authorId === userId, 'Only the author can edit this message', async (tx, current) => {
      if (current.deletedAt) throw conflict('A deleted message cannot be edited');
      const message = await tx.message.update({ where: { id }, data: { body, editedAt: new Date() } });
      // Mentions follow the body: whoever is no longer named is no longer mentioned.
      // Read under the message's row lock, so two concurrent edits cannot both
      // count the same user as newly mentioned.
      const before = await tx.mention.findMany({ where: { messageId: id }, select: { userId: true } });
      await tx.mention.deleteMany({ where: { messageId: id } });
      if (mentionIds.length > 0) {
        await tx.$executeRaw`
          INSERT INTO conversations.mentions (message_id, user_id, conversation_id, seq)
          SELECT ${id}::uuid, ms.user_id, ms.conversation_id, ${current.seq}
          FROM conversations.memberships ms
          WHERE ms.conversation_id = ${current.conversationId}::uuid AND ms.user_id = ANY(${mentionIds}::uuid[])`;
      }
      if (pending) {
        // Only users this edit newly names: those the message already mentioned
        // were notified (or were online) when they were first named. A user
        // named, unnamed and named again already holds this message's
        // notification (unique per message and user): nothing is written twice.
        const already = new Set(before.map((m) => m.userId.toLowerCase()));
        const recipients = new Map([...pending.recipients].filter(([userId]) => !already.has(userId)));
        if (recipients.size > 0) await this.notifier!.write(tx, message, { recipients });
      }
      await writeMessageEvent(tx, this.topics, ConversationEvent.MessageEdited, message);
      return { message, changed: true };
    });
  }

  /**
   * The author, or an ADMIN or OWNER of the conversation (moderation). A tombstone: the row and its seq stay (so seq keeps no
   * gaps), the body becomes empty and deletedAt is set. Deleting a deleted
   * message returns it unchanged and announces nothing.
   */
  async delete(userId: string, idArg: unknown): Promise<MessageRow> {
    const id = parseId(idArg, 'id');
    const allowed = (current: MessageRow, role: MemberRole) => current.authorId === userId || role !== 'MEMBER';
    return this.change(userId, id, allowed, 'Only the author, an admin or an owner can delete this message', async (tx, current) => {
      if (current.deletedAt) return { message: current, changed: false };
      const message = await tx.message.update({ where: { id }, data: { body: '', deletedAt: new Date() } });
      await writeMessageEvent(tx, this.topics, ConversationEvent.MessageDeleted, message);
      return { message, changed: true };
    });
  }

  /**
   * Announces that another service changed something of this message (media:
   * its attachments) as a MESSAGE_EDITED event, without touching the row, so
   * conversationEvents subscribers re-read it. The author only; not for a
   * deleted message or in an archived conversation. Each call is its own
   * event: its bus key is unique, never the key of a text edit (which carries
   * editedAt), so the bus's de-duplication cannot swallow it.
   */
  async announceChange(userId: string, idArg: unknown): Promise<void> {
    const id = parseId(idArg, 'id');
    await this.change(userId, id, (current) => current.authorId === userId, 'Only the author can change this message', async (tx, current) => {
      if (current.deletedAt) throw conflict('A deleted message cannot change');
      await writeMessageEvent(tx, this.topics, ConversationEvent.MessageEdited, current, `${ConversationEvent.MessageEdited}:${id}:announced:${randomUUID()}`);
      return { message: current, changed: true };
    });
  }

  /** Locks the message row, checks membership, `allowed` and that the conversation is not archived, then applies `apply`. */
  private async change(
    userId: string,
    id: string,
    allowed: (current: MessageRow, role: MemberRole) => boolean,
    refusal: string,
    apply: (tx: Prisma.TransactionClient, current: MessageRow) => Promise<{ message: MessageRow; changed: boolean }>,
  ): Promise<MessageRow> {
    try {
      const { message, changed } = await this.prisma.$transaction(async (tx) => {
        // The row lock orders concurrent edits/deletes of one message.
        const [current] = await tx.$queryRaw<MessageRow[]>`
          SELECT ${MESSAGE_COLUMNS} FROM conversations.messages m WHERE m.id = ${id}::uuid FOR UPDATE`;
        if (!current) throw notFound(NOT_FOUND_MESSAGE);
        const [member] = await tx.$queryRaw<Array<{ role: MemberRole; archived: boolean }>>`
          SELECT ms.role::text AS role, c.archived_at IS NOT NULL AS archived
          FROM conversations.memberships ms JOIN conversations.conversations c ON c.id = ms.conversation_id
          WHERE ms.conversation_id = ${current.conversationId}::uuid AND ms.user_id = ${userId}::uuid`;
        if (!member) throw notFound(NOT_FOUND_MESSAGE);
        if (!allowed(current, member.role)) throw forbidden(refusal);
        if (member.archived) throw conflict(ARCHIVED);
        return apply(tx, current);
      }, TX_OPTIONS);
      if (changed) this.onCommitted();
      return message;
    } catch (err) {
      throw mapDbError(err);
    }
  }
}

/** Most files one message carries: media's own MAX_ATTACHMENTS, checked here too so a bad send costs no request to media. */
const MAX_ATTACHMENTS = 10;

/** `attachmentIds`: absent or empty = none; else 1 to MAX_ATTACHMENTS UUIDs, de-duplicated in order. */
function parseAttachmentIds(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw badInput('attachmentIds must be a list of ids', 'attachmentIds');
  if (value.length === 0) return [];
  if (value.length > MAX_ATTACHMENTS) throw badInput(`attachmentIds takes at most ${MAX_ATTACHMENTS} ids`, 'attachmentIds');
  return [...new Set(value.map((id) => parseId(id, 'attachmentIds')))];
}

/** Validates page arguments: limit 1..200, after/before non-negative. */
export function parsePage(args: { after?: number | null; before?: number | null; limit?: number | null }): PageArgs {
  const limit = args.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw badInput(`limit must be between 1 and ${MAX_PAGE_SIZE}`, 'limit');
  for (const field of ['after', 'before'] as const) {
    const value = args[field];
    if (value !== null && value !== undefined && (!Number.isInteger(value) || value < 0)) throw badInput(`${field} must not be negative`, field);
  }
  return { after: args.after ?? null, before: args.before ?? null, limit };
}

function parseBody(body: unknown, mayBeEmpty = false): string {
  if (typeof body !== 'string') throw badInput('body must be a string', 'body');
  const trimmed = body.trim();
  if (trimmed === '' && !mayBeEmpty) throw badInput('body must not be empty', 'body');
  if ([...trimmed].length > MAX_BODY_LENGTH) throw badInput(`body must be at most ${MAX_BODY_LENGTH} characters`, 'body');
  // PostgreSQL text cannot hold NUL; refusing it here beats a masked SQL error.
  assertStorableText(trimmed, 'body');
  return trimmed;
}

function parseClientMsgId(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value === '') throw badInput('clientMsgId must be a non-empty string', 'clientMsgId');
  if ([...value].length > MAX_CLIENT_MSG_ID_LENGTH) throw badInput(`clientMsgId must be at most ${MAX_CLIENT_MSG_ID_LENGTH} characters`, 'clientMsgId');
  assertStorableText(value, 'clientMsgId');
  return value;
}
