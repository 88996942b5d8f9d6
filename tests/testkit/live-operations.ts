// Typed documents for the live-delivery tests (membership changes while subscribed).
import { graphql } from '../generated/index.js';

export const RemoveMember = graphql(`
  mutation RemoveMemberLive($conversationId: ID!, $userId: ID!) {
    removeMember(conversationId: $conversationId, userId: $userId) { id }
  }
`);

export const LeaveConversation = graphql(`
  mutation LeaveConversationLive($id: ID!) { leaveConversation(id: $id) }
`);
