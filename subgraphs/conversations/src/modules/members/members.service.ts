import { ConversationEvent, UserEvent, type MembershipEventPayload, type Topics } from '@storm/bus';
import { badInput, conflict, ErrorCode, forbidden, notFound, unavailable } from '@storm/common';
import { GraphQLError } from 'graphql';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { ConversationKind, MemberRole } from '../../generated/prisma/enums.js';
import { mapDbError, NOT_FOUND_CONVERSATION, parseId } from '../../errors.js';
import type { ConversationRow, MembershipRow } from '../../models.js';
import type { UserDirectory } from '../../user-directory.js';
import { CONVERSATION_COLUMNS, MAX_MEMBERS } from '../conversations/conversations.service.js';
import { writeOutboxMany } from '../outbox/outbox.service.js';

export const NOT_FOUND_MEMBER = 'Member not found';

/**
 * Interactive transactions wait for a pooled connection and then must finish;
 * bounded so an overloaded database answers UNAVAILABLE instead of hanging.
 */
export const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

const RANK: Record<MemberRole, number> = { OWNER: 3, ADMIN: 2, MEMBER: 1 };

/** The conversation row, locked, and the caller's role in it (null: not a member). */
export interface LockedConversation {
  conversation: ConversationRow;
  role: MemberRole | null;
}

/**
 * Locks the conversation row (FOR UPDATE) for the rest of the transaction.
 * Every membership and settings change takes this lock first, so changes to
 * one conversation are serialised: "the last owner" and "at most 1,000
 * members" are checked against a state nobody else can change before the
 * commit. Senders take the same row lock to bump lastSeq, so `lastSeq` read
 * here is exact: a removed member's last visible message is at most it.
 */
export async function lockConversation(tx: Prisma.TransactionClient, conversationId: string, userId: string): Promise<LockedConversation | null> {
  const [conversation] = await tx.$queryRaw<ConversationRow[]>`
    SELECT ${CONVERSATION_COLUMNS} FROM conversations.conversations c WHERE c.id = ${conversationId}::uuid FOR UPDATE`;
  if (!conversation) return null;
  const member = await tx.membership.findUnique({
    where: { conversationId_userId: { conversationId, userId } },
    select: { role: true },
  });
  return { conversation, role: member?.role ?? null };
}

/**
 * Outbox rows for membership changes: one on the conversation subject and
 * one on the affected user's `membership` subject per change. The router
 * acts on the user subject (stop deliveries to a removed member at once,
 * add a joined conversation to the user's streams); clients of the
 * conversation see the conversation one.
 */
export function membershipEvents(
  topics: Topics,
  changes: Array<{ event: MembershipEventPayload['event']; userId: string; role: MemberRole | null }>,
  conversation: Pick<ConversationRow, 'id' | 'lastSeq'>,
  actorId: string,
): Array<{ subject: string; payload: MembershipEventPayload }> {
  const committedAt = new Date().toISOString();
  return changes.flatMap(({ event, userId, role }) => {
    const payload: MembershipEventPayload = {
      event,
      conversationId: conversation.id,
      userId,
      role,
      actorId,
      lastSeq: conversation.lastSeq,
      committedAt,
    };
    return [
      { subject: topics.conversation(conversation.id, event), payload },
      { subject: topics.user(userId, UserEvent.Membership), payload },
    ];
  });
}

function parseRole(value: unknown): MemberRole {
  if (value === MemberRole.OWNER || value === MemberRole.ADMIN || value === MemberRole.MEMBER) return value;
  throw badInput('role must be OWNER, ADMIN or MEMBER', 'role');
}

function refuseDirect(conversation: ConversationRow): void {
  if (conversation.kind === ConversationKind.DIRECT) throw conflict('A direct conversation’s members and settings are fixed');
}

/**
 * Joining, leaving, adding, removing and role changes. Each runs in one
 * transaction under the conversation's row lock and writes its outbox events
 * in it: an event exists if and only if the change committed.
 */
