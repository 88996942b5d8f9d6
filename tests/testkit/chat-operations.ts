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
