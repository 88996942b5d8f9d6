import { Prisma, type Conversation, type Membership, type Message } from './generated/prisma/client.js';

/** What a Conversation resolver hands on: the row, only ever given to a member. */
export type ConversationRow = Conversation;

/** What a Message resolver hands on: the row, only ever given to a member of its conversation. */
export type MessageRow = Message;

/** A membership row (Membership resolves `user` from userId). */
export type MembershipRow = Pick<Membership, 'conversationId' | 'userId' | 'role' | 'joinedAt'>;
/** The caller's own membership, with their read position and mute. */
export type MyMembershipRow = MembershipRow & Pick<Membership, 'lastReadSeq' | 'mutedAt' | 'mutedUntil'>;

/** Whether a membership's mute holds at `now` (set, and without an end or with one still ahead). */
export function isMuted(membership: Pick<Membership, 'mutedAt' | 'mutedUntil'>, now = new Date()): boolean {
  return membership.mutedAt !== null && (membership.mutedUntil === null || membership.mutedUntil > now);
}

/** isMuted in SQL, of `conversations.memberships` rows aliased `ms`, at the statement's now(). */
export const MS_MUTED = Prisma.sql`(ms.muted_at IS NOT NULL AND (ms.muted_until IS NULL OR ms.muted_until > now()))`;

/** A channel as the directory lists it (to members and non-members alike). */
export interface ChannelRow {
  id: string;
  title: string | null;
  topic: string | null;
  memberCount: number;
  createdAt: Date;
  joined: boolean;
}

/** A reference to a user of the users subgraph (it resolves the other fields). */
export interface UserRef {
  __typename?: 'User';
  id: string;
}
