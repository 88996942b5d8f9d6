// Media module: metadata of uploaded files, who may see them, and the
// attachments of messages. The bytes come and go through transfer.ts
// (POST /media, GET /media/<id>) and live in storage.ts.
import { badInput, conflict, decodePageCursor, encodePageCursor, forbidden, isUuid, notFound, unavailable } from '@storm/common';
import type { Media as MediaRow, PrismaClient } from '../../generated/prisma/client.js';
import type { Peers } from '../../peers.js';
import type { FileStorage } from './storage.js';

export type { MediaRow };

/** A message as the media service knows it: a reference to the conversations service's entity. */
export interface MessageRef {
  id: string;
  /**
   * Provided by the router (`@requires`) when attachments are asked for;
   * undefined when a representation did not carry it (deletion unknown:
   * attachments then ask conversations, see `attachmentsOf`).
   */
  deletedAt?: Date | string | null;
}

// Ids are PostgreSQL uuids: anything else would make the query itself fail,
// so it is rejected (or skipped) before it reaches the database (isUuid).

/** The storage keys among `keys` that a media row points at (the others are files the orphan sweep may remove). */
export async function recordedKeys(prisma: PrismaClient, keys: string[]): Promise<Set<string>> {
  const rows = await prisma.media.findMany({ where: { storageKey: { in: keys } }, select: { storageKey: true } });
  return new Set(rows.map((row) => row.storageKey));
}

/** How many files an owner has and the bytes they take (what counts against MEDIA_QUOTA_BYTES). */
export async function mediaUsage(prisma: Pick<PrismaClient, 'media'>, ownerId: string): Promise<{ files: number; usedBytes: number }> {
  const { _count, _sum } = await prisma.media.aggregate({ where: { ownerId }, _count: { _all: true }, _sum: { size: true } });
  return { files: _count._all, usedBytes: Number(_sum.size ?? 0) };
}

/** Largest page of `uploads`. */
export const MAX_UPLOADS_PAGE = 100;

/** Most media one attachMedia call attaches to a message. */
export const MAX_ATTACHMENTS = 10;

/**
 * The only code that touches the media tables. Who may see a media:
 * - its owner;
 * - any signed-in user, when it is its owner's avatar (asked of the users
 *   subgraph: the owner's `User.avatar`, so pointing one's own avatar at
 *   someone else's media shows it to nobody);
 * - the members of a conversation it is attached to a message of, as long
 *   as that message is not deleted (asked of the conversations subgraph as
 *   the caller, on every read, so a member who leaves, or a delete, hides it
 *   at once).
 * Everything else is absent, exactly like an unknown id.
 *
 * Whether a message is deleted has one source of truth, the conversations
 * service's `deletedAt`, and media never copies it. Read by id (or as a
 * `Media` entity), media asks about the attachment's messages rather than
 * their conversations: `_entities(Message { id deletedAt })` answers
 * membership (NOT_FOUND for a non-member) and deletion in the one request
 * that used to ask membership alone, so the delete costs no extra round trip
 * and cannot race a recorded copy (an attachMedia that commits just after a
 * delete is still hidden). `Message.attachments` gets `deletedAt` from the
 * router (`@requires`), fetched from conversations in the same plan, so it
 * still asks only about memberships of conversations (one representation
 * per conversation, not per message of a history page).
 */
