// The documents tests/security/idor-chat.e2e.ts sends: each selects every
// field that could carry conversation data, so a refusal that lets one field
// through shows up. Plain strings parsed here, typed by hand for the few
// answers the suite reads: they stay out of codegen's document scan (no
// `graphql()` call), so adding them never makes tests/generated stale.
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

type NoVariables = Record<string, never>;

function op<R, V = NoVariables>(source: string): TypedDocumentNode<R, V> {
  return parse(source) as TypedDocumentNode<R, V>;
}

export interface ReactionGroupShape {
  emoji: string;
  count: number;
  reactedByMe: boolean;
}

export interface MessageShape {
  id: string;
  seq: number;
  body: string;
  replyCount: number;
  mentionsMe: boolean;
  replyTo: { id: string; body: string } | null;
  mentions: Array<{ id: string }>;
  reactions: ReactionGroupShape[];
}

const MESSAGE_FIELDS = 'id seq body replyCount mentionsMe replyTo { id body } mentions { id } reactions { emoji count reactedByMe }';

/** Everything a member can read about a conversation. */
export const FullConversation = op<
  {
    conversation: {
      id: string;
      title: string | null;
      topic: string | null;
      archivedAt: string | null;
      lastSeq: number;
      memberCount: number;
      myRole: string;
      unreadCount: number;
      mentionCount: number;
      members: Array<{ id: string }>;
      memberships: Array<{ role: string; user: { id: string } }>;
      messages: MessageShape[];
    };
  },
  { id: string }
>(`
  query IdorFullConversation($id: ID!) {
    conversation(id: $id) {
      id title topic archivedAt lastSeq memberCount myRole unreadCount mentionCount
      members { id handle }
      memberships { role user { id } }
      messages(limit: 200) { ${MESSAGE_FIELDS} }
    }
  }
`);

export const ConversationThread = op<{ conversation: { thread: MessageShape[] } }, { id: string; rootId: string }>(`
  query IdorThread($id: ID!, $rootId: ID!) {
    conversation(id: $id) { id thread(rootId: $rootId) { ${MESSAGE_FIELDS} author { id handle } } }
  }
`);

export const MessageById = op<{ message: MessageShape }, { id: string }>(`
  query IdorMessage($id: ID!) { message(id: $id) { ${MESSAGE_FIELDS} conversationId author { id handle } } }
`);

export const Directory = op<
  { channels: { channels: Array<{ id: string; title: string | null; topic: string | null; memberCount: number; joined: boolean }>; nextCursor: string | null } },
  { search?: string | null; limit?: number; after?: string | null }
>(`
  query IdorChannels($search: String, $limit: Int, $after: String) {
    channels(search: $search, limit: $limit, after: $after) { channels { id title topic memberCount joined } nextCursor }
  }
`);

export const Totals = op<{ unreadTotal: number; mentionTotal: number; conversations: Array<{ id: string; unreadCount: number; mentionCount: number }> }>(`
  query IdorTotals { unreadTotal mentionTotal conversations { id unreadCount mentionCount } }
`);

export const Search = op<
  { searchMessages: { hits: Array<{ highlight: string; rank: number; message: { id: string; conversationId: string; body: string } }>; nextCursor: string | null } },
  { query: string; conversationId?: string | null; limit?: number; after?: string | null }
>(`
  query IdorSearch($query: String!, $conversationId: ID, $limit: Int, $after: String) {
    searchMessages(query: $query, conversationId: $conversationId, limit: $limit, after: $after) {
      hits { highlight rank message { id conversationId body author { id } } }
      nextCursor
    }
  }
`);

export const Send = op<{ sendMessage: { id: string; seq: number; mentions: Array<{ id: string }>; replyTo: { id: string } | null } }, { input: { conversationId: string; body: string; replyToId?: string | null } }>(`
  mutation IdorSend($input: SendMessageInput!) { sendMessage(input: $input) { id seq mentions { id } replyTo { id } } }
`);

export const React = op<{ addReaction: { id: string; reactions: ReactionGroupShape[] } }, { messageId: string; emoji: string }>(`
  mutation IdorReact($messageId: ID!, $emoji: String!) { addReaction(messageId: $messageId, emoji: $emoji) { id body reactions { emoji count reactedByMe } } }
`);

export const Unreact = op<{ removeReaction: { id: string; reactions: ReactionGroupShape[] } }, { messageId: string; emoji: string }>(`
  mutation IdorUnreact($messageId: ID!, $emoji: String!) { removeReaction(messageId: $messageId, emoji: $emoji) { id body reactions { emoji count reactedByMe } } }
`);

