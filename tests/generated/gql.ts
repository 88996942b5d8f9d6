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
};
const documents: Documents = {
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

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;