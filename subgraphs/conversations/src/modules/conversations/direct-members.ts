import type { PrismaClient } from '../../generated/prisma/client.js';

/** Bounded, small: DIRECT conversations never change kind or members. */
const KIND_CACHE_SIZE = 10_000;

/**
 * The two members of a DIRECT conversation, or null for any other kind,
 * cached (both never change): what notifications (a direct message notifies
 * its recipient) and blocks (no direct message to someone who blocked you)
 * ask before a send.
 */
export class DirectMembers {
  private readonly cache = new Map<string, string[] | null>();

  constructor(private readonly prisma: PrismaClient) {}

  async of(conversationId: string): Promise<string[] | null> {
    const cached = this.cache.get(conversationId);
    if (cached !== undefined) return cached;
    const rows = await this.prisma.$queryRaw<Array<{ kind: string; userId: string | null }>>`
      SELECT c.kind::text AS kind, ms.user_id::text AS "userId"
      FROM conversations.conversations c
      LEFT JOIN conversations.memberships ms ON ms.conversation_id = c.id AND c.kind = 'DIRECT'
      WHERE c.id = ${conversationId}::uuid`;
    if (rows.length === 0) return null; // unknown: the send will answer NOT_FOUND; do not cache
    const members = rows[0]!.kind === 'DIRECT' ? rows.flatMap((row) => (row.userId ? [row.userId] : [])) : null;
    if (this.cache.size >= KIND_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(conversationId, members);
    return members;
  }
}
