/**
 * The bus: one interface, several adapters (memory, nats, redis), one test
 * suite run against all of them (bus.suite.ts).
 *
 * Subjects are `<prefix>.conv.<conversationId>.<event>` and
 * `<prefix>.user.<userId>.<event>`; build them with `topics()` and never by
 * hand. The prefix has no default, so two deployments never share topics.
 *
 * Delivery is at-most-once for subscribers (Redis pub/sub keeps nothing):
 * correctness never depends on the bus keeping a message, because
 * PostgreSQL plus `seq` can always fill a gap.
 */
export type BusKind = 'memory' | 'nats' | 'redis';

export interface PublishOptions {
  /**
   * Idempotency key. NATS JetStream drops a second publish with the same id
   * inside its duplicate window (`Nats-Msg-Id`); other adapters ignore it.
   */
  msgId?: string;
}

/** Payloads are JSON values; adapters serialise them. */
export type BusHandler = (payload: unknown, subject: string) => void;

export interface Subscription {
  /** Stops delivery to this handler; resolves once the bus has been told. */
  unsubscribe(): Promise<void>;
}

export interface Bus {
  readonly kind: BusKind;
  /**
   * Resolves once the bus has accepted the message (JetStream: stored and
   * acked); rejects when it could not, so the outbox relay retries.
   */
  publish(subject: string, payload: unknown, options?: PublishOptions): Promise<void>;
  /**
   * Subject may end with `.*` (exactly one more token) or `.>` (one or more
   * tokens), NATS style; adapters translate. Resolves once the subscription
   * is live (a message published after it resolves is delivered).
   */
  subscribe(subject: string, handler: BusHandler): Promise<Subscription>;
  /** Rejects when the bus cannot be reached; used by /readyz. */
  ping(): Promise<void>;
  /**
   * Calls `listener` each time the connection came back after a loss, once
   * this process's subscriptions are live again: whatever was published
   * while it was down may never reach them (Redis pub/sub keeps nothing;
   * NATS core subscriptions neither). Returns a function that stops the
   * calls. The memory bus never loses its connection, so never calls.
   */
  onReconnect(listener: () => void): () => void;
  /** Drains in-flight work and closes connections. Idempotent. */
  dispose(): Promise<void>;
}

/** Event names on a conversation subject. */
export enum ConversationEvent {
  MessageAdded = 'message.added',
  MessageEdited = 'message.edited',
  MessageDeleted = 'message.deleted',
  /** Someone joined or was added: MembershipEventPayload (also on the user's `membership` subject). */
  MemberAdded = 'member.added',
  /** Someone left or was removed: MembershipEventPayload (also on the user's `membership` subject). */
  MemberRemoved = 'member.removed',
  /** A member's role changed: MembershipEventPayload (also on the user's `membership` subject). */
  RoleChanged = 'member.role_changed',
  /** Title, topic or archivedAt changed: ConversationUpdatedPayload. */
  ConversationUpdated = 'conversation.updated',
  /** A reaction was added to a message: ReactionEventPayload. */
  ReactionAdded = 'reaction.added',
  /** A reaction was removed from a message: ReactionEventPayload. */
  ReactionRemoved = 'reaction.removed',
  /** A message was pinned: PinEventPayload. */
  MessagePinned = 'message.pinned',
  /** A message was unpinned: PinEventPayload. */
  MessageUnpinned = 'message.unpinned',
  /** Someone is typing (or stopped): TypingEventPayload. Ephemeral: published directly, never stored. */
  Typing = 'typing',
}

/** The GraphQL `ConversationEventKind` of each conversation event. */
export const CONVERSATION_EVENT_KIND: Readonly<Record<ConversationEvent, string>> = {
  [ConversationEvent.MessageAdded]: 'MESSAGE_ADDED',
  [ConversationEvent.MessageEdited]: 'MESSAGE_EDITED',
  [ConversationEvent.MessageDeleted]: 'MESSAGE_DELETED',
  [ConversationEvent.MemberAdded]: 'MEMBER_ADDED',
  [ConversationEvent.MemberRemoved]: 'MEMBER_REMOVED',
  [ConversationEvent.RoleChanged]: 'ROLE_CHANGED',
  [ConversationEvent.ConversationUpdated]: 'CONVERSATION_UPDATED',
  [ConversationEvent.ReactionAdded]: 'REACTION_ADDED',
  [ConversationEvent.ReactionRemoved]: 'REACTION_REMOVED',
  [ConversationEvent.MessagePinned]: 'MESSAGE_PINNED',
  [ConversationEvent.MessageUnpinned]: 'MESSAGE_UNPINNED',
  [ConversationEvent.Typing]: 'TYPING',
};

