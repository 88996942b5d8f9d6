import type { TypingService } from './modules/typing/typing.service.js';
import { ErrorCode, IDENTITY_HEADER, verifyIdentity } from '@storm/common';
import { GraphQLError } from 'graphql';
import type { PrismaClient } from './generated/prisma/client.js';
import { requireUser } from './errors.js';
import { BatchLoader } from './loader.js';
import type { RateLimitedAction, RateLimiter } from './rate-limit.js';
import type { ConversationRow, MembershipRow, MessageRow, MyMembershipRow, UserRef } from './models.js';
import type { MembersService } from './modules/members/members.service.js';
import type { ReactionGroupRow, ReactionsService } from './modules/reactions/reactions.service.js';
import type { PinRow, PinsService } from './modules/pins/pins.service.js';
import type { BlocksService } from './modules/blocks/blocks.service.js';
import type { SearchService } from './modules/search/search.service.js';
import type { NotificationsService } from './modules/notifications/notifications.service.js';
import type { ConversationsService, Totals } from './modules/conversations/conversations.service.js';
import { pageKey, type MessagesService, type PageArgs } from './modules/messages/messages.service.js';

/** Per-request batch loaders; every one is scoped to the caller (membership-checked). */
export interface ConversationsLoaders {
  /** Conversations of the caller by id (absent: not found or not a member). */
  conversation: BatchLoader<string, ConversationRow>;
  /** Messages of the caller's conversations by id. */
  message: BatchLoader<string, MessageRow>;
  members: BatchLoader<string, UserRef[]>;
  memberships: BatchLoader<string, MembershipRow[]>;
  /** The caller's own membership per conversation. */
  myMembership: BatchLoader<string, MyMembershipRow>;
  /** Whether a (conversation, user) pair (`pairKey`) is a membership: for `membersAmong`, not scoped to the caller. */
  isMember: BatchLoader<string, true>;
  unreadCount: BatchLoader<string, number>;
  mentionCount: BatchLoader<string, number>;
  /** The caller's totals over all conversations, computed once per request. */
  totals(): Promise<Totals>;
  reactions: BatchLoader<string, ReactionGroupRow[]>;
  /** The live pins per conversation, newest first. */
  pins: BatchLoader<string, PinRow[]>;
  /** Which messages are pinned. */
  pinned: BatchLoader<string, true>;
  replyCount: BatchLoader<string, number>;
  /** Mentioned user ids per message. */
  mentions: BatchLoader<string, string[]>;
  /** One loader per distinct (after, before, limit). */
  messagePage(page: PageArgs): Pick<BatchLoader<string, MessageRow[]>, 'load'>;
}

export interface ConversationsContext {
  /** null: an anonymous caller (the router forwards those too); every operation here refuses it. */
  userId: string | null;
  /** The router vouched for membership (a batched subscription read): see Identity.membershipVouched. */
  membershipVouched: boolean;
  prisma: PrismaClient;
  conversations: ConversationsService;
  messages: MessagesService;
  members: MembersService;
  reactions: ReactionsService;
  pins: PinsService;
  blocks: BlocksService;
  search: SearchService;
  typing: TypingService;
  notifications: NotificationsService;
  /** Takes a token of the caller's bucket for `action` (before any write), or rejects with RATE_LIMITED. */
  rateLimit(action: RateLimitedAction): Promise<void>;
  loaders: ConversationsLoaders;
  /** New, empty loaders for this caller (each mutation field starts with nothing cached: schema.ts). */
  freshLoaders(): ConversationsLoaders;
}

export interface ContextDeps {
  prisma: PrismaClient;
  identityKey: Uint8Array;
  conversations: ConversationsService;
  messages: MessagesService;
  members: MembersService;
  reactions: ReactionsService;
  pins: PinsService;
  blocks: BlocksService;
  search: SearchService;
  typing: TypingService;
  notifications: NotificationsService;
  /** Absent: no rate limits. */
  limiter?: RateLimiter;
}

/** No user has this id: what viewer-dependent loaders see under a vouched read. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

/** A vouched read asked for a field whose value depends on the viewer: the router never does; refuse rather than answer for someone. */
function viewerOnly(): never {
  throw new GraphQLError('This field depends on the viewer and cannot be read in a vouched batch', { extensions: { code: ErrorCode.Forbidden } });
}

