import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { badInput, ErrorCode, NOT_FOUND_CONVERSATION, unavailable } from '@storm/common';
import {
  CONVERSATION_EVENT_KIND,
  ConversationEvent,
  conversationEventFacts,
  type Bus,
  type BusHandler,
  type MembershipEventPayload,
  type MessageEventPayload,
  type ReadUpdatedPayload,
  type Subscription as BusSubscription,
  type Topics,
  UserEvent,
} from '@storm/bus';
import type { RouterMetrics } from '../metrics.js';
import { ConversationEventKind, FETCH_PAGE_SIZE, NOTIFICATION_EVENT, PRESENCE_EVENT, SubscriptionErrorCode, SubscriptionField } from './protocol.js';
import {
  NOTIFICATION_ID_ALIAS,
  NOTIFICATION_READ_ALIAS,
  SEQ_ALIAS,
  EVENT_LOG_QUERY,
  sortKeys,
  inboxConversationPlan,
  type EventsPlan,
  type InboxPlan,
  type NotificationsPlan,
  type PresencePlan,
  type SelectionPlan,
} from './selection.js';
import { decodeCursor, encodeCursor } from './inbox-cursor.js';
import { batchAlias, batchPageQuery, paddedSlots, toError, TurnBatches } from './batch-query.js';
import { HeadBatcher } from './head-batch.js';

/** Stands for the inbox cursor in a group's shared JSON; each subscriber splices its own in. */
const CURSOR_PLACEHOLDER = '~storm-cursor~';
const CURSOR_PLACEHOLDER_JSON = JSON.stringify(CURSOR_PLACEHOLDER);

type Plan = SelectionPlan | EventsPlan;

/** A non-message event on the bus, as the engine hands it to conversationEvents groups. */
interface LiveEvent {
  kind: ConversationEventKind;
  seq: number;
  messageId?: string;
  userId?: string;
  emoji?: string;
  typing?: boolean;
  expiresAt?: string;
  /** Place in the conversation's event log; undefined for typing (never stored). */
  position?: number;
}

import type { DeliverySink, Operation } from './wire.js';
import type { PresenceSweep } from './presence-sweep.js';

/**
 * Runs an operation through the query planner as `userId`. `vouched`: the
 * router vouches for the membership of the conversations read (a batched page
 * read for groups whose subscribers it authorized; see Identity.membershipVouched).
 */
export type Executor = (
  query: string,
  variables: Record<string, unknown>,
  userId: string,
  options?: { vouched?: boolean },
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }>;

export interface EngineOptions {
  bus: Bus;
  topics: Topics;
  execute: Executor;
  metrics: RouterMetrics;
  /** Most messages a resume may replay before the client is told to resync. */
  replayLimit: number;
  /**
   * Whether a generated query selects a field whose value depends on who runs
   * it (`@viewer`): such a group is resolved per subscriber, never shared or
   * batched. Default: nothing does.
   */
  dependsOnViewer?: (query: string) => boolean;
  /**
   * Most conversations whose new messages one batched page query reads
   * (groups with the same selection that wake together).
   * @default 50
   */
  pageBatchSize?: number;
  /**
   * Most batched page reads of one selection in flight. Groups that wake
   * while that many are in flight wait for one to finish and join the next
   * batch, so under load reads grow toward `pageBatchSize` (a read's cost is
   * mostly per read, not per conversation) instead of piling up small ones.
   * @default 4
   */
  pageReadConcurrency?: number;
  /**
   * How often the live conversations' heads and member lists are read
   * (auditMembership): catches a removal or a wake-up whose bus event was
   * lost (Redis pub/sub keeps nothing). 0 turns the interval off; a bus
   * reconnect still audits.
   * @default 30000
   */
  membershipAuditMs?: number;
  /**
   * How often each inbox user's conversations are read (auditInboxes):
   * catches a join whose `member.added` was lost. One request per user with
   * an inbox here, so less often than the group audit. 0 turns the interval
   * off; a bus reconnect still audits.
   * @default 300000
   */
  inboxAuditMs?: number;
  /**
   * Most batched head reads (membership and lastSeq of opening
   * subscriptions; head-batch.ts) in flight. Opens that ask meanwhile wait in
   * arrival order and leave together with the next read, so a reconnect
   * storm becomes a few large reads instead of one request per subscribe.
   * @default 4
   */
  openConcurrency?: number;
  log?: (message: string, err?: unknown) => void;
  /** Told which users presenceChanged watches and what the bus announced (presence-sweep.ts). */
  presenceSweep?: Pick<PresenceSweep, 'watch' | 'unwatch' | 'observe'>;
}

/** Retry delays for a group whose resolution failed (a subgraph restarting): capped backoff. */
const RETRY_MS = [250, 500, 1_000, 2_000, 5_000];

interface Delivery {
  seq: number;
  /** The serialised ExecutionResult: made once per group, sent as is to every subscriber. */
  json: string;
}

/**
 * Live delivery. Per conversation one Feed holds one bus subscription; per
 * distinct (selection, variables) a Group resolves each batch of new
 * messages once through the query planner and hands the same result to
 * every Subscriber. The bus only wakes groups up: what is delivered is read
 * from PostgreSQL by `seq`, so a lost, late or duplicated bus message can
 * never become a gap or a duplicate for a client.
 */
/** The payload of `<prefix>.user.<id>.presence`, published by the router on a presence change. */
export interface PresenceEventPayload {
  userId: string;
  status: 'ONLINE' | 'AWAY' | 'OFFLINE';
  at: string;
}

export class SubscriptionEngine {
  private readonly feeds = new Map<string, Feed>();
  /** The presenceChanged watchers of each watched user on this router. */
  private readonly presenceWatchers = new Map<string, Set<(payload: PresenceEventPayload) => void>>();
  /** User subjects (presence, read positions): one bus subscription each, however many here need it. */
  private readonly userSubscriptions: SharedSubscriptions;
  private disposed = false;
  /** Page reads of shared groups, batched across conversations. */
  readonly pages: PageBatcher;
  private readonly auditTimers: Array<NodeJS.Timeout | undefined>;
  /** The audit in progress, and what was asked for meanwhile (SubscriptionEngine.audit). */
  private auditing: Promise<void> | undefined;
  private auditWanted: AuditKinds = {};
  private readonly stopReconnectAudit: () => void;
  /** Live inboxes on this router, for their audit. */
  private readonly inboxes = new Set<Inbox>();
  private readonly viewerCache = new Map<string, boolean>();
  /** Head reads of opening subscriptions, batched (EngineOptions.openConcurrency). */
  readonly heads: HeadBatcher;

  constructor(readonly options: EngineOptions) {
    this.userSubscriptions = new SharedSubscriptions(options.bus, (subject, err) => options.log?.(`bus subscription to ${subject} refused; the next subscriber tries again`, err));
    this.pages = new PageBatcher(
      (...args) => this.options.execute(...args),
      options.pageBatchSize ?? DEFAULT_PAGE_BATCH,
      options.pageReadConcurrency ?? DEFAULT_PAGE_READ_CONCURRENCY,
      (n) => options.metrics.pageBatchSize.observe(n),
    );
    this.heads = new HeadBatcher(
      (...args) => this.options.execute(...args),
      options.pageBatchSize ?? DEFAULT_PAGE_BATCH,
      options.openConcurrency ?? DEFAULT_OPEN_CONCURRENCY,
      () => this.disposed,
    );
    const every = (ms: number, what: AuditKinds) => {
      if (ms <= 0) return undefined;
      const timer = setInterval(() => void this.audit(what), ms);
      timer.unref();
      return timer;
    };
    this.auditTimers = [every(options.membershipAuditMs ?? DEFAULT_AUDIT_MS, { groups: true }), every(options.inboxAuditMs ?? DEFAULT_INBOX_AUDIT_MS, { inboxes: true })];
    // What was published while the bus was away never comes: read it all now rather than at the next intervals.
    this.stopReconnectAudit = options.bus.onReconnect(() => void this.audit({ groups: true, inboxes: true }));
  }

