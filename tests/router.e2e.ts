// The router's operational surface: health, readiness, metrics, limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, request } from './testkit/client.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { Recorder, wsClient } from './testkit/client.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser } from './testkit/users.js';

describe('router endpoints', () => {
  let stack: TestStack;
  let base: string;
  beforeAll(async () => {
    stack = await startTestStack({ bus: 'nats' });
    base = stack.httpUrl.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('is live and ready when every subgraph and the bus answer, and not ready when one does not', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { users: true, conversations: true, media: true, bus: true } });

    await stack.media.dispose();
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'unavailable', checks: { media: false, users: true } });
  });

  it('exports delivery metrics in Prometheus format', async () => {
    const alice = await registerUser(stack.httpUrl, 'alice');
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [] } }, alice.accessToken);
    const client = wsClient(stack.wsUrl, alice.accessToken);
    const live = new Recorder(client, MessageAdded, { conversationId: createConversation.id });
    await stack.subscriptionsOpen(1);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'metered' } }, alice.accessToken);
    await live.waitFor(1);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^storm_ws_connections 1$/m);
    expect(text).toMatch(/^storm_subscriptions 1$/m);
    expect(text).toMatch(/^storm_deliveries_total [1-9]/m);
    expect(text).toMatch(/^storm_delivery_latency_seconds_count [1-9]/m);
    live.unsubscribe();
    await client.dispose();
  });

  it('answers an oversized body with 413 and a malformed one with 400, and keeps serving', async () => {
    const big = await fetch(stack.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ me { id } } #${'x'.repeat(2 * 1024 * 1024)}` }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const bad = await fetch(stack.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(bad.status).toBe(400);
    const parse = await request(stack.httpUrl, '{ me { ');
    expect(parse.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('marks answers with private data uncacheable (cache-control: no-store), for shared caches on the way', async () => {
    const carol = await registerUser(stack.httpUrl, 'carol');
    const res = await fetch(stack.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${carol.accessToken}` },
      body: JSON.stringify({ query: '{ me { id displayName } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { data: { me: { id: string } } }).data.me.id).toBe(carol.id);
  });
});
