import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ConversationRow, MessageRow, UserRef, MembershipRow, ChannelRow } from '../models.js';
import type { NotificationRow, NotificationPageRow } from '../modules/notifications/notifications.service.js';
import type { LogEventRow } from '../modules/live/event-log.service.js';
import type { PinRow } from '../modules/pins/pins.service.js';
import type { ConversationsContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  DateTime: { input: Date | string; output: Date | string; }
  _FieldSet: { input: any; output: any; }
};

/**
 * A public channel as the directory shows it to anyone signed in: member or
 * not. Reading its messages takes joinChannel first.
 */
export type Channel = {
  __typename?: 'Channel';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** Whether the caller is a member. */
  joined: Scalars['Boolean']['output'];
  memberCount: Scalars['Int']['output'];
  /** Null for an untitled channel (listed last). */
  title?: Maybe<Scalars['String']['output']>;
  topic?: Maybe<Scalars['String']['output']>;
};

export type ChannelPage = {
  __typename?: 'ChannelPage';
  channels: Array<Channel>;
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor?: Maybe<Scalars['String']['output']>;
};

/**
 * A conversation the caller is a member of. Anything that is not the caller's
 * (or does not exist) is NOT_FOUND, so ids cannot be probed.
 */
export type Conversation = {
  __typename?: 'Conversation';
  /**
   * Set while the conversation is archived: it is read-only (sendMessage,
   * editMessage, deleteMessage, reactions, setTyping, joinChannel, addMembers
   * and updateConversation answer CONFLICT) until an owner unarchives it.
   */
  archivedAt?: Maybe<Scalars['DateTime']['output']>;
  /**
   * The event log after `after` (a position), oldest first, at most `limit`
   * (1..200) entries. Entries older than the retention period are pruned: when
   * `after` is older than the oldest kept entry, the answer is RESYNC_REQUIRED.
   */
  events: Array<ConversationLogEvent>;
  id: Scalars['ID']['output'];
  kind: ConversationKind;
  /** Position of the newest entry of the event log; 0 when nothing but messages happened. */
  lastEvent: Scalars['Int']['output'];
  /**
   * The caller's read position: the highest seq markRead has moved it to (where a
   * client draws its "new messages" line). A member who joins or is added starts
   * at the conversation's lastSeq at that moment.
   */
  lastReadSeq: Scalars['Int']['output'];
  /** seq of the newest message, 0 when empty. */
  lastSeq: Scalars['Int']['output'];
  memberCount: Scalars['Int']['output'];
  members: Array<User>;
  /**
   * Which of `userIds` (1 to 1,000 UUIDs) are members, in the order given,
   * lower-cased, each once. Whoever may read this conversation may ask (it tells
   * no more than `members`); the router authorizes a burst of subscribes to one
   * conversation with one read of it.
   */
  membersAmong: Array<Scalars['ID']['output']>;
  /** Every member with their role, by join time. */
  memberships: Array<Membership>;
  /** For the caller: the unread messages (as counted by unreadCount) that mention the caller. */
  mentionCount: Scalars['Int']['output'];
  /**
   * By seq, ascending. With `after`: the first `limit` messages with seq > after.
   * With `before`: the last `limit` messages with seq < before. With neither: the
   * newest `limit`. With both: the first `limit` messages with after < seq < before.
   * `limit` is 1..200; `after` and `before` must not be negative.
   */
  messages: Array<Message>;
  /**
   * Whether the caller has muted this conversation (muteConversation) and the
   * mute still holds: no notifications from it while it does.
   */
  muted: Scalars['Boolean']['output'];
  /** When the caller's mute ends; null when not muted, or muted until unmuted. */
  mutedUntil?: Maybe<Scalars['DateTime']['output']>;
  /** The caller's role in this conversation. */
  myRole: MemberRole;
  /**
   * The conversation's pinned messages, newest pin first (at most 100; deleted
   * messages are not shown).
   */
  pins: Array<Pin>;
  /**
   * The replies in the thread of `rootId` (a message of this conversation,
   * NOT_FOUND otherwise) with seq > after, by seq ascending; `limit` 1..200.
   */
  thread: Array<Message>;
  /** Null for DIRECT conversations; at most 200 characters. */
  title?: Maybe<Scalars['String']['output']>;
  /** Null unless set; GROUP and CHANNEL only; at most 250 characters. */
  topic?: Maybe<Scalars['String']['output']>;
  /**
   * For the caller: messages by others, not deleted, with seq above the caller's read
   * position (markRead moves it). A member who joins or is added starts with the
   * history read: only what comes after counts.
   */
  unreadCount: Scalars['Int']['output'];
};


/**
 * A conversation the caller is a member of. Anything that is not the caller's
 * (or does not exist) is NOT_FOUND, so ids cannot be probed.
 */
