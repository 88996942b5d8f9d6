/**
 * The live protocol's names and numbers, mirroring router/SUBSCRIPTIONS.md.
 * graphql-ws's `CloseCode` enum owns the protocol's own codes (4400, 4401,
 * 4403, 4406, 4408, 4409, 4429); these are the ones STORM adds or chooses.
 */
export enum StormCloseCode {
  /** The router is draining; reconnect (to any replica) with your cursor. */
  GoingAway = 1001,
  /**
   * The access token presented in connection_init expired. graphql-ws's
   * Forbidden, which its client retries (calling connectionParams again, so
   * a client that returns a fresh token there reconnects by itself).
   */
  AccessTokenExpired = 4403,
  /** The user already holds WS_MAX_CONNECTIONS_PER_USER sockets on this router. */
  TooManyConnections = 4008,
}

/** extensions.code values the subscription engine adds to ErrorCode. */
export enum SubscriptionErrorCode {
  /** The stream cannot continue without a gap; resume with `after: extensions.lastSeq`. */
  ResyncRequired = 'RESYNC_REQUIRED',
}

/** Subscription root fields the router executes. */
export enum SubscriptionField {
  MessageAdded = 'messageAdded',
  ConversationEvents = 'conversationEvents',
  Inbox = 'inbox',
  PresenceChanged = 'presenceChanged',
  NotificationAdded = 'notificationAdded',
}

/** The user-subject event on which the conversations outbox announces a new notification. */
export const NOTIFICATION_EVENT = 'notification';

/** Most users one presenceChanged subscription may watch. */
export const PRESENCE_WATCH_LIMIT = 200;
/** The user-subject event on which presence changes are announced (by the router and the users subgraph): one name, owned by @storm/presence. */
export { PRESENCE_EVENT } from '@storm/presence';

/** ConversationEvent.kind values (the GraphQL enum ConversationEventKind). */
export enum ConversationEventKind {
  MessageAdded = 'MESSAGE_ADDED',
  MessageEdited = 'MESSAGE_EDITED',
  MessageDeleted = 'MESSAGE_DELETED',
  ReactionAdded = 'REACTION_ADDED',
  ReactionRemoved = 'REACTION_REMOVED',
  MessagePinned = 'MESSAGE_PINNED',
  MessageUnpinned = 'MESSAGE_UNPINNED',
  MemberAdded = 'MEMBER_ADDED',
  MemberRemoved = 'MEMBER_REMOVED',
  RoleChanged = 'ROLE_CHANGED',
  ConversationUpdated = 'CONVERSATION_UPDATED',
  /** The subscriber's own read position moved (markRead, on any of their devices); only they receive it, not logged. */
  ReadUpdated = 'READ_UPDATED',
  /** The subscriber muted or unmuted the conversation (on any of their devices); only they receive it, not logged. */
  MuteUpdated = 'MUTE_UPDATED',
  /** Ephemeral: never replayed, dropped first under pressure. */
  Typing = 'TYPING',
}

/** Messages fetched per database read while replaying or catching up. */
export const FETCH_PAGE_SIZE = 100;