  /**
   * Runs auditMembership (groups) and/or auditInboxes, one audit at a time:
   * what is asked for while one runs is run right after it (a bus reconnect
   * during a periodic audit must still be followed by a read).
   */
  audit(what: AuditKinds = { groups: true, inboxes: true }): Promise<void> {
    this.auditWanted.groups ||= what.groups === true;
    this.auditWanted.inboxes ||= what.inboxes === true;
    if (this.auditing) return this.auditing;
    const run = async () => {
      while ((this.auditWanted.groups || this.auditWanted.inboxes) && !this.disposed) {
        const { groups, inboxes } = this.auditWanted;
        this.auditWanted = {};
        const results = await Promise.allSettled([groups ? this.auditMembership() : undefined, inboxes ? this.auditInboxes() : undefined]);
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) this.options.log?.('membership audit failed; retrying at the next interval', failed.reason);
      }
    };
    this.auditing = run().finally(() => (this.auditing = undefined));
    return this.auditing;
  }

  /**
   * The inbox half of the audit: each user with a live inbox here has their
   * conversations read (one request per user, INBOX_AUDIT_CONCURRENCY at a
   * time), and a conversation missing from their inbox (its `member.added`
   * was lost) joins it, from the user's read position (for a new member,
   * where the conversation stood at the join). A removal whose event was lost
   * is auditMembership's: the inbox's streams sit in the shared groups.
   */
  async auditInboxes(): Promise<void> {
    const byUser = new Map<string, Inbox[]>();
    for (const inbox of this.inboxes) {
      const held = byUser.get(inbox.userId);
      if (held) held.push(inbox);
      else byUser.set(inbox.userId, [inbox]);
    }
    const users = [...byUser];
    const worker = async () => {
      for (let next = users.shift(); next && !this.disposed; next = users.shift()) {
        const [userId, inboxes] = next;
        const response = await this.options.execute(INBOX_AUDIT, {}, userId).catch(() => undefined);
        const conversations = response?.errors?.length ? undefined : (response?.data?.conversations as InboxConversation[] | undefined);
        if (!conversations) continue; // unknown: read again next time
        await Promise.all(inboxes.map((inbox) => inbox.reconcile(conversations.filter((c) => typeof c?.id === 'string'))));
      }
    };
    await Promise.all(Array.from({ length: INBOX_AUDIT_CONCURRENCY }, worker));
  }

  /** Whether a plan's results differ per viewer (then its group is per user). */
  private viewerDependent(plan: Plan): boolean {
    const check = this.options.dependsOnViewer;
    if (!check) return false;
    const queries = [plan.query, ...('eventQuery' in plan && plan.eventQuery ? [plan.eventQuery] : [])];
    return queries.some((q) => {
      let hit = this.viewerCache.get(q);
      if (hit === undefined) {
        hit = check(q);
        if (this.viewerCache.size >= 10_000) this.viewerCache.clear();
        this.viewerCache.set(q, hit);
      }
      return hit;
    });
  }

  /**
   * Every interval, the heads and member lists of the conversations with
   * live groups are read (batched, vouched), for what the bus may have lost
   * (Redis pub/sub keeps nothing; a reconnect drops what was published
   * meanwhile):
   * - a removal: shared groups read pages vouched, without each viewer's
   *   membership check, so any subscriber of one who is no longer a member
   *   is ended with FORBIDDEN;
   * - a wake-up: a group behind the conversation's lastSeq (or, for
   *   conversationEvents, its lastEvent) reads what it missed, so a message
   *   whose bus event was lost reaches its subscribers within an interval
   *   even if no other message follows.
   */
  async auditMembership(): Promise<void> {
    const feeds = [...this.feeds.values()].filter((f) => f.anySubscriber() !== undefined);
    const batch = this.options.pageBatchSize ?? DEFAULT_PAGE_BATCH;
    for (let start = 0; start < feeds.length; start += batch) {
      const chunk = feeds.slice(start, start + batch);
      const viewer = chunk[0]!.anySubscriber()?.userId;
      if (!viewer) continue;
      const variables: Record<string, unknown> = {};
      chunk.forEach((f, i) => (variables[`c${i}`] = f.conversationId));
      const query = `query StormMembershipAudit(${chunk.map((_, i) => `$c${i}: ID!`).join(', ')}) { ${chunk.map((_, i) => `a${i}: conversation(id: $c${i}) { lastSeq lastEvent members { id } }`).join(' ')} }`;
      const response = await this.options.execute(query, variables, viewer, { vouched: true });
      chunk.forEach((feed, i) => {
        const slot = `a${i}`;
        if (response.errors?.some((e) => e.path === undefined || e.path[0] === slot)) return; // unknown: check again next time
        const conversation = response.data?.[slot] as { lastSeq?: number; lastEvent?: number; members?: Array<{ id: string }> } | null | undefined;
        const members = conversation ? new Set((conversation.members ?? []).map((m) => m.id.toLowerCase())) : new Set<string>();
        for (const group of [...feed.groups.values()]) {
          if (group.shared) {
            for (const subscriber of [...group.subscribers]) {
              if (!members.has(subscriber.userId.toLowerCase())) subscriber.fail([{ message: 'You are no longer a member of this conversation', extensions: { code: ErrorCode.Forbidden } }]);
            }
          }
          if (conversation) group.catchUp(conversation.lastSeq, conversation.lastEvent);
        }
      });
    }
  }

  /**
   * Authorizes and opens one subscription. Throws a GraphQLError (NOT_FOUND,
   * FORBIDDEN, BAD_USER_INPUT, RESYNC_REQUIRED) when it cannot be opened.
   */
  async open(sink: DeliverySink, plan: Plan): Promise<Operation> {
    const userId = sink.userId;
    if (this.disposed) throw unavailable('The router is shutting down');
    const feed = this.feed(plan.conversationId);
    feed.refs++;
    try {
      const withEvents = plan.field === SubscriptionField.ConversationEvents;
      // The membership check, and where the stream starts (head-batch.ts).
      const { lastSeq, lastEvent } = await this.heads.read(plan.conversationId, userId);
      const afterEvent = withEvents ? (plan as EventsPlan).afterEvent : undefined;
      if (afterEvent !== undefined) {
        if (afterEvent > lastEvent) throw badInput(`afterEvent (${afterEvent}) is beyond the conversation's lastEvent (${lastEvent})`, 'afterEvent');
        if (lastEvent - afterEvent > this.options.replayLimit) {
          this.options.metrics.resyncs.inc();
          // lastSeq / lastEvent: the subscriber's own position (what it asked to resume from), as in every resync.
          throw resyncError(`afterEvent is more than ${this.options.replayLimit} events behind; reload, then resubscribe`, plan.after ?? lastSeq, afterEvent);
        }
      }
      if (plan.after !== undefined) {
        if (plan.after > lastSeq) throw badInput(`after (${plan.after}) is beyond the conversation's lastSeq (${lastSeq})`, 'after');
        if (lastSeq - plan.after > this.options.replayLimit) {
          this.options.metrics.resyncs.inc();
          throw resyncError(`after is more than ${this.options.replayLimit} messages behind; load history, then resubscribe`, plan.after, withEvents ? (afterEvent ?? lastEvent) : undefined);
        }
      }
      await feed.ready;
      // A selection whose values depend on the viewer is one group per user (its own permission class).
      const shared = !this.viewerDependent(plan);
      const groupKey = shared ? plan.groupKey : JSON.stringify([plan.groupKey, userId]);
      return stopper(feed.join(plan, groupKey, shared, sink, { lastSeq, lastEvent }, plan.after ?? lastSeq, afterEvent ?? lastEvent));
    } finally {
      feed.refs--;
      feed.releaseIfIdle();
    }
  }

  /**
   * One stream for all of a user's conversations: a stream per conversation
   * (each in its conversation's shared group), the position of each kept in
   * the cursor every event carries, and conversations joined while connected
   * added from the user's membership subject.
   */
  async openInbox(sink: DeliverySink, plan: InboxPlan): Promise<Operation> {
    if (this.disposed) throw unavailable('The router is shutting down');
    const positions = plan.cursor ? decodeCursor(plan.cursor) : undefined;
    const inbox = new Inbox(this, sink, plan, positions ?? new Map(), () => this.inboxes.delete(inbox));
    try {
      await inbox.start(positions !== undefined);
    } catch (err) {
      inbox.stop();
      throw err;
    }
    // Audited once open (a stream ended during the start is not kept).
    if (!inbox.isStopped) this.inboxes.add(inbox);
    return { stop: () => inbox.stop() };
  }

  /**
   * Live presence of up to PRESENCE_WATCH_LIMIT users. Ephemeral events built
   * from the bus payload alone (no subgraph trip); any signed-in user may watch
   * anyone, as `User.presence` may be read by anyone signed in.
   */
  async openPresence(sink: DeliverySink, plan: PresencePlan): Promise<Operation> {
    const { topics, metrics } = this.options;
    const watcher = (payload: PresenceEventPayload) => {
      const values: Record<string, unknown> = { userId: payload.userId, status: payload.status, at: payload.at, __typename: 'PresenceEvent' };
      const event: Record<string, unknown> = {};
      for (const [key, name] of plan.local) event[key] = values[name] ?? null;
      if (!sink.nextEphemeral(JSON.stringify({ data: { [plan.responseKey]: event } }))) metrics.ephemeralDropped.inc();
    };
    const held = plan.userIds.map((userId) => {
      let watchers = this.presenceWatchers.get(userId);
      if (!watchers) this.presenceWatchers.set(userId, (watchers = new Set()));
      watchers.add(watcher);
      this.options.presenceSweep?.watch(userId);
      const subscription = this.userSubscriptions.acquire(topics.user(userId, PRESENCE_EVENT), (payload: unknown) => {
        metrics.busEvents.inc();
        this.options.presenceSweep?.observe(payload as PresenceEventPayload);
        for (const w of this.presenceWatchers.get(userId) ?? []) w(payload as PresenceEventPayload);
      });
      return { userId, watchers, subscription };
    });
    const stop = () => {
      for (const { userId, watchers, subscription } of held) {
        this.options.presenceSweep?.unwatch(userId);
        watchers.delete(watcher);
        if (watchers.size === 0 && this.presenceWatchers.get(userId) === watchers) this.presenceWatchers.delete(userId);
        subscription.release();
      }
    };
    if ((await Promise.all(held.map((h) => h.subscription.ready))).includes(false)) {
      // The bus refused a subscription: say so rather than open a stream that would never deliver.
      stop();
      throw unavailable('Could not listen for presence changes; subscribe again');
    }
    return { stop };
  }

  /**
   * The caller's notifications: first the unread ones (what came while away),
   * then each new one. Per user (notifications are nobody else's), so no
   * group: each bus wake-up re-reads the newest page and sends the ids this
   * subscription has not seen yet, oldest first. Every id of the first page
   * counts as seen, read ones included, so a later wake-up never sends an
   * old, already-read notification as if it were new.
   */
  async openNotifications(sink: DeliverySink, plan: NotificationsPlan): Promise<Operation> {
    const { bus, topics, execute, metrics } = this.options;
    const seen = new Set<string>();
    const see = (id: string) => {
      seen.add(id);
      // Only ids that can still be on a re-read page matter (the newest 100 at most): forget older ones.
      if (seen.size > SEEN_NOTIFICATIONS_KEPT) seen.delete(seen.values().next().value!);
    };
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    const pull = (first: boolean, limit: number) =>
      (running = running.then(async () => {
        if (stopped) return;
        metrics.resolutions.inc();
        const response = await execute(plan.query, { ...plan.variables, stormLimit: limit }, sink.userId).catch(() => undefined);
        const page = (response?.data?.notifications as { notifications?: Array<Record<string, unknown>> } | undefined)?.notifications;
        if (!page) return; // transient: the next wake-up reads again
        const fresh = page.filter((n) => !seen.has(n[NOTIFICATION_ID_ALIAS] as string)).reverse();
        sink.batch(() => {
          for (const n of fresh) {
            see(n[NOTIFICATION_ID_ALIAS] as string);
            if (first && n[NOTIFICATION_READ_ALIAS] !== null) continue; // read before this subscription: not news
            const { [NOTIFICATION_ID_ALIAS]: _id, [NOTIFICATION_READ_ALIAS]: _read, ...fields } = n;
            if (!stopped && sink.next(JSON.stringify({ data: { [plan.responseKey]: fields } }))) metrics.deliveries.inc();
          }
        });
      }));
    const subscription = await bus.subscribe(topics.user(sink.userId, NOTIFICATION_EVENT), () => {
      metrics.busEvents.inc();
      void pull(false, 20);
    });
    await pull(true, 100);
    return {
      stop: () => {
        stopped = true;
        void subscription.unsubscribe().catch(() => {});
      },
    };
  }

  /**
   * Listens to `userId`'s read positions while they hold conversationEvents
   * subscriptions here; the returned function releases (idempotent). Each
   * `read.updated` reaches that user's subscriptions of its conversation as
   * READ_UPDATED, resolved as them.
   */
  watchReads(userId: string): () => void {
    const { topics, metrics } = this.options;
    return this.userSubscriptions.acquire(topics.user(userId, UserEvent.ReadUpdated), (payload: unknown) => {
      metrics.busEvents.inc();
      const event = payload as ReadUpdatedPayload;
      if (typeof event?.conversationId !== 'string' || typeof event.userId !== 'string' || typeof event.lastReadSeq !== 'number') return;
      const kind = event.change === 'mute' ? ConversationEventKind.MuteUpdated : ConversationEventKind.ReadUpdated;
      this.feeds.get(event.conversationId)?.onReadUpdated(event.userId, event.lastReadSeq, kind);
    }).release;
  }

  /** Number of live groups (one resolution per event each), for tests and metrics. */
  get groupCount(): number {
    let n = 0;
    for (const feed of this.feeds.values()) n += feed.groups.size;
    return n;
  }

  /** Live inbox subscriptions on this router. */
  get inboxCount(): number {
    return this.inboxes.size;
  }

  /** Number of open subscriptions. */
  get subscriberCount(): number {
    let n = 0;
    for (const feed of this.feeds.values()) for (const group of feed.groups.values()) n += group.subscribers.size;
    return n;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const timer of this.auditTimers) clearInterval(timer);
    this.stopReconnectAudit();
    this.userSubscriptions.dispose();
    this.presenceWatchers.clear();
    await Promise.all([...this.feeds.values()].map((f) => f.close()));
  }

  private feed(conversationId: string): Feed {
    let feed = this.feeds.get(conversationId);
    if (!feed) {
      feed = new Feed(this, conversationId, () => this.feeds.delete(conversationId));
      this.feeds.set(conversationId, feed);
    }
    return feed;
  }
}

