import type { GraphQLError } from 'graphql';
import { badInput, ErrorCode, NOT_FOUND_CONVERSATION, notFound, unavailable } from '@storm/common';
import { paddedSlots, toError, TurnBatches } from './batch-query.js';
import type { Executor } from './engine.js';

/** A conversation's head when a subscription opens: where its live stream starts. */
export interface Head {
  lastSeq: number;
  lastEvent: number;
}

/** What the opens of a head read that failed are told. */
const UNREADABLE = 'Could not read the conversation; subscribe again';

/** Most user ids in one read: the conversations subgraph's bound on `membersAmong`. */
export const MAX_HEAD_USERS = 1_000;

interface HeadSlot {
  conversationId: string;
  userId: string;
  resolve: (head: Head) => void;
  reject: (err: GraphQLError) => void;
}

/** Response key of conversation `i` in a batched head read. */
function headAlias(i: number): string {
  return `h${i}`;
}

/**
 * `query StormSubscriptionHeads<n>($c0: ID!, $u0: [ID!]!, …) { h0: conversation(id: $c0)
 * { lastSeq lastEvent members: membersAmong(userIds: $u0) } … }`: the heads of
 * `slots` conversations and which of the users asking are their members.
 */
export function batchHeadQuery(slots: number): string {
  const variables: string[] = [];
  const fields: string[] = [];
  for (let i = 0; i < slots; i++) {
    variables.push(`$c${i}: ID!`, `$u${i}: [ID!]!`);
    fields.push(`${headAlias(i)}: conversation(id: $c${i}) { lastSeq lastEvent members: membersAmong(userIds: $u${i}) }`);
  }
  return `query StormSubscriptionHeads${slots}(${variables.join(', ')}) { ${fields.join(' ')} }`;
}

/**
 * The head reads that authorize subscription opens, batched: opens that ask
 * within one turn of the event loop (a reconnect storm, an inbox opening its
 * conversations) are answered by one read of up to `maxConversations`
 * conversations and MAX_HEAD_USERS users, at most `concurrency` reads in
 * flight; opens that ask meanwhile queue, in arrival order, and leave with the
 * next read. The read is vouched (it names no caller's membership): the
 * conversations subgraph answers, per conversation, which of the asking users
 * are members, and a user who is not is told NOT_FOUND exactly as a head read
 * as that user would be (conversation(id) does not tell "not yours" from
 * "does not exist"). One read per burst instead of one gateway request, one
 * subgraph request and one SQL query per subscribe.
 */
export class HeadBatcher {
  private readonly batches: TurnBatches<HeadSlot>;
  private readonly queries = new Map<number, string>();

  constructor(
    private readonly execute: Executor,
    private readonly maxConversations: number,
    concurrency: number,
    /** Checked as each read leaves: true once the router is shutting down. */
    private readonly closed: () => boolean,
  ) {
    this.batches = new TurnBatches(concurrency, (waiting) => this.batchSize(waiting), (slots) => this.run(slots));
  }

  /** Reads in flight and opens waiting for one, for tests. */
  get load(): { inFlight: number; queued: number } {
    return this.batches.load;
  }

  /** The conversation's head if `userId` is a member; rejects with NOT_FOUND otherwise, UNAVAILABLE if it could not be read. */
  read(conversationId: string, userId: string): Promise<Head> {
    return new Promise((resolve, reject) => this.batches.push({ conversationId, userId, resolve, reject }));
  }

  /** How many of the oldest waiting opens the next read takes: up to maxConversations distinct conversations and MAX_HEAD_USERS opens. */
  private batchSize(waiting: readonly HeadSlot[]): number {
    const conversations = new Set<string>();
    let n = 0;
    while (n < waiting.length && n < MAX_HEAD_USERS) {
      const id = waiting[n]!.conversationId;
      if (!conversations.has(id)) {
        if (conversations.size === this.maxConversations) break;
        conversations.add(id);
      }
      n++;
    }
    return n;
  }

  private async run(slots: HeadSlot[]): Promise<void> {
    if (this.closed()) {
      const err = unavailable('The router is shutting down');
      for (const slot of slots) slot.reject(err);
      return;
    }
    const byConversation = new Map<string, HeadSlot[]>();
    for (const slot of slots) {
      const list = byConversation.get(slot.conversationId);
      if (list) list.push(slot);
      else byConversation.set(slot.conversationId, [slot]);
    }
    const groups = [...byConversation];
    const size = paddedSlots(groups.length, this.maxConversations);
    const variables: Record<string, unknown> = {};
    groups.forEach(([conversationId, list], i) => {
      variables[`c${i}`] = conversationId;
      variables[`u${i}`] = [...new Set(list.map((s) => s.userId))];
    });
    // Padding slots repeat the last conversation and user: the subgraph's loaders read each once.
    for (let i = groups.length; i < size; i++) {
      variables[`c${i}`] = variables[`c${groups.length - 1}`];
      variables[`u${i}`] = [slots[slots.length - 1]!.userId];
    }
    let response: Awaited<ReturnType<Executor>>;
    try {
      response = await this.execute(this.query(size), variables, slots[0]!.userId, { vouched: true });
    } catch {
      const err = unavailable(UNREADABLE);
      for (const slot of slots) slot.reject(err);
      return;
    }
    groups.forEach(([, list], i) => {
      const alias = headAlias(i);
      const error = response.errors?.find((e) => e.path === undefined || e.path.length === 0 || e.path[0] === alias);
      const head = response.data?.[alias] as { lastSeq?: unknown; lastEvent?: unknown; members?: unknown } | null | undefined;
      if (error || (head && !Array.isArray(head.members))) {
        // As the subgraph said it: NOT_FOUND for a conversation that does not exist, BAD_USER_INPUT for a malformed id.
        const err = error ? asClientArgument(toError(error)) : unavailable(UNREADABLE);
        for (const slot of list) slot.reject(err);
        return;
      }
      const members = new Set((head?.members as string[] | undefined) ?? []);
      for (const slot of list) {
        if (!head || typeof head.lastSeq !== 'number' || !members.has(slot.userId.toLowerCase())) slot.reject(notFound(NOT_FOUND_CONVERSATION));
        else slot.resolve({ lastSeq: head.lastSeq, lastEvent: typeof head.lastEvent === 'number' ? head.lastEvent : 0 });
      }
    });
  }

  private query(slots: number): string {
    let query = this.queries.get(slots);
    if (!query) this.queries.set(slots, (query = batchHeadQuery(slots)));
    return query;
  }
}

/**
 * The subgraph names the argument of its own field (`conversation(id:)`); the
 * client sent that value as the subscription's `conversationId`, its only input
 * to this read, so a BAD_USER_INPUT about `id` is about `conversationId`.
 */
function asClientArgument(err: GraphQLError): GraphQLError {
  if (err.extensions.code !== ErrorCode.BadUserInput || err.extensions.field !== 'id') return err;
  return badInput(err.message.replace(/^id\b/, 'conversationId'), 'conversationId');
}
