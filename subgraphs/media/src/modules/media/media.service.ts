// Media module: metadata of uploaded files, readable by their owner.
// No upload or download yet (they come with the media issue, along with the
// storage settings): rows exist only when something inserts them directly.
import type { Media as MediaRow, PrismaClient } from '../../generated/prisma/client.js';

export type { MediaRow };

// Ids are PostgreSQL uuids: anything else would make the query itself fail,
// so it is rejected (or skipped) before it reaches the database.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isMediaId(id: string): boolean {
  return UUID.test(id);
}

/** The path a media's bytes will be served from (relative to the public origin). */
export function mediaUrl(id: string): string {
  return `/media/${id}`;
}

/**
 * The only code that touches the media tables. Every read is scoped to an
 * owner in the query itself, so someone else's row never leaves the database.
 */
export class MediaService {
  constructor(private readonly prisma: PrismaClient) {}

  /** The owner's media with this id; null when it does not exist or belongs to someone else. */
  async findOwned(ownerId: string, id: string): Promise<MediaRow | null> {
    if (!isMediaId(id)) return null;
    return this.prisma.media.findFirst({ where: { id, ownerId } });
  }

  /** The owner's media among `ids`, by id, in one query; others' and unknown ids are absent. */
  async findManyOwned(ownerId: string, ids: readonly string[]): Promise<Map<string, MediaRow>> {
    const valid = [...new Set(ids.filter(isMediaId))];
    if (valid.length === 0) return new Map();
    const rows = await this.prisma.media.findMany({ where: { id: { in: valid }, ownerId } });
    return new Map(rows.map((row) => [row.id, row]));
  }
}

/** Loads media by id for one caller, batching every load of the same tick into one query. */
export interface MediaLoader {
  load(id: string): Promise<MediaRow | null>;
}

/**
 * One loader per request: `_entities` calls the reference resolver once per
 * representation, all in the same tick, so collecting ids until the next
 * microtask turns N references into one `WHERE id IN (...)` query.
 */
export function createMediaLoader(service: MediaService, viewerId: string | null): MediaLoader {
  let pending: Map<string, Array<{ resolve: (row: MediaRow | null) => void; reject: (err: unknown) => void }>> | null = null;

  const flush = async (batch: NonNullable<typeof pending>) => {
    try {
      const rows = viewerId ? await service.findManyOwned(viewerId, [...batch.keys()]) : new Map<string, MediaRow>();
      for (const [id, waiters] of batch) for (const w of waiters) w.resolve(rows.get(id) ?? null);
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  };

  return {
    load(id) {
      return new Promise((resolve, reject) => {
        if (!pending) {
          const batch = new Map<string, Array<{ resolve: (row: MediaRow | null) => void; reject: (err: unknown) => void }>>();
          pending = batch;
          queueMicrotask(() => {
            pending = null;
            void flush(batch);
          });
        }
        const waiters = pending.get(id);
        if (waiters) waiters.push({ resolve, reject });
        else pending.set(id, [{ resolve, reject }]);
      });
    },
  };
}
