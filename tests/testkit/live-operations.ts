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

export const ConversationEvents = graphql(`
  subscription ConversationEventsLive($conversationId: ID!, $after: Int) {
    conversationEvents(conversationId: $conversationId, after: $after) {
      kind
      seq
      at: conversationId
      emoji
      message { id seq body editedAt deletedAt author { displayName } }
      user { id handle }
      conversation { title }
    }
  }
`);

/** conversationEvents resumable on both axes: messages by seq (`after`), the other changes by position (`afterEvent`). */
export const ConversationEventsResumable = graphql(`
  subscription ConversationEventsResumable($conversationId: ID!, $after: Int, $afterEvent: Int) {
    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {
      kind seq position emoji
      message { id body editedAt deletedAt }
      user { id }
      conversation { title }
    }
  }
`);

export const AddMembersLive = graphql(`
  mutation AddMembersLive($conversationId: ID!, $userIds: [ID!]!) { addMembers(conversationId: $conversationId, userIds: $userIds) { id } }
`);

export const RenameLive = graphql(`
  mutation RenameLive($id: ID!, $title: String!) { updateConversation(id: $id, input: { title: $title }) { id } }
`);

export const ReactLive = graphql(`
  mutation ReactLive($messageId: ID!, $emoji: String!) { addReaction(messageId: $messageId, emoji: $emoji) { id } }
`);

export const Inbox = graphql(`
  subscription InboxLive($cursor: String) {
    inbox(cursor: $cursor) {
      cursor
      conversationId
      seq
      message { id body author { displayName } }
    }
  }
`);

export const SetTyping = graphql(`
  mutation SetTypingLive($conversationId: ID!, $typing: Boolean!) { setTyping(conversationId: $conversationId, typing: $typing) }
`);

export const TypingEvents = graphql(`
  subscription TypingEventsLive($conversationId: ID!) {
    conversationEvents(conversationId: $conversationId) { kind typing expiresAt user { id } }
  }
`);

export const PresenceChanged = graphql(`
  subscription PresenceChangedLive($userIds: [ID!]!) {
    presenceChanged(userIds: $userIds) { userId status at }
  }
`);

export const NotificationAdded = graphql(`
  subscription NotificationAddedLive {
    notificationAdded { id kind message { body author { displayName } } }
  }
`);

/** A selection whose values differ per subscriber (`mentionsMe`, `reactedByMe` are `@viewer` fields). */
export const MessageAddedForMe = graphql(`
  subscription MessageAddedForMe($conversationId: ID!) {
    messageAdded(conversationId: $conversationId) {
      seq body mentionsMe
      reactions { emoji count reactedByMe }
    }
  }
`);

export const RemoveReactionLive = graphql(`
  mutation RemoveReactionLive($messageId: ID!, $emoji: String!) { removeReaction(messageId: $messageId, emoji: $emoji) { id } }
`);

export const ChangeRoleLive = graphql(`
  mutation ChangeRoleLive($conversationId: ID!, $userId: ID!, $role: MemberRole!) {
    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role }
  }
`);

/** Every field SUBSCRIPTIONS.md says an event may fill, and the conversation as it stands after the change. */
export const ConversationEventsFilled = graphql(`
  subscription ConversationEventsFilled($conversationId: ID!, $after: Int, $afterEvent: Int) {
    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {
      kind conversationId seq position emoji
      message { id seq body deletedAt }
      user { id handle }
      conversation { title members { id } memberships { role user { id } } }
    }
  }
`);

/** conversationEvents with what READ_UPDATED fills: the reader and their own counts. */
export const ConversationEventsReads = graphql(`
  subscription ConversationEventsReads($conversationId: ID!) {
    conversationEvents(conversationId: $conversationId) {
      kind seq position
      user { id }
      conversation { unreadCount mentionCount }
    }
  }
`);

export const ConversationEventsMutes = graphql(`
  subscription ConversationEventsMutes($conversationId: ID!) {
    conversationEvents(conversationId: $conversationId) {
      kind seq
      conversation { muted mutedUntil }
    }
  }
`);

/** The inbox without `cursor` (a client that never resumes). */
export const InboxWithoutCursor = graphql(`
  subscription InboxWithoutCursor {
    inbox { conversationId seq message { body } }
  }
`);
