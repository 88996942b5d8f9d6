import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_LAST_SEEN_TTL_MS,
  transition,
  type MemoryPresenceOptions,
  type Presence,
  type PresenceStatus,
  type PresenceStore,
} from './presence.js';

interface Entry {
  /** connectionId → expiry (ms). */
  connections: Map<string, number>;
  /** Expiry of the away flag, or 0. */
  awayUntil: number;
  lastSeen: number;
}

/** Presence for one process (the embedded default): the same rules as Redis, in a Map. */
export function createMemoryPresence(options: MemoryPresenceOptions = {}): PresenceStore {
  const now = options.now ?? Date.now;
  const ttl = 2 * (options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS);
  const seenTtl = options.lastSeenTtlMs ?? DEFAULT_LAST_SEEN_TTL_MS;
  const users = new Map<string, Entry>();

  const live = (e: Entry | undefined, t: number) => {
    if (!e) return 0;
    let n = 0;
    for (const [id, expiresAt] of e.connections) {
      if (expiresAt > t) n++;
      else e.connections.delete(id);
    }
    return n;
  };
  const statusOf = (e: Entry | undefined, t: number): PresenceStatus => {
    if (live(e, t) === 0) return 'OFFLINE';
    return e!.awayUntil > t ? 'AWAY' : 'ONLINE';
  };
  const entry = (userId: string, t: number) => {
    let e = users.get(userId);
    if (!e) users.set(userId, (e = { connections: new Map(), awayUntil: 0, lastSeen: t }));
    return e;
  };
  // Users who left long ago are dropped, so the map is bounded by recent activity.
  const sweeper = setInterval(
    () => {
      const t = now();
      for (const [id, e] of users) if (live(e, t) === 0 && e.lastSeen + seenTtl <= t) users.delete(id);
    },
    Math.min(ttl * 10, 3_600_000),
  );
  sweeper.unref();

  const touch = async (userId: string, connectionId: string) => {
    const t = now();
    const e = entry(userId, t);
    const before = statusOf(e, t);
    // A fresh session starts ONLINE, whatever a session that expired had said.
    if (before === 'OFFLINE') e.awayUntil = 0;
    else if (e.awayUntil > t) e.awayUntil = t + ttl;
    e.connections.set(connectionId, t + ttl);
    e.lastSeen = t;
    return transition(before, statusOf(e, t));
  };

  return {
    connected: touch,
    heartbeat: touch,
    async disconnected(userId, connectionId) {
      const t = now();
      const e = users.get(userId);
      const before = statusOf(e, t);
      if (!e) return transition(before, before);
      e.connections.delete(connectionId);
      e.lastSeen = t;
      const after = statusOf(e, t);
      if (after === 'OFFLINE') e.awayUntil = 0;
      return transition(before, after);
    },
    async setAway(userId, away) {
      const t = now();
      const e = entry(userId, t);
      const before = statusOf(e, t);
      e.awayUntil = away ? t + ttl : 0;
      return transition(before, statusOf(e, t));
    },
    async get(userIds) {
      const t = now();
      const result = new Map<string, Presence>();
      for (const id of userIds) {
        const e = users.get(id);
        const lastSeen = e && e.lastSeen + seenTtl > t ? new Date(e.lastSeen) : null;
        result.set(id, { status: statusOf(e, t), lastSeenAt: lastSeen });
      }
      return result;
    },
    async dispose() {
      clearInterval(sweeper);
    },
  };
}