/**
 * One bus subscription per subject, however many hold it: the first `acquire`
 * subscribes with its handler (so a subject's handler must not depend on who
 * holds it), the last `release` unsubscribes. One the bus refused is not kept:
 * its holders' `ready` is false and the next `acquire` subscribes again.
 */
class SharedSubscriptions {
  private readonly held = new Map<string, { ready: Promise<BusSubscription | undefined>; refs: number }>();

  constructor(
    private readonly bus: Bus,
    private readonly onRefused: (subject: string, err: unknown) => void,
  ) {}

  acquire(subject: string, handler: BusHandler): { ready: Promise<boolean>; release: () => void } {
    let entry = this.held.get(subject);
    if (!entry) {
      const created: { ready: Promise<BusSubscription | undefined>; refs: number } = {
        refs: 0,
        ready: this.bus.subscribe(subject, handler).catch((err: unknown) => {
          this.onRefused(subject, err);
          if (this.held.get(subject) === created) this.held.delete(subject);
          return undefined;
        }),
      };
      entry = created;
      this.held.set(subject, entry);
    }
    entry.refs++;
    const mine = entry;
    let released = false;
    return {
      ready: mine.ready.then((s) => s !== undefined),
      release: () => {
        if (released) return;
        released = true;
        if (--mine.refs > 0 || this.held.get(subject) !== mine) return;
        this.held.delete(subject);
        void mine.ready.then((s) => s?.unsubscribe()).catch(() => {});
      },
    };
  }

