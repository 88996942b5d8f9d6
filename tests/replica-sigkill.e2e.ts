// A router replica killed for real (SIGKILL, no drain) mid-stream: the compiled
// router in its own process, as a Kubernetes pod runs it, beside the test
// stack's router on the same bus and subgraphs. Its clients see their sockets
// die, resume on the surviving router with their last seq, and the checker
// finds nothing lost, nothing duplicated, seq in order. Over Redis pub/sub,
// which keeps nothing for a subscriber that is gone.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from './testkit/client.js';
import { check, Follower, until, type Delivery } from './testkit/checker.js';
import { buildDist, startCompiled } from './testkit/compiled.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { startTestStack, TEST_REDIS_URL, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const CONVERSATIONS = 3;
const SENDERS = 4;
const MESSAGES_PER_SENDER = 25; // per conversation
const FOLLOWERS = 3; // per conversation per router
/** The line the router prints once it listens (router/src/index.ts). */
const ROUTER_READY = /STORM router ready at (http:\/\/\S+)/;

describe('a router process killed mid-stream (SIGKILL)', () => {
  let stack: TestStack;
  let child: ChildProcess | undefined;
  let childWsUrl: string;
  let senders: TestUser[];
  const conversationIds: string[] = [];
  const output: string[] = [];

  beforeAll(async () => {
    buildDist();
    stack = await startTestStack({ bus: 'redis' });
    const started = await startCompiled(
      'router/dist/index.js',
      {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        USERS_URL: stack.users.url,
        CONVERSATIONS_URL: stack.conversations.url,
        MEDIA_URL: stack.media.url,
        BUS: 'redis',
        REDIS_URL: TEST_REDIS_URL,
        BUS_PREFIX: stack.busPrefix,
        IDENTITY_SECRET: stack.secrets.identitySecret,
        JWT_PUBLIC_KEY: stack.secrets.jwtPublicKeyPem,
      },
      ROUTER_READY,
      output,
    );
    child = started.child;
    childWsUrl = started.url.replace(/^http/, 'ws');
    senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => registerUser(stack.httpUrl, `killed${i}`)));
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
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stack?.dispose();
  });

  it('loses nothing and duplicates nothing for the clients that resume elsewhere', async () => {
    const onMain: Follower[] = [];
    const onChild: Follower[] = [];
    for (const conversationId of conversationIds) {
      for (let i = 0; i < FOLLOWERS; i++) {
        const main = new Follower(senders[i % SENDERS]!, conversationId);
        main.follow(stack.wsUrl, 0);
        onMain.push(main);
        const other = new Follower(senders[(i + 1) % SENDERS]!, conversationId);
        other.follow(childWsUrl, 0);
        onChild.push(other);
      }
    }
    await stack.subscriptionsOpen(onMain.length);
    // The child's engine is in another process: a first message that every follower has received says its subscriptions are live.
    const first = await ok(stack.httpUrl, SendMessage, { input: { conversationId: conversationIds[0]!, body: 'warm-up', clientMsgId: 'warm-up' } }, senders[0]!.accessToken);
    await until(() => [...onMain, ...onChild].filter((f) => f.conversationId === conversationIds[0]).every((f) => f.deliveries.length === 1), 'first delivery');
    for (const conversationId of conversationIds.slice(1)) {
      // Replays from 0 made every follower of the others live too; nothing to wait for there.
      expect(onChild.filter((f) => f.conversationId === conversationId).every((f) => f.deliveries.length === 0)).toBe(true);
    }

    const acked = new Map<string, Delivery[]>(conversationIds.map((id) => [id, []]));
    acked.get(conversationIds[0]!)!.push({ seq: first.sendMessage.seq, id: first.sendMessage.id });
    const total = CONVERSATIONS * SENDERS * MESSAGES_PER_SENDER;
    let sent = 0;
    let killedAt: number | undefined;
    await Promise.all(
      senders.flatMap((sender) =>
        conversationIds.map(async (conversationId) => {
          for (let m = 0; m < MESSAGES_PER_SENDER; m++) {
            const { sendMessage } = await ok(
              stack.httpUrl,
              SendMessage,
              { input: { conversationId, body: `${sender.handle} #${m}`, clientMsgId: `${sender.id}:${m}` } },
              sender.accessToken,
            );
            acked.get(conversationId)!.push({ seq: sendMessage.seq, id: sendMessage.id });
            if (++sent === Math.floor(total / 3)) {
              killedAt = Date.now();
              child!.kill('SIGKILL');
            }
          }
        }),
      ),
    );
    expect(killedAt).toBeDefined();

    // The child's clients saw their sockets die: an abnormal close (1006), not the 1001 of a drain.
    await until(() => onChild.every((f) => f.ended !== undefined), 'the killed router’s clients notice');
    expect(child!.signalCode).toBe('SIGKILL');
    expect(onChild.map((f) => (f.ended as { code?: number }).code)).toEqual(onChild.map(() => 1006));
    // Mid-stream: they had not seen everything yet.
    const expected = (id: string) => acked.get(id)!.length;
    expect(onChild.some((f) => f.deliveries.length < expected(f.conversationId))).toBe(true);
    for (const follower of onChild) {
      await follower.close();
      follower.follow(stack.wsUrl, follower.lastSeq ?? 0);
    }
    await until(() => [...onMain, ...onChild].every((f) => f.deliveries.length >= expected(f.conversationId)), 'every delivery', 30_000);
    await new Promise((r) => setTimeout(r, 200)); // a late duplicate would arrive now

    check([...onMain, ...onChild], acked);
    for (const follower of [...onMain, ...onChild]) await follower.close();
  }, 120_000);
});
