import { assertStorableText, badInput, decodePageCursor, encodePageCursor, notFound } from '@storm/common';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import { isUuid, NOT_FOUND_CONVERSATION, parseId } from '../../errors.js';
import type { MessageRow } from '../../models.js';
import { MESSAGE_COLUMNS } from '../messages/messages.service.js';

/** Longest search query, in characters. */
export const MAX_QUERY_LENGTH = 200;
/** Largest page of search hits. */
export const MAX_SEARCH_PAGE = 50;

export interface SearchHitRow {
  message: MessageRow;
  highlight: string;
  rank: number;
}

interface SearchCursor {
  rank: number;
  createdAt: string;
  id: string;
}

// ts_headline marks matches with two control characters that are stripped
// from the body first, so the highlight can be HTML-escaped afterwards and
// the marks turned into <mark> tags: no user text ever becomes markup.
const START = '\u0001';
const STOP = '\u0002';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function toHtml(headline: string): string {
  return headline
    .replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!)
    .replaceAll(START, '<mark>')
    .replaceAll(STOP, '</mark>');
}

function encodeCursor(cursor: SearchCursor): string {
  return encodePageCursor([cursor.rank, cursor.createdAt, cursor.id]);
}

function decodeCursor(value: unknown): SearchCursor {
  const invalid = () => badInput('after must be a cursor returned by searchMessages()', 'after');
  const decoded = decodePageCursor(value, 3);
  if (!decoded) throw invalid();
  const [rank, createdAt, id] = decoded;
  if (typeof rank !== 'number' || !Number.isFinite(rank) || typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || !isUuid(id)) throw invalid();
  return { rank, createdAt, id: id.toLowerCase() };
}

/** Full-text search over the messages a user can read. */
export class SearchService {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * websearch_to_tsquery accepts any text (no tsquery syntax error is
   * possible) and every value reaches SQL as a bind parameter. The GIN index
   * on body_tsv finds the candidates; membership is a join on the caller's
   * memberships. Keyset pagination on (rank, createdAt, id): ts_rank is
   * deterministic and its float4 value round-trips exactly through JSON.
   */
  async search(
    userId: string,
    args: { query: unknown; conversationId?: unknown; limit?: number | null; after?: unknown },
  ): Promise<{ hits: SearchHitRow[]; nextCursor: string | null }> {
    if (typeof args.query !== 'string') throw badInput('query must be a string', 'query');
    const text = args.query.trim();
    if (text === '') throw badInput('query must not be empty', 'query');
    if ([...text].length > MAX_QUERY_LENGTH) throw badInput(`query must be at most ${MAX_QUERY_LENGTH} characters`, 'query');
    assertStorableText(text, 'query');
    const limit = args.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_PAGE) throw badInput(`limit must be between 1 and ${MAX_SEARCH_PAGE}`, 'limit');
    const conversationId = args.conversationId === null || args.conversationId === undefined ? null : parseId(args.conversationId, 'conversationId');
    const cursor = args.after === null || args.after === undefined ? null : decodeCursor(args.after);

    if (conversationId) {
      const member = await this.prisma.membership.findUnique({ where: { conversationId_userId: { conversationId, userId } }, select: { userId: true } });
      if (!member) throw notFound(NOT_FOUND_CONVERSATION);
    }
    const conditions = [Prisma.sql`m.body_tsv @@ q.query`, Prisma.sql`m.deleted_at IS NULL`];
    if (conversationId) conditions.push(Prisma.sql`m.conversation_id = ${conversationId}::uuid`);
    const rank = Prisma.sql`ts_rank(m.body_tsv, q.query)`;
    if (cursor) {
      conditions.push(
        Prisma.sql`(${rank} < ${cursor.rank}::real OR (${rank} = ${cursor.rank}::real AND (m.created_at, m.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)))`,
      );
    }
    const rows = await this.prisma.$queryRaw<Array<MessageRow & { rank: number; headline: string }>>`
      SELECT ${MESSAGE_COLUMNS}, ${rank} AS rank,
             ts_headline('simple', translate(m.body, ${START + STOP}, ''), q.query,
                         ${`StartSel=${START}, StopSel=${STOP}, MaxFragments=3, MaxWords=24, MinWords=6, FragmentDelimiter=" … "`}) AS headline
      FROM websearch_to_tsquery('simple', ${text}) AS q(query)
      JOIN conversations.messages m ON ${Prisma.join(conditions, ' AND ')}
      JOIN conversations.memberships ms ON ms.conversation_id = m.conversation_id AND ms.user_id = ${userId}::uuid
      ORDER BY rank DESC, m.created_at DESC, m.id DESC
      LIMIT ${limit + 1}`;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor({ rank: last.rank, createdAt: new Date(last.createdAt).toISOString(), id: last.id }) : null;
    return {
      hits: page.map(({ rank: r, headline, ...message }) => ({ message, rank: r, highlight: toHtml(headline) })),
      nextCursor,
    };
  }
}