  dispose(): void {
    for (const entry of this.held.values()) void entry.ready.then((s) => s?.unsubscribe()).catch(() => {});
    this.held.clear();
  }
}

const INBOX_HEAD = 'query StormInboxHead { conversations { id lastSeq } }';
/** The audit's read of an inbox's conversations (SubscriptionEngine.auditInboxes). */
const INBOX_AUDIT = 'query StormInboxAudit { conversations { id lastSeq lastReadSeq } }';
/** Users whose conversations the inbox audit reads at once. */
const INBOX_AUDIT_CONCURRENCY = 4;

interface InboxConversation {
  id: string;
  lastSeq: number;
  lastReadSeq: number;
}
/** Notification ids a notificationAdded subscription remembers having seen (≥ the largest page it reads). */
const SEEN_NOTIFICATIONS_KEPT = 1_000;

class Inbox {
  private readonly streams = new Map<string, Operation | null>();
  private membership: BusSubscription | undefined;
  private stopped = false;

  constructor(
    private readonly engine: SubscriptionEngine,
    private readonly sink: DeliverySink,
    private readonly plan: InboxPlan,
    /** Position (last seq delivered or skipped) per conversation: the cursor. */
    private readonly positions: Map<string, number>,
    private readonly forget: () => void,
  ) {}

  get userId(): string {
    return this.sink.userId;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  async start(resuming: boolean): Promise<void> {
    const { bus, topics, execute } = this.engine.options;
    // Listen for joins first, so a conversation joined while the list is read is not missed.
    this.membership = await bus.subscribe(topics.user(this.sink.userId, UserEvent.Membership), (payload: unknown) => {
      this.engine.options.metrics.busEvents.inc();
      const event = payload as MembershipEventPayload;
      if (event?.event === ConversationEvent.MemberAdded && typeof event.conversationId === 'string') {
        void this.add(event.conversationId, typeof event.lastSeq === 'number' ? event.lastSeq : 0).catch(() => {});
      }
    });
    const head = await execute(INBOX_HEAD, {}, this.sink.userId);
    if (head.errors?.length) throw toError(head.errors[0]!);
    const conversations = ((head.data?.conversations ?? []) as Array<{ id: string; lastSeq: number }>).filter((c) => typeof c?.id === 'string');
    // Resuming: a conversation the cursor does not know was joined since (or never had a message): from its start.
    const behind: string[] = [];
    await Promise.all(
      conversations.map((c) =>
        this.add(c.id, resuming ? Math.min(this.positions.get(c.id) ?? 0, c.lastSeq) : c.lastSeq).catch((err: unknown) => {
          if ((err as GraphQLError)?.extensions?.code !== SubscriptionErrorCode.ResyncRequired) throw err;
          behind.push(c.id);
          // The cursor the client resumes from after reloading this conversation's history: at its head.
          this.positions.set(c.id, c.lastSeq);
        }),
      ),
    );
    if (behind.length > 0) {
      throw new GraphQLError(`${behind.length} conversation(s) are more than ${this.engine.options.replayLimit} messages behind the cursor; load their recent history, then resume with extensions.cursor`, {
        extensions: { code: SubscriptionErrorCode.ResyncRequired, conversationIds: behind.sort(), cursor: encodeCursor(this.positions) },
      });
    }
  }

  /**
   * The audit read the caller's conversations: any this inbox does not
   * stream (its `member.added` was lost) joins, from the cursor's position
   * if it has one, else from the caller's read position. One too far behind
   * ends the inbox with the same resync as at its start.
   */
  async reconcile(conversations: readonly InboxConversation[]): Promise<void> {
    const behind: string[] = [];
    await Promise.all(
      conversations
        .filter((c) => !this.stopped && !this.streams.has(c.id))
        .map(async (c) => {
          this.engine.options.metrics.catchUps.inc();
          await this.add(c.id, Math.min(this.positions.get(c.id) ?? c.lastReadSeq, c.lastSeq)).catch((err: unknown) => {
            // Anything else (a subgraph restarting) is tried again at the next audit.
            if ((err as GraphQLError)?.extensions?.code !== SubscriptionErrorCode.ResyncRequired) return;
            behind.push(c.id);
            this.positions.set(c.id, c.lastSeq);
          });
        }),
    );
    if (behind.length === 0 || this.stopped) return;
    this.sink.error([
      {
        message: `${behind.length} conversation(s) joined while connected are more than ${this.engine.options.replayLimit} messages behind; load their recent history, then resume with extensions.cursor`,
        extensions: { code: SubscriptionErrorCode.ResyncRequired, conversationIds: behind.sort(), cursor: encodeCursor(this.positions) },
      },
    ]);
    this.stop();
  }

  private async add(conversationId: string, after: number): Promise<void> {
    if (this.stopped || this.streams.has(conversationId)) return;
    this.streams.set(conversationId, null);
    if (!this.positions.has(conversationId)) this.positions.set(conversationId, after);
    const operation = await this.engine.open(this.streamSink(conversationId), inboxConversationPlan(this.plan, conversationId, after)).catch((err: unknown) => {
      this.streams.delete(conversationId);
      const code = (err as GraphQLError)?.extensions?.code;
      // Left between the list and the open: not part of the inbox. Anything else ends it.
      if (code === ErrorCode.NotFound || code === ErrorCode.Forbidden) return undefined;
      throw err;
    });
    if (!operation) return;
    if (this.stopped || !this.streams.has(conversationId)) return operation.stop();
    this.streams.set(conversationId, operation);
  }

  private streamSink(conversationId: string): DeliverySink {
    const inbox = this;
    // Only a selection with `cursor` has the placeholder to splice into (first in the event's JSON, before
    // any resolved field); without one, a message whose body is the placeholder's text must stay as written.
    const withCursor = this.plan.local.some(([, name]) => name === 'cursor');
    return {
      userId: this.sink.userId,
      clientIp: this.sink.clientIp,
      next(json, seq) {
        if (seq === undefined) return inbox.sink.next(json, seq);
        // The event's cursor includes the event itself; the inbox's position moves only once the
        // socket took it, so a resync for a refused event resumes from the last event written.
        const before = inbox.positions.get(conversationId);
        inbox.positions.set(conversationId, seq);
        const sent = inbox.sink.next(withCursor ? json.replace(CURSOR_PLACEHOLDER_JSON, JSON.stringify(encodeCursor(inbox.positions))) : json, seq);
        if (!sent && before === undefined) inbox.positions.delete(conversationId);
        else if (!sent) inbox.positions.set(conversationId, before!);
        return sent;
      },
      nextEphemeral: (json) => this.sink.nextEphemeral(json),
      batch: (send) => this.sink.batch(send),
      hasRoom: () => this.sink.hasRoom(),
      writable: () => this.sink.writable(),
      error(errors) {
        inbox.streams.delete(conversationId);
        const code = errors[0]?.extensions?.code;
        if (code === ErrorCode.NotFound || code === ErrorCode.Forbidden) return; // no longer a member: the conversation leaves the inbox
        // A resync: the whole inbox resumes from the cursor of its last event.
        inbox.sink.error(errors.map((e) => ({ ...e, extensions: { ...e.extensions, cursor: encodeCursor(inbox.positions) } })));
        inbox.stop();
      },
      complete() {
        inbox.streams.delete(conversationId);
      },
    };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.forget();
    void this.membership?.unsubscribe().catch(() => {});
    for (const operation of this.streams.values()) operation?.stop();
    this.streams.clear();
  }
}

class Feed {
  readonly groups = new Map<string, Group>();
  /** Opens in progress that will join this feed. */
  refs = 0;
  readonly ready: Promise<void>;
  /** committedAt of recent events by seq, for the commit → delivery latency metric. */
  readonly commitTimes = new Map<number, number>();
  private busSubscription: BusSubscription | undefined;
  private closed = false;

