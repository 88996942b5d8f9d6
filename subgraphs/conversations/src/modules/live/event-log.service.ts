import { CONVERSATION_EVENT_KIND, conversationEventFacts, type ConversationEvent } from '@storm/bus';
import type { PrismaClient } from '../../generated/prisma/client.js';

/** How long event log entries are kept; a resume from further back must resync. */
export const EVENT_LOG_RETENTION_MS = 7 * 86_400_000;

export interface LogEventRow {
  position: number;
  kind: string;
  seq: number;
  messageId: string | null;
  userId: string | null;
  emoji: string | null;
  at: Date;
}

/** The log of each conversation after `after`, oldest first (the caller checked membership). */
export async function eventLogPages(prisma: PrismaClient, conversationIds: readonly string[], after: number, limit: number): Promise<Map<string, LogEventRow[]>> {
  const rows = await prisma.$queryRaw<Array<{ conversationId: string; position: number; event: string; payload: Record<string, unknown>; createdAt: Date }>>`
    SELECT c.id::text AS "conversationId", e.position, e.event, e.payload, e.created_at AS "createdAt"
    FROM unnest(${[...conversationIds]}::uuid[]) AS c(id)
    CROSS JOIN LATERAL (
      SELECT position, event, payload, created_at FROM conversations.conversation_events
      WHERE conversation_id = c.id AND position > ${after}
      ORDER BY position LIMIT ${limit}
    ) e
    ORDER BY c.id, e.position`;
  const pages = new Map<string, LogEventRow[]>(conversationIds.map((id) => [id, []]));
  for (const row of rows) {
    const event = row.event as ConversationEvent;
    const { seq, messageId, userId, emoji } = conversationEventFacts(event, row.payload);
    pages.get(row.conversationId)?.push({
      position: row.position,
      kind: CONVERSATION_EVENT_KIND[event] ?? row.event,
      seq,
      messageId: messageId ?? null,
      userId: userId ?? null,
      emoji: emoji ?? null,
      at: row.createdAt,
    });
  }
  return pages;
}

/** Deletes entries past the retention period; returns how many. */
export async function pruneEventLog(prisma: PrismaClient): Promise<number> {
  const cutoff = new Date(Date.now() - EVENT_LOG_RETENTION_MS);
  return prisma.$executeRaw`DELETE FROM conversations.conversation_events WHERE created_at < ${cutoff}`;
}
