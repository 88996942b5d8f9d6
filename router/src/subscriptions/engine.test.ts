// The engine's batching of page reads, as pure logic: a counting executor in
// place of the query planner (the real planner and subgraphs are exercised
// end to end in tests/fanout-resolution.e2e.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { ConversationEvent, createMemoryBus, topics, type Bus } from '@storm/bus';
import { createMetrics } from '../metrics.js';
import { SubscriptionEngine, type Executor } from './engine.js';
import { paddedSlots } from './batch-query.js';
import { planSubscription, type EventsPlan, type SelectionPlan } from './selection.js';
import { dependsOnViewer, viewerFields } from './viewer.js';
import type { DeliverySink } from './wire.js';

const schema = buildSchema(readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8'));
const marked = viewerFields(readFileSync(fileURLToPath(new URL('../../supergraph.graphql', import.meta.url)), 'utf8'));
const PREFIX = 'enginetest';
const busTopics = topics(PREFIX);

interface Call {
  query: string;
  variables: Record<string, unknown>;
  userId: string;
  vouched: boolean;
}

/** Conversations c0…cN with their messages; answers head, page and batched page queries like the planner would. */
function fakePlanner(members: Map<string, Set<string>>) {
  const messages = new Map<string, number>();
  /** Each conversation's event log. */
  const log = new Map<string, Array<{ position: number; kind: string; seq: number }>>();
  const calls: Call[] = [];
  const failing = new Set<string>();
  /** While set, page reads wait for it (reads in flight, held). */
  const held: { gate?: Promise<void> } = {};
  const page = (conversationId: string, after: number, userId: string, vouched: boolean, query: string) => {
    if (!vouched && !members.get(conversationId)?.has(userId)) return null;
    const lastSeq = messages.get(conversationId) ?? 0;
    const list = [];
    for (let seq = after + 1; seq <= lastSeq; seq++) list.push({ _stormSeq: seq, id: `${conversationId}-${seq}`, ...(query.includes('body') ? { body: `m${seq}` } : {}), ...(query.includes('mentionsMe') ? { mentionsMe: userId === 'bob' } : {}) });
    return { lastSeq, messages: list };
  };
  const execute: Executor = async (query, variables, userId, options) => {
    const vouched = options?.vouched === true;
    calls.push({ query, variables, userId, vouched });
    await new Promise((r) => setTimeout(r, 1));
    if (query.startsWith('query StormSubscriptionHeads')) {
      // As the conversations subgraph answers a vouched read: any conversation that exists, and which of the users are members.
      if (!vouched) throw new Error('head reads are vouched');
      const data: Record<string, unknown> = {};
      const errors = [];
      for (let i = 0; `c${i}` in variables; i++) {
        const id = variables[`c${i}`] as string;
        if (!members.has(id)) {
          data[`h${i}`] = null;
          errors.push({ message: 'Conversation not found', path: [`h${i}`], extensions: { code: 'NOT_FOUND' } });
        } else data[`h${i}`] = { lastSeq: messages.get(id) ?? 0, lastEvent: log.get(id)?.length ?? 0, members: (variables[`u${i}`] as string[]).filter((u) => members.get(id)!.has(u)) };
      }
      return errors.length ? { data, errors } : { data };
    }
    if (query.startsWith('query StormEventLog')) {
      const entries = (log.get(variables.stormConversationId as string) ?? []).filter((e) => e.position > (variables.stormAfterEvent as number));
      return { data: { conversation: { events: entries.map((e) => ({ ...e, messageId: null, userId: 'alice', emoji: '👍' })) } } };
    }
    if (held.gate) await held.gate;
    if ('stormConversationId' in variables) return { data: { conversation: page(variables.stormConversationId as string, variables.stormAfter as number, userId, vouched, query) } };
    const data: Record<string, unknown> = {};
    const errors = [];
    for (let i = 0; `stormConversationId_${i}` in variables; i++) {
      const id = variables[`stormConversationId_${i}`] as string;
      if (failing.has(id)) {
        data[`b${i}`] = null;
        errors.push({ message: 'boom', path: [`b${i}`], extensions: { code: 'UNAVAILABLE' } });
      } else data[`b${i}`] = page(id, variables[`stormAfter_${i}`] as number, userId, vouched, query);
    }
    return errors.length ? { data, errors } : { data };
  };
  return { execute, calls, messages, failing, log, held };
}

function sink(userId: string) {
  const received: Array<{ seq?: number; json: string }> = [];
  const errors: unknown[] = [];
  const s: DeliverySink = {
    userId,
    clientIp: undefined,
    next: (json, seq) => (received.push({ seq, json }), true),
    nextEphemeral: () => true,
    batch: (send) => send(),
    hasRoom: () => true,
    writable: async () => {},
    error: (e) => void errors.push(e),
    complete: () => {},
  };
  return { sink: s, received, errors };
}

function eventsPlanFor(conversationId: string, afterEvent?: number) {
  const document = parse(`subscription($c: ID!, $e: Int) { conversationEvents(conversationId: $c, afterEvent: $e) { kind position emoji } }`);
  return planSubscription(document, getOperationAST(document)!, { c: conversationId, e: afterEvent }) as EventsPlan;
}

function planFor(selection: string, conversationId: string): SelectionPlan {
  const document = parse(`subscription($c: ID!) { messageAdded(conversationId: $c) { ${selection} } }`);
  return planSubscription(document, getOperationAST(document)!, { c: conversationId }) as SelectionPlan;
}

/** Conversations a page call reads for real (padding slots ask the last one again, after GraphQL's largest Int). */
function conversationsRead(call: Call): number {
  if ('stormConversationId' in call.variables) return 1;
  return Object.keys(call.variables).filter((k) => k.startsWith('stormAfter_') && call.variables[k] !== 2_147_483_647).length;
}

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('subscription engine: page reads batched across conversations', () => {
  let bus: Bus;
  let engine: SubscriptionEngine;
  afterEach(async () => {
    await engine?.dispose();
    await bus?.dispose();
  });

  const CONVERSATIONS = 20;
  const setup = (options: { batch?: number; concurrency?: number; replayLimit?: number } = {}) => {
    const members = new Map(Array.from({ length: CONVERSATIONS }, (_, i) => [`c${i}`, new Set(['alice', 'bob', `only${i}`])]));
    const planner = fakePlanner(members);
    bus = createMemoryBus({ prefix: PREFIX });
    engine = new SubscriptionEngine({
      bus,
      topics: busTopics,
      execute: planner.execute,
      metrics: createMetrics(),
      replayLimit: options.replayLimit ?? 1_000,
      pageBatchSize: options.batch,
      pageReadConcurrency: options.concurrency,
      membershipAuditMs: 0,
      dependsOnViewer: (query) => dependsOnViewer(schema, parse(query), marked),
    });
    return { planner, members };
  };
  /** A new message in conversation c<i>, committed and published. */
  const commitIn = (planner: ReturnType<typeof fakePlanner>, i: number) => {
    const seq = (planner.messages.get(`c${i}`) ?? 0) + 1;
    planner.messages.set(`c${i}`, seq);
    return bus.publish(busTopics.conversation(`c${i}`, ConversationEvent.MessageAdded), { id: `c${i}-${seq}`, conversationId: `c${i}`, seq, authorId: 'alice', committedAt: new Date().toISOString() });
  };
  const commitEverywhere = async (planner: ReturnType<typeof fakePlanner>) => {
    // One event per conversation, all in one turn of the event loop (a burst from the bus).
    await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => commitIn(planner, i)));
  };
  /** Each conversation's subscriber is a different user, member of that conversation only; their first looks done. */
  const subscribeEach = async (planner: ReturnType<typeof fakePlanner>, selection: string) => {
    const sinks = Array.from({ length: CONVERSATIONS }, (_, i) => sink(`only${i}`));
    for (let i = 0; i < CONVERSATIONS; i++) await engine.open(sinks[i]!.sink, planFor(selection, `c${i}`));
    await new Promise((r) => setTimeout(r, 50));
    planner.calls.length = 0;
    return sinks;
  };

  it('reads the new messages of 20 conversations that wake together with one vouched query, and hands each group its own', async () => {
    const { planner } = setup();
    const sinks = await subscribeEach(planner, 'id body');
    expect(engine.groupCount).toBe(CONVERSATIONS);

    await commitEverywhere(planner);
    await until(() => sinks.every((s) => s.received.length === 1));
    const pageCalls = planner.calls.filter((c) => !c.query.startsWith('query StormSubscriptionHead'));
    expect(pageCalls).toHaveLength(1);
    expect(pageCalls[0]!.vouched).toBe(true);
    // 20 conversations, padded to 32 slots with empty pages of the last one.
    expect(Object.keys(pageCalls[0]!.variables).filter((k) => k.startsWith('stormConversationId_'))).toHaveLength(32);
    expect(conversationsRead(pageCalls[0]!)).toBe(CONVERSATIONS);
    expect(pageCalls[0]!.variables.stormAfter_31).toBe(2_147_483_647);
    sinks.forEach((s, i) => expect(JSON.parse(s.received[0]!.json)).toEqual({ data: { messageAdded: { id: `c${i}-1`, body: 'm1' } } }));
  });

  it('splits a burst into batches of SUBSCRIPTION_BATCH_SIZE', async () => {
    const { planner } = setup({ batch: 8 });
    const sinks = await subscribeEach(planner, 'id');
    await commitEverywhere(planner);
    await until(() => sinks.every((s) => s.received.length === 1));
    expect(planner.calls.map(conversationsRead)).toEqual([8, 8, 4]);
  });

  it('queues wake-ups while SUBSCRIPTION_BATCH_CONCURRENCY reads are in flight and sends them as one next read', async () => {
    const { planner } = setup({ concurrency: 1 });
    const sinks = await subscribeEach(planner, 'id');
    let release!: () => void;
    planner.held.gate = new Promise<void>((r) => (release = r));
    const pageCalls = () => planner.calls.filter((c) => !c.query.startsWith('query StormSubscriptionHead'));
    await commitIn(planner, 0);
    await until(() => pageCalls().length === 1);
    // The other 19 wake one by one, each in its own turn, while c0's read is held.
    for (let i = 1; i < CONVERSATIONS; i++) {
      await commitIn(planner, i);
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(pageCalls()).toHaveLength(1);
    planner.held.gate = undefined;
    release();
    await until(() => sinks.every((s) => s.received.length === 1));
    expect(pageCalls().map(conversationsRead)).toEqual([1, CONVERSATIONS - 1]);
  });

  it('isolates a failed slot: the others deliver, the failed group retries and catches up', async () => {
    const { planner } = setup();
    const sinks = await subscribeEach(planner, 'id');
    planner.failing.add('c3');
    await commitEverywhere(planner);
    await until(() => sinks.every((s, i) => i === 3 || s.received.length === 1));
    expect(sinks[3]!.received).toHaveLength(0);
    expect(sinks[3]!.errors).toHaveLength(0);
    planner.failing.clear();
    await until(() => sinks[3]!.received.length === 1, 3_000);
  });

  it('resolves a viewer-dependent selection per user, as that user, never vouched', async () => {
    const { planner } = setup();
    const alice = sink('alice');
    const bob = sink('bob');
    await engine.open(alice.sink, planFor('id mentionsMe', 'c0'));
    await engine.open(bob.sink, planFor('id mentionsMe', 'c0'));
    expect(engine.groupCount).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    planner.calls.length = 0;
    await commitEverywhere(planner);
    await until(() => alice.received.length === 1 && bob.received.length === 1);
    expect(JSON.parse(alice.received[0]!.json).data.messageAdded.mentionsMe).toBe(false);
    expect(JSON.parse(bob.received[0]!.json).data.messageAdded.mentionsMe).toBe(true);
    expect(planner.calls.every((c) => !c.vouched)).toBe(true);
    expect(new Set(planner.calls.map((c) => c.userId))).toEqual(new Set(['alice', 'bob']));
  });

  it('the membership audit ends the subscriptions of a member whose removal event never arrived', async () => {
    const { planner, members } = setup();
    const carol = sink('only0');
    const alice = sink('alice');
    await engine.open(carol.sink, planFor('id', 'c0'));
    await engine.open(alice.sink, planFor('id', 'c0'));
    members.get('c0')!.delete('only0'); // removed; the bus event was lost
    // The fake answers `members { id }` from the same table.
    const execute = planner.execute;
    (engine.options as { execute: Executor }).execute = async (query, variables, userId, options) => {
      if (!query.startsWith('query StormMembershipAudit')) return execute(query, variables, userId, options);
      const data: Record<string, unknown> = {};
      for (let i = 0; `c${i}` in variables; i++) data[`a${i}`] = { members: [...(members.get(variables[`c${i}`] as string) ?? [])].map((id) => ({ id })) };
      return { data };
    };
    await engine.auditMembership();
    expect(carol.errors).toHaveLength(1);
    expect((carol.errors[0] as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe('FORBIDDEN');
    expect(alice.errors).toHaveLength(0);
    expect(engine.subscriberCount).toBe(1);
  });

  it('holds at most REPLAY_LIMIT live messages for a subscriber still replaying, then tells it to resync from where it stands', async () => {
    const { planner } = setup({ replayLimit: 5 });
    planner.messages.set('c0', 3);
    const alice = sink('alice');
    await engine.open(alice.sink, planFor('id', 'c0'));
    // Bob resumes from 0: his own replay reads (one conversation, as him) are slow; the group's batched live reads are not.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const execute = planner.execute;
    (engine.options as { execute: Executor }).execute = async (query, variables, userId, options) => {
      if (userId === 'bob' && 'stormConversationId' in variables) await gate;
      return execute(query, variables, userId, options);
    };
    const bob = sink('bob');
    const document = parse(`subscription($c: ID!, $a: Int) { messageAdded(conversationId: $c, after: $a) { id } }`);
    await engine.open(bob.sink, planSubscription(document, getOperationAST(document)!, { c: 'c0', a: 0 }) as SelectionPlan);
    for (let i = 0; i < 6; i++) {
      await commitIn(planner, 0);
      await until(() => alice.received.length === i + 1);
    }
    expect(bob.errors).toHaveLength(1);
    expect((bob.errors[0] as Array<{ extensions: unknown }>)[0]!.extensions).toEqual({ code: 'RESYNC_REQUIRED', lastSeq: 0 });
    release();
    await new Promise((r) => setTimeout(r, 30));
    expect(bob.received).toEqual([]);
    expect(alice.received.map((r) => JSON.parse(r.json).data.messageAdded.id)).toEqual(['c0-4', 'c0-5', 'c0-6', 'c0-7', 'c0-8', 'c0-9']);
  });

  it('conversationEvents: fills positions the bus lost from the event log, drops repeats, and replays afterEvent for a resuming subscriber', async () => {
    const { planner } = setup();
    const reaction = (position: number) => bus.publish(busTopics.conversation('c0', ConversationEvent.ReactionAdded), { conversationId: 'c0', messageId: 'm', seq: 1, userId: 'alice', emoji: '👍', position });
    const log = Array.from({ length: 4 }, (_, i) => ({ position: i + 1, kind: 'REACTION_ADDED', seq: 1 }));
    const live = sink('alice');
    await engine.open(live.sink, eventsPlanFor('c0'));
    await new Promise((r) => setTimeout(r, 30));
    planner.log.set('c0', log.slice(0, 1));
    await reaction(1);
    planner.log.set('c0', log.slice(0, 3));
    await reaction(3); // 2 never came
    await reaction(3); // a repeat
    await until(() => live.received.length >= 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(live.received.map((r) => JSON.parse(r.json).data.conversationEvents.position)).toEqual([1, 2, 3]);

    // A subscriber resuming after position 1 while the group is at 3 gets 2 and 3 from the log, then live 4.
    const resumed = sink('bob');
    await engine.open(resumed.sink, eventsPlanFor('c0', 1));
    await until(() => resumed.received.length >= 2);
    planner.log.set('c0', log);
    await reaction(4);
    await until(() => resumed.received.length >= 3 && live.received.length >= 4);
    expect(resumed.received.map((r) => JSON.parse(r.json).data.conversationEvents.position)).toEqual([2, 3, 4]);
    expect(live.received.map((r) => JSON.parse(r.json).data.conversationEvents.position)).toEqual([1, 2, 3, 4]);
  });
});

describe('subscription engine: opens', () => {
  let bus: Bus;
  let engine: SubscriptionEngine;
  afterEach(async () => {
    await engine?.dispose();
    await bus?.dispose();
  });

  it('authorizes a subscribe storm with a few batched head reads, at most openConcurrency in flight, and refuses a stranger among them', async () => {
    const members = new Map([
      ['c0', new Set(Array.from({ length: 40 }, (_, i) => `u${i}`))],
      ['c1', new Set(['u0'])],
    ]);
    const planner = fakePlanner(members);
    let heads = 0;
    let peak = 0;
    const execute: Executor = async (query, variables, userId, options) => {
      const head = query.startsWith('query StormSubscriptionHeads');
      if (head) peak = Math.max(peak, ++heads);
      try {
        return await planner.execute(query, variables, userId, options);
      } finally {
        if (head) heads--;
      }
    };
    bus = createMemoryBus({ prefix: PREFIX });
    engine = new SubscriptionEngine({ bus, topics: busTopics, execute, metrics: createMetrics(), replayLimit: 1_000, membershipAuditMs: 0, openConcurrency: 2 });
    const sinks = Array.from({ length: 40 }, (_, i) => sink(`u${i}`));
    const stranger = sink('stranger');
    const otherMember = sink('u0');
    const outsider = sink('u1'); // a member of c0, not of c1
    const opened = await Promise.allSettled([
      ...sinks.map((s) => engine.open(s.sink, planFor('id', 'c0'))),
      engine.open(stranger.sink, planFor('id', 'c0')),
      engine.open(otherMember.sink, planFor('id', 'c1')),
      engine.open(outsider.sink, planFor('id', 'c1')),
      engine.open(sink('u2').sink, planFor('id', 'nowhere')),
    ]);
    const headCalls = planner.calls.filter((c) => c.query.startsWith('query StormSubscriptionHeads'));
    expect(headCalls.length).toBeLessThan(5);
    expect(peak).toBeLessThanOrEqual(2);
    expect(opened.slice(0, 40).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(opened[41]!.status).toBe('fulfilled');
    for (const refused of [opened[40], opened[42], opened[43]]) {
      expect((refused as PromiseRejectedResult).reason.extensions.code).toBe('NOT_FOUND');
      expect((refused as PromiseRejectedResult).reason.message).toBe('Conversation not found');
    }
    expect(engine.subscriberCount).toBe(41);
    expect(engine.heads.load).toEqual({ inFlight: 0, queued: 0 });
  });

  it('fails the opens of a head read that could not be made with UNAVAILABLE, and opens the next ones', async () => {
    const members = new Map([['c0', new Set(['u0', 'u1'])]]);
    const planner = fakePlanner(members);
    let fail = true;
    const execute: Executor = async (query, variables, userId, options) => {
      if (fail && query.startsWith('query StormSubscriptionHeads')) throw new Error('subgraph down');
      return planner.execute(query, variables, userId, options);
    };
    bus = createMemoryBus({ prefix: PREFIX });
    engine = new SubscriptionEngine({ bus, topics: busTopics, execute, metrics: createMetrics(), replayLimit: 1_000, membershipAuditMs: 0 });
    const failed = await engine.open(sink('u0').sink, planFor('id', 'c0')).catch((err: unknown) => err);
    expect((failed as { extensions: { code: string } }).extensions.code).toBe('UNAVAILABLE');
    fail = false;
    await engine.open(sink('u1').sink, planFor('id', 'c0'));
    expect(engine.subscriberCount).toBe(1);
  });
});

describe('paddedSlots', () => {
  it('rounds a batch up to a power of two, at most the batch size', () => {
    expect([1, 2, 3, 5, 8, 9, 17, 32, 33, 50].map((n) => paddedSlots(n, 50))).toEqual([1, 2, 4, 8, 8, 16, 32, 32, 50, 50]);
    expect([3, 7, 8].map((n) => paddedSlots(n, 8))).toEqual([4, 8, 8]);
  });
});

describe('subscription engine: presence', () => {
  let bus: Bus;
  let engine: SubscriptionEngine;
  afterEach(async () => {
    await engine?.dispose();
    await bus?.dispose();
  });

  it('answers UNAVAILABLE when the bus refuses the presence subscription, and the next watcher subscribes again', async () => {
    const memory = createMemoryBus({ prefix: PREFIX });
    let refuse = true;
    bus = Object.assign(Object.create(memory) as Bus, {
      subscribe: (subject: string, handler: Parameters<Bus['subscribe']>[1]) => (refuse ? Promise.reject(new Error('bus down')) : memory.subscribe(subject, handler)),
    });
    engine = new SubscriptionEngine({ bus, topics: busTopics, execute: fakePlanner(new Map()).execute, metrics: createMetrics(), replayLimit: 1_000, membershipAuditMs: 0 });
    const document = parse(`subscription { presenceChanged(userIds: ["00000000-0000-4000-8000-000000000001"]) { userId status } }`);
    const plan = planSubscription(document, getOperationAST(document)!, {}) as Parameters<SubscriptionEngine['openPresence']>[1];
    const watcher = sink('alice');
    await expect(engine.openPresence(watcher.sink, plan)).rejects.toMatchObject({ extensions: { code: 'UNAVAILABLE' } });

    refuse = false;
    const next = sink('bob');
    await engine.openPresence(next.sink, plan);
    const events: string[] = [];
    next.sink.nextEphemeral = (json) => (events.push(json), true);
    await memory.publish(busTopics.user('00000000-0000-4000-8000-000000000001', 'presence'), { userId: '00000000-0000-4000-8000-000000000001', status: 'ONLINE', at: new Date().toISOString() });
    await until(() => events.length === 1);
    expect(JSON.parse(events[0]!)).toEqual({ data: { presenceChanged: { userId: '00000000-0000-4000-8000-000000000001', status: 'ONLINE' } } });
  });
});