  constructor(
    readonly engine: SubscriptionEngine,
    readonly conversationId: string,
    private readonly forget: () => void,
  ) {
    const { bus, topics } = engine.options;
    // One bus subscription for every event of the conversation; dispatched by subject.
    const base = topics.conversation(conversationId, ConversationEvent.MessageAdded).slice(0, -ConversationEvent.MessageAdded.length);
    this.ready = bus
      .subscribe(topics.conversation(conversationId, '>'), (payload: unknown, subject: string) => {
        engine.options.metrics.busEvents.inc();
        const event = subject.slice(base.length) as ConversationEvent;
        if (event === ConversationEvent.MessageAdded) return this.onMessageAdded(payload as MessageEventPayload);
        if (event === ConversationEvent.MemberRemoved) this.onMemberRemoved(payload as MembershipEventPayload);
        // Every other known event is live-only for conversationEvents groups.
        if (event in CONVERSATION_EVENT_KIND) this.onLiveEvent(event, payload as Record<string, unknown>);
      })
      .then((s: BusSubscription) => {
        this.busSubscription = s;
        if (this.closed) void s.unsubscribe();
      });
    // A failed bus subscription must not stay cached: the next open tries again.
    this.ready.catch(() => this.close());
  }

  join(plan: Plan, key: string, shared: boolean, sink: DeliverySink, head: { lastSeq: number; lastEvent: number }, cursor: number, eventCursor: number): Subscriber {
    let group = this.groups.get(key);
    const created = !group;
    if (!group) {
      group = new Group(this, plan, key, shared, head.lastSeq, head.lastEvent);
      this.groups.set(key, group);
      this.engine.options.metrics.groups.inc();
    }
    const subscriber = new Subscriber(group, sink, cursor, eventCursor);
    if (plan.field === SubscriptionField.ConversationEvents) subscriber.release = this.engine.watchReads(sink.userId);
    group.add(subscriber);
    // Messages (and logged events) committed between the head read and the bus
    // subscription going live sent their events before we listened: look once.
    if (created) {
      group.wake();
      if (plan.field === SubscriptionField.ConversationEvents) group.live(undefined);
    }
    return subscriber;
  }

  /**
   * Continuous authorization: a member who leaves or is removed stops
   * receiving at once, on every replica (each hears the event). A missed
   * event (Redis pub/sub keeps nothing) is caught by the resolution itself:
   * a group whose viewer lost access drops that viewer (Group.pump).
   */
  onMemberRemoved(event: MembershipEventPayload): void {
    if (typeof event?.userId !== 'string') return;
    for (const group of [...this.groups.values()]) group.revoke(event.userId);
  }

  /** Edits, deletes, reactions, membership and conversation changes: to conversationEvents groups only. */
  onLiveEvent(busEvent: ConversationEvent, payload: Record<string, unknown>): void {
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const event: LiveEvent = {
      kind: CONVERSATION_EVENT_KIND[busEvent] as ConversationEventKind,
      ...conversationEventFacts(busEvent, payload),
      typing: typeof payload.typing === 'boolean' ? payload.typing : undefined,
      expiresAt: str(payload.expiresAt),
    };
    for (const group of this.groups.values()) if (group.plan.field === SubscriptionField.ConversationEvents) group.live(event);
  }

  /** The reader's own position moved: to their conversationEvents subscriptions only. */
  onReadUpdated(userId: string, lastReadSeq: number, kind: ConversationEventKind.ReadUpdated | ConversationEventKind.MuteUpdated): void {
    for (const group of this.groups.values()) if (group.plan.field === SubscriptionField.ConversationEvents) group.readUpdated(userId, lastReadSeq, kind);
  }

  onMessageAdded(event: MessageEventPayload): void {
    if (typeof event?.seq === 'number' && typeof event.committedAt === 'string') {
      this.commitTimes.set(event.seq, Date.parse(event.committedAt));
      if (this.commitTimes.size > 10_000) this.commitTimes.delete(this.commitTimes.keys().next().value!);
    }
    for (const group of this.groups.values()) group.wake();
  }

  /** Some subscriber of this conversation (for reads that need a signed-in caller). */
  anySubscriber(): Subscriber | undefined {
    for (const group of this.groups.values()) for (const subscriber of group.subscribers) return subscriber;
    return undefined;
  }

  removeGroup(group: Group): void {
    if (this.groups.get(group.key) === group) {
      this.groups.delete(group.key);
      this.engine.options.metrics.groups.dec();
    }
    this.releaseIfIdle();
  }

  releaseIfIdle(): void {
    if (this.groups.size === 0 && this.refs === 0) void this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.forget();
    for (const group of [...this.groups.values()]) group.close();
    if (this.busSubscription) await this.busSubscription.unsubscribe().catch(() => {});
  }
}

class Group {
  readonly subscribers = new Set<Subscriber>();
  private pumping = false;
  private dirty = false;
  private retries = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** Live (non-message) events resolve one after another, in bus order. */
  private liveChain: Promise<void> = Promise.resolve();

  constructor(
    readonly feed: Feed,
    readonly plan: Plan,
    /** plan.groupKey, plus the user for a viewer-dependent selection. */
    readonly key: string,
    /**
     * The same result for every member (no `@viewer` field): its pages are
     * read vouched, batched with other conversations' groups of the same
     * selection. Otherwise the group is one user's and reads as that user.
     */
    readonly shared: boolean,
    /** Highest seq this group has resolved and handed out. */
    public cursor: number,
    /** conversationEvents: highest event log position this group has resolved and handed out. */
    public eventCursor = 0,
  ) {}

  /**
   * Resolves one live-only event once for the group and hands it to every
   * subscriber. Logged events (all but typing) carry their `position`: one
   * already handed out is dropped, and one beyond the next position means the
   * bus lost or reordered some (Redis pub/sub keeps nothing): those are read
   * from the event log first, so positions reach subscribers in order, gap
   * free. `undefined`: just catch up with the log (a new group's first look).
   */
  live(event: LiveEvent | undefined): void {
    this.liveChain = this.liveChain.then(async () => {
      if (this.closed) return;
      if (event?.position === undefined && event !== undefined) return this.deliverLive(event); // typing
      if (event && event.position! <= this.eventCursor) return;
      if (!event || event.position! > this.eventCursor + 1) {
        const upTo = event ? event.position! - 1 : Number.MAX_SAFE_INTEGER;
        while (this.eventCursor < upTo && !this.closed) {
          const viewer = this.subscribers.values().next().value as Subscriber | undefined;
          if (!viewer) return;
          const page = await readLog(this.feed.engine.options.execute, this.plan.conversationId, this.eventCursor, viewer.userId);
          if (!page && (await this.droppedNonMember(viewer))) continue;
          if (!page) return this.failEvents();
          const missing = page.filter((e) => e.position! > this.eventCursor && e.position! <= upTo);
          for (const e of missing) await this.deliverLive(e);
          if (page.length < FETCH_PAGE_SIZE || missing.length === 0) break;
        }
      }
      if (event) await this.deliverLive(event);
    }).catch((err: unknown) => {
      // Never leave the chain rejected (every later event would be skipped): tell the subscribers where they stopped.
      this.feed.engine.options.log?.('conversation event resolution failed', err);
      this.failEvents();
    });
  }

