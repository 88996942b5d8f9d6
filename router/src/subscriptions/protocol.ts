/**
 * The live protocol's names and numbers, mirroring router/SUBSCRIPTIONS.md.
 * graphql-ws owns the close codes it sends itself (4400, 4401, 4403, 4408,
 * 4409, 4429); these are the ones STORM adds or chooses.
 */
export enum StormCloseCode {
  /** The router is draining; reconnect (to any replica) with your cursor. */
  GoingAway = 1001,
  /** graphql-ws's Forbidden: missing or invalid access token in connection_init. */
  Forbidden = 4403,
}

/** extensions.code values the subscription engine adds to ErrorCode. */
export enum SubscriptionErrorCode {
  /** The stream cannot continue without a gap; resume with `after: extensions.lastSeq`. */
  ResyncRequired = 'RESYNC_REQUIRED',
}

/** Subscription root fields the router executes. */
export enum SubscriptionField {
  MessageAdded = 'messageAdded',
}

/** Most events waiting for one subscriber's socket before it is told to resync. */
export const SUBSCRIBER_QUEUE_LIMIT = 1_000;
/** Messages fetched per database read while replaying or catching up. */
export const FETCH_PAGE_SIZE = 100;
