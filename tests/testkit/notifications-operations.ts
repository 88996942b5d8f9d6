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
