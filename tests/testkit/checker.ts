// The queue checker's parts (tests/delivery-checker.e2e.ts, tests/replica-kill.e2e.ts): a
// follower that records every delivery and resumes elsewhere with its cursor, and the check
// that nothing acknowledged is lost or duplicated and seq strictly increases.
import { print } from 'graphql';
import { expect } from 'vitest';
import { ok, wsClient } from './client.js';
import { ConversationEventsResumable, Inbox, ReactLive } from './live-operations.js';
import { MessageAdded, SendMessage } from './operations.js';
import type { TestUser } from './users.js';

export interface Delivery {
  seq: number;
  id: string;
}

/**
 * One subscription that records what it receives and, when its socket dies,
 * resumes elsewhere (`follow` again with the cursor its subclass keeps).
 */
abstract class StreamFollower<Data> {
  private stop?: () => void;
  private client?: ReturnType<typeof wsClient>;
  ended?: unknown;

  constructor(readonly user: TestUser) {}

  /** Records one event; false when the result carried no event (`result.errors` then ends the stream). */
  protected abstract record(data: Data): boolean;

  protected open(wsUrl: string, query: string, variables: Record<string, unknown>): void {
    this.client = wsClient(wsUrl, this.user.accessToken);
    this.ended = undefined;
    this.stop = this.client.subscribe(
      { query, variables },
      {
        next: (result) => {
          if (!result.data || !this.record(result.data as Data)) this.ended = result.errors;
        },
        error: (err) => (this.ended = err ?? 'error'),
        complete: () => (this.ended ??= 'complete'),
      },
    );
  }

  async close(): Promise<void> {
    this.stop?.();
    await this.client?.dispose();
  }
}

/** One client that follows a conversation's new messages and, when its socket dies, resumes elsewhere with its cursor. */
export class Follower extends StreamFollower<{ messageAdded?: Delivery }> {
  readonly deliveries: Delivery[] = [];

  constructor(
    user: TestUser,
    readonly conversationId: string,
  ) {
    super(user);
  }

  get lastSeq(): number | undefined {
    return this.deliveries.at(-1)?.seq;
  }

  follow(wsUrl: string, after: number): void {
    this.open(wsUrl, print(MessageAdded), { conversationId: this.conversationId, after });
  }

  protected record(data: { messageAdded?: Delivery }): boolean {
    if (!data.messageAdded) return false;
    this.deliveries.push({ seq: data.messageAdded.seq, id: data.messageAdded.id });
    return true;
  }
}

/** One device's inbox (every conversation of its user): when its socket dies, it resumes elsewhere with the cursor of its last event. */
export class InboxFollower extends StreamFollower<{ inbox?: { cursor: string; conversationId: string; seq: number; message: { id: string } } }> {
  readonly deliveries: Array<Delivery & { conversationId: string }> = [];
  /** The cursor of the last event received. */
  cursor?: string;

  follow(wsUrl: string, cursor: string | undefined): void {
    this.open(wsUrl, print(Inbox), { cursor });
  }

  protected record(data: { inbox?: { cursor: string; conversationId: string; seq: number; message: { id: string } } }): boolean {
    const event = data.inbox;
    if (!event) return false;
    this.deliveries.push({ conversationId: event.conversationId, seq: event.seq, id: event.message.id });
    this.cursor = event.cursor;
    return true;
  }

  of(conversationId: string): Delivery[] {
    return this.deliveries.filter((d) => d.conversationId === conversationId);
  }
}

/** A logged conversation change (everything but new messages and typing), by its event-log position. */
export interface LoggedEvent {
  position: number;
  kind: string;
  messageId?: string;
  userId?: string;
  emoji?: string | null;
}

type EventData = { conversationEvents?: { kind: string; seq: number; position: number | null; emoji: string | null; message: { id: string } | null; user: { id: string } | null } };

