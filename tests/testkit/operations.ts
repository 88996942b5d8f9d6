// The operations the end-to-end tests send, typed by codegen's client preset
// (`npm run codegen` → tests/generated). Written as a client would write them.
import { graphql } from '../generated/index.js';

export const Register = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      refreshToken
      user { id handle displayName }
    }
  }
`);

export const Login = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) { accessToken refreshToken user { id } }
  }
`);

export const RefreshToken = graphql(`
  mutation RefreshToken($token: String!) {
    refreshToken(refreshToken: $token) { accessToken refreshToken }
  }
`);

export const Logout = graphql(`
  mutation Logout($token: String!) { logout(refreshToken: $token) }
`);

export const Me = graphql(`
  query Me { me { id handle displayName } }
`);

export const CreateConversation = graphql(`
  mutation CreateConversation($input: CreateConversationInput!) {
    createConversation(input: $input) { id kind title lastSeq members { id handle displayName } }
  }
`);

export const SendMessage = graphql(`
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) { id seq body clientMsgId conversationId author { id displayName } }
  }
`);

export const ConversationHistory = graphql(`
  query ConversationHistory($id: ID!, $after: Int, $before: Int, $limit: Int) {
    conversation(id: $id) {
      id lastSeq unreadCount
      messages(after: $after, before: $before, limit: $limit) { seq body author { displayName } }
    }
  }
`);

export const Conversations = graphql(`
  query Conversations { conversations { id kind lastSeq unreadCount } }
`);

export const MarkRead = graphql(`
  mutation MarkRead($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount } }
`);

export const EditMessage = graphql(`
  mutation EditMessage($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id seq body editedAt } }
`);

export const DeleteMessage = graphql(`
  mutation DeleteMessage($id: ID!) { deleteMessage(id: $id) { id seq deletedAt } }
`);

export const MessageAdded = graphql(`
  subscription MessageAdded($conversationId: ID!, $after: Int) {
    messageAdded(conversationId: $conversationId, after: $after) {
      id seq body clientMsgId createdAt
      author { id handle displayName }
    }
  }
`);

export const ChangePassword = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) { accessToken refreshToken user { id } }
  }
`);

export const MarkUnread = graphql(`
  mutation MarkUnread($id: ID!, $seq: Int!) {
    markUnread(conversationId: $id, seq: $seq) { id unreadCount mentionCount lastReadSeq }
  }
`);
