// The production build: `npm run dist` compiles the services to JavaScript and
// the whole product then runs on plain node (no TypeScript loader, as the
// container image runs it), over the real PostgreSQL and the Redis bus, and
// does what a client needs: register, create a conversation, send a message
// and receive it live. The conversations service also runs alone, as its
// Kubernetes Deployment runs it, wired to the routers' presence in Redis.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@storm/db/testing';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { buildDist, startCompiled, stop } from './testkit/compiled.js';
import { Notifications } from './testkit/notifications-operations.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { startReplica, startTestStack, TEST_REDIS_URL, type Replica, type TestStack } from './testkit/stack.js';
import { UserProfile } from './testkit/users-operations.js';
import { registerUser } from './testkit/users.js';

/** The line `npm start` prints once the router listens (packages/stack/src/main.ts). */
const READY = /GraphQL \(HTTP \+ graphql-ws\): (http:\/\/\S+)/;
/** The line the standalone conversations service prints once it listens (subgraphs/conversations/src/index.ts). */
const CONVERSATIONS_READY = /conversations subgraph ready at (http:\/\/\S+)/;

describe('the compiled build (npm run dist)', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let httpUrl: string;
  const output: string[] = [];
  let mediaDir: string;

  beforeAll(async () => {
    buildDist();
    db = await createTestDatabase();
    mediaDir = await mkdtemp(join(tmpdir(), 'storm-dist-media-'));
    ({ child, url: httpUrl } = await startCompiled(
      'packages/stack/dist/main.js',
      {
        DATABASE_URL: db.url,
        BUS: 'redis',
        REDIS_URL: TEST_REDIS_URL,
        BUS_PREFIX: `e2e_dist_${randomBytes(4).toString('hex')}`,
        HOST: '127.0.0.1',
        PORT: '0',
        USERS_PORT: '0',
        CONVERSATIONS_PORT: '0',
        MEDIA_PORT: '0',
        MEDIA_STORAGE_DIR: mediaDir,
        // A router setting: the all-in-one process applies it as the router alone does.
        WS_MAX_SUBSCRIPTIONS: '1',
      },
      READY,
      output,
    ));
  }, 120_000);

  afterAll(async () => {
    await stop(child);
    await db?.drop();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  it('applies the router\'s settings (WS_MAX_SUBSCRIPTIONS=1: a second operation on one socket is RATE_LIMITED)', async () => {
    const carol = await registerUser(httpUrl, 'carol');
    const { createConversation } = await ok(httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [] } }, carol.accessToken);
    const client = wsClient(httpUrl.replace(/^http/, 'ws'), carol.accessToken);
    try {
      const first = new Recorder(client, MessageAdded, { conversationId: createConversation.id, after: 0 });
      await ok(httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'one' } }, carol.accessToken);
      await first.waitFor(1); // open: it holds the socket's one operation
      const second = new Recorder(client, MessageAdded, { conversationId: createConversation.id });
      const errors = (await second.waitForError()) as Array<{ message: string; extensions?: Record<string, unknown> }>;
      expect(errors[0]).toMatchObject({ message: 'At most 1 operations per connection', extensions: { code: 'RATE_LIMITED' } });
      first.unsubscribe();
    } finally {
      await client.dispose();
    }
  });

  it('refuses a malformed setting of the router or a subgraph at start-up, naming each', async () => {
    const run = spawnSync(process.execPath, ['--conditions=storm-dist', 'packages/stack/dist/main.js'], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, DATABASE_URL: db.url, WS_MAX_SUBSCRIPTIONS: 'abc', REPLAY_LIMIT: '-1', RATE_LIMIT_SEND_BURST: 'many', LOGIN_ACCOUNT_LIMIT: '0', JWT_ACCESS_TTL_SECONDS: '5', MEDIA_MAX_BYTES: 'big' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    for (const name of ['WS_MAX_SUBSCRIPTIONS', 'REPLAY_LIMIT', 'RATE_LIMIT_SEND_BURST', 'LOGIN_ACCOUNT_LIMIT', 'JWT_ACCESS_TTL_SECONDS', 'MEDIA_MAX_BYTES']) expect(run.stderr).toContain(`  - ${name}: `);
    expect(run.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('runs on plain node and delivers a sent message live', async () => {
    const alice = await registerUser(httpUrl, 'alice');
    const bob = await registerUser(httpUrl, 'bob');
    const { createConversation } = await ok(httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id] } }, alice.accessToken);
    const client = wsClient(httpUrl.replace(/^http/, 'ws'), bob.accessToken);
    try {
      // after: 0 replays from the start, so the send cannot slip in before the subscription is live
      // (the child's engine, which would say when it is, is not reachable from here).
      const live = new Recorder(client, MessageAdded, { conversationId: createConversation.id, after: 0 });
      const { sendMessage } = await ok(httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'from the build' } }, alice.accessToken);
      const [event] = await live.waitFor(1);
      expect(event!.data!.messageAdded).toMatchObject({ id: sendMessage.id, seq: 1, body: 'from the build', author: { displayName: alice.displayName } });
      live.unsubscribe();
    } finally {
      await client.dispose();
    }
  });

  it('stores an upload in MEDIA_STORAGE_DIR and serves it back from its link', async () => {
    const dave = await registerUser(httpUrl, 'dave');
    const origin = new URL(httpUrl).origin;
    const gif = Buffer.from('GIF89a-from-the-build');
    const res = await fetch(`${origin}/media`, { method: 'POST', body: gif, headers: { 'content-type': 'image/gif', authorization: `Bearer ${dave.accessToken}` } });
    expect(res.status).toBe(201);
    const { id, url } = (await res.json()) as { id: string; url: string };
    expect(await readFile(join(mediaDir, id.slice(0, 2), id))).toEqual(gif);
    expect(Buffer.from(await (await fetch(origin + url)).arrayBuffer())).toEqual(gif);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    expect(await stop(child)).toBe(0);
  });
});

