/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation BlockUser($userId: ID!) { blockUser(userId: $userId) { id handle } }\n": typeof types.BlockUserDocument,
    "\n  mutation UnblockUser($userId: ID!) { unblockUser(userId: $userId) { id } }\n": typeof types.UnblockUserDocument,
    "\n  query BlockedUsers { blockedUsers { id handle } }\n": typeof types.BlockedUsersDocument,
    "query BlockedHistory($id: ID!) { conversation(id: $id) { lastSeq } }": typeof types.BlockedHistoryDocument,
    "query BlockedList { conversations { id } }": typeof types.BlockedListDocument,
    "\n  mutation PinMessage($messageId: ID!) { pinMessage(messageId: $messageId) { id pinned } }\n": typeof types.PinMessageDocument,
    "\n  mutation UnpinMessage($messageId: ID!) { unpinMessage(messageId: $messageId) { id pinned } }\n": typeof types.UnpinMessageDocument,
    "\n  query Pins($id: ID!) {\n    conversation(id: $id) { pins { pinnedAt pinnedBy { id handle } message { id body pinned author { displayName } } } messages { id pinned } }\n  }\n": typeof types.PinsDocument,
    "\n  query Channels($search: String, $limit: Int, $after: String) {\n    channels(search: $search, limit: $limit, after: $after) {\n      channels { id title topic memberCount joined }\n      nextCursor\n    }\n  }\n": typeof types.ChannelsDocument,
    "\n  mutation JoinChannel($id: ID!) { joinChannel(id: $id) { id title myRole memberCount } }\n": typeof types.JoinChannelDocument,
    "\n  mutation LeaveConversation($id: ID!) { leaveConversation(id: $id) }\n": typeof types.LeaveConversationDocument,
    "\n  mutation AddMembers($conversationId: ID!, $userIds: [ID!]!) {\n    addMembers(conversationId: $conversationId, userIds: $userIds) { id memberCount }\n  }\n": typeof types.AddMembersDocument,
    "\n  mutation RemoveMember($conversationId: ID!, $userId: ID!) {\n    removeMember(conversationId: $conversationId, userId: $userId) { id memberCount }\n  }\n": typeof types.RemoveMemberDocument,
    "\n  mutation ChangeRole($conversationId: ID!, $userId: ID!, $role: MemberRole!) {\n    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role joinedAt user { id handle } }\n  }\n": typeof types.ChangeRoleDocument,
    "\n  mutation UpdateConversation($id: ID!, $input: UpdateConversationInput!) {\n    updateConversation(id: $id, input: $input) { id title topic }\n  }\n": typeof types.UpdateConversationDocument,
    "\n  mutation ArchiveConversation($id: ID!) { archiveConversation(id: $id) { id archivedAt } }\n": typeof types.ArchiveConversationDocument,
    "\n  mutation UnarchiveConversation($id: ID!) { unarchiveConversation(id: $id) { id archivedAt } }\n": typeof types.UnarchiveConversationDocument,
    "\n  query ConversationDetails($id: ID!) {\n    conversation(id: $id) {\n      id kind title topic archivedAt myRole memberCount\n      memberships { role joinedAt user { id handle displayName } }\n    }\n  }\n": typeof types.ConversationDetailsDocument,
    "\n  mutation SendChatMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      id seq body\n      replyTo { id body }\n      mentions { id handle }\n      mentionsMe\n    }\n  }\n": typeof types.SendChatMessageDocument,
    "\n  mutation AddReaction($messageId: ID!, $emoji: String!) {\n    addReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }\n  }\n": typeof types.AddReactionDocument,
    "\n  mutation RemoveReaction($messageId: ID!, $emoji: String!) {\n    removeReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }\n  }\n": typeof types.RemoveReactionDocument,
    "\n  query ChatHistory($id: ID!, $limit: Int) {\n    conversation(id: $id) {\n      id\n      messages(limit: $limit) {\n        id seq body replyCount mentionsMe\n        author { handle }\n        mentions { handle displayName }\n        reactions { emoji count reactedByMe }\n      }\n    }\n  }\n": typeof types.ChatHistoryDocument,
    "\n  query Thread($id: ID!, $rootId: ID!, $after: Int, $limit: Int) {\n    conversation(id: $id) {\n      thread(rootId: $rootId, after: $after, limit: $limit) { id seq body author { handle } replyTo { id } }\n    }\n  }\n": typeof types.ThreadDocument,
    "\n  query ReadState {\n    unreadTotal\n    mentionTotal\n    conversations { id unreadCount mentionCount }\n  }\n": typeof types.ReadStateDocument,
    "\n  mutation MarkReadState($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount mentionCount } }\n": typeof types.MarkReadStateDocument,
    "\n  query SearchMessages($query: String!, $conversationId: ID, $limit: Int, $after: String) {\n    searchMessages(query: $query, conversationId: $conversationId, limit: $limit, after: $after) {\n      hits { rank highlight message { id seq conversationId body author { handle displayName } } }\n      nextCursor\n    }\n  }\n": typeof types.SearchMessagesDocument,
    "\n  query MembersAmong($id: ID!, $userIds: [ID!]!) { conversation(id: $id) { id membersAmong(userIds: $userIds) } }\n": typeof types.MembersAmongDocument,
    "\n  query HistoryWithTombstones($id: ID!, $limit: Int) {\n    conversation(id: $id) {\n      id lastSeq\n      messages(limit: $limit) {\n        id seq body deletedAt\n        author { id }\n        mentions { id }\n        mentionsMe\n        reactions { emoji count reactedByMe }\n      }\n    }\n  }\n": typeof types.HistoryWithTombstonesDocument,
    "\n  mutation RemoveMemberLive($conversationId: ID!, $userId: ID!) {\n    removeMember(conversationId: $conversationId, userId: $userId) { id }\n  }\n": typeof types.RemoveMemberLiveDocument,
    "\n  mutation LeaveConversationLive($id: ID!) { leaveConversation(id: $id) }\n": typeof types.LeaveConversationLiveDocument,
    "\n  subscription ConversationEventsLive($conversationId: ID!, $after: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after) {\n      kind\n      seq\n      at: conversationId\n      emoji\n      message { id seq body editedAt deletedAt author { displayName } }\n      user { id handle }\n      conversation { title }\n    }\n  }\n": typeof types.ConversationEventsLiveDocument,
    "\n  subscription ConversationEventsResumable($conversationId: ID!, $after: Int, $afterEvent: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {\n      kind seq position emoji\n      message { id body editedAt deletedAt }\n      user { id }\n      conversation { title }\n    }\n  }\n": typeof types.ConversationEventsResumableDocument,
    "\n  mutation AddMembersLive($conversationId: ID!, $userIds: [ID!]!) { addMembers(conversationId: $conversationId, userIds: $userIds) { id } }\n": typeof types.AddMembersLiveDocument,
    "\n  mutation RenameLive($id: ID!, $title: String!) { updateConversation(id: $id, input: { title: $title }) { id } }\n": typeof types.RenameLiveDocument,
    "\n  mutation ReactLive($messageId: ID!, $emoji: String!) { addReaction(messageId: $messageId, emoji: $emoji) { id } }\n": typeof types.ReactLiveDocument,
    "\n  subscription InboxLive($cursor: String) {\n    inbox(cursor: $cursor) {\n      cursor\n      conversationId\n      seq\n      message { id body author { displayName } }\n    }\n  }\n": typeof types.InboxLiveDocument,
    "\n  mutation SetTypingLive($conversationId: ID!, $typing: Boolean!) { setTyping(conversationId: $conversationId, typing: $typing) }\n": typeof types.SetTypingLiveDocument,
    "\n  subscription TypingEventsLive($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) { kind typing expiresAt user { id } }\n  }\n": typeof types.TypingEventsLiveDocument,
    "\n  subscription PresenceChangedLive($userIds: [ID!]!) {\n    presenceChanged(userIds: $userIds) { userId status at }\n  }\n": typeof types.PresenceChangedLiveDocument,
    "\n  subscription NotificationAddedLive {\n    notificationAdded { id kind message { body author { displayName } } }\n  }\n": typeof types.NotificationAddedLiveDocument,
    "\n  subscription MessageAddedForMe($conversationId: ID!) {\n    messageAdded(conversationId: $conversationId) {\n      seq body mentionsMe\n      reactions { emoji count reactedByMe }\n    }\n  }\n": typeof types.MessageAddedForMeDocument,
    "\n  mutation RemoveReactionLive($messageId: ID!, $emoji: String!) { removeReaction(messageId: $messageId, emoji: $emoji) { id } }\n": typeof types.RemoveReactionLiveDocument,
    "\n  mutation ChangeRoleLive($conversationId: ID!, $userId: ID!, $role: MemberRole!) {\n    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role }\n  }\n": typeof types.ChangeRoleLiveDocument,
    "\n  subscription ConversationEventsFilled($conversationId: ID!, $after: Int, $afterEvent: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {\n      kind conversationId seq position emoji\n      message { id seq body deletedAt }\n      user { id handle }\n      conversation { title members { id } memberships { role user { id } } }\n    }\n  }\n": typeof types.ConversationEventsFilledDocument,
    "\n  subscription ConversationEventsReads($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) {\n      kind seq position\n      user { id }\n      conversation { unreadCount mentionCount }\n    }\n  }\n": typeof types.ConversationEventsReadsDocument,
    "\n  subscription ConversationEventsMutes($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) {\n      kind seq\n      conversation { muted mutedUntil }\n    }\n  }\n": typeof types.ConversationEventsMutesDocument,
    "\n  subscription InboxWithoutCursor {\n    inbox { conversationId seq message { body } }\n  }\n": typeof types.InboxWithoutCursorDocument,
    "\n  query Notifications($limit: Int, $after: String) {\n    notifications(limit: $limit, after: $after) {\n      notifications { id kind readAt conversation { id } message { id body author { displayName } } }\n      nextCursor\n    }\n    unreadNotificationCount\n  }\n": typeof types.NotificationsDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!], $all: Boolean) {\n    markNotificationsRead(ids: $ids, all: $all)\n  }\n": typeof types.MarkNotificationsReadDocument,
    "\n  mutation MuteConversation($conversationId: ID!, $until: DateTime) {\n    muteConversation(conversationId: $conversationId, until: $until) { id muted mutedUntil }\n  }\n": typeof types.MuteConversationDocument,
    "\n  mutation UnmuteConversation($conversationId: ID!) {\n    unmuteConversation(conversationId: $conversationId) { id muted mutedUntil }\n  }\n": typeof types.UnmuteConversationDocument,
    "\n  query MuteState($id: ID!) {\n    conversation(id: $id) { id muted mutedUntil unreadCount mentionCount }\n  }\n": typeof types.MuteStateDocument,
    "\n  query MuteTotals {\n    unreadTotal\n    mentionTotal\n    unmutedUnread: unreadTotal(excludeMuted: true)\n    unmutedMentions: mentionTotal(excludeMuted: true)\n  }\n": typeof types.MuteTotalsDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      user { id handle displayName }\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) { accessToken refreshToken user { id } }\n  }\n": typeof types.LoginDocument,
    "\n  mutation RefreshToken($token: String!) {\n    refreshToken(refreshToken: $token) { accessToken refreshToken }\n  }\n": typeof types.RefreshTokenDocument,
    "\n  mutation Logout($token: String!) { logout(refreshToken: $token) }\n": typeof types.LogoutDocument,
    "\n  query Me { me { id handle displayName } }\n": typeof types.MeDocument,
    "\n  mutation CreateConversation($input: CreateConversationInput!) {\n    createConversation(input: $input) { id kind title lastSeq members { id handle displayName } }\n  }\n": typeof types.CreateConversationDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) { id seq body clientMsgId conversationId author { id displayName } }\n  }\n": typeof types.SendMessageDocument,
    "\n  query ConversationHistory($id: ID!, $after: Int, $before: Int, $limit: Int) {\n    conversation(id: $id) {\n      id lastSeq unreadCount\n      messages(after: $after, before: $before, limit: $limit) { seq body author { displayName } }\n    }\n  }\n": typeof types.ConversationHistoryDocument,
    "\n  query Conversations { conversations { id kind lastSeq unreadCount } }\n": typeof types.ConversationsDocument,
    "\n  mutation MarkRead($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount } }\n": typeof types.MarkReadDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id seq body editedAt } }\n": typeof types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) { deleteMessage(id: $id) { id seq deletedAt } }\n": typeof types.DeleteMessageDocument,
    "\n  subscription MessageAdded($conversationId: ID!, $after: Int) {\n    messageAdded(conversationId: $conversationId, after: $after) {\n      id seq body clientMsgId createdAt\n      author { id handle displayName }\n    }\n  }\n": typeof types.MessageAddedDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) { accessToken refreshToken user { id } }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation MarkUnread($id: ID!, $seq: Int!) {\n    markUnread(conversationId: $id, seq: $seq) { id unreadCount mentionCount lastReadSeq }\n  }\n": typeof types.MarkUnreadDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) { id displayName statusText avatar { id } }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  query SearchUsers($prefix: String!, $limit: Int) {\n    users(handlePrefix: $prefix, limit: $limit) { id handle displayName statusText }\n  }\n": typeof types.SearchUsersDocument,
    "\n  query UserProfile($id: ID!) {\n    user(id: $id) { id displayName statusText avatar { id } presence { status lastSeenAt } }\n  }\n": typeof types.UserProfileDocument,
    "\n  mutation MembersProfiles($input: CreateConversationInput!) {\n    createConversation(input: $input) { id members { id statusText presence { status } } }\n  }\n": typeof types.MembersProfilesDocument,
};
const documents: Documents = {
    "\n  mutation BlockUser($userId: ID!) { blockUser(userId: $userId) { id handle } }\n": types.BlockUserDocument,
    "\n  mutation UnblockUser($userId: ID!) { unblockUser(userId: $userId) { id } }\n": types.UnblockUserDocument,
    "\n  query BlockedUsers { blockedUsers { id handle } }\n": types.BlockedUsersDocument,
    "query BlockedHistory($id: ID!) { conversation(id: $id) { lastSeq } }": types.BlockedHistoryDocument,
    "query BlockedList { conversations { id } }": types.BlockedListDocument,
    "\n  mutation PinMessage($messageId: ID!) { pinMessage(messageId: $messageId) { id pinned } }\n": types.PinMessageDocument,
    "\n  mutation UnpinMessage($messageId: ID!) { unpinMessage(messageId: $messageId) { id pinned } }\n": types.UnpinMessageDocument,
    "\n  query Pins($id: ID!) {\n    conversation(id: $id) { pins { pinnedAt pinnedBy { id handle } message { id body pinned author { displayName } } } messages { id pinned } }\n  }\n": types.PinsDocument,
    "\n  query Channels($search: String, $limit: Int, $after: String) {\n    channels(search: $search, limit: $limit, after: $after) {\n      channels { id title topic memberCount joined }\n      nextCursor\n    }\n  }\n": types.ChannelsDocument,
    "\n  mutation JoinChannel($id: ID!) { joinChannel(id: $id) { id title myRole memberCount } }\n": types.JoinChannelDocument,
    "\n  mutation LeaveConversation($id: ID!) { leaveConversation(id: $id) }\n": types.LeaveConversationDocument,
    "\n  mutation AddMembers($conversationId: ID!, $userIds: [ID!]!) {\n    addMembers(conversationId: $conversationId, userIds: $userIds) { id memberCount }\n  }\n": types.AddMembersDocument,
    "\n  mutation RemoveMember($conversationId: ID!, $userId: ID!) {\n    removeMember(conversationId: $conversationId, userId: $userId) { id memberCount }\n  }\n": types.RemoveMemberDocument,
    "\n  mutation ChangeRole($conversationId: ID!, $userId: ID!, $role: MemberRole!) {\n    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role joinedAt user { id handle } }\n  }\n": types.ChangeRoleDocument,
    "\n  mutation UpdateConversation($id: ID!, $input: UpdateConversationInput!) {\n    updateConversation(id: $id, input: $input) { id title topic }\n  }\n": types.UpdateConversationDocument,
    "\n  mutation ArchiveConversation($id: ID!) { archiveConversation(id: $id) { id archivedAt } }\n": types.ArchiveConversationDocument,
    "\n  mutation UnarchiveConversation($id: ID!) { unarchiveConversation(id: $id) { id archivedAt } }\n": types.UnarchiveConversationDocument,
    "\n  query ConversationDetails($id: ID!) {\n    conversation(id: $id) {\n      id kind title topic archivedAt myRole memberCount\n      memberships { role joinedAt user { id handle displayName } }\n    }\n  }\n": types.ConversationDetailsDocument,
    "\n  mutation SendChatMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      id seq body\n      replyTo { id body }\n      mentions { id handle }\n      mentionsMe\n    }\n  }\n": types.SendChatMessageDocument,
    "\n  mutation AddReaction($messageId: ID!, $emoji: String!) {\n    addReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }\n  }\n": types.AddReactionDocument,
    "\n  mutation RemoveReaction($messageId: ID!, $emoji: String!) {\n    removeReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }\n  }\n": types.RemoveReactionDocument,
    "\n  query ChatHistory($id: ID!, $limit: Int) {\n    conversation(id: $id) {\n      id\n      messages(limit: $limit) {\n        id seq body replyCount mentionsMe\n        author { handle }\n        mentions { handle displayName }\n        reactions { emoji count reactedByMe }\n      }\n    }\n  }\n": types.ChatHistoryDocument,
    "\n  query Thread($id: ID!, $rootId: ID!, $after: Int, $limit: Int) {\n    conversation(id: $id) {\n      thread(rootId: $rootId, after: $after, limit: $limit) { id seq body author { handle } replyTo { id } }\n    }\n  }\n": types.ThreadDocument,
    "\n  query ReadState {\n    unreadTotal\n    mentionTotal\n    conversations { id unreadCount mentionCount }\n  }\n": types.ReadStateDocument,
    "\n  mutation MarkReadState($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount mentionCount } }\n": types.MarkReadStateDocument,
    "\n  query SearchMessages($query: String!, $conversationId: ID, $limit: Int, $after: String) {\n    searchMessages(query: $query, conversationId: $conversationId, limit: $limit, after: $after) {\n      hits { rank highlight message { id seq conversationId body author { handle displayName } } }\n      nextCursor\n    }\n  }\n": types.SearchMessagesDocument,
    "\n  query MembersAmong($id: ID!, $userIds: [ID!]!) { conversation(id: $id) { id membersAmong(userIds: $userIds) } }\n": types.MembersAmongDocument,
    "\n  query HistoryWithTombstones($id: ID!, $limit: Int) {\n    conversation(id: $id) {\n      id lastSeq\n      messages(limit: $limit) {\n        id seq body deletedAt\n        author { id }\n        mentions { id }\n        mentionsMe\n        reactions { emoji count reactedByMe }\n      }\n    }\n  }\n": types.HistoryWithTombstonesDocument,
    "\n  mutation RemoveMemberLive($conversationId: ID!, $userId: ID!) {\n    removeMember(conversationId: $conversationId, userId: $userId) { id }\n  }\n": types.RemoveMemberLiveDocument,
    "\n  mutation LeaveConversationLive($id: ID!) { leaveConversation(id: $id) }\n": types.LeaveConversationLiveDocument,
    "\n  subscription ConversationEventsLive($conversationId: ID!, $after: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after) {\n      kind\n      seq\n      at: conversationId\n      emoji\n      message { id seq body editedAt deletedAt author { displayName } }\n      user { id handle }\n      conversation { title }\n    }\n  }\n": types.ConversationEventsLiveDocument,
    "\n  subscription ConversationEventsResumable($conversationId: ID!, $after: Int, $afterEvent: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {\n      kind seq position emoji\n      message { id body editedAt deletedAt }\n      user { id }\n      conversation { title }\n    }\n  }\n": types.ConversationEventsResumableDocument,
    "\n  mutation AddMembersLive($conversationId: ID!, $userIds: [ID!]!) { addMembers(conversationId: $conversationId, userIds: $userIds) { id } }\n": types.AddMembersLiveDocument,
    "\n  mutation RenameLive($id: ID!, $title: String!) { updateConversation(id: $id, input: { title: $title }) { id } }\n": types.RenameLiveDocument,
    "\n  mutation ReactLive($messageId: ID!, $emoji: String!) { addReaction(messageId: $messageId, emoji: $emoji) { id } }\n": types.ReactLiveDocument,
    "\n  subscription InboxLive($cursor: String) {\n    inbox(cursor: $cursor) {\n      cursor\n      conversationId\n      seq\n      message { id body author { displayName } }\n    }\n  }\n": types.InboxLiveDocument,
    "\n  mutation SetTypingLive($conversationId: ID!, $typing: Boolean!) { setTyping(conversationId: $conversationId, typing: $typing) }\n": types.SetTypingLiveDocument,
    "\n  subscription TypingEventsLive($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) { kind typing expiresAt user { id } }\n  }\n": types.TypingEventsLiveDocument,
    "\n  subscription PresenceChangedLive($userIds: [ID!]!) {\n    presenceChanged(userIds: $userIds) { userId status at }\n  }\n": types.PresenceChangedLiveDocument,
    "\n  subscription NotificationAddedLive {\n    notificationAdded { id kind message { body author { displayName } } }\n  }\n": types.NotificationAddedLiveDocument,
    "\n  subscription MessageAddedForMe($conversationId: ID!) {\n    messageAdded(conversationId: $conversationId) {\n      seq body mentionsMe\n      reactions { emoji count reactedByMe }\n    }\n  }\n": types.MessageAddedForMeDocument,
    "\n  mutation RemoveReactionLive($messageId: ID!, $emoji: String!) { removeReaction(messageId: $messageId, emoji: $emoji) { id } }\n": types.RemoveReactionLiveDocument,
    "\n  mutation ChangeRoleLive($conversationId: ID!, $userId: ID!, $role: MemberRole!) {\n    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role }\n  }\n": types.ChangeRoleLiveDocument,
    "\n  subscription ConversationEventsFilled($conversationId: ID!, $after: Int, $afterEvent: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {\n      kind conversationId seq position emoji\n      message { id seq body deletedAt }\n      user { id handle }\n      conversation { title members { id } memberships { role user { id } } }\n    }\n  }\n": types.ConversationEventsFilledDocument,
    "\n  subscription ConversationEventsReads($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) {\n      kind seq position\n      user { id }\n      conversation { unreadCount mentionCount }\n    }\n  }\n": types.ConversationEventsReadsDocument,
    "\n  subscription ConversationEventsMutes($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) {\n      kind seq\n      conversation { muted mutedUntil }\n    }\n  }\n": types.ConversationEventsMutesDocument,
    "\n  subscription InboxWithoutCursor {\n    inbox { conversationId seq message { body } }\n  }\n": types.InboxWithoutCursorDocument,
    "\n  query Notifications($limit: Int, $after: String) {\n    notifications(limit: $limit, after: $after) {\n      notifications { id kind readAt conversation { id } message { id body author { displayName } } }\n      nextCursor\n    }\n    unreadNotificationCount\n  }\n": types.NotificationsDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!], $all: Boolean) {\n    markNotificationsRead(ids: $ids, all: $all)\n  }\n": types.MarkNotificationsReadDocument,
    "\n  mutation MuteConversation($conversationId: ID!, $until: DateTime) {\n    muteConversation(conversationId: $conversationId, until: $until) { id muted mutedUntil }\n  }\n": types.MuteConversationDocument,
    "\n  mutation UnmuteConversation($conversationId: ID!) {\n    unmuteConversation(conversationId: $conversationId) { id muted mutedUntil }\n  }\n": types.UnmuteConversationDocument,
    "\n  query MuteState($id: ID!) {\n    conversation(id: $id) { id muted mutedUntil unreadCount mentionCount }\n  }\n": types.MuteStateDocument,
    "\n  query MuteTotals {\n    unreadTotal\n    mentionTotal\n    unmutedUnread: unreadTotal(excludeMuted: true)\n    unmutedMentions: mentionTotal(excludeMuted: true)\n  }\n": types.MuteTotalsDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      user { id handle displayName }\n    }\n  }\n": types.RegisterDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) { accessToken refreshToken user { id } }\n  }\n": types.LoginDocument,
    "\n  mutation RefreshToken($token: String!) {\n    refreshToken(refreshToken: $token) { accessToken refreshToken }\n  }\n": types.RefreshTokenDocument,
    "\n  mutation Logout($token: String!) { logout(refreshToken: $token) }\n": types.LogoutDocument,
    "\n  query Me { me { id handle displayName } }\n": types.MeDocument,
    "\n  mutation CreateConversation($input: CreateConversationInput!) {\n    createConversation(input: $input) { id kind title lastSeq members { id handle displayName } }\n  }\n": types.CreateConversationDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) { id seq body clientMsgId conversationId author { id displayName } }\n  }\n": types.SendMessageDocument,
    "\n  query ConversationHistory($id: ID!, $after: Int, $before: Int, $limit: Int) {\n    conversation(id: $id) {\n      id lastSeq unreadCount\n      messages(after: $after, before: $before, limit: $limit) { seq body author { displayName } }\n    }\n  }\n": types.ConversationHistoryDocument,
    "\n  query Conversations { conversations { id kind lastSeq unreadCount } }\n": types.ConversationsDocument,
    "\n  mutation MarkRead($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount } }\n": types.MarkReadDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id seq body editedAt } }\n": types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) { deleteMessage(id: $id) { id seq deletedAt } }\n": types.DeleteMessageDocument,
    "\n  subscription MessageAdded($conversationId: ID!, $after: Int) {\n    messageAdded(conversationId: $conversationId, after: $after) {\n      id seq body clientMsgId createdAt\n      author { id handle displayName }\n    }\n  }\n": types.MessageAddedDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) { accessToken refreshToken user { id } }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation MarkUnread($id: ID!, $seq: Int!) {\n    markUnread(conversationId: $id, seq: $seq) { id unreadCount mentionCount lastReadSeq }\n  }\n": types.MarkUnreadDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) { id displayName statusText avatar { id } }\n  }\n": types.UpdateProfileDocument,
    "\n  query SearchUsers($prefix: String!, $limit: Int) {\n    users(handlePrefix: $prefix, limit: $limit) { id handle displayName statusText }\n  }\n": types.SearchUsersDocument,
    "\n  query UserProfile($id: ID!) {\n    user(id: $id) { id displayName statusText avatar { id } presence { status lastSeenAt } }\n  }\n": types.UserProfileDocument,
    "\n  mutation MembersProfiles($input: CreateConversationInput!) {\n    createConversation(input: $input) { id members { id statusText presence { status } } }\n  }\n": types.MembersProfilesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BlockUser($userId: ID!) { blockUser(userId: $userId) { id handle } }\n"): (typeof documents)["\n  mutation BlockUser($userId: ID!) { blockUser(userId: $userId) { id handle } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnblockUser($userId: ID!) { unblockUser(userId: $userId) { id } }\n"): (typeof documents)["\n  mutation UnblockUser($userId: ID!) { unblockUser(userId: $userId) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BlockedUsers { blockedUsers { id handle } }\n"): (typeof documents)["\n  query BlockedUsers { blockedUsers { id handle } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query BlockedHistory($id: ID!) { conversation(id: $id) { lastSeq } }"): (typeof documents)["query BlockedHistory($id: ID!) { conversation(id: $id) { lastSeq } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query BlockedList { conversations { id } }"): (typeof documents)["query BlockedList { conversations { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PinMessage($messageId: ID!) { pinMessage(messageId: $messageId) { id pinned } }\n"): (typeof documents)["\n  mutation PinMessage($messageId: ID!) { pinMessage(messageId: $messageId) { id pinned } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnpinMessage($messageId: ID!) { unpinMessage(messageId: $messageId) { id pinned } }\n"): (typeof documents)["\n  mutation UnpinMessage($messageId: ID!) { unpinMessage(messageId: $messageId) { id pinned } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Pins($id: ID!) {\n    conversation(id: $id) { pins { pinnedAt pinnedBy { id handle } message { id body pinned author { displayName } } } messages { id pinned } }\n  }\n"): (typeof documents)["\n  query Pins($id: ID!) {\n    conversation(id: $id) { pins { pinnedAt pinnedBy { id handle } message { id body pinned author { displayName } } } messages { id pinned } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Channels($search: String, $limit: Int, $after: String) {\n    channels(search: $search, limit: $limit, after: $after) {\n      channels { id title topic memberCount joined }\n      nextCursor\n    }\n  }\n"): (typeof documents)["\n  query Channels($search: String, $limit: Int, $after: String) {\n    channels(search: $search, limit: $limit, after: $after) {\n      channels { id title topic memberCount joined }\n      nextCursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation JoinChannel($id: ID!) { joinChannel(id: $id) { id title myRole memberCount } }\n"): (typeof documents)["\n  mutation JoinChannel($id: ID!) { joinChannel(id: $id) { id title myRole memberCount } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LeaveConversation($id: ID!) { leaveConversation(id: $id) }\n"): (typeof documents)["\n  mutation LeaveConversation($id: ID!) { leaveConversation(id: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddMembers($conversationId: ID!, $userIds: [ID!]!) {\n    addMembers(conversationId: $conversationId, userIds: $userIds) { id memberCount }\n  }\n"): (typeof documents)["\n  mutation AddMembers($conversationId: ID!, $userIds: [ID!]!) {\n    addMembers(conversationId: $conversationId, userIds: $userIds) { id memberCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($conversationId: ID!, $userId: ID!) {\n    removeMember(conversationId: $conversationId, userId: $userId) { id memberCount }\n  }\n"): (typeof documents)["\n  mutation RemoveMember($conversationId: ID!, $userId: ID!) {\n    removeMember(conversationId: $conversationId, userId: $userId) { id memberCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeRole($conversationId: ID!, $userId: ID!, $role: MemberRole!) {\n    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role joinedAt user { id handle } }\n  }\n"): (typeof documents)["\n  mutation ChangeRole($conversationId: ID!, $userId: ID!, $role: MemberRole!) {\n    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role joinedAt user { id handle } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateConversation($id: ID!, $input: UpdateConversationInput!) {\n    updateConversation(id: $id, input: $input) { id title topic }\n  }\n"): (typeof documents)["\n  mutation UpdateConversation($id: ID!, $input: UpdateConversationInput!) {\n    updateConversation(id: $id, input: $input) { id title topic }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ArchiveConversation($id: ID!) { archiveConversation(id: $id) { id archivedAt } }\n"): (typeof documents)["\n  mutation ArchiveConversation($id: ID!) { archiveConversation(id: $id) { id archivedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnarchiveConversation($id: ID!) { unarchiveConversation(id: $id) { id archivedAt } }\n"): (typeof documents)["\n  mutation UnarchiveConversation($id: ID!) { unarchiveConversation(id: $id) { id archivedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConversationDetails($id: ID!) {\n    conversation(id: $id) {\n      id kind title topic archivedAt myRole memberCount\n      memberships { role joinedAt user { id handle displayName } }\n    }\n  }\n"): (typeof documents)["\n  query ConversationDetails($id: ID!) {\n    conversation(id: $id) {\n      id kind title topic archivedAt myRole memberCount\n      memberships { role joinedAt user { id handle displayName } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendChatMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      id seq body\n      replyTo { id body }\n      mentions { id handle }\n      mentionsMe\n    }\n  }\n"): (typeof documents)["\n  mutation SendChatMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      id seq body\n      replyTo { id body }\n      mentions { id handle }\n      mentionsMe\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddReaction($messageId: ID!, $emoji: String!) {\n    addReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }\n  }\n"): (typeof documents)["\n  mutation AddReaction($messageId: ID!, $emoji: String!) {\n    addReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveReaction($messageId: ID!, $emoji: String!) {\n    removeReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }\n  }\n"): (typeof documents)["\n  mutation RemoveReaction($messageId: ID!, $emoji: String!) {\n    removeReaction(messageId: $messageId, emoji: $emoji) { id reactions { emoji count reactedByMe } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChatHistory($id: ID!, $limit: Int) {\n    conversation(id: $id) {\n      id\n      messages(limit: $limit) {\n        id seq body replyCount mentionsMe\n        author { handle }\n        mentions { handle displayName }\n        reactions { emoji count reactedByMe }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ChatHistory($id: ID!, $limit: Int) {\n    conversation(id: $id) {\n      id\n      messages(limit: $limit) {\n        id seq body replyCount mentionsMe\n        author { handle }\n        mentions { handle displayName }\n        reactions { emoji count reactedByMe }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Thread($id: ID!, $rootId: ID!, $after: Int, $limit: Int) {\n    conversation(id: $id) {\n      thread(rootId: $rootId, after: $after, limit: $limit) { id seq body author { handle } replyTo { id } }\n    }\n  }\n"): (typeof documents)["\n  query Thread($id: ID!, $rootId: ID!, $after: Int, $limit: Int) {\n    conversation(id: $id) {\n      thread(rootId: $rootId, after: $after, limit: $limit) { id seq body author { handle } replyTo { id } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReadState {\n    unreadTotal\n    mentionTotal\n    conversations { id unreadCount mentionCount }\n  }\n"): (typeof documents)["\n  query ReadState {\n    unreadTotal\n    mentionTotal\n    conversations { id unreadCount mentionCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkReadState($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount mentionCount } }\n"): (typeof documents)["\n  mutation MarkReadState($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount mentionCount } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchMessages($query: String!, $conversationId: ID, $limit: Int, $after: String) {\n    searchMessages(query: $query, conversationId: $conversationId, limit: $limit, after: $after) {\n      hits { rank highlight message { id seq conversationId body author { handle displayName } } }\n      nextCursor\n    }\n  }\n"): (typeof documents)["\n  query SearchMessages($query: String!, $conversationId: ID, $limit: Int, $after: String) {\n    searchMessages(query: $query, conversationId: $conversationId, limit: $limit, after: $after) {\n      hits { rank highlight message { id seq conversationId body author { handle displayName } } }\n      nextCursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MembersAmong($id: ID!, $userIds: [ID!]!) { conversation(id: $id) { id membersAmong(userIds: $userIds) } }\n"): (typeof documents)["\n  query MembersAmong($id: ID!, $userIds: [ID!]!) { conversation(id: $id) { id membersAmong(userIds: $userIds) } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HistoryWithTombstones($id: ID!, $limit: Int) {\n    conversation(id: $id) {\n      id lastSeq\n      messages(limit: $limit) {\n        id seq body deletedAt\n        author { id }\n        mentions { id }\n        mentionsMe\n        reactions { emoji count reactedByMe }\n      }\n    }\n  }\n"): (typeof documents)["\n  query HistoryWithTombstones($id: ID!, $limit: Int) {\n    conversation(id: $id) {\n      id lastSeq\n      messages(limit: $limit) {\n        id seq body deletedAt\n        author { id }\n        mentions { id }\n        mentionsMe\n        reactions { emoji count reactedByMe }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMemberLive($conversationId: ID!, $userId: ID!) {\n    removeMember(conversationId: $conversationId, userId: $userId) { id }\n  }\n"): (typeof documents)["\n  mutation RemoveMemberLive($conversationId: ID!, $userId: ID!) {\n    removeMember(conversationId: $conversationId, userId: $userId) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LeaveConversationLive($id: ID!) { leaveConversation(id: $id) }\n"): (typeof documents)["\n  mutation LeaveConversationLive($id: ID!) { leaveConversation(id: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConversationEventsLive($conversationId: ID!, $after: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after) {\n      kind\n      seq\n      at: conversationId\n      emoji\n      message { id seq body editedAt deletedAt author { displayName } }\n      user { id handle }\n      conversation { title }\n    }\n  }\n"): (typeof documents)["\n  subscription ConversationEventsLive($conversationId: ID!, $after: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after) {\n      kind\n      seq\n      at: conversationId\n      emoji\n      message { id seq body editedAt deletedAt author { displayName } }\n      user { id handle }\n      conversation { title }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConversationEventsResumable($conversationId: ID!, $after: Int, $afterEvent: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {\n      kind seq position emoji\n      message { id body editedAt deletedAt }\n      user { id }\n      conversation { title }\n    }\n  }\n"): (typeof documents)["\n  subscription ConversationEventsResumable($conversationId: ID!, $after: Int, $afterEvent: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {\n      kind seq position emoji\n      message { id body editedAt deletedAt }\n      user { id }\n      conversation { title }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddMembersLive($conversationId: ID!, $userIds: [ID!]!) { addMembers(conversationId: $conversationId, userIds: $userIds) { id } }\n"): (typeof documents)["\n  mutation AddMembersLive($conversationId: ID!, $userIds: [ID!]!) { addMembers(conversationId: $conversationId, userIds: $userIds) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenameLive($id: ID!, $title: String!) { updateConversation(id: $id, input: { title: $title }) { id } }\n"): (typeof documents)["\n  mutation RenameLive($id: ID!, $title: String!) { updateConversation(id: $id, input: { title: $title }) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReactLive($messageId: ID!, $emoji: String!) { addReaction(messageId: $messageId, emoji: $emoji) { id } }\n"): (typeof documents)["\n  mutation ReactLive($messageId: ID!, $emoji: String!) { addReaction(messageId: $messageId, emoji: $emoji) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription InboxLive($cursor: String) {\n    inbox(cursor: $cursor) {\n      cursor\n      conversationId\n      seq\n      message { id body author { displayName } }\n    }\n  }\n"): (typeof documents)["\n  subscription InboxLive($cursor: String) {\n    inbox(cursor: $cursor) {\n      cursor\n      conversationId\n      seq\n      message { id body author { displayName } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTypingLive($conversationId: ID!, $typing: Boolean!) { setTyping(conversationId: $conversationId, typing: $typing) }\n"): (typeof documents)["\n  mutation SetTypingLive($conversationId: ID!, $typing: Boolean!) { setTyping(conversationId: $conversationId, typing: $typing) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TypingEventsLive($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) { kind typing expiresAt user { id } }\n  }\n"): (typeof documents)["\n  subscription TypingEventsLive($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) { kind typing expiresAt user { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PresenceChangedLive($userIds: [ID!]!) {\n    presenceChanged(userIds: $userIds) { userId status at }\n  }\n"): (typeof documents)["\n  subscription PresenceChangedLive($userIds: [ID!]!) {\n    presenceChanged(userIds: $userIds) { userId status at }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NotificationAddedLive {\n    notificationAdded { id kind message { body author { displayName } } }\n  }\n"): (typeof documents)["\n  subscription NotificationAddedLive {\n    notificationAdded { id kind message { body author { displayName } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MessageAddedForMe($conversationId: ID!) {\n    messageAdded(conversationId: $conversationId) {\n      seq body mentionsMe\n      reactions { emoji count reactedByMe }\n    }\n  }\n"): (typeof documents)["\n  subscription MessageAddedForMe($conversationId: ID!) {\n    messageAdded(conversationId: $conversationId) {\n      seq body mentionsMe\n      reactions { emoji count reactedByMe }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveReactionLive($messageId: ID!, $emoji: String!) { removeReaction(messageId: $messageId, emoji: $emoji) { id } }\n"): (typeof documents)["\n  mutation RemoveReactionLive($messageId: ID!, $emoji: String!) { removeReaction(messageId: $messageId, emoji: $emoji) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeRoleLive($conversationId: ID!, $userId: ID!, $role: MemberRole!) {\n    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role }\n  }\n"): (typeof documents)["\n  mutation ChangeRoleLive($conversationId: ID!, $userId: ID!, $role: MemberRole!) {\n    changeRole(conversationId: $conversationId, userId: $userId, role: $role) { role }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConversationEventsFilled($conversationId: ID!, $after: Int, $afterEvent: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {\n      kind conversationId seq position emoji\n      message { id seq body deletedAt }\n      user { id handle }\n      conversation { title members { id } memberships { role user { id } } }\n    }\n  }\n"): (typeof documents)["\n  subscription ConversationEventsFilled($conversationId: ID!, $after: Int, $afterEvent: Int) {\n    conversationEvents(conversationId: $conversationId, after: $after, afterEvent: $afterEvent) {\n      kind conversationId seq position emoji\n      message { id seq body deletedAt }\n      user { id handle }\n      conversation { title members { id } memberships { role user { id } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConversationEventsReads($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) {\n      kind seq position\n      user { id }\n      conversation { unreadCount mentionCount }\n    }\n  }\n"): (typeof documents)["\n  subscription ConversationEventsReads($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) {\n      kind seq position\n      user { id }\n      conversation { unreadCount mentionCount }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConversationEventsMutes($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) {\n      kind seq\n      conversation { muted mutedUntil }\n    }\n  }\n"): (typeof documents)["\n  subscription ConversationEventsMutes($conversationId: ID!) {\n    conversationEvents(conversationId: $conversationId) {\n      kind seq\n      conversation { muted mutedUntil }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription InboxWithoutCursor {\n    inbox { conversationId seq message { body } }\n  }\n"): (typeof documents)["\n  subscription InboxWithoutCursor {\n    inbox { conversationId seq message { body } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Notifications($limit: Int, $after: String) {\n    notifications(limit: $limit, after: $after) {\n      notifications { id kind readAt conversation { id } message { id body author { displayName } } }\n      nextCursor\n    }\n    unreadNotificationCount\n  }\n"): (typeof documents)["\n  query Notifications($limit: Int, $after: String) {\n    notifications(limit: $limit, after: $after) {\n      notifications { id kind readAt conversation { id } message { id body author { displayName } } }\n      nextCursor\n    }\n    unreadNotificationCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationsRead($ids: [ID!], $all: Boolean) {\n    markNotificationsRead(ids: $ids, all: $all)\n  }\n"): (typeof documents)["\n  mutation MarkNotificationsRead($ids: [ID!], $all: Boolean) {\n    markNotificationsRead(ids: $ids, all: $all)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MuteConversation($conversationId: ID!, $until: DateTime) {\n    muteConversation(conversationId: $conversationId, until: $until) { id muted mutedUntil }\n  }\n"): (typeof documents)["\n  mutation MuteConversation($conversationId: ID!, $until: DateTime) {\n    muteConversation(conversationId: $conversationId, until: $until) { id muted mutedUntil }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnmuteConversation($conversationId: ID!) {\n    unmuteConversation(conversationId: $conversationId) { id muted mutedUntil }\n  }\n"): (typeof documents)["\n  mutation UnmuteConversation($conversationId: ID!) {\n    unmuteConversation(conversationId: $conversationId) { id muted mutedUntil }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MuteState($id: ID!) {\n    conversation(id: $id) { id muted mutedUntil unreadCount mentionCount }\n  }\n"): (typeof documents)["\n  query MuteState($id: ID!) {\n    conversation(id: $id) { id muted mutedUntil unreadCount mentionCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MuteTotals {\n    unreadTotal\n    mentionTotal\n    unmutedUnread: unreadTotal(excludeMuted: true)\n    unmutedMentions: mentionTotal(excludeMuted: true)\n  }\n"): (typeof documents)["\n  query MuteTotals {\n    unreadTotal\n    mentionTotal\n    unmutedUnread: unreadTotal(excludeMuted: true)\n    unmutedMentions: mentionTotal(excludeMuted: true)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      user { id handle displayName }\n    }\n  }\n"): (typeof documents)["\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      user { id handle displayName }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) { accessToken refreshToken user { id } }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input) { accessToken refreshToken user { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshToken($token: String!) {\n    refreshToken(refreshToken: $token) { accessToken refreshToken }\n  }\n"): (typeof documents)["\n  mutation RefreshToken($token: String!) {\n    refreshToken(refreshToken: $token) { accessToken refreshToken }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($token: String!) { logout(refreshToken: $token) }\n"): (typeof documents)["\n  mutation Logout($token: String!) { logout(refreshToken: $token) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me { me { id handle displayName } }\n"): (typeof documents)["\n  query Me { me { id handle displayName } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateConversation($input: CreateConversationInput!) {\n    createConversation(input: $input) { id kind title lastSeq members { id handle displayName } }\n  }\n"): (typeof documents)["\n  mutation CreateConversation($input: CreateConversationInput!) {\n    createConversation(input: $input) { id kind title lastSeq members { id handle displayName } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) { id seq body clientMsgId conversationId author { id displayName } }\n  }\n"): (typeof documents)["\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) { id seq body clientMsgId conversationId author { id displayName } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConversationHistory($id: ID!, $after: Int, $before: Int, $limit: Int) {\n    conversation(id: $id) {\n      id lastSeq unreadCount\n      messages(after: $after, before: $before, limit: $limit) { seq body author { displayName } }\n    }\n  }\n"): (typeof documents)["\n  query ConversationHistory($id: ID!, $after: Int, $before: Int, $limit: Int) {\n    conversation(id: $id) {\n      id lastSeq unreadCount\n      messages(after: $after, before: $before, limit: $limit) { seq body author { displayName } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Conversations { conversations { id kind lastSeq unreadCount } }\n"): (typeof documents)["\n  query Conversations { conversations { id kind lastSeq unreadCount } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkRead($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount } }\n"): (typeof documents)["\n  mutation MarkRead($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EditMessage($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id seq body editedAt } }\n"): (typeof documents)["\n  mutation EditMessage($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id seq body editedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteMessage($id: ID!) { deleteMessage(id: $id) { id seq deletedAt } }\n"): (typeof documents)["\n  mutation DeleteMessage($id: ID!) { deleteMessage(id: $id) { id seq deletedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MessageAdded($conversationId: ID!, $after: Int) {\n    messageAdded(conversationId: $conversationId, after: $after) {\n      id seq body clientMsgId createdAt\n      author { id handle displayName }\n    }\n  }\n"): (typeof documents)["\n  subscription MessageAdded($conversationId: ID!, $after: Int) {\n    messageAdded(conversationId: $conversationId, after: $after) {\n      id seq body clientMsgId createdAt\n      author { id handle displayName }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) { accessToken refreshToken user { id } }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) { accessToken refreshToken user { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkUnread($id: ID!, $seq: Int!) {\n    markUnread(conversationId: $id, seq: $seq) { id unreadCount mentionCount lastReadSeq }\n  }\n"): (typeof documents)["\n  mutation MarkUnread($id: ID!, $seq: Int!) {\n    markUnread(conversationId: $id, seq: $seq) { id unreadCount mentionCount lastReadSeq }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) { id displayName statusText avatar { id } }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) { id displayName statusText avatar { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchUsers($prefix: String!, $limit: Int) {\n    users(handlePrefix: $prefix, limit: $limit) { id handle displayName statusText }\n  }\n"): (typeof documents)["\n  query SearchUsers($prefix: String!, $limit: Int) {\n    users(handlePrefix: $prefix, limit: $limit) { id handle displayName statusText }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserProfile($id: ID!) {\n    user(id: $id) { id displayName statusText avatar { id } presence { status lastSeenAt } }\n  }\n"): (typeof documents)["\n  query UserProfile($id: ID!) {\n    user(id: $id) { id displayName statusText avatar { id } presence { status lastSeenAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MembersProfiles($input: CreateConversationInput!) {\n    createConversation(input: $input) { id members { id statusText presence { status } } }\n  }\n"): (typeof documents)["\n  mutation MembersProfiles($input: CreateConversationInput!) {\n    createConversation(input: $input) { id members { id statusText presence { status } } }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;