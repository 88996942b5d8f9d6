// Typed documents for notifications (tests/notifications.e2e.ts).
import { graphql } from '../generated/index.js';

export const Notifications = graphql(`
  query Notifications($limit: Int, $after: String) {
    notifications(limit: $limit, after: $after) {
      notifications { id kind readAt conversation { id } message { id body author { displayName } } }
      nextCursor
    }
    unreadNotificationCount
  }
`);

export const MarkNotificationsRead = graphql(`
  mutation MarkNotificationsRead($ids: [ID!], $all: Boolean) {
    markNotificationsRead(ids: $ids, all: $all)
  }
`);

export const MuteConversation = graphql(`
  mutation MuteConversation($conversationId: ID!, $until: DateTime) {
    muteConversation(conversationId: $conversationId, until: $until) { id muted mutedUntil }
  }
`);

export const UnmuteConversation = graphql(`
  mutation UnmuteConversation($conversationId: ID!) {
    unmuteConversation(conversationId: $conversationId) { id muted mutedUntil }
  }
`);

export const MuteState = graphql(`
  query MuteState($id: ID!) {
    conversation(id: $id) { id muted mutedUntil unreadCount mentionCount }
  }
`);

export const MuteTotals = graphql(`
  query MuteTotals {
    unreadTotal
    mentionTotal
    unmutedUnread: unreadTotal(excludeMuted: true)
    unmutedMentions: mentionTotal(excludeMuted: true)
  }
`);
