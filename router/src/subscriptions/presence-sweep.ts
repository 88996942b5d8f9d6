import type { PresenceAnnouncer, PresenceEventPayload, PresenceStatus, PresenceStore } from '@storm/presence';

/**
 * Announces what no write announces: a user going OFFLINE because the
 * connections a crashed router recorded expired in the presence store (or
 * any status a lost ephemeral announcement left stale).
 *
 * Each router replica sweeps only the users its own presenceChanged
 * watchers watch: every `intervalMs` it reads their status (one store read
 * per 500 users) and compares it with the last status it knows, from the
 * bus or from its previous read; a difference that two sweeps in a row read,
 * with no announcement heard between them, is announced on the bus like any
 * other change, so every replica's watchers receive it, and a replica that
 * hears it first does not announce it again. So an expiry is announced one
 * to two intervals after it happens. Work per tick is bounded
 * by `maxUsersPerTick`; a larger watch set is swept round-robin over
 * several ticks.
 */
/** Defaults of PRESENCE_SWEEP_MS and PRESENCE_SWEEP_MAX_USERS. */
export const PRESENCE_SWEEP_DEFAULTS = { intervalMs: 5_000, maxUsersPerTick: 5_000 } as const;

export interface PresenceSweepOptions {
  store: Pick<PresenceStore, 'get'>;
  announce: PresenceAnnouncer;
  /** Milliseconds between sweeps (> 0; a router with PRESENCE_SWEEP_MS=0 builds no sweep). */
  intervalMs: number;
  /** Most users read per sweep. */
  maxUsersPerTick: number;
  log?: (message: string, err?: unknown) => void;
}

interface Watched {
  /** presenceChanged subscriptions on this replica watching the user. */
  refs: number;
  /** The last status known to watchers (undefined until the first read). */
  status: PresenceStatus | undefined;
  /** Bumped by every bus announcement, so a read that raced one is not applied over it. */
  version: number;
  /** A status read that differs from `status`, waiting for the next sweep to confirm it. */
  suspect?: { status: PresenceStatus; version: number };
}

export class PresenceSweep {
  private readonly watched = new Map<string, Watched>();
  /** Where the next tick resumes in the watch list (round-robin beyond maxUsersPerTick). */
  private cursor = 0;
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private disposed = false;

  constructor(private readonly options: PresenceSweepOptions) {
    this.timer = setInterval(() => void this.tick(), options.intervalMs);
    this.timer.unref();
  }

  /** Users currently swept. */
  get size(): number {
    return this.watched.size;
  }

  /** A presenceChanged subscription started watching `userId`. */
  watch(userId: string): void {
    const entry = this.watched.get(userId);
    if (entry) {
      entry.refs++;
      return;
    }
    const created: Watched = { refs: 1, status: undefined, version: 0 };
    this.watched.set(userId, created);
    // The baseline is what the watcher could read when subscribing; without
    // it an expiry before the first tick would never differ from anything.
    void this.read([userId]);
  }

  /** A presenceChanged subscription stopped watching `userId`. */
  unwatch(userId: string): void {
    const entry = this.watched.get(userId);
    if (entry && --entry.refs <= 0) this.watched.delete(userId);
  }

  /** A presence announcement arrived from the bus (from any writer, this sweep included). */
  observe(payload: PresenceEventPayload): void {
    const entry = this.watched.get(payload.userId);
    if (!entry) return;
    entry.status = payload.status;
    entry.version++;
  }

  /** One sweep (the timer calls it; tests may too). Never two at once. */
  tick(): Promise<void> {
    if (this.disposed || this.watched.size === 0) return Promise.resolve();
    return (this.running ??= (async () => {
      try {
        const ids = [...this.watched.keys()];
        if (this.cursor >= ids.length) this.cursor = 0;
        const batch = ids.slice(this.cursor, this.cursor + this.options.maxUsersPerTick);
        this.cursor += batch.length;
        await this.read(batch);
      } finally {
        this.running = undefined;
      }
    })());
  }

  private async read(userIds: string[]): Promise<void> {
    const versions = new Map(userIds.map((id) => [id, this.watched.get(id)?.version]));
    let current: Map<string, { status: PresenceStatus }>;
    try {
      current = await this.options.store.get(userIds);
    } catch (err) {
      this.options.log?.('presence sweep: the store did not answer', err);
      return;
    }
    const announcements: Array<Promise<void>> = [];
    for (const userId of userIds) {
      const entry = this.watched.get(userId);
      // Unwatched meanwhile, or a bus announcement arrived after the read began (it is newer).
      if (!entry || entry.version !== versions.get(userId)) continue;
      const status = current.get(userId)?.status ?? 'OFFLINE';
      if (entry.status === undefined || entry.status === status) {
        entry.status = status;
        entry.suspect = undefined;
        continue;
      }
      // A difference is announced only when the next sweep still reads it and
      // no announcement came meanwhile: a change some writer is announcing
      // right now (its bus message in flight) is not announced a second time.
      if (entry.suspect?.status !== status || entry.suspect.version !== entry.version) {
        entry.suspect = { status, version: entry.version };
        continue;
      }
      entry.suspect = undefined;
      entry.status = status;
      if (this.disposed) continue;
      announcements.push(this.options.announce(userId, status).catch((err) => this.options.log?.('presence sweep: announcement failed', err)));
    }
    await Promise.all(announcements);
  }

  dispose(): Promise<void> {
    this.disposed = true;
    clearInterval(this.timer);
    this.watched.clear();
    return this.running ?? Promise.resolve();
  }
}
