// What the bus published while the router's connection to it was down never
// arrives (Redis pub/sub keeps nothing). The router hears the reconnect
// (Bus.onReconnect) and re-reads what it serves from PostgreSQL at once, not
// at its next periodic audit: here the periodic audit is off, so only the
// reconnect can deliver the message whose wake-up was lost.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { MessageAdded, CreateConversation, SendMessage } from './testkit/operations.js';
import { startTestStack, TEST_REDIS_URL, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe('a router whose Redis bus connection drops', () => {
  let stack: TestStack;
  let admin: Redis;
  let alice: TestUser;
  let bob: TestUser;
  let losing = false;

  beforeAll(async () => {
    stack = await startTestStack({
      bus: 'redis',
      routerLimits: { membershipAuditMs: 0 },
      // As the publishes made while the subscriber connection is down are lost.
      losePublish: (subject) => losing && subject.endsWith('.message.added'),
    });
    admin = new Redis(TEST_REDIS_URL);
    [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    admin?.disconnect();
    await stack?.dispose();
  });

  /** Kills this stack's bus subscriber connection (by its name, which carries the prefix), as a network cut would. */
  const killSubscriberConnection = async () => {
    const list = (await admin.client('LIST')) as string;
    const ids = list
      .split('\n')
      .filter((line) => line.includes(` name=storm-bus-sub-${stack.busPrefix} `))
      .map((line) => /\bid=(\d+)/.exec(line)![1]!);
    expect(ids).toHaveLength(1);
    await admin.client('KILL', 'ID', ids[0]!);
  };

  it('delivers, after the reconnect, a message whose wake-up was lost', async () => {
    const url = stack.httpUrl;
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'GROUP', title: 'cut', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const client = wsClient(stack.wsUrl, bob.accessToken);
    const messages = new Recorder(client, MessageAdded, { conversationId });
    await stack.subscriptionsOpen(1);
    const first = (await ok(url, SendMessage, { input: { conversationId, body: 'heard' } }, alice.accessToken)).sendMessage;
    await messages.waitFor(1);

    losing = true;
    const second = (await ok(url, SendMessage, { input: { conversationId, body: 'published while cut' } }, alice.accessToken)).sendMessage;
    // Give the outbox time to publish (and lose) it.
    await new Promise((r) => setTimeout(r, 1_000));
    losing = false;
    expect(messages.events).toHaveLength(1);

    await killSubscriberConnection();
    expect((await messages.waitFor(2)).map((e) => [e.data!.messageAdded.seq, e.data!.messageAdded.body])).toEqual([
      [first.seq, 'heard'],
      [second.seq, 'published while cut'],
    ]);
    // And live again afterwards, nothing twice.
    const third = (await ok(url, SendMessage, { input: { conversationId, body: 'after' } }, alice.accessToken)).sendMessage;
    expect((await messages.waitFor(3))[2]!.data!.messageAdded.seq).toBe(third.seq);
    await new Promise((r) => setTimeout(r, 500));
    expect(messages.events).toHaveLength(3);
    messages.unsubscribe();
    await client.dispose();
  }, 30_000);
});