  private async deliverLive(event: LiveEvent): Promise<void> {
    let json: string | undefined;
    while (json === undefined) {
      const viewer = this.subscribers.values().next().value as Subscriber | undefined;
      if (!viewer || this.closed) return;
      if (event.position !== undefined && event.position <= this.eventCursor) return;
      json = await resolveLiveEvent(this.feed.engine.options, this.plan as EventsPlan, event, viewer.userId);
      if (json !== undefined || (await this.droppedNonMember(viewer))) continue;
      // Ephemeral: skipped. Durable: never silently, every subscriber is told where its stream stopped.
      if (event.position !== undefined) this.failEvents();
      return;
    }
    if (event.position !== undefined) this.eventCursor = event.position;
    const ephemeral = event.kind === ConversationEventKind.Typing;
    for (const subscriber of this.subscribers) {
      // The typist does not need to hear themselves.
      if (ephemeral && subscriber.userId === event.userId) continue;
      subscriber.sendLive(json, ephemeral, event.position);
    }
  }

  /**
   * A read as `viewer` (the group's first subscriber, whom live events
   * resolve as) failed. If that is because they are no longer a member (the
   * bus lost their `member.removed`, and the audit has not run yet), they are
   * ended with FORBIDDEN, as the audit would, and true says: resolve as the
   * next subscriber, rather than send everyone a resync.
   */
  private async droppedNonMember(viewer: Subscriber): Promise<boolean> {
    try {
      await this.feed.engine.heads.read(this.plan.conversationId, viewer.userId);
      return false;
    } catch (err) {
      const code = (err as GraphQLError)?.extensions?.code;
      if (code !== ErrorCode.NotFound && code !== ErrorCode.Forbidden) return false;
      this.revoke(viewer.userId);
      return true;
    }
  }

  /** The log could not be read or an event not resolved: every subscriber resumes from its own positions. */
  private failEvents(): void {
    const { metrics } = this.feed.engine.options;
    for (const subscriber of [...this.subscribers]) {
      metrics.resyncs.inc();
      subscriber.fail([resyncError('Conversation events could not be resolved; resubscribe with after and afterEvent', subscriber.cursor, subscriber.eventCursor).toJSON()]);
    }
  }

  /**
   * READ_UPDATED (or MUTE_UPDATED) for `userId`'s subscribers in this group,
   * resolved once as them, in order with the group's other live events. Not
   * a log entry, so never replayed; a reader whose event cannot be resolved
   * is told to resync rather than left with a stale unread count.
   */
  readUpdated(userId: string, lastReadSeq: number, kind: ConversationEventKind.ReadUpdated | ConversationEventKind.MuteUpdated): void {
    const reader = userId.toLowerCase();
    const isReader = (s: Subscriber) => s.userId.toLowerCase() === reader;
    if (![...this.subscribers].some(isReader)) return;
    this.liveChain = this.liveChain
      .then(async () => {
        const readers = [...this.subscribers].filter(isReader);
        if (this.closed || readers.length === 0) return;
        const json = await resolveLiveEvent(this.feed.engine.options, this.plan as EventsPlan, { kind, seq: lastReadSeq, userId: readers[0]!.userId }, readers[0]!.userId);
        for (const subscriber of readers) {
          if (json !== undefined) subscriber.sendLive(json);
          else {
            this.feed.engine.options.metrics.resyncs.inc();
            subscriber.fail([resyncError('Your read position could not be resolved; resubscribe with after and afterEvent', subscriber.cursor, subscriber.eventCursor).toJSON()]);
          }
        }
      })
      .catch((err: unknown) => this.feed.engine.options.log?.('read position event failed', err));
  }

  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    this.feed.engine.options.metrics.subscriptions.inc();
    if (subscriber.cursor < this.cursor) void subscriber.replay();
    if (subscriber.eventCursor < this.eventCursor) void subscriber.replayEvents();
  }

  remove(subscriber: Subscriber): void {
    subscriber.release?.();
    if (!this.subscribers.delete(subscriber)) return;
    this.feed.engine.options.metrics.subscriptions.dec();
    if (this.subscribers.size === 0) this.close();
  }

  /** Ends the subscriptions of a user who is no longer a member. */
  revoke(userId: string): void {
    for (const subscriber of [...this.subscribers]) {
      if (subscriber.userId === userId) subscriber.fail([{ message: 'You are no longer a member of this conversation', extensions: { code: ErrorCode.Forbidden } }]);
    }
  }

  /** A wake-up the bus may have lost (SubscriptionEngine.auditMembership): read up to the conversation's head. */
  catchUp(lastSeq: number | undefined, lastEvent: number | undefined): void {
    if (this.closed || this.subscribers.size === 0) return;
    if (typeof lastSeq === 'number' && lastSeq > this.cursor) {
      this.feed.engine.options.metrics.catchUps.inc();
      this.wake();
    }
    if (this.plan.field === SubscriptionField.ConversationEvents && typeof lastEvent === 'number' && lastEvent > this.eventCursor) {
      this.feed.engine.options.metrics.catchUps.inc();
      this.live(undefined);
    }
  }

  /** Resolve whatever is newer than `cursor`; coalesces wake-ups that arrive while resolving. */
  wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.dirty = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    const { execute, metrics, log } = this.feed.engine.options;
    try {
      do {
        this.dirty = false;
        for (;;) {
          const viewer = this.subscribers.values().next().value as Subscriber | undefined;
          if (!viewer || this.closed) return;
          metrics.resolutions.inc();
          const page = this.shared
            ? await this.feed.engine.pages.fetch(this.plan, this.cursor, viewer.userId)
            : await fetchPage(execute, this.plan, this.cursor, viewer.userId);
          if (this.closed) return;
          if (page.error) {
            const code = page.error.extensions?.code;
            if (this.shared && code === ErrorCode.NotFound) {
              // Read without a membership check: the conversation itself is gone.
              for (const subscriber of [...this.subscribers]) subscriber.fail([page.error]);
              return;
            }
            if (code === ErrorCode.NotFound || code === ErrorCode.Forbidden) {
              // The viewer lost access (its removal event may have been lost): drop it, resolve as another member.
              this.revoke(viewer.userId);
              continue;
            }
            log?.(`subscription group resolution failed (${code ?? 'error'}); retrying`);
            this.scheduleRetry();
            return;
          }
          this.retries = 0;
          const fresh = page.deliveries.filter((d) => d.seq > this.cursor);
          if (fresh.length > 0) {
            this.cursor = fresh[fresh.length - 1]!.seq;
            // Subscriber by subscriber, the whole batch at once: one socket write each.
            for (const subscriber of this.subscribers) subscriber.offer(fresh);
            // Commit → the write to the group's last socket (with 10,000 subscribers the loop above is most of it).
            const written = Date.now();
            for (const delivery of fresh) {
              const committedAt = this.feed.commitTimes.get(delivery.seq);
              if (committedAt !== undefined) {
                metrics.deliveryLatency.observe((written - committedAt) / 1000);
                this.feed.commitTimes.delete(delivery.seq);
              }
            }
          }
          if (page.deliveries.length < FETCH_PAGE_SIZE) break;
        }
      } while (this.dirty);
    } finally {
      this.pumping = false;
    }
  }

  private scheduleRetry(): void {
    const delay = RETRY_MS[Math.min(this.retries++, RETRY_MS.length - 1)]!;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.wake(), delay);
    this.retryTimer.unref();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const subscriber of [...this.subscribers]) subscriber.end();
    this.feed.removeGroup(this);
  }
}

class Subscriber {
  /** Events the group handed out while this subscriber was still replaying. */
  private buffer: Delivery[] | undefined;
  /** Logged live events the group handed out while this subscriber was replaying the event log. */
  private eventBuffer: Array<{ json: string; position: number }> | undefined;
  private ended = false;
  /** Undoes what joining set up beyond the group (conversationEvents: SubscriptionEngine.watchReads). */
  release?: () => void;

  constructor(
    readonly group: Group,
    readonly sink: DeliverySink,
    /** Highest seq handed to the socket for this subscriber. */
    public cursor: number,
    /** conversationEvents: highest event log position handed to the socket. */
    public eventCursor = 0,
  ) {}