/**
 * One client of `conversationEvents`: new messages by `seq`, the logged changes by
 * `position`; when its socket dies it resumes with both (`after`, `afterEvent`).
 */
export class EventsFollower extends StreamFollower<EventData> {
  readonly messages: Delivery[] = [];
  readonly events: LoggedEvent[] = [];

  constructor(
    user: TestUser,
    readonly conversationId: string,
  ) {
    super(user);
  }

  get lastSeq(): number {
    return this.messages.at(-1)?.seq ?? 0;
  }

  get lastPosition(): number {
    return this.events.at(-1)?.position ?? 0;
  }

  follow(wsUrl: string): void {
    this.open(wsUrl, print(ConversationEventsResumable), { conversationId: this.conversationId, after: this.lastSeq, afterEvent: this.lastPosition });
  }

  protected record(data: EventData): boolean {
    const event = data.conversationEvents;
    if (!event) return false;
    if (event.kind === 'MESSAGE_ADDED') this.messages.push({ seq: event.seq, id: event.message!.id });
    else if (event.position !== null) this.events.push({ position: event.position, kind: event.kind, messageId: event.message?.id, userId: event.user?.id, emoji: event.emoji });
    return true;
  }
}

/** Whether every events follower has as many messages and reactions as were acknowledged (then `checkEvents` says whether they are the right ones). */
export function eventsCaughtUp(followers: EventsFollower[], acked: Map<string, Delivery[]>, reactions: Map<string, AckedReaction[]>): boolean {
  return followers.every(
    (f) => f.messages.length >= acked.get(f.conversationId)!.length && f.events.filter((e) => e.kind === 'REACTION_ADDED').length >= (reactions.get(f.conversationId)?.length ?? 0),
  );
}

/** A reaction someone was told was added. */
export interface AckedReaction {
  messageId: string;
  userId: string;
  emoji: string;
}

/**
 * Each events follower holds exactly the acknowledged messages of its conversation in seq
 * order, and the logged changes at positions 1, 2, 3 … with no gap and no repeat, among them
 * exactly one REACTION_ADDED for each acknowledged reaction.
 */
export function checkEvents(followers: EventsFollower[], acked: Map<string, Delivery[]>, reactions: Map<string, AckedReaction[]>): void {
  for (const follower of followers) {
    const where = `${follower.user.handle}'s conversationEvents in ${follower.conversationId}`;
    const sent = acked.get(follower.conversationId)!;
    expect(follower.messages.map((d) => d.seq), where).toEqual(sent.map((d) => d.seq).sort((a, b) => a - b));
    const byId = new Map(sent.map((d) => [d.seq, d.id]));
    for (const d of follower.messages) expect(d.id).toBe(byId.get(d.seq));
    expect(follower.events.map((e) => e.position), where).toEqual(follower.events.map((_, i) => i + 1));
    const key = (r: AckedReaction) => `${r.messageId} ${r.userId} ${r.emoji}`;
    const got = follower.events.filter((e) => e.kind === 'REACTION_ADDED').map((e) => key({ messageId: e.messageId!, userId: e.userId!, emoji: e.emoji! }));
    expect(got.sort(), where).toEqual((reactions.get(follower.conversationId) ?? []).map(key).sort());
  }
}

/** Each inbox holds, for every conversation of `acked`, exactly its acknowledged messages in seq order. */
export function checkInboxes(inboxes: InboxFollower[], acked: Map<string, Delivery[]>): void {
  for (const inbox of inboxes) {
    for (const [conversationId, sent] of acked) {
      const got = inbox.of(conversationId);
      expect(got.map((d) => d.seq), `${inbox.user.handle}'s inbox in ${conversationId}`).toEqual(sent.map((d) => d.seq).sort((a, b) => a - b));
      const byId = new Map(sent.map((d) => [d.seq, d.id]));
      for (const d of got) expect(d.id).toBe(byId.get(d.seq));
    }
  }
}