/** What a conversation event's payload says it is about, whichever payload type it has. */
export interface ConversationEventFacts {
  /** The message's seq (message and reaction events), else the conversation's lastSeq at the change, else 0 (typing). */
  seq: number;
  messageId?: string;
  userId?: string;
  emoji?: string;
  /** Place in the conversation's event log (every logged event; not message.added or typing). */
  position?: number;
}

/**
 * Reads ConversationEventFacts from a payload: one reading for the router's
 * live path and the event log, which store the same payloads.
 */
export function conversationEventFacts(event: ConversationEvent, payload: Record<string, unknown>): ConversationEventFacts {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const isMessageEvent = event === ConversationEvent.MessageAdded || event === ConversationEvent.MessageEdited || event === ConversationEvent.MessageDeleted;
  return {
    seq: typeof payload.seq === 'number' ? payload.seq : typeof payload.lastSeq === 'number' ? payload.lastSeq : 0,
    messageId: str(payload.messageId) ?? (isMessageEvent ? str(payload.id) : undefined),
    userId: str(payload.userId),
    emoji: str(payload.emoji),
    position: Number.isInteger(payload.position) ? (payload.position as number) : undefined,
  };
}

/** Event names on a user subject (`topics(prefix).user(userId, event)`). */
export enum UserEvent {
  /** The user's membership of a conversation changed: MembershipEventPayload. */
  Membership = 'membership',
  /** The user's read position moved: ReadUpdatedPayload. */
  ReadUpdated = 'read.updated',
}

export interface Topics {
  conversation(conversationId: string, event: ConversationEvent | '*' | '>'): string;
  user(userId: string, event: UserEvent | string): string;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;
/** What a bus prefix and every id passed to `topics()` must match. */
export const SUBJECT_TOKEN: RegExp = TOKEN;

export function topics(prefix: string): Topics {
  if (!TOKEN.test(prefix)) throw new Error(`bus prefix must match ${TOKEN}: ${JSON.stringify(prefix)}`);
  const id = (value: string) => {
    if (!TOKEN.test(value)) throw new Error(`bus subject token must match ${TOKEN}: ${JSON.stringify(value)}`);
    return value;
  };
  return {
    conversation: (conversationId, event) => `${prefix}.conv.${id(conversationId)}.${event}`,
    user: (userId, event) => `${prefix}.user.${id(userId)}.${event}`,
  };
}

/** The payload of a `message.added` / `message.edited` / `message.deleted` event. */
export interface MessageEventPayload {
  id: string;
  conversationId: string;
  seq: number;
  authorId: string;
  /** ISO timestamp of the commit; used for the commit → socket latency metric. */
  committedAt: string;
}

/**
 * The payload of `member.added` / `member.removed` / `member.role_changed`,
 * published on the conversation subject AND on the affected user's
 * `membership` subject. `lastSeq` is the conversation's seq at the change:
 * a removed member receives nothing above it; a joined member's stream
 * starts after it.
 */
export interface MembershipEventPayload {
  /** `member.added`, `member.removed` or `member.role_changed` (the user subject carries all three). */
  event: ConversationEvent.MemberAdded | ConversationEvent.MemberRemoved | ConversationEvent.RoleChanged;
  conversationId: string;
  /** The member whose membership changed. */
  userId: string;
  /** The member's role after the change; null once removed. */
  role: 'OWNER' | 'ADMIN' | 'MEMBER' | null;
  /** Who made the change (equal to userId for a join or a leave). */
  actorId: string;
  lastSeq: number;
  committedAt: string;
}

/** The payload of `conversation.updated`. */
export interface ConversationUpdatedPayload {
  conversationId: string;
  actorId: string;
  title: string | null;
  topic: string | null;
  /** ISO timestamp, or null when not archived. */
  archivedAt: string | null;
  lastSeq: number;
  committedAt: string;
}

/** The payload of `reaction.added` / `reaction.removed`. */
export interface ReactionEventPayload {
  conversationId: string;
  messageId: string;
  seq: number;
  userId: string;
  emoji: string;
  committedAt: string;
}

/** The payload of `message.pinned` / `message.unpinned`: `userId` pinned or unpinned the message. */
export interface PinEventPayload {
  conversationId: string;
  messageId: string;
  seq: number;
  userId: string;
  committedAt: string;
}

/** The payload of `typing` (ephemeral: only on the bus, never in the outbox). */
export interface TypingEventPayload {
  conversationId: string;
  userId: string;
  typing: boolean;
  /** ISO timestamp after which clients hide the indicator unless refreshed. */
  expiresAt: string;
}

/**
 * The payload of `read.updated` on the reader's user subject: the reader's own
 * state of a conversation changed, which only their devices hear.
 */
export interface ReadUpdatedPayload {
  conversationId: string;
  userId: string;
  /** The read position after the change. */
  lastReadSeq: number;
  committedAt: string;
  /** What changed: the read position (absent, or 'read': markRead, markUnread) or the mute ('mute': muteConversation, unmuteConversation). */
  change?: 'read' | 'mute';
}
