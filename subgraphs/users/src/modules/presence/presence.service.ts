import type { Presence, PresenceStore } from '@storm/presence';
import { BatchLoader } from '../../loader.js';

const UNKNOWN: Presence = { status: 'OFFLINE', lastSeenAt: null };

/**
 * Reads presence for one request: every `User.presence` resolved in the same
 * tick (a member list, the authors of a page of messages) is one store call.
 */
export class PresenceService {
  private readonly loader: BatchLoader<string, Presence>;

  constructor(
    store: PresenceStore,
    /** Presence is ephemeral and best effort: a store outage degrades it to OFFLINE rather than failing the user. */
    onStoreError: (err: unknown) => void,
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

  async of(userId: string): Promise<Presence> {
    return (await this.loader.load(userId)) ?? UNKNOWN;
  }
}