export function check(followers: Follower[], acked: Map<string, Delivery[]>): void {
  for (const follower of followers) {
    const sent = acked.get(follower.conversationId)!.map((d) => d.seq).sort((a, b) => a - b);
    const seqs = follower.deliveries.map((d) => d.seq);
    // seq strictly increases: no duplicate, no reordering.
    for (let i = 1; i < seqs.length; i++) expect(seqs[i], `${follower.user.handle} order`).toBeGreaterThan(seqs[i - 1]!);
    // No gap and nothing acknowledged is lost: exactly 1..n, n = every acknowledged send.
    expect(seqs, `${follower.user.handle} in ${follower.conversationId}`).toEqual(sent);
    // The message behind each seq is the one the sender was told it got.
    const byId = new Map(acked.get(follower.conversationId)!.map((d) => [d.seq, d.id]));
    for (const d of follower.deliveries) expect(d.id).toBe(byId.get(d.seq));
  }
}

export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * `perRouter` followers of each conversation on each of two routers, from
 * offset senders, all from seq 0 (a late subscription replays, so none can
 * miss a message sent before it is live).
 */
export function followOnBoth(conversationIds: readonly string[], senders: readonly TestUser[], perRouter: number, wsUrlA: string, wsUrlB: string): { onA: Follower[]; onB: Follower[] } {
  const onA: Follower[] = [];
  const onB: Follower[] = [];
  for (const conversationId of conversationIds) {
    for (let i = 0; i < perRouter; i++) {
      const a = new Follower(senders[i % senders.length]!, conversationId);
      a.follow(wsUrlA, 0);
      onA.push(a);
      const b = new Follower(senders[(i + 1) % senders.length]!, conversationId);
      b.follow(wsUrlB, 0);
      onB.push(b);
    }
  }
  return { onA, onB };
}

/** What `sendAll` was told was done: the (seq, id) of each conversation's messages, and its reactions. */
export interface Acknowledged {
  acked: Map<string, Delivery[]>;
  reactions: Map<string, AckedReaction[]>;
}

/**
 * Every sender sends `perSender` messages to every conversation, all at once
 * (each sender's messages to one conversation in order, with clientMsgIds);
 * with `reactEvery: k`, the sender also adds a reaction to every k-th of its own
 * messages once it is acknowledged (a logged change, by position). `atThird`
 * runs once a third of the messages are acknowledged.
 */
export async function sendAll(
  httpUrl: string,
  senders: readonly TestUser[],
  conversationIds: readonly string[],
  perSender: number,
  atThird: (acknowledged: number) => void,
  options: { reactEvery?: number } = {},
): Promise<Acknowledged> {
  const acked = new Map<string, Delivery[]>(conversationIds.map((id) => [id, []]));
  const reactions = new Map<string, AckedReaction[]>(conversationIds.map((id) => [id, []]));
  const total = conversationIds.length * senders.length * perSender;
  let sent = 0;
  await Promise.all(
    senders.flatMap((sender) =>
      conversationIds.map(async (conversationId) => {
        for (let m = 0; m < perSender; m++) {
          const { sendMessage } = await ok(
            httpUrl,
            SendMessage,
            { input: { conversationId, body: `${sender.handle} #${m}`, clientMsgId: `${sender.id}:${m}` } },
            sender.accessToken,
          );
          acked.get(conversationId)!.push({ seq: sendMessage.seq, id: sendMessage.id });
          if (++sent === Math.floor(total / 3)) atThird(sent);
          if (options.reactEvery && m % options.reactEvery === 0) {
            await ok(httpUrl, ReactLive, { messageId: sendMessage.id, emoji: REACTION }, sender.accessToken);
            reactions.get(conversationId)!.push({ messageId: sendMessage.id, userId: sender.id, emoji: REACTION });
          }
        }
      }),
    ),
  );
  return { acked, reactions };
}

const REACTION = '👍';