describe('the compiled conversations service alone (subgraphs/conversations/dist/index.js, as Kubernetes runs it)', () => {
  // A stack whose router records presence in the real Redis, and a second
  // router whose conversations subgraph is the standalone service, started
  // with the same REDIS_URL and REDIS_PREFIX as the routers.
  let stack: TestStack;
  let child: ChildProcess;
  let replica: Replica;
  const output: string[] = [];

  beforeAll(async () => {
    buildDist();
    stack = await startTestStack({ bus: 'redis', presence: 'redis' });
    const { child: started, url } = await startCompiled(
      'subgraphs/conversations/dist/index.js',
      {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: stack.db.url,
        IDENTITY_SECRET: stack.secrets.identitySecret,
        USERS_URL: stack.users.url,
        BUS: 'redis',
        BUS_PREFIX: stack.busPrefix,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: stack.busPrefix,
      },
      CONVERSATIONS_READY,
      output,
    );
    child = started;
    replica = await startReplica(stack, { subgraphs: { conversations: url } });
  }, 120_000);

  afterAll(async () => {
    await replica?.dispose();
    await stop(child);
    await stack?.dispose();
  });

  it('notifies only offline users: a connected recipient of a direct message or a mention gets no notification, an offline one does', async () => {
    expect(output.join('')).not.toContain('REDIS_PREFIX is not set');
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => registerUser(stack.httpUrl, n)));
    // Bob is connected to the stack's router, which records him in Redis; carol is not.
    const bobClient = wsClient(stack.wsUrl, bob.accessToken, { lazy: false });
    try {
      await expect.poll(async () => (await ok(stack.httpUrl, UserProfile, { id: bob.id }, alice.accessToken)).user?.presence.status).toBe('ONLINE');
      // Everything below goes through the second router, so the standalone service decides.
      const url = replica.router.url;
      const { createConversation: direct } = await ok(url, CreateConversation, { input: { kind: 'DIRECT', memberIds: [bob.id] } }, alice.accessToken);
      await ok(url, SendMessage, { input: { conversationId: direct.id, body: 'are you there, bob?' } }, alice.accessToken);
      const { createConversation: group } = await ok(url, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id, carol.id] } }, alice.accessToken);
      await ok(url, SendMessage, { input: { conversationId: group.id, body: `@${bob.handle} @${carol.handle} look` } }, alice.accessToken);
      const { createConversation: toCarol } = await ok(url, CreateConversation, { input: { kind: 'DIRECT', memberIds: [carol.id] } }, alice.accessToken);
      await ok(url, SendMessage, { input: { conversationId: toCarol.id, body: 'are you there, carol?' } }, alice.accessToken);

      const carols = await ok(url, Notifications, {}, carol.accessToken);
      expect(carols.notifications.notifications.map((n) => [n.kind, n.message?.body])).toEqual([
        ['DIRECT_MESSAGE', 'are you there, carol?'],
        ['MENTION', `@${bob.handle} @${carol.handle} look`],
      ]);
      const bobs = await ok(url, Notifications, {}, bob.accessToken);
      expect(bobs.unreadNotificationCount).toBe(0);
      expect(bobs.notifications.notifications).toEqual([]);
    } finally {
      await bobClient.dispose();
    }
  });

  it('drains on SIGTERM (service, presence, rate limits, bus, database) and exits 0', async () => {
    expect(await stop(child)).toBe(0);
    expect(output.join('')).toContain('SIGTERM: draining');
    expect(output.join('')).not.toContain('dispose failed');
  });
});
