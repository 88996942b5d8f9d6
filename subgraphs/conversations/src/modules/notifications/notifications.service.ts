import { randomUUID } from 'node:crypto';
import type { Topics } from '@storm/bus';
import { badInput, decodePageCursor, encodePageCursor } from '@storm/common';
import type { PresenceStore } from '@storm/presence';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type { NotificationKind } from '../../generated/prisma/enums.js';
import { parseId } from '../../errors.js';
import { MS_MUTED, type MessageRow } from '../../models.js';
import { DirectMembers } from '../conversations/direct-members.js';

/** Notifications kept per user: writing one more deletes the oldest beyond this. */
export const MAX_NOTIFICATIONS_PER_USER = 500;
/** Largest page of `Query.notifications`. */
export const MAX_NOTIFICATIONS_PAGE = 100;
/** Most ids one `markNotificationsRead(ids:)` takes. */
export const MAX_MARK_IDS = 500;

/** The bus event name on the user's subject: `topics(prefix).user(userId, NOTIFICATION_EVENT)`. */
export const NOTIFICATION_EVENT = 'notification';

/** The payload of a `user.<userId>.notification` bus event. */
export interface NotificationEventPayload {
  notificationId: string;
  userId: string;
  kind: NotificationKind;
  conversationId: string;
  messageId: string;
  committedAt: string;
}

export interface NotificationRow {
  id: string;
  userId: string;
  kind: NotificationKind;
  conversationId: string;
  messageId: string;
  createdAt: Date;
  readAt: Date | null;
}

/** What `Query.notifications` resolves to. */
export interface NotificationPageRow {
  notifications: NotificationRow[];
  nextCursor: string | null;
}

/** Who is connected; only `get` is used (a PresenceStore fits). */
export type PresenceLookup = Pick<PresenceStore, 'get'>;

/** Who would be notified of a message, decided before the sending transaction. */
export interface PendingNotifications {
  /** Recipient user id → kind (MENTION wins over DIRECT_MESSAGE). */
  recipients: Map<string, NotificationKind>;
}

/**
 * The hook MessagesService.send calls: `prepare` before its transaction
 * (network calls must not hold locks), `write` inside it after the message
 * is inserted, so a notification exists if and only if its message does.
 */
export interface SendNotifier {
  prepare(senderId: string, conversationId: string, mentionIds: readonly string[]): Promise<PendingNotifications | undefined>;
  write(tx: Prisma.TransactionClient, message: MessageRow, pending: PendingNotifications): Promise<void>;
}

/**
 * The hook MessagesService.edit calls: an edit notifies only mentions (a
 * direct message was notified when sent), and only the users it newly names.
 * `prepareMentions` runs before the edit's transaction; the edit drops the
 * users its body already mentioned (read under the message's row lock) and
 * calls `write` inside the transaction.
 */
export interface EditNotifier extends SendNotifier {
  prepareMentions(editorId: string, mentionIds: readonly string[]): Promise<PendingNotifications | undefined>;
}

interface Cursor {
  createdAt: string;
  id: string;
}

function encodeCursor(row: NotificationRow): string {
  return encodePageCursor([new Date(row.createdAt).toISOString(), row.id]);
}

function decodeCursor(value: unknown): Cursor {
  const invalid = () => badInput('after must be a cursor returned by notifications()', 'after');
  const parsed = decodePageCursor(value, 2, 200);
  if (!parsed) throw invalid();
  const [createdAt, id] = parsed;
  if (typeof createdAt !== 'string' || Number.isNaN(new Date(createdAt).getTime())) throw invalid();
  try {
    return { createdAt, id: parseId(id, 'after') };
  } catch {
    throw invalid();
  }
}

const COLUMNS = Prisma.sql`n.id::text AS id, n.user_id::text AS "userId", n.kind::text AS kind,
  n.conversation_id::text AS "conversationId", n.message_id::text AS "messageId", n.created_at AS "createdAt", n.read_at AS "readAt"`;

/**
 * First key of the advisory locks on a recipient's notifications (the second
 * is `hashtext(userId)`): the two-key form keeps them apart from every
 * single-key advisory lock (migrations, media attachments).
 */
export const NOTIFICATIONS_LOCK_SPACE = 0x4e4f5446; // 'NOTF'

/**
 * Takes the transaction-scoped advisory lock of each user's notifications,
 * in ascending key order, each key once: two transactions locking
 * overlapping sets queue instead of deadlocking, even when two users' keys
 * collide (ordering by user id would not be enough then). A collision only
 * makes two users' writers wait for each other.
 */
