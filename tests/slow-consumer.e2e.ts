// A client that stops reading: its subscriptions are told to resync (with the
// last seq written for them) once its socket backlog passes the bound,
// nothing more is queued for it, and everyone else keeps receiving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { print } from 'graphql';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const BACKLOG = 256 * 1024;
const SUBSCRIPTIONS = 100;
const MESSAGES = 40;

describe('slow consumers', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    stack = await startTestStack({ routerLimits: { wsMaxBufferedBytes: BACKLOG, wsMaxSubscriptions: SUBSCRIPTIONS } });
    alice = await registerUser(stack.httpUrl, 'alice');
    bob = await registerUser(stack.httpUrl, 'bob');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('tells a client that stopped reading to resync instead of queueing for it, and keeps serving the others', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;

    // The slow client: many subscriptions on one socket, then it stops reading from the kernel.
    const slow = new WebSocket(stack.wsUrl, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      slow.once('error', reject);
      slow.once('open', () => slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${bob.accessToken}` } })));
      slow.once('message', () => {
        for (let i = 0; i < SUBSCRIPTIONS; i++) {
          slow.send(JSON.stringify({ id: `slow${i}`, type: 'subscribe', payload: { query: print(MessageAdded), variables: { conversationId } } }));
        }
        resolve();
      });
    });
    const fastClient = wsClient(stack.wsUrl, alice.accessToken);
    const fast = new Recorder(fastClient, MessageAdded, { conversationId });
    await stack.subscriptionsOpen(SUBSCRIPTIONS + 1);
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();

    const resyncsBefore = (await stack.router.metrics.resyncs.get()).values[0]?.value ?? 0;
    for (let i = 0; i < MESSAGES; i++) {
      await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: `${i} ${'x'.repeat(3900)}` } }, alice.accessToken);
    }
    const events = await fast.waitFor(MESSAGES, 20_000);
    expect(events.map((e) => e.data!.messageAdded.seq)).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));

    // The slow client's subscriptions were ended (told to resync), not kept with a growing queue.
    await new Promise((r) => setTimeout(r, 200));
    const resyncs = ((await stack.router.metrics.resyncs.get()).values[0]?.value ?? 0) - resyncsBefore;
    expect(resyncs).toBeGreaterThan(0);
    expect(stack.router.engine.subscriberCount).toBe(1 + SUBSCRIPTIONS - resyncs);

    // A mutation sent over the backed-up socket runs, and its one answer is kept for the client
    // (a stream's events are bounded; the answer to a mutation must not be lost).
    slow.send(JSON.stringify({ id: 'send', type: 'subscribe', payload: { query: print(SendMessage), variables: { input: { conversationId, body: 'from a backed-up socket' } } } }));
    const sent = await fast.waitFor(MESSAGES + 1, 20_000);
    expect(sent[MESSAGES]!.data!.messageAdded.body).toBe('from a backed-up socket');

    // When it reads again, it finds the resync signal with the seq to resume from, and the mutation's answer.
    const errors: Array<{ id: string; payload: Array<{ extensions: { code: string; lastSeq: number } }> }> = [];
    const answer: Array<{ type: string; payload?: { data?: { sendMessage?: { seq: number } } } }> = [];
    slow.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'error') errors.push(message);
      if (message.id === 'send') answer.push(message);
    });
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    await new Promise((r) => setTimeout(r, 500));
    expect(answer.map((m) => m.type)).toEqual(['next', 'complete']);
    expect(answer[0]!.payload!.data!.sendMessage!.seq).toBe(MESSAGES + 1);
    expect(errors.length).toBe(resyncs);
    for (const e of errors) {
      expect(e.payload[0]!.extensions.code).toBe('RESYNC_REQUIRED');
      expect(e.payload[0]!.extensions.lastSeq).toBeGreaterThanOrEqual(0);
      expect(e.payload[0]!.extensions.lastSeq).toBeLessThan(MESSAGES);
    }
    slow.terminate();
    await fastClient.dispose();
  }, 60_000);
});