  /** Replays event log positions in (eventCursor, group.eventCursor], resolved as this subscriber, then switches to live. */
  async replayEvents(): Promise<void> {
    this.eventBuffer = [];
    const { execute, metrics } = this.group.feed.engine.options;
    try {
      while (this.eventCursor < this.group.eventCursor && !this.ended) {
        const page = await readLog(execute, this.group.plan.conversationId, this.eventCursor, this.userId);
        if (!page) {
          this.fail([resyncError('The event log could not be read; resubscribe with after and afterEvent', this.cursor, this.eventCursor).toJSON()]);
          return;
        }
        const fresh = page.filter((e) => e.position! > this.eventCursor);
        if (fresh.length === 0) break;
        for (const event of fresh) {
          if (!this.sink.hasRoom()) await this.sink.writable();
          const json = await resolveLiveEvent(this.group.feed.engine.options, this.group.plan as EventsPlan, event, this.userId);
          if (this.ended) return;
          if (json === undefined) {
            this.fail([resyncError('A conversation event could not be resolved; resubscribe with after and afterEvent', this.cursor, this.eventCursor).toJSON()]);
            return;
          }
          if (this.pushEvent(json, event.position!)) metrics.replayed.inc();
        }
      }
    } finally {
      const buffered = this.eventBuffer ?? [];
      this.eventBuffer = undefined;
      this.sink.batch(() => buffered.forEach((e) => this.pushEvent(e.json, e.position)));
    }
  }

  private pushEvent(json: string, position: number): boolean {
    if (position <= this.eventCursor || this.ended) return false;
    if (!this.sink.next(json)) {
      this.group.feed.engine.options.metrics.resyncs.inc();
      this.fail([resyncError('Subscriber fell too far behind; resubscribe with after: lastSeq and afterEvent: lastEvent', this.cursor, this.eventCursor).toJSON()]);
      return false;
    }
    this.eventCursor = position;
    this.group.feed.engine.options.metrics.deliveries.inc();
    return true;
  }

  get userId(): string {
    return this.sink.userId;
  }

  /** Replays seq in (cursor, group.cursor] from the database, then switches to live. */
  async replay(): Promise<void> {
    this.buffer = [];
    const { execute, metrics } = this.group.feed.engine.options;
    try {
      while (this.cursor < this.group.cursor && !this.ended) {
        const page = await fetchPage(execute, this.group.plan, this.cursor, this.userId);
        if (page.error) {
          this.fail([page.error]);
          return;
        }
        if (page.deliveries.length === 0) break;
        // Paced by the socket: what does not fit under half its bound waits for room (DeliverySink.hasRoom).
        for (let next = 0; next < page.deliveries.length && !this.ended; ) {
          if (!this.sink.hasRoom()) await this.sink.writable();
          this.sink.batch(() => {
            do if (this.push(page.deliveries[next++]!)) metrics.replayed.inc();
            while (next < page.deliveries.length && !this.ended && this.sink.hasRoom());
          });
        }
      }
    } finally {
      const buffered = this.buffer ?? [];
      this.buffer = undefined;
      this.sink.batch(() => buffered.forEach((d) => this.push(d)));
    }
  }

  /**
   * More live events arrived while this subscriber replays than a resume may
   * replay (REPLAY_LIMIT): holding more for it would grow without bound, so
   * it is told to resync from where its socket stands.
   */
  private tooFarBehind(): void {
    this.group.feed.engine.options.metrics.resyncs.inc();
    const events = this.group.plan.field === SubscriptionField.ConversationEvents;
    this.fail([resyncError('Too many new events arrived while replaying; resubscribe from lastSeq', this.cursor, events ? this.eventCursor : undefined).toJSON()]);
  }

  /** A live-only event: ordered by its event log position (typing: none), not by seq. */
  sendLive(json: string, ephemeral = false, position?: number): void {
    if (this.ended) return;
    const { metrics } = this.group.feed.engine.options;
    if (ephemeral) {
      if (this.sink.nextEphemeral(json)) metrics.deliveries.inc();
      else metrics.ephemeralDropped.inc();
      return;
    }
    if (position !== undefined) {
      if (!this.eventBuffer) this.pushEvent(json, position);
      else if (this.eventBuffer.length < this.group.feed.engine.options.replayLimit) this.eventBuffer.push({ json, position });
      else this.tooFarBehind();
      return;
    }
    if (!this.sink.next(json)) {
      metrics.resyncs.inc();
      this.fail([resyncError('Subscriber fell too far behind; resubscribe with after: lastSeq', this.cursor).toJSON()]);
      return;
    }
    metrics.deliveries.inc();
  }

  offer(deliveries: Delivery[]): void {
    if (this.buffer) {
      if (this.buffer.length + deliveries.length <= this.group.feed.engine.options.replayLimit) this.buffer.push(...deliveries);
      else this.tooFarBehind();
    } else if (deliveries.length === 1) this.push(deliveries[0]!);
    else this.sink.batch(() => deliveries.forEach((d) => this.push(d)));
  }

  private push(delivery: Delivery): boolean {
    if (delivery.seq <= this.cursor || this.ended) return false;
    if (!this.sink.next(delivery.json, delivery.seq)) {
      // Never drop silently: tell the client where its stream stopped.
      this.group.feed.engine.options.metrics.resyncs.inc();
      this.fail([resyncError('Subscriber fell too far behind; resubscribe with after: lastSeq', this.cursor).toJSON()]);
      return false;
    }
    this.cursor = delivery.seq;
    this.group.feed.engine.options.metrics.deliveries.inc();
    return true;
  }

  fail(errors: readonly GraphQLFormattedError[]): void {
    if (this.ended) return;
    this.ended = true;
    this.sink.error(errors);
    this.group.remove(this);
  }

  /** The group is gone (router shutting down): complete the stream. */
  end(): void {
    this.release?.();
    if (this.ended) return;
    this.ended = true;
    this.sink.complete();
  }
}

interface Page {
  deliveries: Delivery[];
  error?: GraphQLFormattedError;
}

const UNAVAILABLE: GraphQLFormattedError = { message: 'Message resolution failed', extensions: { code: ErrorCode.Unavailable } };

async function fetchPage(execute: Executor, plan: Plan, after: number, userId: string, vouched = false): Promise<Page> {
  const variables = { ...plan.variables, stormConversationId: plan.conversationId, stormAfter: after, stormLimit: FETCH_PAGE_SIZE };
  let response: Awaited<ReturnType<Executor>>;
  try {
    response = await execute(plan.query, variables, userId, vouched ? { vouched } : undefined);
  } catch (err) {
    return { deliveries: [], error: UNAVAILABLE };
  }
  return toPage(plan, response.data?.conversation, response.errors?.[0]);
}

/** One conversation's page (`conversation { lastSeq messages { … } }` of a page query) as deliveries. */
function toPage(plan: Plan, conversation: unknown, error: GraphQLFormattedError | undefined): Page {
  const messages = (conversation as { messages?: Array<Record<string, unknown>> } | null | undefined)?.messages;
  if (error || !messages) {
    return { deliveries: [], error: error ?? { message: NOT_FOUND_CONVERSATION, extensions: { code: ErrorCode.NotFound } } };
  }
  return {
    deliveries: messages.map((message) => {
      const { [SEQ_ALIAS]: seq, ...fields } = message;
      const payload =
        plan.field !== SubscriptionField.MessageAdded
          ? eventObject(plan, ConversationEventKind.MessageAdded, seq as number, plan.messageKey ? { [plan.messageKey]: fields } : {})
          : fields;
      return { seq: seq as number, json: JSON.stringify({ data: { [plan.responseKey]: payload } }) };
    }),
  };
}

/** Conversations per batched page query. */
const DEFAULT_PAGE_BATCH = 50;
/** Batched page reads of one selection in flight. */
const DEFAULT_PAGE_READ_CONCURRENCY = 4;
/** Batched head reads in flight. */
const DEFAULT_OPEN_CONCURRENCY = 4;

