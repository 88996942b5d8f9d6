// Continuous authorization: a member who leaves or is removed stops receiving
// at once, on every router replica, whichever bus carries the events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createBus, type Bus } from '@storm/bus';
import { identityKey } from '@storm/common';
import { loadVerifyKey, verifyAccessToken } from '@storm/auth';
import { DEFAULT_ROUTER_LIMITS } from '@storm/stack';
import { startRouter, type RunningRouter } from '@storm/router/server';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { LeaveConversation, RemoveMember } from './testkit/live-operations.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { startTestStack, testBusConfig, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe.each(['nats', 'redis'] as const)('membership changes over the %s bus', (busKind) => {
  let stack: TestStack;
  let replica: RunningRouter;
  let replicaBus: Bus;
  let owner: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    stack = await startTestStack({ bus: busKind });
    // A second router replica sharing nothing with the first but the bus and the subgraphs.
    replicaBus = await createBus(testBusConfig(busKind, stack.busPrefix));
    const key = await loadVerifyKey(stack.secrets.jwtPublicKeyPem);
    replica = await startRouter({
      supergraphSdl: await readFile(fileURLToPath(new URL('../router/supergraph.graphql', import.meta.url)), 'utf8'),
      subgraphs: { users: stack.users.url, conversations: stack.conversations.url, media: stack.media.url },
      bus: replicaBus,
      busPrefix: stack.busPrefix,
      identityKey: identityKey(stack.secrets.identitySecret),
      verifyAccessToken: (token) => verifyAccessToken(token, key, { issuer: 'storm', audience: 'storm' }),
      host: '127.0.0.1',
      port: 0,
      development: false,
      limits: DEFAULT_ROUTER_LIMITS,
    });
    owner = await registerUser(stack.httpUrl, 'owner');
    bob = await registerUser(stack.httpUrl, 'bob');
    carol = await registerUser(stack.httpUrl, 'carol');
  });
  afterAll(async () => {
    await replica?.dispose();
    await replicaBus?.dispose();
    await stack?.dispose();
  });

  it('stops delivering to a removed member on every replica, and keeps delivering to the others', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'team', memberIds: [bob.id, carol.id] } }, owner.accessToken);
    const conversationId = createConversation.id;
    const replicaUrl = replica.url.replace(/^http/, 'ws');
    const bobHere = wsClient(stack.wsUrl, bob.accessToken);
    const bobThere = wsClient(replicaUrl, bob.accessToken);
    const carolThere = wsClient(replicaUrl, carol.accessToken);
    const bob1 = new Recorder(bobHere, MessageAdded, { conversationId });
    const bob2 = new Recorder(bobThere, MessageAdded, { conversationId });
    const carolLive = new Recorder(carolThere, MessageAdded, { conversationId });
    await stack.subscriptionsOpen(1);
    while (replica.engine.subscriberCount < 2) await new Promise((r) => setTimeout(r, 10));

    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'before' } }, owner.accessToken);
    await Promise.all([bob1.waitFor(1), bob2.waitFor(1), carolLive.waitFor(1)]);

    await ok(stack.httpUrl, RemoveMember, { conversationId, userId: bob.id }, owner.accessToken);
    for (const recorder of [bob1, bob2]) {
      const errors = (await recorder.waitForError()) as Array<{ extensions?: { code?: string } }>;
      expect(errors[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'after' } }, owner.accessToken);
    const events = await carolLive.waitFor(2);
    expect(events.map((e) => e.data?.messageAdded.body)).toEqual(['before', 'after']);
    expect(bob1.events.map((e) => e.data?.messageAdded.body)).toEqual(['before']);
    expect(bob2.events.map((e) => e.data?.messageAdded.body)).toEqual(['before']);
    for (const c of [bobHere, bobThere, carolThere]) await c.dispose();
  });

  it('stops delivering to a member who leaves', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [carol.id] } }, owner.accessToken);
    const conversationId = createConversation.id;
    const client = wsClient(replica.url.replace(/^http/, 'ws'), carol.accessToken);
    const live = new Recorder(client, MessageAdded, { conversationId });
    while (replica.engine.subscriberCount < 1) await new Promise((r) => setTimeout(r, 10));
    await ok(stack.httpUrl, LeaveConversation, { id: conversationId }, carol.accessToken);
    const errors = (await live.waitForError()) as Array<{ extensions?: { code?: string } }>;
    expect(errors[0]?.extensions?.code).toBe('FORBIDDEN');
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'nobody reads this' } }, owner.accessToken);
    await new Promise((r) => setTimeout(r, 300));
    expect(live.events).toHaveLength(0);
    await client.dispose();
  });
});