export type ConversationEventsArgs = {
  after: Scalars['Int']['input'];
  limit?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * A conversation the caller is a member of. Anything that is not the caller's
 * (or does not exist) is NOT_FOUND, so ids cannot be probed.
 */
export type ConversationMembersAmongArgs = {
  userIds: Array<Scalars['ID']['input']>;
};


/**
 * A conversation the caller is a member of. Anything that is not the caller's
 * (or does not exist) is NOT_FOUND, so ids cannot be probed.
 */
export type ConversationMessagesArgs = {
  after?: InputMaybe<Scalars['Int']['input']>;
  before?: InputMaybe<Scalars['Int']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * A conversation the caller is a member of. Anything that is not the caller's
 * (or does not exist) is NOT_FOUND, so ids cannot be probed.
 */
export type ConversationThreadArgs = {
  after?: InputMaybe<Scalars['Int']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
  rootId: Scalars['ID']['input'];
};

/**
 * One change to a conversation, as delivered by `conversationEvents`. Built by
 * the router: `message`, `user` and `conversation` are resolved through the
 * query planner with the subscriber's own selection, as the subscriber.
 */
export type ConversationEvent = {
  __typename?: 'ConversationEvent';
  /** The conversation after a CONVERSATION_UPDATED or membership change. */
  conversation?: Maybe<Conversation>;
  conversationId: Scalars['ID']['output'];
  /** The reaction's emoji (REACTION_*). */
  emoji?: Maybe<Scalars['String']['output']>;
  /** TYPING: when the indicator lapses unless refreshed. */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  kind: ConversationEventKind;
  /** The message added, edited, deleted, reacted to, pinned or unpinned. */
  message?: Maybe<Message>;
  /**
   * The event's place in the conversation's event log (1, 2, 3 … without gaps) for
   * every kind but MESSAGE_ADDED (ordered by `seq`) and TYPING (never stored):
   * resume with `conversationEvents(afterEvent:)` to get every change after it.
   */
  position?: Maybe<Scalars['Int']['output']>;
  /**
   * Where the event sits in the conversation: the message's seq for MESSAGE_* and
   * REACTION_* events; the conversation's lastSeq at the change for membership and
   * CONVERSATION_UPDATED; 0 for TYPING (ephemeral: not a position).
   */
  seq: Scalars['Int']['output'];
  /** TYPING: whether the user is typing (false: stopped). */
  typing?: Maybe<Scalars['Boolean']['output']>;
  /** The member who joined, left or changed role, or who reacted, pinned or unpinned. */
  user?: Maybe<User>;
};

/** What changed in a conversation (see router/SUBSCRIPTIONS.md, conversationEvents). */
export type ConversationEventKind =
  | 'CONVERSATION_UPDATED'
  | 'MEMBER_ADDED'
  | 'MEMBER_REMOVED'
  | 'MESSAGE_ADDED'
  | 'MESSAGE_DELETED'
  /** The message's body was edited (`editedAt` set), or media was attached to it (`attachMedia`: `editedAt` unchanged). */
  | 'MESSAGE_EDITED'
  /** A member pinned the message (pinMessage): `message`, and `user` who pinned it. */
  | 'MESSAGE_PINNED'
  /** A member unpinned the message (unpinMessage): `message`, and `user` who unpinned it. */
  | 'MESSAGE_UNPINNED'
  /**
   * The subscriber muted or unmuted the conversation (muteConversation,
   * unmuteConversation, on any of their devices): `conversation` resolved as them
   * (`muted`, `mutedUntil`), `seq` their lastReadSeq. Only they receive it; not in
   * the event log and not replayed (after a resume, read `conversation { muted }`).
   * A timed mute that runs out is not announced: `mutedUntil` says when.
   */
  | 'MUTE_UPDATED'
  | 'REACTION_ADDED'
  | 'REACTION_REMOVED'
  /**
   * The subscriber's own read position moved (markRead, on any of their devices):
   * `seq` is the new lastReadSeq, `user` the reader, `conversation` resolved as the
   * reader (unreadCount, mentionCount). Only the reader receives it. Not in the event
   * log (no position) and not replayed: after a resume, read `conversation { unreadCount }`.
   */
  | 'READ_UPDATED'
  | 'ROLE_CHANGED'
  /** Ephemeral: someone is typing (or stopped); never replayed, first dropped under pressure. */
  | 'TYPING';

export type ConversationKind =
  | 'CHANNEL'
  /** Two people; at most one per pair. */
  | 'DIRECT'
  | 'GROUP';

/**
 * One durable change of a conversation other than a new message, as kept in its
 * event log (see `Conversation.events`).
 */
export type ConversationLogEvent = {
  __typename?: 'ConversationLogEvent';
  at: Scalars['DateTime']['output'];
  /** The reaction's emoji (REACTION_*). */
  emoji?: Maybe<Scalars['String']['output']>;
  kind: ConversationEventKind;
  /** The message edited, deleted or reacted to. */
  messageId?: Maybe<Scalars['ID']['output']>;
  /** 1, 2, 3 … per conversation, without gaps, in commit order. */
  position: Scalars['Int']['output'];
  /** As ConversationEvent.seq: the message's seq for MESSAGE_* and REACTION_*; the conversation's lastSeq at the change otherwise. */
  seq: Scalars['Int']['output'];
  /** The member who joined, left or changed role, or who reacted. */
  userId?: Maybe<Scalars['ID']['output']>;
};

export type CreateConversationInput = {
  kind: ConversationKind;
  /**
   * The other members (the caller is always added, as OWNER; listing the caller
   * too is fine; duplicates are ignored). DIRECT: exactly one other user.
   * GROUP / CHANNEL: at most 1,000 members including the caller. Every id must
   * be an existing user.
   */
  memberIds: Array<Scalars['ID']['input']>;
  /** GROUP and CHANNEL only (DIRECT conversations have no title); at most 200 characters. */
  title?: InputMaybe<Scalars['String']['input']>;
};

/** One new message in any of the caller's conversations (the `inbox` subscription). */
export type InboxEvent = {
  __typename?: 'InboxEvent';
  conversationId: Scalars['ID']['output'];
  /**
   * Opaque: the position of every conversation of this stream after this event.
   * Resume with `inbox(cursor:)` on any router replica: nothing is skipped or
   * repeated. Grows with the number of conversations that had messages.
   */
  cursor: Scalars['String']['output'];
  message: Message;
  seq: Scalars['Int']['output'];
};

/**
 * A member's power in a conversation. OWNER: everything (change roles,
 * archive); ADMIN: add and remove members (not owners), change title and topic;
 * MEMBER: read, send, react, leave. DIRECT conversations have one OWNER (the
 * creator) and one MEMBER, and their membership and settings are fixed.
 */
export type MemberRole =
  | 'ADMIN'
  | 'MEMBER'
  | 'OWNER';

export type Membership = {
  __typename?: 'Membership';
  conversationId: Scalars['ID']['output'];
  joinedAt: Scalars['DateTime']['output'];
  role: MemberRole;
  user: User;
};

export type Message = {
  __typename?: 'Message';
  author: User;
  /** Empty once the message is deleted. */
  body: Scalars['String']['output'];
  clientMsgId?: Maybe<Scalars['String']['output']>;
  conversationId: Scalars['ID']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Set when deleted: the message stays (a tombstone keeps its seq) with an empty body. */
  deletedAt?: Maybe<Scalars['DateTime']['output']>;
  editedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /**
   * The members named as `@handle` in the body (when sent or last edited), by
   * id. A handle nobody has, or of someone who is not a member, is not a
   * mention. Empty once deleted.
   */
  mentions: Array<User>;
  /** Whether the caller is among `mentions`. */
  mentionsMe: Scalars['Boolean']['output'];
  /** Whether the message is pinned in its conversation (false once deleted). */
  pinned: Scalars['Boolean']['output'];
  /** Grouped by emoji, in order of each emoji's first use. Empty once deleted. */
  reactions: Array<ReactionGroup>;
  /** Replies in this message's thread that are not deleted (0 for a reply). */
  replyCount: Scalars['Int']['output'];
  /** The thread root this message replies to; null for a message that is not a reply. */
  replyTo?: Maybe<Message>;
  /** 1, 2, 3 … per conversation, no gaps, assigned at commit. */
  seq: Scalars['Int']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * ADMIN or OWNER (a MEMBER is FORBIDDEN); GROUP and CHANNEL only (DIRECT:
   * CONFLICT); CONFLICT when archived. New members join as MEMBER; ids already
   * in are ignored. Every id must be an existing user (BAD_USER_INPUT, field
   * "userIds"), at most 1,000 members in all.
   */
  addMembers: Conversation;
  /**
   * Adds the caller's reaction (idempotent: adding it again changes nothing).
   * `emoji` must be exactly one emoji (BAD_USER_INPUT, field "emoji"). It is kept
   * in one spelling, the fully-qualified one: typed with or without its variation
   * selector (❤ or ❤️) it is the same reaction, and `ReactionGroup.emoji` gives
   * that spelling. A deleted message or an archived conversation: CONFLICT.
   * Non-members: NOT_FOUND.
   */
  addReaction: Message;
  /**
   * Not in the public API (@inaccessible: the router never routes it): the media
   * subgraph calls it, as the message's author, after attachMedia committed, so
   * that what it changed about a message reaches live clients as MESSAGE_EDITED
   * (conversationEvents; `editedAt` unchanged). The author only (FORBIDDEN),
   * members only (NOT_FOUND), not for a deleted message or in an archived
   * conversation (CONFLICT). Returns true.
   */
  announceMessageChange: Scalars['Boolean']['output'];
  /** OWNER only (FORBIDDEN otherwise); GROUP and CHANNEL only. Archiving an archived conversation changes nothing. */
  archiveConversation: Conversation;
  /**
   * Blocks a user for the caller: from then on no direct message passes between
   * the two in either direction (createConversation of a DIRECT with them and
   * sendMessage in your direct conversation: FORBIDDEN), and their mentions of
   * the caller never notify. Group conversations and channels both are in stay as
   * they are. Idempotent. Blocking oneself: BAD_USER_INPUT (field `userId`); an
   * unknown user: NOT_FOUND; more than 1,000 blocks: CONFLICT.
   */
  blockUser: User;
  /**
   * OWNER only (FORBIDDEN otherwise). Making someone OWNER keeps the other
   * owners; demoting the last OWNER (yourself included) is CONFLICT. NOT_FOUND
   * when the user is not a member. DIRECT: CONFLICT. The same role again changes
   * nothing.
   */
  changeRole: Membership;
  /** DIRECT returns the existing direct conversation of the pair when there is one. */
  createConversation: Conversation;
  /**
   * The author, or an ADMIN or OWNER of the conversation (FORBIDDEN otherwise).
   * Leaves a tombstone: body becomes empty, seq stays, deletedAt is set.
   * Deleting again is a no-op.
   */
  deleteMessage: Message;
  /** Author only (FORBIDDEN otherwise); not once deleted (CONFLICT). Sets editedAt. */
  editMessage: Message;
  /**
   * Joins a CHANNEL as MEMBER. Joining a conversation the caller is already in
   * returns it and changes nothing. NOT_FOUND for anything that is neither a
   * channel nor the caller's; CONFLICT when the channel is archived or full
   * (1,000 members).
   */
  joinChannel: Conversation;
  /**
   * Leaves a GROUP or CHANNEL (DIRECT: CONFLICT). The last OWNER cannot leave
   * while others remain: hand over first with changeRole (CONFLICT). The last
   * member leaving archives the conversation. Returns the conversation's id.
   */
  leaveConversation: Scalars['ID']['output'];
  /**
   * Marks the caller's notifications among `ids` (at most 500; ids of others
   * or unknown ones are ignored), or all of them with `all: true`: exactly one
   * of the two. Returns how many changed (already read ones do not count).
   */
  markNotificationsRead: Scalars['Int']['output'];
  /**
   * Moves the caller's read position to `seq`, never backwards. `seq` must be
   * between 0 and the conversation's lastSeq. When the position moves, a
   * `read.updated` event goes to the caller's user subject (other devices).
   */
  markRead: Conversation;
  /**
   * "Mark unread from here": moves the caller's read position back to just before
   * message `seq` (lastReadSeq becomes seq − 1), so that message and every later
   * one by others count in unreadCount (and mentionCount) again. Never moves the
   * position forward: where it already is at or before seq − 1, nothing changes.
   * `seq` must be between 1 and the conversation's lastSeq (BAD_USER_INPUT, field
   * `seq`). Like markRead, other devices hear it as READ_UPDATED.
   */
  markUnread: Conversation;
  /**
   * Mutes the conversation for the caller, any member in any conversation
   * (archived ones too): while muted, its messages write no notification for the
   * caller, neither direct messages nor mentions (`notifications`,
   * `notificationAdded`); unreadCount and mentionCount go on counting, so the
   * conversation still shows what is new. `until` (within a year from now) ends it
   * by itself; without it, it lasts until unmuteConversation. Muting again
   * replaces the end. The caller's devices following `conversationEvents` get
   * MUTE_UPDATED. Not a member: NOT_FOUND; `until` in the past or more than a
   * year ahead: BAD_USER_INPUT (field `until`).
   */
  muteConversation: Conversation;
  /**
   * Pins a message of a conversation the caller is in; any member may, and
   * members following `conversationEvents` get MESSAGE_PINNED. Idempotent:
   * pinning a pinned message changes nothing and announces nothing. A deleted
   * message, an archived conversation, or a conversation that already holds 100
   * pinned messages: CONFLICT. Non-members: NOT_FOUND. Pins and unpins take
   * from the caller's reaction rate limit (RATE_LIMITED with retryAfter).
   */
  pinMessage: Message;
  /**
   * ADMIN or OWNER: an ADMIN removes members and admins, only an OWNER removes
   * an owner (FORBIDDEN otherwise); a MEMBER removes nobody. Yourself: use
   * leaveConversation (BAD_USER_INPUT, field "userId"). NOT_FOUND when the
   * user is not a member. DIRECT: CONFLICT.
   */
  removeMember: Conversation;
  /** Removes the caller's reaction (either spelling, as in addReaction); removing one that is not there changes nothing. */
  removeReaction: Message;
  /** Members only (NOT_FOUND otherwise); CONFLICT when the conversation is archived. */
  sendMessage: Message;
  /**
   * Tells the conversation's other members that the caller is typing (or has
   * stopped). Ephemeral: published on the bus only, never stored, first to be
   * dropped under pressure; an indicator expires by itself at its `expiresAt`
   * (6 s later), so a client typing calls this again every few seconds. At most
   * one "typing" event per member and conversation per second (more are
   * coalesced, still answering true). NOT_FOUND for a conversation the caller is
   * not in; CONFLICT while it is archived (as sendMessage).
   */
  setTyping: Scalars['Boolean']['output'];
  /** OWNER only; the reverse of archiveConversation. */
  unarchiveConversation: Conversation;
  /** Lifts the caller's block of a user (nothing changes if there is none). */
  unblockUser: User;
  /** Ends the caller's mute of the conversation (nothing changes if it is not muted). Not a member: NOT_FOUND. */
  unmuteConversation: Conversation;
  /**
   * Unpins a message; any member may (pins are the conversation's, not their
   * pinner's). MESSAGE_UNPINNED to `conversationEvents`. Unpinning a message that
   * is not pinned changes nothing. An archived conversation: CONFLICT.
   * Non-members: NOT_FOUND.
   */
  unpinMessage: Message;
  /**
   * ADMIN or OWNER; GROUP and CHANNEL only (DIRECT: CONFLICT); CONFLICT when
   * archived. A member is FORBIDDEN.
   */
  updateConversation: Conversation;
};


export type MutationAddMembersArgs = {
  conversationId: Scalars['ID']['input'];
  userIds: Array<Scalars['ID']['input']>;
};


export type MutationAddReactionArgs = {
  emoji: Scalars['String']['input'];
  messageId: Scalars['ID']['input'];
};


export type MutationAnnounceMessageChangeArgs = {
  id: Scalars['ID']['input'];
};


export type MutationArchiveConversationArgs = {
  id: Scalars['ID']['input'];
};


export type MutationBlockUserArgs = {
  userId: Scalars['ID']['input'];
};


export type MutationChangeRoleArgs = {
  conversationId: Scalars['ID']['input'];
  role: MemberRole;
  userId: Scalars['ID']['input'];
};


export type MutationCreateConversationArgs = {
  input: CreateConversationInput;
};


export type MutationDeleteMessageArgs = {
  id: Scalars['ID']['input'];
};


export type MutationEditMessageArgs = {
  body: Scalars['String']['input'];
  id: Scalars['ID']['input'];
};


export type MutationJoinChannelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationLeaveConversationArgs = {
  id: Scalars['ID']['input'];
};


export type MutationMarkNotificationsReadArgs = {
  all?: InputMaybe<Scalars['Boolean']['input']>;
  ids?: InputMaybe<Array<Scalars['ID']['input']>>;
};


export type MutationMarkReadArgs = {
  conversationId: Scalars['ID']['input'];
  seq: Scalars['Int']['input'];
};


export type MutationMarkUnreadArgs = {
  conversationId: Scalars['ID']['input'];
  seq: Scalars['Int']['input'];
};


export type MutationMuteConversationArgs = {
  conversationId: Scalars['ID']['input'];
  until?: InputMaybe<Scalars['DateTime']['input']>;
};


export type MutationPinMessageArgs = {
  messageId: Scalars['ID']['input'];
};


export type MutationRemoveMemberArgs = {
  conversationId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationRemoveReactionArgs = {
  emoji: Scalars['String']['input'];
  messageId: Scalars['ID']['input'];
};


export type MutationSendMessageArgs = {
  input: SendMessageInput;
};


export type MutationSetTypingArgs = {
  conversationId: Scalars['ID']['input'];
  typing?: Scalars['Boolean']['input'];
};


export type MutationUnarchiveConversationArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUnblockUserArgs = {
  userId: Scalars['ID']['input'];
};


export type MutationUnmuteConversationArgs = {
  conversationId: Scalars['ID']['input'];
};


export type MutationUnpinMessageArgs = {
  messageId: Scalars['ID']['input'];
};


export type MutationUpdateConversationArgs = {
  id: Scalars['ID']['input'];
  input: UpdateConversationInput;
};

/**
 * Written when the user was mentioned, or received a direct message, while not
 * connected. The newest 500 per user are kept.
 */
export type Notification = {
  __typename?: 'Notification';
  /** Null once the user is no longer a member. */
  conversation?: Maybe<Conversation>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  kind: NotificationKind;
  /** The message (a tombstone once deleted); null once the user is no longer a member. */
  message?: Maybe<Message>;
  /** Null while unread. */
  readAt?: Maybe<Scalars['DateTime']['output']>;
};

export type NotificationKind =
  /** The message was sent to the user in a DIRECT conversation. */
  | 'DIRECT_MESSAGE'
  /** The user was named as `@handle` in the message. */
  | 'MENTION';

export type NotificationPage = {
  __typename?: 'NotificationPage';
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor?: Maybe<Scalars['String']['output']>;
  /** Newest first. */
  notifications: Array<Notification>;
};

/** A pinned message of a conversation (`Conversation.pins`). */
export type Pin = {
  __typename?: 'Pin';
  message: Message;
  pinnedAt: Scalars['DateTime']['output'];
  /** The member who pinned it. */
  pinnedBy: User;
};

export type Query = {
  __typename?: 'Query';
  /** The users the caller blocked (blockUser), most recent first. */
  blockedUsers: Array<User>;
  /**
   * The directory of channels that are not archived, by title (case-insensitive,
   * untitled last). `search` (at most 200 characters) keeps the channels whose
   * title contains it, case-insensitively; blank means all. `limit` is 1..100;
   * `after` is a `nextCursor` from the previous page (BAD_USER_INPUT, field
   * "after", when it is not one).
   */
  channels: ChannelPage;
  /** NOT_FOUND when it does not exist or the caller is not a member. */
  conversation?: Maybe<Conversation>;
  /** The caller's conversations, newest activity (last message, else creation) first. */
  conversations: Array<Conversation>;
  /** The sum of mentionCount over the caller's conversations; `excludeMuted` as for unreadTotal. */
  mentionTotal: Scalars['Int']['output'];
  /** NOT_FOUND when it does not exist or the caller is not a member of its conversation. */
  message?: Maybe<Message>;
  /** The caller's notifications, newest first; `limit` 1..100; `after` is a `nextCursor`. */
  notifications: NotificationPage;
  /**
   * Full-text search of the messages the caller can read (every conversation
   * they are a member of, or only `conversationId`: NOT_FOUND when not theirs),
   * deleted ones excepted. `query` (1–200 characters) is read like a web search
   * box: words, "quoted phrases", `or`, `-excluded`; any other punctuation is
   * ignored, so no input is a syntax error. Words match whole and
   * case-insensitively, without stemming. Best rank first (newest first
   * among equals). `limit` 1..50; `after` is a `nextCursor`.
   */
  searchMessages: SearchPage;
  /** How many of the caller's notifications are unread. */
  unreadNotificationCount: Scalars['Int']['output'];
  /**
   * The sum of unreadCount over the caller's conversations; with `excludeMuted`,
   * over those the caller has not muted (an app badge that muting silences).
   */
  unreadTotal: Scalars['Int']['output'];
};


export type QueryChannelsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryConversationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMentionTotalArgs = {
  excludeMuted?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryMessageArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNotificationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySearchMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  conversationId?: InputMaybe<Scalars['ID']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
  query: Scalars['String']['input'];
};


export type QueryUnreadTotalArgs = {
  excludeMuted?: InputMaybe<Scalars['Boolean']['input']>;
};

/** One emoji on a message: how many members reacted with it, and whether the caller did. */
export type ReactionGroup = {
  __typename?: 'ReactionGroup';
  count: Scalars['Int']['output'];
  emoji: Scalars['String']['output'];
  reactedByMe: Scalars['Boolean']['output'];
};

export type SearchHit = {
  __typename?: 'SearchHit';
  /**
   * HTML: the matching passages of the body, escaped, with `<mark>`…`</mark>`
   * around the matched words (fragments joined by " … "). Tag-like text in
   * the body (`<b>`) is left out of the highlight, never passed through.
   */
  highlight: Scalars['String']['output'];
  message: Message;
  /** ts_rank of the message for the query; higher is better. */
  rank: Scalars['Float']['output'];
};

export type SearchPage = {
  __typename?: 'SearchPage';
  hits: Array<SearchHit>;
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor?: Maybe<Scalars['String']['output']>;
};

export type SendMessageInput = {
  /**
   * Files to attach, 1 to 10 ids of media the sender uploaded (POST /media,
   * docs/media.md), in this order: the message is delivered with them
   * (`attachments`), live subscribers included. Media that is not the sender's
   * is BAD_USER_INPUT (field "attachmentIds"), like malformed or too many ids;
   * nothing is sent then. The same as attachMedia right after the send, except
   * that nobody ever sees the message without its files.
   */
  attachmentIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** Trimmed; 1 to 4,000 characters, or empty ("") when `attachmentIds` are given (a message of files alone). */
  body: Scalars['String']['input'];
  /**
   * At most 64 characters, unique per sender and conversation: sending again
   * with the same clientMsgId returns the first message (same id, same seq)
   * and delivers nothing new.
   */
  clientMsgId?: InputMaybe<Scalars['String']['input']>;
  conversationId: Scalars['ID']['input'];
  /**
   * Makes the message a reply in a thread: a message of the same conversation
   * (BAD_USER_INPUT, field "replyToId", otherwise). Threads are one level deep:
   * replying to a reply joins its root's thread.
   */
  replyToId?: InputMaybe<Scalars['ID']['input']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Executed by the router (not by this subgraph): every change to a conversation
   * the caller is in — messages added (gap-free by seq, resumable with `after`
   * exactly like messageAdded), edited and deleted, reactions, membership and
   * role changes, title/topic/archive changes. With `after` (a message seq), the
   * messages after it are replayed; with `afterEvent` (a `position`), the other
   * changes after it are replayed from the event log; then live, with no gap and
   * no duplicate for either.
   */
  conversationEvents: ConversationEvent;
  /**
   * Executed by the router (not by this subgraph): one stream per device for all
   * of the caller's conversations, including those joined while connected.
   * Without `cursor`: messages committed after the subscription starts. With a
   * cursor from an earlier event: first everything after it, from the database,
   * then live; a conversation joined since the cursor was issued is replayed
   * from its start (bounded by the replay limit).
   */
  inbox: InboxEvent;
  /**
   * Executed by the router (not by this subgraph): without `after`, every message
   * committed after the subscription starts, in seq order; with `after`, first
   * every message with seq > after, then live ones, with no gap and no duplicate.
   */
  messageAdded: Message;
  /**
   * Executed by the router (not by this subgraph): first the caller's unread
   * notifications (up to 100, oldest first) — what arrived while they were
   * away — then each new one as it is written. Each notification once per
   * subscription.
   */
  notificationAdded: Notification;
};


export type SubscriptionConversationEventsArgs = {
  after?: InputMaybe<Scalars['Int']['input']>;
  afterEvent?: InputMaybe<Scalars['Int']['input']>;
  conversationId: Scalars['ID']['input'];
};


export type SubscriptionInboxArgs = {
  cursor?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionMessageAddedArgs = {
  after?: InputMaybe<Scalars['Int']['input']>;
  conversationId: Scalars['ID']['input'];
};

/** Omitted fields stay as they are; null or a blank string clears. Trimmed. */
export type UpdateConversationInput = {
  /** At most 200 characters. */
  title?: InputMaybe<Scalars['String']['input']>;
  /** At most 250 characters. */
  topic?: InputMaybe<Scalars['String']['input']>;
};

export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Conversation: Conversation;
  Message: Message;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Conversation:
    ( { __typename: 'Conversation' }
    & GraphQLRecursivePick<FederationTypes['Conversation'], {"id":true}> );
  Message:
    ( { __typename: 'Message' }
    & GraphQLRecursivePick<FederationTypes['Message'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  Channel: ResolverTypeWrapper<ChannelRow>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ChannelPage: ResolverTypeWrapper<Omit<ChannelPage, 'channels'> & { channels: Array<ResolversTypes['Channel']> }>;
  Conversation: ResolverTypeWrapper<ConversationRow>;
  ConversationEvent: ResolverTypeWrapper<Omit<ConversationEvent, 'conversation' | 'message' | 'user'> & { conversation?: Maybe<ResolversTypes['Conversation']>, message?: Maybe<ResolversTypes['Message']>, user?: Maybe<ResolversTypes['User']> }>;
  ConversationEventKind: ConversationEventKind;
  ConversationKind: ConversationKind;
  ConversationLogEvent: ResolverTypeWrapper<LogEventRow>;
  CreateConversationInput: CreateConversationInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  InboxEvent: ResolverTypeWrapper<Omit<InboxEvent, 'message'> & { message: ResolversTypes['Message'] }>;
  MemberRole: MemberRole;
  Membership: ResolverTypeWrapper<MembershipRow>;
  Message: ResolverTypeWrapper<MessageRow>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Notification: ResolverTypeWrapper<NotificationRow>;
  NotificationKind: NotificationKind;
  NotificationPage: ResolverTypeWrapper<NotificationPageRow>;
  Pin: ResolverTypeWrapper<PinRow>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ReactionGroup: ResolverTypeWrapper<ReactionGroup>;
  SearchHit: ResolverTypeWrapper<Omit<SearchHit, 'message'> & { message: ResolversTypes['Message'] }>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  SearchPage: ResolverTypeWrapper<Omit<SearchPage, 'hits'> & { hits: Array<ResolversTypes['SearchHit']> }>;
  SendMessageInput: SendMessageInput;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateConversationInput: UpdateConversationInput;
  User: ResolverTypeWrapper<UserRef>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Channel: ChannelRow;
  ID: Scalars['ID']['output'];
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
  String: Scalars['String']['output'];
  ChannelPage: Omit<ChannelPage, 'channels'> & { channels: Array<ResolversParentTypes['Channel']> };
  Conversation: ConversationRow;
  ConversationEvent: Omit<ConversationEvent, 'conversation' | 'message' | 'user'> & { conversation?: Maybe<ResolversParentTypes['Conversation']>, message?: Maybe<ResolversParentTypes['Message']>, user?: Maybe<ResolversParentTypes['User']> };
  ConversationLogEvent: LogEventRow;
  CreateConversationInput: CreateConversationInput;
  DateTime: Scalars['DateTime']['output'];
  InboxEvent: Omit<InboxEvent, 'message'> & { message: ResolversParentTypes['Message'] };
  Membership: MembershipRow;
  Message: MessageRow;
  Mutation: Record<PropertyKey, never>;
  Notification: NotificationRow;
  NotificationPage: NotificationPageRow;
  Pin: PinRow;
  Query: Record<PropertyKey, never>;
  ReactionGroup: ReactionGroup;
  SearchHit: Omit<SearchHit, 'message'> & { message: ResolversParentTypes['Message'] };
  Float: Scalars['Float']['output'];
  SearchPage: Omit<SearchPage, 'hits'> & { hits: Array<ResolversParentTypes['SearchHit']> };
  SendMessageInput: SendMessageInput;
  Subscription: Record<PropertyKey, never>;
  UpdateConversationInput: UpdateConversationInput;
  User: UserRef;
}>;

export type ViewerDirectiveArgs = { };

export type ViewerDirectiveResolver<Result, Parent, ContextType = ConversationsContext, Args = ViewerDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type ChannelResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['Channel'] = ResolversParentTypes['Channel']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  joined?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  memberCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  title?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  topic?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ChannelPageResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['ChannelPage'] = ResolversParentTypes['ChannelPage']> = ResolversObject<{
  channels?: Resolver<Array<ResolversTypes['Channel']>, ParentType, ContextType>;
  nextCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ConversationResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['Conversation'] = ResolversParentTypes['Conversation'], FederationReferenceType extends FederationReferenceTypes['Conversation'] = FederationReferenceTypes['Conversation']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Conversation']> | FederationReferenceType, FederationReferenceType, ContextType>;
  archivedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  events?: Resolver<Array<ResolversTypes['ConversationLogEvent']>, ParentType, ContextType, RequireFields<ConversationEventsArgs, 'after' | 'limit'>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ConversationKind'], ParentType, ContextType>;
  lastEvent?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lastReadSeq?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lastSeq?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  memberCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  members?: Resolver<Array<ResolversTypes['User']>, ParentType, ContextType>;
  membersAmong?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType, RequireFields<ConversationMembersAmongArgs, 'userIds'>>;
  memberships?: Resolver<Array<ResolversTypes['Membership']>, ParentType, ContextType>;
  mentionCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  messages?: Resolver<Array<ResolversTypes['Message']>, ParentType, ContextType, RequireFields<ConversationMessagesArgs, 'limit'>>;
  muted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  mutedUntil?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  myRole?: Resolver<ResolversTypes['MemberRole'], ParentType, ContextType>;
  pins?: Resolver<Array<ResolversTypes['Pin']>, ParentType, ContextType>;
  thread?: Resolver<Array<ResolversTypes['Message']>, ParentType, ContextType, RequireFields<ConversationThreadArgs, 'limit' | 'rootId'>>;
  title?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  topic?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  unreadCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ConversationEventResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['ConversationEvent'] = ResolversParentTypes['ConversationEvent']> = ResolversObject<{
  conversation?: Resolver<Maybe<ResolversTypes['Conversation']>, ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  emoji?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ConversationEventKind'], ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['Message']>, ParentType, ContextType>;
  position?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  seq?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  typing?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, ContextType>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
}>;

export type ConversationLogEventResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['ConversationLogEvent'] = ResolversParentTypes['ConversationLogEvent']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  emoji?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ConversationEventKind'], ParentType, ContextType>;
  messageId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  position?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  seq?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  userId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type InboxEventResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['InboxEvent'] = ResolversParentTypes['InboxEvent']> = ResolversObject<{
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['Message'], ParentType, ContextType>;
  seq?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type MembershipResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['Membership'] = ResolversParentTypes['Membership']> = ResolversObject<{
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  joinedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  role?: Resolver<ResolversTypes['MemberRole'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export type MessageResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['Message'] = ResolversParentTypes['Message'], FederationReferenceType extends FederationReferenceTypes['Message'] = FederationReferenceTypes['Message']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Message']> | FederationReferenceType, FederationReferenceType, ContextType>;
  author?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  body?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  clientMsgId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deletedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  editedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  mentions?: Resolver<Array<ResolversTypes['User']>, ParentType, ContextType>;
  mentionsMe?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  pinned?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  reactions?: Resolver<Array<ResolversTypes['ReactionGroup']>, ParentType, ContextType>;
  replyCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  replyTo?: Resolver<Maybe<ResolversTypes['Message']>, ParentType, ContextType>;
  seq?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  addMembers?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationAddMembersArgs, 'conversationId' | 'userIds'>>;
  addReaction?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationAddReactionArgs, 'emoji' | 'messageId'>>;
  announceMessageChange?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationAnnounceMessageChangeArgs, 'id'>>;
  archiveConversation?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationArchiveConversationArgs, 'id'>>;
  blockUser?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationBlockUserArgs, 'userId'>>;
  changeRole?: Resolver<ResolversTypes['Membership'], ParentType, ContextType, RequireFields<MutationChangeRoleArgs, 'conversationId' | 'role' | 'userId'>>;
  createConversation?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationCreateConversationArgs, 'input'>>;
  deleteMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationDeleteMessageArgs, 'id'>>;
  editMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationEditMessageArgs, 'body' | 'id'>>;
  joinChannel?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationJoinChannelArgs, 'id'>>;
  leaveConversation?: Resolver<ResolversTypes['ID'], ParentType, ContextType, RequireFields<MutationLeaveConversationArgs, 'id'>>;
  markNotificationsRead?: Resolver<ResolversTypes['Int'], ParentType, ContextType, Partial<MutationMarkNotificationsReadArgs>>;
  markRead?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationMarkReadArgs, 'conversationId' | 'seq'>>;
  markUnread?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationMarkUnreadArgs, 'conversationId' | 'seq'>>;
  muteConversation?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationMuteConversationArgs, 'conversationId'>>;
  pinMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationPinMessageArgs, 'messageId'>>;
  removeMember?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationRemoveMemberArgs, 'conversationId' | 'userId'>>;
  removeReaction?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationRemoveReactionArgs, 'emoji' | 'messageId'>>;
  sendMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationSendMessageArgs, 'input'>>;
  setTyping?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationSetTypingArgs, 'conversationId' | 'typing'>>;
  unarchiveConversation?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationUnarchiveConversationArgs, 'id'>>;
  unblockUser?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationUnblockUserArgs, 'userId'>>;
  unmuteConversation?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationUnmuteConversationArgs, 'conversationId'>>;
  unpinMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationUnpinMessageArgs, 'messageId'>>;
  updateConversation?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationUpdateConversationArgs, 'id' | 'input'>>;
}>;

export type NotificationResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['Notification'] = ResolversParentTypes['Notification']> = ResolversObject<{
  conversation?: Resolver<Maybe<ResolversTypes['Conversation']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['NotificationKind'], ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['Message']>, ParentType, ContextType>;
  readAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
}>;

export type NotificationPageResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['NotificationPage'] = ResolversParentTypes['NotificationPage']> = ResolversObject<{
  nextCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  notifications?: Resolver<Array<ResolversTypes['Notification']>, ParentType, ContextType>;
}>;

export type PinResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['Pin'] = ResolversParentTypes['Pin']> = ResolversObject<{
  message?: Resolver<ResolversTypes['Message'], ParentType, ContextType>;
  pinnedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  pinnedBy?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  blockedUsers?: Resolver<Array<ResolversTypes['User']>, ParentType, ContextType>;
  channels?: Resolver<ResolversTypes['ChannelPage'], ParentType, ContextType, RequireFields<QueryChannelsArgs, 'limit'>>;
  conversation?: Resolver<Maybe<ResolversTypes['Conversation']>, ParentType, ContextType, RequireFields<QueryConversationArgs, 'id'>>;
  conversations?: Resolver<Array<ResolversTypes['Conversation']>, ParentType, ContextType>;
  mentionTotal?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<QueryMentionTotalArgs, 'excludeMuted'>>;
  message?: Resolver<Maybe<ResolversTypes['Message']>, ParentType, ContextType, RequireFields<QueryMessageArgs, 'id'>>;
  notifications?: Resolver<ResolversTypes['NotificationPage'], ParentType, ContextType, RequireFields<QueryNotificationsArgs, 'limit'>>;
  searchMessages?: Resolver<ResolversTypes['SearchPage'], ParentType, ContextType, RequireFields<QuerySearchMessagesArgs, 'limit' | 'query'>>;
  unreadNotificationCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  unreadTotal?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<QueryUnreadTotalArgs, 'excludeMuted'>>;
}>;

export type ReactionGroupResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['ReactionGroup'] = ResolversParentTypes['ReactionGroup']> = ResolversObject<{
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  emoji?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  reactedByMe?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type SearchHitResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['SearchHit'] = ResolversParentTypes['SearchHit']> = ResolversObject<{
  highlight?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['Message'], ParentType, ContextType>;
  rank?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type SearchPageResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['SearchPage'] = ResolversParentTypes['SearchPage']> = ResolversObject<{
  hits?: Resolver<Array<ResolversTypes['SearchHit']>, ParentType, ContextType>;
  nextCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  conversationEvents?: SubscriptionResolver<ResolversTypes['ConversationEvent'], "conversationEvents", ParentType, ContextType, RequireFields<SubscriptionConversationEventsArgs, 'conversationId'>>;
  inbox?: SubscriptionResolver<ResolversTypes['InboxEvent'], "inbox", ParentType, ContextType, Partial<SubscriptionInboxArgs>>;
  messageAdded?: SubscriptionResolver<ResolversTypes['Message'], "messageAdded", ParentType, ContextType, RequireFields<SubscriptionMessageAddedArgs, 'conversationId'>>;
  notificationAdded?: SubscriptionResolver<ResolversTypes['Notification'], "notificationAdded", ParentType, ContextType>;
}>;

export type UserResolvers<ContextType = ConversationsContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = ConversationsContext> = ResolversObject<{
  Channel?: ChannelResolvers<ContextType>;
  ChannelPage?: ChannelPageResolvers<ContextType>;
  Conversation?: ConversationResolvers<ContextType>;
  ConversationEvent?: ConversationEventResolvers<ContextType>;
  ConversationLogEvent?: ConversationLogEventResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  InboxEvent?: InboxEventResolvers<ContextType>;
  Membership?: MembershipResolvers<ContextType>;
  Message?: MessageResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Notification?: NotificationResolvers<ContextType>;
  NotificationPage?: NotificationPageResolvers<ContextType>;
  Pin?: PinResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  ReactionGroup?: ReactionGroupResolvers<ContextType>;
  SearchHit?: SearchHitResolvers<ContextType>;
  SearchPage?: SearchPageResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = ConversationsContext> = ResolversObject<{
  viewer?: ViewerDirectiveResolver<any, any, ContextType>;
}>;
