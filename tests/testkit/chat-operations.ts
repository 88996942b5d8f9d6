// The chat operations of issue 5 the end-to-end tests send, typed by codegen's
// client preset (`npm run codegen` → tests/generated).
import { graphql } from '../generated/index.js';

export const Channels = graphql(`
  query Channels($search: String, $limit: Int, $after: String) {
    channels(search: $search, limit: $limit, after: $after) {
      channels { id title topic memberCount joined }
      nextCursor
    }
  }
`);

export const JoinChannel = graphql(`
  mutation JoinChannel($id: ID!) { joinChannel(id: $id) { id title myRole memberCount } }
`);

export const LeaveConversation = graphql(`
  mutation LeaveConversation($id: ID!) { leaveConversation(id: $id) }
`);

export const AddMembers = graphql(`
  mutation AddMembers($conversationId: ID!, $userIds: [ID!]!) {
    addMembers(conversationId: $conversationId, userIds: $userIds) { id memberCount }
  }
`);

export const RemoveMember = graphql(`
  mutation RemoveMember($conversationId: ID!, $userId: ID!) {
    removeMember(conversationId: $conversationId, userId: $userId) { id memberCount }
  }
`);

export const ChangeRole = graphql(`
  mutation ChangeRole($conversationId: ID!, $userId: ID!, $role: MemberRole!) {
    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role joinedAt user { id handle } }
  }
`);

export const UpdateConversation = graphql(`
  mutation UpdateConversation($id: ID!, $input: UpdateConversationInput!) {
    updateConversation(id: $id, input: $input) { id title topic }
  }
`);

export const ArchiveConversation = graphql(`
  mutation ArchiveConversation($id: ID!) { archiveConversation(id: $id) { id archivedAt } }
`);

export const UnarchiveConversation = graphql(`
  mutation UnarchiveConversation($id: ID!) { unarchiveConversation(id: $id) { id archivedAt } }
`);

export const ConversationDetails = graphql(`
  query ConversationDetails($id: ID!) {
    conversation(id: $id) {
      id kind title topic archivedAt myRole memberCount
      memberships { role joinedAt user { id handle displayName } }
    }
  }
`);

export const SendChatMessage = graphql(`
  mutation SendChatMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      id seq body
      replyTo { id body }
      mentions { id handle }
      mentionsMe
    }
  }
`);

export const AddReaction = graphql(`
  mutation AddReaction($messageId: ID!, $emoji: String!) {
    addReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }
  }
`);

export const RemoveReaction = graphql(`
  mutation RemoveReaction($messageId: ID!, $emoji: String!) {
    removeReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }
  }
`);

export const ChatHistory = graphql(`
  query ChatHistory($id: ID!, $limit: Int) {
    conversation(id: $id) {
      id
      messages(limit: $limit) {
        id seq body replyCount mentionsMe
        author { handle }
        mentions { handle displayName }
        reactions { emoji count reactedByMe }
      }
    }
  }
`);

export const Thread = graphql(`
  query Thread($id: ID!, $rootId: ID!, $after: Int, $limit: Int) {
    conversation(id: $id) {
      thread(rootId: $rootId, after: $after, limit: $limit) { id seq body author { handle } replyTo { id } }
    }
  }
`);

export const ReadState = graphql(`
  query ReadState {
    unreadTotal
    mentionTotal
    conversations { id unreadCount mentionCount }
  }
`);

export const MarkReadState = graphql(`
  mutation MarkReadState($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount mentionCount } }
`);

export const SearchMessages = graphql(`
  query SearchMessages($query: String!, $conversationId: ID, $limit: Int, $after: String) {
    searchMessages(query: $query, conversationId: $conversationId, limit: $limit, after: $after) {
      hits { rank highlight message { id seq conversationId body author { handle displayName } } }
      nextCursor
    }
  }
`);

export const MembersAmong = graphql(`
  query MembersAmong($id: ID!, $userIds: [ID!]!) { conversation(id: $id) { id membersAmong(userIds: $userIds) } }
`);

/** History with what a tombstone must hide (body, mentions, reactions) and show (seq, deletedAt). */
export const HistoryWithTombstones = graphql(`
  query HistoryWithTombstones($id: ID!, $limit: Int) {
    conversation(id: $id) {
      id lastSeq
      messages(limit: $limit) {
        id seq body deletedAt
        author { id }
        mentions { id }
        mentionsMe
        reactions { emoji count reactedByMe }
      }
    }
  }
`);
