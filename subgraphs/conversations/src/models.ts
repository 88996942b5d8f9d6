import type { Conversation, Message } from './generated/prisma/client.js';

/** What a Conversation resolver hands on: the row, only ever given to a member. */
export type ConversationRow = Conversation;
/** What a Message resolver hands on: the row, only ever given to a member of its conversation. */
export type MessageRow = Message;
/** A reference to a user of the users subgraph (it resolves the other fields). */
export interface UserRef {
  __typename?: 'User';
  id: string;
}