/** GraphQL's largest Int: a page after it is empty (the padding slots of a batched read). */
const MAX_INT = 2_147_483_647;

const DEFAULT_AUDIT_MS = 30_000;
const DEFAULT_INBOX_AUDIT_MS = 300_000;

/** Which halves of the audit to run (SubscriptionEngine.audit). */
interface AuditKinds {
  groups?: boolean;
  inboxes?: boolean;
}

/**
 * An open subscription's stop, made outside open(): a closure there would
 * keep open()'s whole scope (the plan, its generated query and group key
 * strings, the head read) alive for as long as the subscription lives.
 */
function stopper(subscriber: Subscriber): Operation {
  return { stop: () => subscriber.group.remove(subscriber) };
}

interface PageSlot {
  plan: Plan;
  after: number;
  userId: string;
  resolve: (page: Page) => void;
}

/**
 * Batches the page reads of shared groups across conversations: groups with
 * the same page query and variables (the same selection) that ask within one
 * turn of the event loop — a burst of bus events — are read with one query,
 * one alias per conversation, so the subgraph trips (and the `_entities`
 * fetches of other subgraphs' fields) are one per batch, not one per
 * conversation. At most `concurrency` reads of one selection are in flight;
 * groups that ask meanwhile queue and leave with the next read, up to
 * `maxBatch` of them. Read vouched: these groups' subscribers were authorized
 * when they subscribed and are revoked on removal (and by the membership audit).
 */
class PageBatcher {
  /** One queue per selection (page query and variables): only reads of one selection share a batch. */
  private readonly queues = new Map<string, TurnBatches<PageSlot>>();
  private readonly queries = new Map<string, string>();

  constructor(
    private readonly execute: Executor,
    private readonly maxBatch: number,
    private readonly concurrency: number,
    private readonly observe: (conversations: number) => void,
  ) {}

  fetch(plan: Plan, after: number, userId: string): Promise<Page> {
    const key = JSON.stringify([plan.query, sortKeys(plan.variables)]);
    return new Promise((resolve) => {
      let queue = this.queues.get(key);
      if (!queue) {
        const created: TurnBatches<PageSlot> = new TurnBatches(
          this.concurrency,
          () => this.maxBatch,
          (slots) => this.run(slots),
          () => this.queues.get(key) === created && this.queues.delete(key),
        );
        this.queues.set(key, (queue = created));
      }
      queue.push({ plan, after, userId, resolve });
    });
  }

  private async run(slots: PageSlot[]): Promise<void> {
    const first = slots[0]!;
    this.observe(slots.length);
    if (slots.length === 1) return first.resolve(await fetchPage(this.execute, first.plan, first.after, first.userId, true));
    const variables: Record<string, unknown> = { ...first.plan.variables, stormLimit: FETCH_PAGE_SIZE };
    slots.forEach((slot, i) => {
      variables[`stormConversationId_${i}`] = slot.plan.conversationId;
      variables[`stormAfter_${i}`] = slot.after;
    });
    const size = paddedSlots(slots.length, this.maxBatch);
    const last = slots[slots.length - 1]!.plan.conversationId;
    for (let i = slots.length; i < size; i++) {
      variables[`stormConversationId_${i}`] = last;
      variables[`stormAfter_${i}`] = MAX_INT;
    }
    let response: Awaited<ReturnType<Executor>>;
    try {
      response = await this.execute(this.query(first.plan.query, size), variables, first.userId, { vouched: true });
    } catch {
      for (const slot of slots) slot.resolve({ deliveries: [], error: UNAVAILABLE });
      return;
    }
    slots.forEach((slot, i) => {
      const alias = batchAlias(i);
      const error = response.errors?.find((e) => e.path === undefined || e.path.length === 0 || e.path[0] === alias);
      slot.resolve(toPage(slot.plan, response.data?.[alias], error));
    });
  }

  private query(pageQuery: string, slots: number): string {
    const key = `${slots}\u0000${pageQuery}`;
    let query = this.queries.get(key);
    if (!query) {
      query = batchPageQuery(pageQuery, slots);
      if (this.queries.size >= 10_000) this.queries.clear();
      this.queries.set(key, query);
    }
    return query;
  }
}

/** A ConversationEvent in the client's own shape: local fields by their response keys, then the resolved ones. */
function eventObject(
  plan: EventsPlan,
  kind: ConversationEventKind,
  seq: number,
  resolved: Record<string, unknown>,
  extra: Pick<LiveEvent, 'emoji' | 'typing' | 'expiresAt' | 'position'> = {},
): Record<string, unknown> {
  const inbox = plan.field === SubscriptionField.Inbox;
  const values: Record<string, unknown> = {
    kind,
    conversationId: plan.conversationId,
    seq,
    emoji: extra.emoji ?? null,
    typing: extra.typing ?? null,
    expiresAt: extra.expiresAt ?? null,
    position: extra.position ?? null,
    cursor: CURSOR_PLACEHOLDER,
    __typename: inbox ? 'InboxEvent' : 'ConversationEvent',
  };
  const out: Record<string, unknown> = {};
  for (const [key, name] of plan.local) out[key] = values[name];
  for (const [key] of plan.resolvedKeys) out[key] = resolved[key] ?? null;
  return out;
}

function resyncError(message: string, lastSeq: number, lastEvent?: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: SubscriptionErrorCode.ResyncRequired, lastSeq, ...(lastEvent === undefined ? {} : { lastEvent }) } });
}

/** One page of a conversation's event log after `after`, as `userId`; undefined when it could not be read. */
async function readLog(execute: Executor, conversationId: string, after: number, userId: string): Promise<LiveEvent[] | undefined> {
  const response = await execute(EVENT_LOG_QUERY, { stormConversationId: conversationId, stormAfterEvent: after, stormLimit: FETCH_PAGE_SIZE }, userId).catch(() => undefined);
  const events = (response?.data?.conversation as { events?: Array<Record<string, unknown>> } | null | undefined)?.events;
  if (!response || response.errors?.length || !events) return undefined;
  return events.map((e) => ({
    kind: e.kind as ConversationEventKind,
    seq: e.seq as number,
    position: e.position as number,
    messageId: (e.messageId as string | null) ?? undefined,
    userId: (e.userId as string | null) ?? undefined,
    emoji: (e.emoji as string | null) ?? undefined,
  }));
}

/** Resolves a live event's message / user / conversation as `userId` and serialises it; undefined on failure. */
async function resolveLiveEvent(options: EngineOptions, plan: EventsPlan, event: LiveEvent, userId: string): Promise<string | undefined> {
  const { execute, metrics, log } = options;
  let resolved: Record<string, unknown> = {};
  if (plan.eventQuery) {
    metrics.resolutions.inc();
    const withMessage = event.messageId !== undefined; // a deleted message is still readable as a tombstone
    const withUser = event.userId !== undefined;
    const withConversation = !event.kind.startsWith('MESSAGE_') && !event.kind.startsWith('REACTION_') && event.kind !== ConversationEventKind.Typing;
    const response = await execute(
      plan.eventQuery,
      {
        ...plan.variables,
        stormMessageId: event.messageId ?? plan.conversationId,
        stormUserId: event.userId ?? plan.conversationId,
        stormConversationId: plan.conversationId,
        stormWithMessage: withMessage,
        stormWithUser: withUser,
        stormWithConversation: withConversation,
      },
      userId,
    ).catch(() => undefined);
    if (!response || response.errors?.length) {
      log?.(`conversation event resolution failed (${response?.errors?.[0]?.extensions?.code ?? 'unavailable'})`);
      return undefined;
    }
    resolved = (response.data ?? {}) as Record<string, unknown>;
  }
  return JSON.stringify({ data: { [plan.responseKey]: eventObject(plan, event.kind, event.seq, resolved, event) } });
}
