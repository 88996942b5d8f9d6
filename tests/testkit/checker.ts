// The queue checker's parts (tests/delivery-checker.e2e.ts, tests/replica-kill.e2e.ts): a
// follower that records every delivery and resumes elsewhere with its cursor, and the check
// that nothing acknowledged is lost or duplicated and seq strictly increases.
import { print } from 'graphql';
import { expect } from 'vitest';
import { ok, wsClient } from './client.js';
import { Inbox } from './live-operations.js';
import { MessageAdded, SendMessage } from './operations.js';
import type { TestUser } from './users.js';

export interface Delivery {
  seq: number;
  id: string;
}

/** One client that follows a conversation and, when its socket dies, resumes elsewhere with its cursor. */
export class Follower {
  readonly deliveries: Delivery[] = [];
  private stop?: () => void;
  private client?: ReturnType<typeof wsClient>;
  ended?: unknown;

  constructor(
    readonly user: TestUser,
    readonly conversationId: string,
  ) {}

  get lastSeq(): number | undefined {
    return this.deliveries.at(-1)?.seq;
  }

  follow(wsUrl: string, after: number): void {
    this.client = wsClient(wsUrl, this.user.accessToken);
    this.ended = undefined;
    this.stop = this.client.subscribe(
      { query: print(MessageAdded), variables: { conversationId: this.conversationId, after } },
      {
        next: (result) => {
          const message = (result.data as { messageAdded: Delivery } | undefined)?.messageAdded;
          if (message) this.deliveries.push({ seq: message.seq, id: message.id });
          else this.ended = result.errors;
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

/** One device's inbox (every conversation of its user): when its socket dies, it resumes elsewhere with the cursor of its last event. */
export class InboxFollower {
  readonly deliveries: Array<Delivery & { conversationId: string }> = [];
  /** The cursor of the last event received. */
  cursor?: string;
  private stop?: () => void;
  private client?: ReturnType<typeof wsClient>;
  ended?: unknown;

  constructor(readonly user: TestUser) {}

  follow(wsUrl: string, cursor: string | undefined): void {
    this.client = wsClient(wsUrl, this.user.accessToken);
    this.ended = undefined;
    this.stop = this.client.subscribe(
      { query: print(Inbox), variables: { cursor } },
      {
        next: (result) => {
          const event = (result.data as { inbox: { cursor: string; conversationId: string; seq: number; message: { id: string } } } | undefined)?.inbox;
          if (!event) return void (this.ended = result.errors);
          this.deliveries.push({ conversationId: event.conversationId, seq: event.seq, id: event.message.id });
          this.cursor = event.cursor;
        },
        error: (err) => (this.ended = err ?? 'error'),
        complete: () => (this.ended ??= 'complete'),
      },
    );
  }

  of(conversationId: string): Delivery[] {
    return this.deliveries.filter((d) => d.conversationId === conversationId);
  }

  async close(): Promise<void> {
    this.stop?.();
    await this.client?.dispose();
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

/**
 * Every sender sends `perSender` messages to every conversation, all at once
 * (each sender's messages to one conversation in order, with clientMsgIds);
 * `atThird` runs once a third of them are acknowledged. Resolves with the
 * acknowledged (seq, id) of each conversation.
 */
export async function sendAll(
  httpUrl: string,
  senders: readonly TestUser[],
  conversationIds: readonly string[],
  perSender: number,
  atThird: (acknowledged: number) => void,
): Promise<Map<string, Delivery[]>> {
  const acked = new Map<string, Delivery[]>(conversationIds.map((id) => [id, []]));
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
        }
      }),
    ),
  );
  return acked;
}
