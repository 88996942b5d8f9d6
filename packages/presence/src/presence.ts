/**
 * Who is online, derived from live connections. The router reports every
 * graphql-ws connection (connected / heartbeat on each keepalive /
 * disconnected) and the client's away state; the users subgraph reads it for
 * `User.presence`.
 *
 * A connection that stops heartbeating (its router crashed, the network
 * split) counts as gone after `2 × heartbeatIntervalMs`: nothing has to clean
 * up after a dead router for its users to go OFFLINE.
 */

export type PresenceStatus = 'ONLINE' | 'AWAY' | 'OFFLINE';

export interface Presence {
  /** ONLINE: at least one live connection; AWAY: live, but the user said away; OFFLINE: none. */
  status: PresenceStatus;
  /** The last connect, heartbeat or disconnect of any of the user's connections; null if never seen (or forgotten after lastSeenTtlMs). */
  lastSeenAt: Date | null;
}

/** The user's status before and after a write; `changed` tells the caller to announce it. */
export interface PresenceTransition {
  before: PresenceStatus;
  after: PresenceStatus;
  changed: boolean;
}

export interface PresenceStore {
  /** A connection of the user opened (e.g. graphql-ws connection_ack). */
  connected(userId: string, connectionId: string): Promise<PresenceTransition>;
  /**
   * The connection is still alive; call at least every heartbeatIntervalMs
   * (e.g. on each answered keepalive ping). Also (re)registers a connection
   * the store has forgotten.
   */
  heartbeat(userId: string, connectionId: string): Promise<PresenceTransition>;
  /** The connection closed. */
  disconnected(userId: string, connectionId: string): Promise<PresenceTransition>;
  /** The user is away (idle) or back. Lasts while the user has live connections. */
  setAway(userId: string, away: boolean): Promise<PresenceTransition>;
  /** Presence of each id (OFFLINE / null for unknown ids); one round trip for the whole batch. */
  get(userIds: readonly string[]): Promise<Map<string, Presence>>;
  /** Closes the Redis connection; does not mark anyone offline (their connections expire). */
  dispose(): Promise<void>;
}

export interface PresenceTimings {
  /**
   * How often the caller heartbeats each connection; a connection unheard of
   * for twice this is gone. Match the router's WS_KEEPALIVE_MS. @default 15000
   */
  heartbeatIntervalMs?: number;
  /** How long a last-seen time is kept after the user's last activity. @default 30 days */
  lastSeenTtlMs?: number;
}

export interface RedisPresenceOptions extends PresenceTimings {
  url: string;
  /** First part of every key (`<prefix>:presence:…`); no default, so two deployments never share presence. */
  prefix: string;
  /** A command slower than this rejects. @default 2000 */
  commandTimeoutMs?: number;
}

export interface MemoryPresenceOptions extends PresenceTimings {
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
export const DEFAULT_LAST_SEEN_TTL_MS = 30 * 24 * 3600 * 1000;

export function transition(before: PresenceStatus, after: PresenceStatus): PresenceTransition {
  return { before, after, changed: before !== after };
}
