// The life of a socket: it lives as long as its access token, and one user
// cannot hold more than the configured number of sockets on a router.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

function connect(url: string, token: string): Promise<{ socket: WebSocket; acked: boolean; closed: Promise<{ code: number; reason: string }> }> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.once('message', (data) => resolve({ socket, acked: JSON.parse(data.toString()).type === 'connection_ack', closed }));
    void closed.then(() => resolve({ socket, acked: false, closed }));
  });
}

describe('socket lifecycle', () => {
  let stack: TestStack;
  let user: TestUser;
  beforeAll(async () => {
    // Access tokens that live 2 s; at most 3 sockets per user.
    stack = await startTestStack({ accessTtlSeconds: 2, routerLimits: { wsMaxConnectionsPerUser: 3 } });
    user = await registerUser(stack.httpUrl, 'short');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('closes the socket with 4403 "Access token expired" when its token expires', async () => {
    const { acked, closed } = await connect(stack.wsUrl, user.accessToken);
    expect(acked).toBe(true);
    const started = Date.now();
    const { code, reason } = await closed;
    expect(code).toBe(4403);
    expect(reason).toBe('Access token expired');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('refuses a socket beyond the per-user cap with 4008, and accepts one again after one closes', async () => {
    const fresh = await registerUser(stack.httpUrl, 'many');
    const open = await Promise.all([0, 1, 2].map(() => connect(stack.wsUrl, fresh.accessToken)));
    expect(open.every((c) => c.acked)).toBe(true);
    const extra = await connect(stack.wsUrl, fresh.accessToken);
    expect(extra.acked).toBe(false);
    expect((await extra.closed).code).toBe(4008);
    open[0]!.socket.close();
    await open[0]!.closed;
    await new Promise((r) => setTimeout(r, 50));
    const again = await connect(stack.wsUrl, fresh.accessToken);
    expect(again.acked).toBe(true);
    for (const c of [...open, again]) c.socket.terminate();
  });
});

describe('keep-alive', () => {
  const KEEPALIVE_MS = 200;
  let stack: TestStack;
  let user: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ routerLimits: { wsKeepAliveMs: KEEPALIVE_MS } });
    user = await registerUser(stack.httpUrl, 'beat');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('pings every socket each interval, keeps the ones that answer, and drops a peer that stops answering within two intervals', async () => {
    const live = await connect(stack.wsUrl, user.accessToken);
    let pings = 0;
    live.socket.on('ping', () => pings++);
    // A peer that is gone without a close frame: it never answers a ping.
    const silent = new WebSocket(stack.wsUrl, 'graphql-transport-ws', { autoPong: false });
    const silentClosed = new Promise<number>((resolve) => silent.once('close', () => resolve(Date.now())));
    await new Promise<void>((resolve, reject) => {
      silent.once('error', reject);
      silent.once('open', () => silent.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user.accessToken}` } })));
      silent.once('message', () => resolve());
    });
    const acked = Date.now();
    expect(live.acked).toBe(true);

    const droppedAt = await silentClosed;
    // Its first ping comes within an interval, the drop an interval (at least half of one) after it.
    expect(droppedAt - acked).toBeLessThan(3 * KEEPALIVE_MS + 500);
    await new Promise((r) => setTimeout(r, 6 * KEEPALIVE_MS));
    expect(live.socket.readyState).toBe(WebSocket.OPEN);
    expect(pings).toBeGreaterThanOrEqual(5);
    live.socket.close();
  });
});