export class MembersService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly userDirectory: UserDirectory,
    private readonly topics: Topics,
    /** Called after a commit that wrote outbox rows (kicks the relay). */
    private readonly onCommitted: () => void = () => {},
  ) {}

  /** Runs `fn` in a transaction; kicks the relay when it reports writing events. */
  private async run<T>(fn: (tx: Prisma.TransactionClient) => Promise<{ result: T; changed: boolean }>): Promise<T> {
    try {
      const { result, changed } = await this.prisma.$transaction(fn, TX_OPTIONS);
      if (changed) this.onCommitted();
      return result;
    } catch (err) {
      throw mapDbError(err);
    }
  }

  async join(userId: string, idArg: unknown): Promise<ConversationRow> {
    const id = parseId(idArg, 'id');
    return this.run(async (tx) => {
      const locked = await lockConversation(tx, id, userId);
      if (!locked) throw notFound(NOT_FOUND_CONVERSATION);
      const { conversation, role } = locked;
      if (role) return { result: conversation, changed: false };
      if (conversation.kind !== ConversationKind.CHANNEL) throw notFound(NOT_FOUND_CONVERSATION);
      if (conversation.archivedAt) throw conflict('This channel is archived');
      if ((await tx.membership.count({ where: { conversationId: id } })) >= MAX_MEMBERS) {
        throw conflict(`This channel is full (${MAX_MEMBERS} members)`);
      }
      // The history a member finds on joining is not news: unread starts after it (as in Slack).
      await tx.membership.create({ data: { conversationId: id, userId, role: MemberRole.MEMBER, lastReadSeq: conversation.lastSeq } });
      await writeOutboxMany(tx, membershipEvents(this.topics, [{ event: ConversationEvent.MemberAdded, userId, role: MemberRole.MEMBER }], conversation, userId));
      return { result: conversation, changed: true };
    });
  }

  async leave(userId: string, idArg: unknown): Promise<string> {
    const id = parseId(idArg, 'id');
    return this.run(async (tx) => {
      const locked = await lockConversation(tx, id, userId);
      if (!locked?.role) throw notFound(NOT_FOUND_CONVERSATION);
      const { conversation, role } = locked;
      refuseDirect(conversation);
      const others = await tx.membership.groupBy({
        by: ['role'],
        where: { conversationId: id, userId: { not: userId } },
        _count: { _all: true },
      });
      const othersCount = others.reduce((sum, g) => sum + g._count._all, 0);
      const otherOwners = others.find((g) => g.role === MemberRole.OWNER)?._count._all ?? 0;
      if (role === MemberRole.OWNER && otherOwners === 0 && othersCount > 0) {
        throw conflict('The last owner cannot leave: make another member OWNER first (changeRole)');
      }
      await tx.membership.delete({ where: { conversationId_userId: { conversationId: id, userId } } });
      // Nobody left to own it: archived, so a channel nobody runs leaves the directory.
      if (othersCount === 0 && !conversation.archivedAt) {
        await tx.conversation.update({ where: { id }, data: { archivedAt: new Date() } });
      }
      await writeOutboxMany(tx, membershipEvents(this.topics, [{ event: ConversationEvent.MemberRemoved, userId, role: null }], conversation, userId));
      return { result: id, changed: true };
    });
  }

  async add(userId: string, conversationIdArg: unknown, userIdsArg: unknown): Promise<ConversationRow> {
    const conversationId = parseId(conversationIdArg, 'conversationId');
    if (!Array.isArray(userIdsArg)) throw badInput('userIds must be a list', 'userIds');
    if (userIdsArg.length > MAX_MEMBERS) throw badInput(`A conversation has at most ${MAX_MEMBERS} members`, 'userIds');
    const asked = [...new Set(userIdsArg.map((id) => parseId(id, 'userIds')))];

    // Checked before the transaction (it is a network call), against
    // existence only; who may add is decided under the lock.
    const current = await this.prisma.membership.findMany({ where: { conversationId, userId: { in: [userId, ...asked] } }, select: { userId: true } });
    if (!current.some((m) => m.userId === userId)) throw notFound(NOT_FOUND_CONVERSATION);
    const candidates = asked.filter((id) => !current.some((m) => m.userId === id));
    if (candidates.length > 0) {
      const known = await this.existingUsers(candidates, userId);
      const unknown = candidates.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new GraphQLError(`Unknown users: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`, {
          extensions: { code: ErrorCode.BadUserInput, field: 'userIds', unknownIds: unknown.slice(0, 50) },
        });
      }
    }

    return this.run(async (tx) => {
      const locked = await lockConversation(tx, conversationId, userId);
      if (!locked?.role) throw notFound(NOT_FOUND_CONVERSATION);
      const { conversation, role } = locked;
      refuseDirect(conversation);
      if (RANK[role] < RANK.ADMIN) throw forbidden('Only admins and owners can add members');
      if (conversation.archivedAt) throw conflict('This conversation is archived');
      const existing = new Set(
        (await tx.membership.findMany({ where: { conversationId, userId: { in: candidates } }, select: { userId: true } })).map((m) => m.userId),
      );
      const added = candidates.filter((id) => !existing.has(id));
      if (added.length === 0) return { result: conversation, changed: false };
      const count = await tx.membership.count({ where: { conversationId } });
      if (count + added.length > MAX_MEMBERS) throw badInput(`A conversation has at most ${MAX_MEMBERS} members`, 'userIds');
      // Added members start with the history read, as joiners do: unread is what comes after.
      await tx.membership.createMany({ data: added.map((id) => ({ conversationId, userId: id, role: MemberRole.MEMBER, lastReadSeq: conversation.lastSeq })) });
      await writeOutboxMany(
        tx,
        membershipEvents(this.topics, added.map((id) => ({ event: ConversationEvent.MemberAdded, userId: id, role: MemberRole.MEMBER })), conversation, userId),
      );
      return { result: conversation, changed: true };
    });
  }

  async remove(userId: string, conversationIdArg: unknown, targetArg: unknown): Promise<ConversationRow> {
    const conversationId = parseId(conversationIdArg, 'conversationId');
    const target = parseId(targetArg, 'userId');
    if (target === userId) throw badInput('To remove yourself, use leaveConversation', 'userId');
    return this.run(async (tx) => {
      const locked = await lockConversation(tx, conversationId, userId);
      if (!locked?.role) throw notFound(NOT_FOUND_CONVERSATION);
      const { conversation, role } = locked;
      refuseDirect(conversation);
      if (RANK[role] < RANK.ADMIN) throw forbidden('Only admins and owners can remove members');
      const targetRole = await this.roleOf(tx, conversationId, target);
      if (targetRole === MemberRole.OWNER && role !== MemberRole.OWNER) throw forbidden('Only owners can remove an owner');
      await tx.membership.delete({ where: { conversationId_userId: { conversationId, userId: target } } });
      await writeOutboxMany(tx, membershipEvents(this.topics, [{ event: ConversationEvent.MemberRemoved, userId: target, role: null }], conversation, userId));
      return { result: conversation, changed: true };
    });
  }

  async changeRole(userId: string, conversationIdArg: unknown, targetArg: unknown, roleArg: unknown): Promise<MembershipRow> {
    const conversationId = parseId(conversationIdArg, 'conversationId');
    const target = parseId(targetArg, 'userId');
    const newRole = parseRole(roleArg);
    return this.run(async (tx) => {
      const locked = await lockConversation(tx, conversationId, userId);
      if (!locked?.role) throw notFound(NOT_FOUND_CONVERSATION);
      const { conversation, role } = locked;
      refuseDirect(conversation);
      if (role !== MemberRole.OWNER) throw forbidden('Only owners can change roles');
      const current = await tx.membership.findUnique({
        where: { conversationId_userId: { conversationId, userId: target } },
        select: { conversationId: true, userId: true, role: true, joinedAt: true },
      });
      if (!current) throw notFound(NOT_FOUND_MEMBER);
      if (current.role === newRole) return { result: current, changed: false };
      if (current.role === MemberRole.OWNER) {
        const owners = await tx.membership.count({ where: { conversationId, role: MemberRole.OWNER } });
        if (owners === 1) throw conflict('The last owner cannot be demoted: make another member OWNER first');
      }
      const updated = await tx.membership.update({
        where: { conversationId_userId: { conversationId, userId: target } },
        data: { role: newRole },
        select: { conversationId: true, userId: true, role: true, joinedAt: true },
      });
      await writeOutboxMany(tx, membershipEvents(this.topics, [{ event: ConversationEvent.RoleChanged, userId: target, role: newRole }], conversation, userId));
      return { result: updated, changed: true };
    });
  }

  private async roleOf(tx: Prisma.TransactionClient, conversationId: string, userId: string): Promise<MemberRole> {
    const row = await tx.membership.findUnique({ where: { conversationId_userId: { conversationId, userId } }, select: { role: true } });
    if (!row) throw notFound(NOT_FOUND_MEMBER);
    return row.role;
  }

  private async existingUsers(ids: string[], asUserId: string): Promise<Set<string>> {
    try {
      return await this.userDirectory.existing(ids, asUserId);
    } catch (err) {
      if (err instanceof GraphQLError) throw err;
      throw unavailable('The user directory is unavailable; retry later', err);
    }
  }
}
