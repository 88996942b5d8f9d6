import { announceTransition, type Presence, type PresenceAnnouncer, type PresenceStore } from '@storm/presence';
import { unavailable } from '@storm/common';
import { BatchLoader } from '../../loader.js';

const UNKNOWN: Presence = { status: 'OFFLINE', lastSeenAt: null };

/**
 * Reads presence for one request: every `User.presence` resolved in the same
 * tick (a member list, the authors of a page of messages) is one store call.
 */
export class PresenceService {
  private readonly loader: BatchLoader<string, Presence>;

  constructor(
    private readonly store: PresenceStore,
    /** Presence is ephemeral and best effort: a store outage degrades it to OFFLINE rather than failing the user. */
    onStoreError: (err: unknown) => void,
    /** Announces a status setAway changed (presenceChanged); absent: it shows on the next read only. */
    private readonly announce?: PresenceAnnouncer,
  ) {
    this.loader = new BatchLoader(async (ids) => {
      try {
        return await store.get(ids);
      } catch (err) {
        onStoreError(err);
        return new Map();
      }
    });
  }

  /** Writes the caller's away flag; unlike reads, a store failure is an error (UNAVAILABLE): the caller asked for a change. */
  async setAway(userId: string, away: boolean): Promise<void> {
    let transition;
    try {
      transition = await this.store.setAway(userId, away);
    } catch (err) {
      throw unavailable(undefined, err);
    }
    // Like the router's announcements of connections: ephemeral, so a bus
    // failure is logged, not the caller's error (the store has the change).
    if (this.announce) await announceTransition(this.announce, userId, transition).catch((err) => console.warn('[users] setAway not announced: the bus refused it', err));
  }

  async of(userId: string): Promise<Presence> {
    return (await this.loader.load(userId)) ?? UNKNOWN;
  }
}
