// The production build: `npm run dist` compiles the services to JavaScript and
// the whole product then runs on plain node (no TypeScript loader, as the
// container image runs it), over the real PostgreSQL and the Redis bus, and
// does what a client needs: register, create a conversation, send a message
// and receive it live.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@storm/db/testing';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { TEST_REDIS_URL } from './testkit/stack.js';
import { registerUser } from './testkit/users.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The line `npm start` prints once the router listens (packages/stack/src/main.ts). */
const READY = /GraphQL \(HTTP \+ graphql-ws\): (http:\/\/\S+)/;

describe('the compiled build (npm run dist)', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let httpUrl: string;
  const output: string[] = [];

  beforeAll(async () => {
    const built = spawnSync(process.execPath, ['scripts/dist.mjs'], { cwd: root, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    db = await createTestDatabase();
    child = spawn(process.execPath, ['--conditions=storm-dist', 'packages/stack/dist/main.js'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        // No loader may come in through the environment: this is plain node.
        NODE_OPTIONS: '',
        DATABASE_URL: db.url,
        BUS: 'redis',
        REDIS_URL: TEST_REDIS_URL,
        BUS_PREFIX: `e2e_dist_${randomBytes(4).toString('hex')}`,
        HOST: '127.0.0.1',
        PORT: '0',
        USERS_PORT: '0',
        CONVERSATIONS_PORT: '0',
        MEDIA_PORT: '0',
        APOLLO_TELEMETRY_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    httpUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the compiled stack did not start in 60 s:\n${output.join('')}`)), 60_000);
      child.once('exit', (code) => reject(new Error(`the compiled stack exited with ${code}:\n${output.join('')}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(`${line}\n`);
        const url = READY.exec(line)?.[1];
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      });
    });
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
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

  it('shuts down cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
