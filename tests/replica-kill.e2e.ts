// A router replica killed for real mid-stream: the compiled router
// (router/dist/index.js) runs as its own OS process, configured only by
// environment variables as its Kubernetes Deployment configures it, beside the
// test stack's in-process router on the same bus, subgraphs and database.
// A third of the way through a burst of concurrent sends it gets SIGKILL (no
// drain, no 1001, no `complete`): its clients see their sockets die, resume on
// the surviving router with their last seq as `after`, and the queue checker
// finds nothing acknowledged lost, nothing duplicated, seq in order. Each sender's
// inbox (all three conversations on one stream) is on the killed router too and
// resumes on the survivor from the cursor of its last event, with the same result. And one
// conversationEvents client per conversation, there too, while the senders also react to their
// messages: it resumes with its last seq and its last event-log position, and gets every message
// and every logged change (positions 1, 2, 3 …) once, each acknowledged reaction among them.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from './testkit/client.js';
import { check, checkEvents, checkInboxes, EventsFollower, eventsCaughtUp, Follower, followOnBoth, InboxFollower, sendAll, until } from './testkit/checker.js';
import { buildDist, startCompiled } from './testkit/compiled.js';
import { CreateConversation } from './testkit/operations.js';
import { startTestStack, TEST_REDIS_URL, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const CONVERSATIONS = 3;
const SENDERS = 4;
const MESSAGES_PER_SENDER = 25; // per conversation
const FOLLOWERS = 3; // per conversation per router
const REACT_EVERY = 5; // each sender reacts to every 5th of its messages
/** The line router/src/index.ts prints once it listens (PORT=0: the port it got). */
const ROUTER_READY = /STORM router ready at (http:\/\/\S+)/;
/** What a WebSocket client reports when the peer vanished without a close frame (RFC 6455 §7.1.5). */
const ABNORMAL_CLOSURE = 1006;

/** The bus settings of the child router, as a Deployment's env names them (packages/bus busEnvShape). */
function busEnv(stack: TestStack): Record<string, string> {
  return stack.busKind === 'nats'
    ? { BUS: 'nats', NATS_URL: 'nats://127.0.0.1:4222', BUS_PREFIX: stack.busPrefix }
    : { BUS: 'redis', REDIS_URL: TEST_REDIS_URL, BUS_PREFIX: stack.busPrefix };
}

/** `storm_subscriptions` from a router's /metrics (the child's engine is in another process). */
async function openSubscriptions(routerUrl: string): Promise<number> {
  const text = await (await fetch(routerUrl.replace(/\/graphql$/, '/metrics'))).text();
  return Number(/^storm_subscriptions (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** SIGKILL (if still running), then wait for the exit. */
async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid!, 'SIGKILL');
  await exited;
}

describe.each(['nats', 'redis'] as const)('a router process SIGKILLed mid-stream, over the %s bus', (busKind) => {
  let stack: TestStack;
  let child: ChildProcess | undefined;
  let childUrl: string;
  let senders: TestUser[];
  const conversationIds: string[] = [];
  const followers: Follower[] = [];
  const inboxes: InboxFollower[] = [];
  const events: EventsFollower[] = [];
  const output: string[] = [];

  beforeAll(async () => {
    buildDist();
    stack = await startTestStack({ bus: busKind });
    ({ child, url: childUrl } = await startCompiled(
      'router/dist/index.js',
      {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        USERS_URL: stack.users.url,
        CONVERSATIONS_URL: stack.conversations.url,
        MEDIA_URL: stack.media.url,
        IDENTITY_SECRET: stack.secrets.identitySecret,
        JWT_PUBLIC_KEY: stack.secrets.jwtPublicKeyPem,
        ...busEnv(stack),
      },
      ROUTER_READY,
      output,
    ));
    senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => registerUser(stack.httpUrl, `kill${i}`)));
    for (let c = 0; c < CONVERSATIONS; c++) {
      const { createConversation } = await ok(
        stack.httpUrl,
        CreateConversation,
        { input: { kind: 'GROUP', title: `killed ${c}`, memberIds: senders.slice(1).map((s) => s.id) } },
        senders[0]!.accessToken,
      );
      conversationIds.push(createConversation.id);
    }
  }, 120_000);

  afterAll(async () => {
    await kill(child);
    await Promise.allSettled([...followers, ...inboxes, ...events].map((f) => f.close()));
    await stack?.dispose();
  });

  it('loses nothing and duplicates nothing for the clients that resume on the surviving router', async () => {
    const { onA: onMain, onB: onChild } = followOnBoth(conversationIds, senders, FOLLOWERS, stack.wsUrl, childUrl.replace(/^http/, 'ws'));
    followers.push(...onMain, ...onChild);
    // Every sender's inbox on the child, live from now (an inbox counts once per conversation it follows).
    inboxes.push(...senders.map((s) => new InboxFollower(s)));
    for (const inbox of inboxes) inbox.follow(childUrl.replace(/^http/, 'ws'), undefined);
    // One conversationEvents client per conversation on the child, from the start of both axes.
    events.push(...conversationIds.map((id, c) => new EventsFollower(senders[(c + 2) % SENDERS]!, id)));
    for (const follower of events) follower.follow(childUrl.replace(/^http/, 'ws'));
    await stack.subscriptionsOpen(onMain.length);
    // Open in a group means its conversation's bus subscription is live (engine.open awaits feed.ready).
    await expect.poll(() => openSubscriptions(childUrl), { timeout: 10_000 }).toBe(onChild.length + inboxes.length * CONVERSATIONS + events.length);

    // Every sender sends to every conversation at once; a third of the way in, the child gets SIGKILL.
    const perConversation = SENDERS * MESSAGES_PER_SENDER;
    let atKill: { delivered: number[]; acked: number } | undefined;
    let eventsAtKill: number[] = [];
    const { acked, reactions } = await sendAll(
      stack.httpUrl,
      senders,
      conversationIds,
      MESSAGES_PER_SENDER,
      (acknowledged) => {
        atKill = { delivered: [...onChild, ...inboxes].map((f) => f.deliveries.length), acked: acknowledged };
        eventsAtKill = events.map((f) => f.messages.length);
        process.kill(child!.pid!, 'SIGKILL');
      },
      { reactEvery: REACT_EVERY },
    );
    await until(() => child!.signalCode !== null, 'the child exits');
    expect(child!.signalCode).toBe('SIGKILL');

    // Mid-stream: every client of the child had been receiving, none had everything, and sends went on after the kill.
    expect(atKill).toBeDefined();
    expect(atKill!.delivered.every((n) => n > 0), `deliveries before the kill: ${atKill!.delivered}`).toBe(true);
    expect(atKill!.delivered.slice(0, onChild.length).every((n) => n < perConversation), `deliveries before the kill: ${atKill!.delivered}`).toBe(true);
    expect(atKill!.delivered.slice(onChild.length).every((n) => n < CONVERSATIONS * perConversation), `inbox deliveries before the kill: ${atKill!.delivered}`).toBe(true);
    expect(CONVERSATIONS * perConversation - atKill!.acked).toBeGreaterThan(0);
    expect(eventsAtKill.every((n) => n > 0 && n < perConversation), `conversationEvents messages before the kill: ${eventsAtKill}`).toBe(true);

    // The sockets died: an abnormal close, not the 1001 of a drain and no `complete` (after which a client would not resume).
    const killed = [...onChild, ...inboxes, ...events];
    await until(() => killed.every((f) => f.ended !== undefined), 'the killed router’s clients notice');
    expect(killed.map((f) => (f.ended as { code?: number }).code)).toEqual(killed.map(() => ABNORMAL_CLOSURE));
    expect(onMain.every((f) => f.ended === undefined)).toBe(true);

    for (const follower of onChild) {
      expect(follower.lastSeq ?? 0).toBeLessThan(perConversation); // each has something to catch up on
      await follower.close();
      follower.follow(stack.wsUrl, follower.lastSeq ?? 0);
    }
    for (const inbox of inboxes) {
      await inbox.close();
      inbox.follow(stack.wsUrl, inbox.cursor);
    }
    for (const follower of events) {
      await follower.close();
      follower.follow(stack.wsUrl); // after: its last seq, afterEvent: its last position
    }
    const expected = (id: string) => acked.get(id)!.length;
    await until(() => [...onMain, ...onChild].every((f) => f.deliveries.length >= expected(f.conversationId)), 'every delivery', 30_000);
    await until(() => inboxes.every((inbox) => conversationIds.every((id) => inbox.of(id).length >= expected(id))), 'every inbox delivery', 30_000);
    await until(() => eventsCaughtUp(events, acked, reactions), 'every event', 30_000);
    await new Promise((r) => setTimeout(r, 200)); // a late duplicate would arrive now

    for (const id of conversationIds) expect(expected(id)).toBe(perConversation);
    check([...onMain, ...onChild], acked);
    checkInboxes(inboxes, acked);
    for (const id of conversationIds) expect(reactions.get(id)!.length).toBe(SENDERS * Math.ceil(MESSAGES_PER_SENDER / REACT_EVERY));
    checkEvents(events, acked, reactions);
    expect([...onMain, ...onChild, ...inboxes, ...events].every((f) => f.ended === undefined)).toBe(true);
  }, 120_000);
});