export class MediaService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly peers?: Peers,
    /** Where the files are (deleteMedia removes one); without it a deleted media's file is left to the orphan sweep. */
    private readonly storage?: Pick<FileStorage, 'remove'>,
  ) {}

  /** The owner's media with this id; null when it does not exist or belongs to someone else. */
  async findOwned(ownerId: string, id: string): Promise<MediaRow | null> {
    if (!isUuid(id)) return null;
    return this.prisma.media.findFirst({ where: { id, ownerId } });
  }

  /** The media among `ids` that `viewerId` may see (rules above), by id; others and unknown ids are absent. */
  async findManyVisible(viewerId: string, ids: readonly string[]): Promise<Map<string, MediaRow>> {
    const valid = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    if (valid.length === 0) return new Map();
    const rows = await this.prisma.media.findMany({ where: { id: { in: valid } } });
    const visible = new Map(rows.filter((row) => row.ownerId === viewerId).map((row) => [row.id, row]));
    let others = rows.filter((row) => row.ownerId !== viewerId);
    if (others.length === 0 || !this.peers) return visible;

    const avatars = await this.peers.avatarsOf(others.map((row) => row.ownerId), viewerId);
    for (const row of others) if (avatars.get(row.ownerId) === row.id) visible.set(row.id, row);
    others = others.filter((row) => !visible.has(row.id));
    if (others.length === 0) return visible;

    const attached = await this.prisma.attachment.findMany({
      where: { mediaId: { in: others.map((row) => row.id) } },
      select: { mediaId: true, messageId: true },
    });
    if (attached.length === 0) return visible;
    // Visible through any one attachment whose message the viewer reads and is not deleted.
    const live = await this.peers.liveMessages(attached.map((a) => a.messageId), viewerId);
    const seen = new Set(attached.filter((a) => live.has(a.messageId)).map((a) => a.mediaId));
    for (const row of others) if (seen.has(row.id)) visible.set(row.id, row);
    return visible;
  }

  /**
   * The attachments of each message the viewer may see, in attachment order,
   * asked of conversations once per batch of messages. `deletion` says what
   * the caller knows: 'known-live' (the router sent `deletedAt: null`;
   * `Message.attachments` answers `[]` for a tombstone without asking): only
   * membership of their conversations is asked; 'unknown' (a representation
   * without `deletedAt`): the messages themselves are asked, as for a read by
   * id, so a deleted message's attachments stay hidden on that path too.
   */
  async attachmentsOf(viewerId: string, messageIds: readonly string[], deletion: 'known-live' | 'unknown'): Promise<Map<string, MediaRow[]>> {
    const ids = [...new Set(messageIds.filter(isUuid).map((id) => id.toLowerCase()))];
    const result = new Map<string, MediaRow[]>();
    if (ids.length === 0) return result;
    const rows = await this.prisma.attachment.findMany({
      where: { messageId: { in: ids } },
      orderBy: [{ messageId: 'asc' }, { position: 'asc' }],
      include: { media: true },
    });
    if (rows.length === 0) return result;
    let visible: (row: (typeof rows)[number]) => boolean = () => false;
    if (this.peers && deletion === 'unknown') {
      const live = await this.peers.liveMessages(rows.map((row) => row.messageId), viewerId);
      visible = (row) => live.has(row.messageId);
    } else if (this.peers) {
      const member = await this.peers.memberOf(rows.map((row) => row.conversationId), viewerId);
      visible = (row) => member.has(row.conversationId);
    }
    for (const row of rows) {
      if (!visible(row)) continue;
      const list = result.get(row.messageId) ?? [];
      list.push(row.media);
      result.set(row.messageId, list);
    }
    return result;
  }

  /**
   * Attaches the caller's own media to a message the caller wrote, after its
   * current attachments (already attached ones are kept in place). The
   * message's author and conversation come from the conversations subgraph,
   * asked as the caller: a message of a conversation they are not in is
   * NOT_FOUND, someone else's message FORBIDDEN, a deleted one CONFLICT
   * (like editMessage); media that is not the caller's is NOT_FOUND (like an
   * unknown id). All or nothing. A delete that commits after the check does
   * not expose anything: reads ask conversations whether the message is
   * deleted, they do not trust this check.
   */
  async attach(viewerId: string, messageIdArg: string, mediaIdsArg: readonly string[]): Promise<{ id: string }> {
    const { messageId, mediaIds } = parseAttach(messageIdArg, mediaIdsArg);
    if (!this.peers) throw unavailable('Attachments need the conversations service');
    const message = await this.peers.message(messageId, viewerId);
    if (!message) throw notFound('Message not found');
    if (message.authorId !== viewerId.toLowerCase()) throw forbidden('Only the author can attach media to this message');
    if (message.deleted) throw conflict('A deleted message cannot get attachments');
    await this.assertOwned(viewerId, mediaIds);
    await this.prisma.$transaction(async (tx) => {
      // Serialises concurrent attaches to one message, so positions and the cap hold.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${messageId}))`;
      const existing = await tx.attachment.findMany({ where: { messageId }, select: { mediaId: true } });
      const fresh = mediaIds.filter((id) => !existing.some((a) => a.mediaId === id));
      if (existing.length + fresh.length > MAX_ATTACHMENTS) throw badInput(`A message holds at most ${MAX_ATTACHMENTS} attachments`, 'mediaIds');
      await tx.attachment.createMany({
        data: fresh.map((mediaId, i) => ({ messageId, mediaId, conversationId: message.conversationId, position: existing.length + i })),
      });
    });
    // Live clients hear of it only once it is committed (they re-read the
    // message's attachments on the event). Every call announces, new media or
    // not, so a retry after an UNAVAILABLE here announces what the first call
    // attached. A refusal means the message cannot change any more (deleted,
    // or its author left, since the check above): the attachments stay, as
    // hidden as the message.
    try {
      await this.peers.announceChange(messageId, viewerId);
    } catch (err) {
      throw unavailable('The media is attached, but live clients could not be told; attach it again (nothing is attached twice)', err);
    }
    return { id: messageId };
  }

  /**
   * Attaches the caller's own media to a message conversations is about to
   * write (`sendMessage(input: { attachmentIds })`): the id is the one it
   * will have, the conversation the one it will be in; conversations checks
   * the sender's membership when it writes the message, and media asks it on
   * every read as always, so rows of a message that never got written show
   * nothing. Refuses a message id that has attachments already (CONFLICT):
   * only a new message is attached to this way.
   */
  async attachToNew(viewerId: string, messageIdArg: string, conversationIdArg: string, mediaIdsArg: readonly string[]): Promise<void> {
    const { messageId, mediaIds } = parseAttach(messageIdArg, mediaIdsArg);
    if (!isUuid(conversationIdArg)) throw badInput('conversationId must be a UUID', 'conversationId');
    const conversationId = conversationIdArg.toLowerCase();
    await this.assertOwned(viewerId, mediaIds);
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${messageId}))`;
      if ((await tx.attachment.count({ where: { messageId } })) > 0) throw conflict('This message has attachments already');
      await tx.attachment.createMany({ data: mediaIds.map((mediaId, position) => ({ messageId, mediaId, conversationId, position })) });
    });
  }

  /**
   * Removes the caller's attachment rows of a message that attachToNew
   * prepared and that conversations then did not write (`releaseNewMessage`).
   * Only rows of the caller's own media go, so nobody can strip files from
   * someone else's message this way.
   */
  async releaseNew(viewerId: string, messageId: string): Promise<number> {
    const { count } = await this.prisma.attachment.deleteMany({ where: { messageId: messageId.toLowerCase(), media: { ownerId: viewerId.toLowerCase() } } });
    return count;
  }

  /**
   * Deletes the caller's own media (see `deleteMedia`): the avatar is
   * forgotten first, so no profile is left pointing at a deleted media when
   * a step fails (a failure after it leaves the media whole, and deleting
   * again finishes the job); the rows go in one transaction; the file goes
   * last (a failure there leaves a file without a row,
   * which the orphan sweep removes). Messages that showed it are announced
   * as changed, as the author, who attached it; those announcements are
   * best effort (the media is gone whether or not live clients hear it).
   */
  async delete(viewerId: string, idArg: string): Promise<string> {
    if (!isUuid(idArg)) throw badInput('id must be a UUID', 'id');
    const owner = viewerId.toLowerCase();
    const row = await this.findOwned(owner, idArg.toLowerCase());
    if (!row) throw notFound('Media not found');
    if (!this.peers) throw unavailable('Deleting media needs the users service');
    await this.peers.forgetAvatar(row.id, owner);
    const messages = await this.prisma.$transaction(async (tx) => {
      const attached = await tx.attachment.findMany({ where: { mediaId: row.id }, select: { messageId: true } });
      // Its attachments go with it (ON DELETE CASCADE).
      await tx.media.delete({ where: { id: row.id } });
      return [...new Set(attached.map((a) => a.messageId))];
    });
    await this.storage?.remove(row.storageKey).catch(() => {});
    await Promise.all(messages.map((messageId) => this.peers!.announceChange(messageId, owner).catch(() => false)));
    return row.id;
  }

  /** The owner's media, newest first (`uploads`); `after` is a `nextCursor`. */
  async listOwned(ownerId: string, args: { limit?: number | null; after?: string | null }): Promise<{ media: MediaRow[]; nextCursor: string | null }> {
    const limit = args.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_UPLOADS_PAGE) throw badInput(`limit must be between 1 and ${MAX_UPLOADS_PAGE}`, 'limit');
    let before: { createdAt: Date; id: string } | undefined;
    if (args.after !== null && args.after !== undefined) {
      const key = decodePageCursor(args.after, 2);
      const createdAt = typeof key?.[0] === 'string' ? new Date(key[0]) : undefined;
      if (!createdAt || Number.isNaN(createdAt.getTime()) || !isUuid(key![1])) throw badInput('after must be a cursor returned by uploads()', 'after');
      before = { createdAt, id: key![1].toLowerCase() };
    }
    const rows = await this.prisma.media.findMany({
      where: { ownerId, ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { media: page, nextCursor: rows.length > limit && last ? encodePageCursor([last.createdAt.toISOString(), last.id]) : null };
  }

  private async assertOwned(viewerId: string, mediaIds: string[]): Promise<void> {
    const owned = await this.prisma.media.count({ where: { id: { in: mediaIds }, ownerId: viewerId.toLowerCase() } });
    if (owned !== mediaIds.length) throw notFound('Media not found');
  }
}

/** A message id and 1 to MAX_ATTACHMENTS media ids, lower-cased and de-duplicated; BAD_USER_INPUT otherwise. */
function parseAttach(messageIdArg: string, mediaIdsArg: readonly string[]): { messageId: string; mediaIds: string[] } {
  if (!isUuid(messageIdArg)) throw badInput('messageId must be a UUID', 'messageId');
  if (mediaIdsArg.length === 0 || mediaIdsArg.length > MAX_ATTACHMENTS) throw badInput(`mediaIds takes 1 to ${MAX_ATTACHMENTS} ids`, 'mediaIds');
  if (!mediaIdsArg.every(isUuid)) throw badInput('mediaIds must be UUIDs', 'mediaIds');
  return { messageId: messageIdArg.toLowerCase(), mediaIds: [...new Set(mediaIdsArg.map((id) => id.toLowerCase()))] };
}

/** Loads media by id for one caller, batching every load of the same tick into one query. */
export interface MediaLoader {
  load(id: string): Promise<MediaRow | null>;
}

/** Loads a message's visible attachments for one caller, batched per tick like MediaLoader. */
export interface AttachmentsLoader {
  /** `message.deletedAt` must be null (known live) or undefined (unknown); a tombstone has none. */
  load(message: MessageRef): Promise<MediaRow[]>;
}

/**
 * Collects the keys asked in one tick and answers them with one call:
 * `_entities` calls the reference resolver once per representation, all in
 * the same tick, so N references become one `WHERE id IN (...)` query (and
 * one question to each peer subgraph).
 */
function batching<V>(fetch: (keys: string[]) => Promise<Map<string, V>>, missing: V): { load(key: string): Promise<V> } {
  type Waiter = { resolve: (value: V) => void; reject: (err: unknown) => void };
  let pending: Map<string, Waiter[]> | null = null;
  const flush = async (batch: Map<string, Waiter[]>) => {
    try {
      const found = await fetch([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key) ?? missing);
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  };
  return {
    load(key) {
      return new Promise((resolve, reject) => {
        if (!pending) {
          const batch = new Map<string, Waiter[]>();
          pending = batch;
          queueMicrotask(() => {
            pending = null;
            void flush(batch);
          });
        }
        const waiters = pending.get(key);
        if (waiters) waiters.push({ resolve, reject });
        else pending.set(key, [{ resolve, reject }]);
      });
    },
  };
}

/** One loader per request, scoped to what `viewerId` may see (nothing for an anonymous caller). */
export function createMediaLoader(service: MediaService, viewerId: string | null): MediaLoader {
  const viewer = viewerId?.toLowerCase();
  return batching<MediaRow | null>((ids) => (viewer ? service.findManyVisible(viewer, ids) : Promise.resolve(new Map())), null);
}

export function createAttachmentsLoader(service: MediaService, viewerId: string | null): AttachmentsLoader {
  const viewer = viewerId?.toLowerCase();
  const byDeletion = (deletion: 'known-live' | 'unknown') =>
    batching<MediaRow[]>((ids) => (viewer ? service.attachmentsOf(viewer, ids, deletion) : Promise.resolve(new Map())), []);
  const knownLive = byDeletion('known-live');
  const unknown = byDeletion('unknown');
  return {
    load: (message) => (message.deletedAt === undefined ? unknown : knownLive).load(message.id),
  };
}