export const MarkRead = op<{ markRead: { id: string; unreadCount: number } }, { id: string; seq: number }>(`
  mutation IdorMarkRead($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id lastSeq unreadCount mentionCount messages { body } } }
`);

// Membership and settings mutations, each selecting what would leak if the
// refusal came after the read.
export const AddMembersOp = op<{ addMembers: { id: string } }, { id: string; userIds: string[] }>(`
  mutation IdorAddMembers($id: ID!, $userIds: [ID!]!) { addMembers(conversationId: $id, userIds: $userIds) { id title memberships { user { id } } messages { body } } }
`);

export const RemoveMemberOp = op<{ removeMember: { id: string } }, { id: string; userId: string }>(`
  mutation IdorRemoveMember($id: ID!, $userId: ID!) { removeMember(conversationId: $id, userId: $userId) { id title members { id } messages { body } } }
`);

export const ChangeRoleOp = op<{ changeRole: { role: string } }, { id: string; userId: string; role: 'OWNER' | 'ADMIN' | 'MEMBER' }>(`
  mutation IdorChangeRole($id: ID!, $userId: ID!, $role: MemberRole!) { changeRole(conversationId: $id, userId: $userId, role: $role) { conversationId role user { id handle } } }
`);

export const UpdateConversationOp = op<{ updateConversation: { id: string } }, { id: string; input: { title?: string | null; topic?: string | null } }>(`
  mutation IdorUpdateConversation($id: ID!, $input: UpdateConversationInput!) { updateConversation(id: $id, input: $input) { id title topic messages { body } } }
`);

export const ArchiveOp = op<{ archiveConversation: { id: string } }, { id: string }>(`
  mutation IdorArchive($id: ID!) { archiveConversation(id: $id) { id title archivedAt messages { body } } }
`);

export const UnarchiveOp = op<{ unarchiveConversation: { id: string } }, { id: string }>(`
  mutation IdorUnarchive($id: ID!) { unarchiveConversation(id: $id) { id title archivedAt } }
`);

export const Join = op<{ joinChannel: { id: string; myRole: string } }, { id: string }>(`
  mutation IdorJoin($id: ID!) { joinChannel(id: $id) { id myRole } }
`);

export const Create = op<{ createConversation: { id: string } }, { input: { kind: 'DIRECT' | 'GROUP' | 'CHANNEL'; title?: string | null; memberIds: string[] } }>(`
  mutation IdorCreate($input: CreateConversationInput!) { createConversation(input: $input) { id } }
`);

export const UpdateProfileOp = op<
  { updateProfile: { id: string; displayName: string; statusText: string | null } },
  { input: { displayName?: string; statusText?: string | null; avatarMediaId?: string | null } }
>(`
  mutation IdorUpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName statusText } }
`);

export const Profile = op<
  { user: { id: string; handle: string; displayName: string; statusText: string | null; presence: { status: string } } | null },
  { id: string }
>(`
  query IdorProfile($id: ID!) { user(id: $id) { id handle displayName statusText presence { status lastSeenAt } } }
`);

export const MyAvatar = op<{ me: { id: string; avatar: { id: string; size: number; contentType: string; url: string } | null } }>(`
  query IdorMyAvatar { me { id avatar { id size contentType url } } }
`);

/** Subscriptions (sent over raw graphql-ws frames, so printed by the test). */
export const EVENTS_SUBSCRIPTION = `subscription IdorEvents($conversationId: ID!, $after: Int) {
  conversationEvents(conversationId: $conversationId, after: $after) {
    kind conversationId seq emoji
    message { id body reactions { emoji count } mentions { id } }
    user { id handle }
    conversation { id title memberships { user { id } } }
  }
}`;

export const MESSAGES_SUBSCRIPTION = `subscription IdorMessageAdded($conversationId: ID!, $after: Int) {
  messageAdded(conversationId: $conversationId, after: $after) { id seq body replyTo { id body } mentions { id } }
}`;

/** What an attacker inside the network asks the conversations subgraph for: every field added by the chat features. */
export const ENTITIES_CHAT_FIELDS = `query($r: [_Any!]!, $rootId: ID!) { _entities(representations: $r) {
  ... on Conversation { id title topic archivedAt memberCount myRole mentionCount unreadCount
        memberships { role joinedAt user { id } } thread(rootId: $rootId) { id body } }
  ... on Message { id body conversationId replyCount mentionsMe
        replyTo { id body } mentions { id } reactions { emoji count reactedByMe } } } }`;

/** The users subgraph's view of a User, presence included. */
export const ENTITIES_USER_PRESENCE = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id handle presence { status lastSeenAt } } } }`;
