// The router's operational surface: health, readiness, metrics, limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, request } from './testkit/client.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { MessageAddedForMe } from './testkit/live-operations.js';
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

  it('answers a path it does not serve with a JSON 404 in GraphQL\'s error shape', async () => {
    for (const [method, path] of [['GET', '/nope'], ['POST', '/graphq'], ['GET', '/healthz/extra']] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    }
  });

  it('exports subscription metrics in Prometheus format that follow what happens: connections, subscriptions, groups, bus events, resolutions, deliveries, replays, latency', async () => {
    const alice = await registerUser(stack.httpUrl, 'alice');
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [] } }, alice.accessToken);
    const conversationId = createConversation.id;
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'before' } }, alice.accessToken);
    /** Sum of a metric's samples over its label sets, read from GET /metrics. */
    const scrape = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return (name: string) =>
        text
          .split('\n')
          .filter((line) => line.startsWith(name) && /^[^ {]+(\{[^}]*\})? /.test(line) && line.split(/[ {]/)[0] === name)
          .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    };
    const m0 = await scrape();

    // Two subscribers with one selection share a group; another selection is a group of its own.
    const client = wsClient(stack.wsUrl, alice.accessToken);
    const same = [new Recorder(client, MessageAdded, { conversationId }), new Recorder(client, MessageAdded, { conversationId })];
    const other = new Recorder(client, MessageAddedForMe, { conversationId });
    await stack.subscriptionsOpen(3);
    const m1 = await scrape();
    expect(m1('storm_ws_connections') - m0('storm_ws_connections')).toBe(1);
    expect(m1('storm_subscriptions') - m0('storm_subscriptions')).toBe(3);
    expect(m1('storm_subscription_groups') - m0('storm_subscription_groups')).toBe(2);

    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'metered' } }, alice.accessToken);
    await Promise.all([...same, other].map((r) => r.waitFor(1)));
    const m2 = await scrape();
    expect(m2('storm_deliveries_total') - m1('storm_deliveries_total')).toBe(3);
    expect(m2('storm_bus_events_total') - m1('storm_bus_events_total')).toBeGreaterThanOrEqual(1);
    // One resolution per group for the event (a wake-up that finds nothing new adds none).
    expect(m2('storm_subscription_resolutions_total') - m1('storm_subscription_resolutions_total')).toBeGreaterThanOrEqual(2);
    expect(m2('storm_subscription_resolutions_total') - m1('storm_subscription_resolutions_total')).toBeLessThanOrEqual(4);
    // The message's commit → last socket, once per message.
    expect(m2('storm_delivery_latency_seconds_count') - m1('storm_delivery_latency_seconds_count')).toBe(1);
    expect(m2('storm_resyncs_total') - m1('storm_resyncs_total')).toBe(0);

    // A resume replays both messages from PostgreSQL.
    const resumed = new Recorder(client, MessageAdded, { conversationId, after: 0 });
    expect((await resumed.waitFor(2)).map((e) => e.data!.messageAdded.body)).toEqual(['before', 'metered']);
    const m3 = await scrape();
    expect(m3('storm_replayed_messages_total') - m2('storm_replayed_messages_total')).toBe(2);

    for (const r of [...same, other, resumed]) r.unsubscribe();
    await client.dispose();
    for (const deadline = Date.now() + 5_000; (await scrape())('storm_ws_connections') !== m0('storm_ws_connections'); ) {
      if (Date.now() > deadline) throw new Error('the connection gauge did not come back down');
      await new Promise((r) => setTimeout(r, 20));
    }
    const m4 = await scrape();
    expect(m4('storm_subscriptions')).toBe(m0('storm_subscriptions'));
    expect(m4('storm_subscription_groups')).toBe(m0('storm_subscription_groups'));
    expect(m4('storm_graphql_operations_total')).toBeGreaterThan(0);
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
