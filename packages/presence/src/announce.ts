import type { Bus, Topics } from '@storm/bus';
import type { PresenceStatus, PresenceTransition } from './presence.js';

/** The user-subject event on which presence changes are announced: `topics(prefix).user(userId, PRESENCE_EVENT)`. */
export const PRESENCE_EVENT = 'presence';

/** The payload of `<prefix>.user.<userId>.presence` (what presenceChanged delivers). */
export interface PresenceEventPayload {
  userId: string;
  status: PresenceStatus;
  /** ISO time of the announcement. */
  at: string;
}

/** Announces a user's new status on the bus; resolves once the bus accepted it. */
export type PresenceAnnouncer = (userId: string, status: PresenceStatus) => Promise<void>;

/**
 * The one way every writer of presence (the router for connections, the
 * users subgraph for setAway, the router's sweep for expired connections)
 * announces a change, so presenceChanged sees them all alike.
 * Ephemeral: a lost announcement costs a stale indicator until the next
 * change, read or sweep.
 */
export function busPresenceAnnouncer(bus: Pick<Bus, 'publish'>, busTopics: Topics): PresenceAnnouncer {
  return (userId, status) => {
    const payload: PresenceEventPayload = { userId, status, at: new Date().toISOString() };
    return bus.publish(busTopics.user(userId, PRESENCE_EVENT), payload);
  };
}

/** Announces `transition.after` when the write changed the user's status; does nothing otherwise. */
export async function announceTransition(announce: PresenceAnnouncer, userId: string, transition: PresenceTransition): Promise<void> {
  if (transition.changed) await announce(userId, transition.after);
}
