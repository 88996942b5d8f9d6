import { badInput, conflict, forbidden, notFound } from '@storm/common';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { parseId } from '../../errors.js';
import type { UserRef } from '../../models.js';
import type { UserDirectory } from '../../user-directory.js';
import type { DirectMembers } from '../conversations/direct-members.js';

/** Most users one user may block. */
export const MAX_BLOCKS = 1_000;

/** What a direct message (or starting a direct conversation) across a block is answered. */
export const BLOCKED_MESSAGE = 'You cannot send direct messages to this user';

/**
 * Blocks between users: a member's own list. A block in either direction
 * stops direct messages between the two (starting a DIRECT conversation and
 * sending in one: FORBIDDEN), and the blocked user's mentions never notify the
 * blocker (NotificationsService.write reads the blocks in the sending
 * transaction). Group conversations and channels they share stay as they are:
 * blocking is not removal. A send that was checked before a block committed
 * may still arrive; the next one is refused.
 */
export class BlocksService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly direct: DirectMembers,
    /** Whether the user to block exists; without one, any UUID can be blocked. */
    private readonly userDirectory?: UserDirectory,
  ) {}

  async block(userId: string, targetArg: unknown): Promise<UserRef> {
    const target = parseId(targetArg, 'userId');
    if (target === userId) throw badInput('You cannot block yourself', 'userId');
    if (this.userDirectory && !(await this.userDirectory.existing([target], userId)).has(target)) throw notFound('User not found');
    await this.prisma.$transaction(async (tx) => {
      // One user's blocks are written one at a time, so the cap holds.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BLOCKS_LOCK_CLASS}::int, hashtext(${userId}))`;
      if (await tx.block.findUnique({ where: { blockerId_blockedId: { blockerId: userId, blockedId: target } } })) return;
      if ((await tx.block.count({ where: { blockerId: userId } })) >= MAX_BLOCKS) throw conflict(`You can block at most ${MAX_BLOCKS} users: unblock someone first`);
      await tx.block.create({ data: { blockerId: userId, blockedId: target } });
    });
    return { __typename: 'User', id: target };
  }

  async unblock(userId: string, targetArg: unknown): Promise<UserRef> {
    const target = parseId(targetArg, 'userId');
    await this.prisma.block.deleteMany({ where: { blockerId: userId, blockedId: target } });
    return { __typename: 'User', id: target };
  }

  /** The users `userId` blocked, most recent first. */
  async list(userId: string): Promise<UserRef[]> {
    const rows = await this.prisma.block.findMany({ where: { blockerId: userId }, orderBy: [{ createdAt: 'desc' }, { blockedId: 'asc' }], select: { blockedId: true } });
    return rows.map((row) => ({ __typename: 'User', id: row.blockedId }));
  }

  /** FORBIDDEN when `userId` and `other` have blocked each other in either direction. */
  async assertNotBlocked(userId: string, other: string): Promise<void> {
    const found = await this.prisma.block.findFirst({
      where: { OR: [{ blockerId: userId, blockedId: other }, { blockerId: other, blockedId: userId }] },
      select: { blockerId: true },
    });
    if (found) throw forbidden(BLOCKED_MESSAGE);
  }

  /** Before a send: FORBIDDEN when the conversation is DIRECT and a block stands between its two members. */
  async assertMaySend(userId: string, conversationId: string): Promise<void> {
    const members = await this.direct.of(conversationId);
    const other = members?.find((id) => id !== userId);
    if (other) await this.assertNotBlocked(userId, other);
  }
}

/** The advisory lock class (pg_advisory_xact_lock(int, int)) of one user's blocks. */
const BLOCKS_LOCK_CLASS = 0x626c; // "bl"