export function createLoaders(
  userId: string,
  conversations: ConversationsService,
  messages: MessagesService,
  reactions: ReactionsService,
  pins: PinsService,
  /** Identity.membershipVouched: conversations are read without `userId`'s membership check, and nothing is computed for `userId`. */
  membershipVouched = false,
): ConversationsLoaders {
  const pages = new Map<string, BatchLoader<string, MessageRow[]>>();
  const afterPages = new Map<string, BatchLoader<string, MessageRow[]>>();
  let totals: Promise<Totals> | undefined;
  if (membershipVouched) {
    return {
      ...createLoaders(NOBODY, conversations, messages, reactions, pins),
      conversation: new BatchLoader((ids) => conversations.byIds(ids)),
      myMembership: new BatchLoader(async () => viewerOnly()),
      unreadCount: new BatchLoader(async () => viewerOnly()),
      mentionCount: new BatchLoader(async () => viewerOnly()),
      totals: async () => viewerOnly(),
    };
  }
  return {
    conversation: new BatchLoader((ids) => conversations.byIdsForMember(ids, userId)),
    message: new BatchLoader((ids) => messages.byIdsForMember(ids, userId)),
    members: new BatchLoader((ids) => conversations.membersOf(ids)),
    memberships: new BatchLoader((ids) => conversations.membershipsOf(ids)),
    myMembership: new BatchLoader((ids) => conversations.membershipsOfUser(ids, userId)),
    isMember: new BatchLoader((pairs) => conversations.memberPairs(pairs)),
    reactions: new BatchLoader((ids) => reactions.groups(ids, userId)),
    pins: new BatchLoader((ids) => pins.pinsOf(ids)),
    pinned: new BatchLoader((ids) => pins.pinned(ids)),
    replyCount: new BatchLoader((ids) => messages.replyCounts(ids)),
    mentions: new BatchLoader((ids) => messages.mentionsOf(ids)),
    unreadCount: new BatchLoader((ids) => conversations.unreadCounts(ids, userId)),
    mentionCount: new BatchLoader((ids) => conversations.mentionCounts(ids, userId)),
    totals() {
      totals ??= conversations.totals(requireUser(userId));
      return totals;
    },
    messagePage(page) {
      // `after` alone (the router's subscription reads, one position per conversation):
      // every conversation of the request in one statement, whatever its position.
      if (page.after !== null && page.after !== undefined && (page.before === null || page.before === undefined)) {
        const key = `after|${page.limit}`;
        let byPair = afterPages.get(key);
        if (!byPair) {
          const limit = page.limit;
          byPair = new BatchLoader((pairs: string[]) =>
            messages.pagesAfter(
              pairs.map((pair) => {
                const cut = pair.lastIndexOf('|');
                return { conversationId: pair.slice(0, cut), after: Number(pair.slice(cut + 1)) };
              }),
              limit,
            ),
          );
          afterPages.set(key, byPair);
        }
        const pairs = byPair;
        const after = page.after;
        return { load: (conversationId: string) => pairs.load(pageKey(conversationId, after)) };
      }
      const key = `${page.after ?? ''}|${page.before ?? ''}|${page.limit}`;
      let loader = pages.get(key);
      if (!loader) {
        loader = new BatchLoader((ids) => messages.pages(ids, page));
        pages.set(key, loader);
      }
      return loader;
    },
  };
}

/** HTTP 401 and nothing executes: the request did not come through the router. */
function refused(): GraphQLError {
  return new GraphQLError('A valid identity assertion is required', {
    extensions: { code: ErrorCode.Unauthenticated, http: { status: 401 } },
  });
}

/**
 * Builds the context from the router-signed `x-storm-identity` header; a
 * request without a valid one is refused before anything runs.
 */
export function createContextFactory(deps: ContextDeps) {
  return async ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }): Promise<ConversationsContext> => {
    const token = req.headers[IDENTITY_HEADER];
    if (typeof token !== 'string' || token === '') throw refused();
    let userId: string | null;
    let membershipVouched: boolean;
    try {
      const identity = await verifyIdentity(token, deps.identityKey);
      userId = identity.userId;
      membershipVouched = identity.membershipVouched === true;
    } catch {
      throw refused();
    }
    const loaders = () => createLoaders((userId ?? '').toLowerCase(), deps.conversations, deps.messages, deps.reactions, deps.pins, membershipVouched);
    return {
      userId,
      membershipVouched,
      prisma: deps.prisma,
      conversations: deps.conversations,
      messages: deps.messages,
      members: deps.members,
      reactions: deps.reactions,
      pins: deps.pins,
      blocks: deps.blocks,
      search: deps.search,
      typing: deps.typing,
      notifications: deps.notifications,
      async rateLimit(action) {
        if (deps.limiter && userId) await deps.limiter.take(action, userId.toLowerCase());
      },
      loaders: loaders(),
      freshLoaders: loaders,
    };
  };
}