async function lockRecipients(tx: Prisma.TransactionClient, userIds: readonly string[]): Promise<void> {
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(${NOTIFICATIONS_LOCK_SPACE}::int, k.key)
    FROM (SELECT DISTINCT hashtext(u::text) AS key FROM unnest(${[...userIds]}::uuid[]) AS u ORDER BY key) k
    ORDER BY k.key`;
}

/** Notifications: written while sending (SendNotifier), read and marked by their owner only. */
export class NotificationsService implements EditNotifier {
  /** The members of DIRECT conversations (shared with BlocksService). */
  readonly direct: DirectMembers;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly topics: Topics,
    /** Absent: nobody counts as connected, so every recipient is notified. */
    private readonly presence?: PresenceLookup,
  ) {
    this.direct = new DirectMembers(prisma);
  }

  /**
   * The mentioned users and the other member of a DIRECT conversation, minus
   * the sender and anyone connected (ONLINE or AWAY). If presence cannot
   * answer, everyone counts as offline: a spare notification beats a lost one.
   */
  async prepare(senderId: string, conversationId: string, mentionIds: readonly string[]): Promise<PendingNotifications | undefined> {
    const recipients = new Map<string, NotificationKind>();
    const direct = await this.direct.of(conversationId);
    for (const userId of direct ?? []) if (userId !== senderId) recipients.set(userId, 'DIRECT_MESSAGE');
    for (const userId of mentionIds) if (userId !== senderId) recipients.set(userId.toLowerCase(), 'MENTION');
    return this.offlineOnly(recipients);
  }

  /** The mentioned users minus the editor and anyone connected (as in `prepare`), all as MENTION. */
  async prepareMentions(editorId: string, mentionIds: readonly string[]): Promise<PendingNotifications | undefined> {
    const recipients = new Map<string, NotificationKind>();
    for (const userId of mentionIds) if (userId.toLowerCase() !== editorId.toLowerCase()) recipients.set(userId.toLowerCase(), 'MENTION');
    return this.offlineOnly(recipients);
  }

  private async offlineOnly(recipients: Map<string, NotificationKind>): Promise<PendingNotifications | undefined> {
    if (recipients.size === 0) return undefined;
    if (this.presence) {
      try {
        const presence = await this.presence.get([...recipients.keys()]);
        for (const [userId, state] of presence) if (state.status !== 'OFFLINE') recipients.delete(userId.toLowerCase());
      } catch (err) {
        console.warn('[conversations] presence unavailable: notifying every recipient', err);
      }
    }
    return recipients.size === 0 ? undefined : { recipients };
  }

  /**
   * Inside the sending transaction: one notification per recipient who is
   * still a member, has not muted the conversation and has not blocked the
   * author, its outbox event on the user's subject, then the
   * recipients' oldest notifications beyond the newest 500 are deleted (an
   * index range scan of at most 500 entries per recipient).
   *
   * The prune runs under a transaction-scoped advisory lock per written
   * recipient (see `lockRecipients`), taken after the insert and released at
   * commit. Under READ COMMITTED a prune sees only committed rows, so two
   * notifying sends to one user in different conversations (which do not
   * queue on a conversation row lock) could each keep "the newest 500" of
   * what they saw and commit 501; and two sends naming the same two users
   * deadlocked on each other's deletes. With the lock, a prune's statement
   * starts after every earlier writer for that user has committed, so it
   * sees all their rows: the user holds at most 500 after every commit. Only
   * writers to the same recipient wait, for one DELETE and the commit.
   */
  async write(tx: Prisma.TransactionClient, message: MessageRow, pending: PendingNotifications): Promise<void> {
    const entries = [...pending.recipients];
    const ids = entries.map(() => randomUUID());
    const users = entries.map(([userId]) => userId);
    const kinds = entries.map(([, kind]) => kind);
    const subjects = users.map((userId) => this.topics.user(userId, NOTIFICATION_EVENT));
    const committedAt = new Date().toISOString();
    const written = await tx.$queryRaw<Array<{ userId: string }>>`
      WITH n AS (
        INSERT INTO conversations.notifications (id, user_id, kind, conversation_id, message_id)
        SELECT x.id, x.user_id, x.kind::conversations."NotificationKind", ${message.conversationId}::uuid, ${message.id}::uuid
        FROM unnest(${ids}::uuid[], ${users}::uuid[], ${kinds}::text[]) AS x(id, user_id, kind)
        JOIN conversations.memberships ms ON ms.conversation_id = ${message.conversationId}::uuid AND ms.user_id = x.user_id
        -- Not to a member who muted the conversation, nor who blocked the author.
        WHERE NOT ${MS_MUTED}
          AND NOT EXISTS (SELECT 1 FROM conversations.blocks b WHERE b.blocker_id = x.user_id AND b.blocked_id = ${message.authorId}::uuid)
        ON CONFLICT (message_id, user_id) DO NOTHING
        RETURNING id, user_id, kind
      ), event AS (
        INSERT INTO conversations.outbox (subject, msg_id, payload)
        SELECT s.subject, 'notification:' || n.id::text, jsonb_build_object(
          'notificationId', n.id::text, 'userId', n.user_id::text, 'kind', n.kind::text,
          'conversationId', ${message.conversationId}::text, 'messageId', ${message.id}::text, 'committedAt', ${committedAt}::text)
        FROM n JOIN unnest(${users}::uuid[], ${subjects}::text[]) AS s(user_id, subject) ON s.user_id = n.user_id
      )
      SELECT user_id::text AS "userId" FROM n`;
    if (written.length === 0) return;
    const recipients = written.map((row) => row.userId);
    await lockRecipients(tx, recipients);
    // A new statement, so a new snapshot: taken after the locks were granted.
    await tx.$executeRaw`
      DELETE FROM conversations.notifications d
      USING (
        SELECT u.user_id, k.created_at, k.id
        FROM unnest(${recipients}::uuid[]) AS u(user_id)
        CROSS JOIN LATERAL (
          SELECT created_at, id FROM conversations.notifications
          WHERE user_id = u.user_id ORDER BY created_at DESC, id DESC
          OFFSET ${MAX_NOTIFICATIONS_PER_USER - 1} LIMIT 1
        ) k
      ) keep
      WHERE d.user_id = keep.user_id AND (d.created_at, d.id) < (keep.created_at, keep.id)`;
  }

  /** The caller's notifications, newest first; `after` is a `nextCursor`. */
  async list(userId: string, args: { limit?: number | null; after?: string | null }): Promise<NotificationPageRow> {
    const limit = args.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_NOTIFICATIONS_PAGE) throw badInput(`limit must be between 1 and ${MAX_NOTIFICATIONS_PAGE}`, 'limit');
    const cursor = args.after === null || args.after === undefined ? null : decodeCursor(args.after);
    const rows = await this.prisma.$queryRaw<NotificationRow[]>`
      SELECT ${COLUMNS} FROM conversations.notifications n
      WHERE n.user_id = ${userId}::uuid
      ${cursor ? Prisma.sql`AND (n.created_at, n.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)` : Prisma.empty}
      ORDER BY n.created_at DESC, n.id DESC
      LIMIT ${limit + 1}`;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { notifications: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** The caller's unread notifications (at most MAX_NOTIFICATIONS_PER_USER). */
  async unreadCount(userId: string): Promise<number> {
    const [row] = await this.prisma.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count FROM conversations.notifications WHERE user_id = ${userId}::uuid AND read_at IS NULL`;
    return row?.count ?? 0;
  }

  /**
   * Marks the caller's unread notifications among `ids` (others' ids and
   * unknown ids are ignored), or all of them with `all: true`; exactly one of
   * the two. Returns how many changed.
   */
  async markRead(userId: string, args: { ids?: readonly unknown[] | null; all?: boolean | null }): Promise<number> {
    const hasIds = args.ids !== null && args.ids !== undefined;
    if (hasIds === (args.all === true)) throw badInput('Pass either ids or all: true', hasIds ? 'all' : 'ids');
    if (args.all) {
      return this.prisma.$executeRaw`
        UPDATE conversations.notifications SET read_at = now() WHERE user_id = ${userId}::uuid AND read_at IS NULL`;
    }
    const raw = args.ids!;
    if (raw.length > MAX_MARK_IDS) throw badInput(`ids must have at most ${MAX_MARK_IDS} entries`, 'ids');
    const ids = [...new Set(raw.map((id) => parseId(id, 'ids')))];
    if (ids.length === 0) return 0;
    return this.prisma.$executeRaw`
      UPDATE conversations.notifications SET read_at = now()
      WHERE id = ANY(${ids}::uuid[]) AND user_id = ${userId}::uuid AND read_at IS NULL`;
  }
}
