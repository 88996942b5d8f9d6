// graphql-ws conformance of the router (issue 3, item 6), frame by frame on a
// raw socket: every protocol violation closes with the code router/SUBSCRIPTIONS.md names.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../testkit/client.js';
import { CreateConversation, MessageAdded, SendMessage } from '../testkit/operations.js';
import { startTestStack, type TestStack } from '../testkit/stack.js';
import { registerUser, type TestUser } from '../testkit/users.js';
import { print } from 'graphql';
import { RawSocket } from './raw-ws.js';

const INIT_TIMEOUT_MS = 400;
/** WS_MAX_SUBSCRIPTIONS of this suite's router: small, so one socket can exceed it. */
const MAX_SUBSCRIPTIONS = 3;

describe('graphql-ws conformance', () => {
  let stack: TestStack;
  let alice: TestUser;
  let conversationId: string;
  const sockets: RawSocket[] = [];
  const open = async (protocol?: string) => {
    const socket = await RawSocket.open(stack.wsUrl, protocol);
    sockets.push(socket);
    return socket;
  };
  const acked = async () => {
    const socket = await open();
    socket.init(alice.accessToken);
    await socket.next('connection_ack');
    return socket;
  };
  const subscribe = (id: string, after?: number) => ({ id, type: 'subscribe', payload: { query: print(MessageAdded), variables: { conversationId, after } } });
  /** The frames of `type` the socket received for subscription `id`. */
  const framesFor = (socket: RawSocket, id: string, type: string) => socket.messages.filter((m) => m.id === id && m.type === type);
  const until = async (condition: () => boolean, what: string) => {
    const deadline = Date.now() + 5_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    stack = await startTestStack({ routerLimits: { wsInitTimeoutMs: INIT_TIMEOUT_MS, wsMaxSubscriptions: MAX_SUBSCRIPTIONS } });
    alice = await registerUser(stack.httpUrl, 'alice');
    ({ createConversation: { id: conversationId } } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [] } }, alice.accessToken));
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('acknowledges a valid connection_init and serves a subscription (the baseline the rest break)', async () => {
    const socket = await acked();
    socket.send(subscribe('ok-1'));
    await stack.subscriptionsOpen(1);
    socket.send({ id: 'ok-1', type: 'complete' });
    socket.send({ type: 'ping' });
    expect(await socket.next('pong')).toMatchObject({ type: 'pong' });
  });

  it('closes with 4408 when connection_init does not come in time', async () => {
    const socket = await open();
    const started = Date.now();
    expect(await socket.closedWithin(INIT_TIMEOUT_MS + 3_000)).toMatchObject({ code: 4408 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(INIT_TIMEOUT_MS - 50);
  });

  it('closes with 4429 on a second connection_init', async () => {
    const socket = await acked();
    socket.init(alice.accessToken);
    expect(await socket.closedWithin()).toMatchObject({ code: 4429 });
  });

  it('closes with 4401 on subscribe before connection_ack', async () => {
    const socket = await open();
    socket.send(subscribe('early'));
    expect(await socket.closedWithin()).toMatchObject({ code: 4401 });
    expect(socket.messages).toEqual([]);
  });

  it('closes with 4403 on a missing, malformed, forged or refresh token, and acknowledges none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ sub: alice.id, iss: 'storm', aud: 'storm', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    const [h, p] = alice.accessToken.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: '00000000-0000-4000-8000-000000000000' })).toString('base64url')}.${alice.accessToken.split('.')[2]}`;
    for (const token of [undefined, 'garbage', `${header}.${claims}.`, tampered, alice.refreshToken]) {
      const socket = await open();
      socket.init(token);
      expect(await socket.closedWithin(), String(token)).toMatchObject({ code: 4403 });
      expect(socket.messages.some((m) => m.type === 'connection_ack'), String(token)).toBe(false);
    }
    // Not a bearer string at all.
    const socket = await open();
    socket.send({ type: 'connection_init', payload: { authorization: { nested: true } } });
    expect(await socket.closedWithin()).toMatchObject({ code: 4403 });
  });

  it('closes with 4409 when a subscription id is already in use', async () => {
    const socket = await acked();
    socket.send(subscribe('dup'));
    socket.send(subscribe('dup'));
    expect(await socket.closedWithin()).toMatchObject({ code: 4409 });
  });

  it('closes with 4400 on frames that are not graphql-ws messages', async () => {
    const frames: unknown[] = ['not json', '[]', 'null', { type: 'nope' }, { type: 'subscribe', id: 'x' }, { type: 'subscribe', id: 7, payload: { query: '{ me { id } }' } }, { type: 'subscribe', id: 'y', payload: { query: 42 } }];
    for (const frame of frames) {
      const socket = await acked();
      socket.send(frame);
      expect(await socket.closedWithin(), JSON.stringify(frame)).toMatchObject({ code: 4400 });
    }
  });

  it('closes with 1009 on a frame above WS_MAX_PAYLOAD, before reading it', async () => {
    const socket = await acked();
    socket.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: `{ me { id } } #${'x'.repeat(64 * 1024)}` } }));
    expect(await socket.closedWithin()).toMatchObject({ code: 1009 });
    // Before the handshake too.
    const fresh = await open();
    fresh.send(Buffer.alloc(64 * 1024 + 1, 0x20));
    expect(await fresh.closedWithin()).toMatchObject({ code: 1009 });
  });

  it('refuses a connection without the graphql-transport-ws subprotocol', async () => {
    const socket = await open('');
    const closed = await socket.closedWithin();
    expect(closed.code).toBe(4406);
  });

  it('refuses the subscription one past WS_MAX_SUBSCRIPTIONS on its own id, keeps the socket and the others, and takes one again after a complete', async () => {
    const socket = await acked();
    const seqsOf = (id: string) => framesFor(socket, id, 'next').map((m) => (m.payload as { data: { messageAdded: { seq: number } } }).data.messageAdded.seq);
    const send = async (body: string) => (await ok(stack.httpUrl, SendMessage, { input: { conversationId, body } }, alice.accessToken)).sendMessage.seq;
    // `after` a known seq: each subscription gets every later message whenever it finishes opening.
    const from = await send('before the limit');
    const ids = Array.from({ length: MAX_SUBSCRIPTIONS }, (_, i) => `s${i}`);
    for (const id of ids) socket.send(subscribe(id, from));
    socket.send(subscribe('one-too-many', from));
    await until(() => framesFor(socket, 'one-too-many', 'error').length > 0, 'the refusal');
    expect(framesFor(socket, 'one-too-many', 'error')).toEqual([
      { id: 'one-too-many', type: 'error', payload: [{ message: `At most ${MAX_SUBSCRIPTIONS} operations per connection`, extensions: { code: 'RATE_LIMITED', retryAfter: 1 } }] },
    ]);

    // The others deliver; the socket is open and answers.
    const first = await send('within the limit');
    await until(() => ids.every((id) => seqsOf(id).includes(first)), 'every accepted subscription delivers');
    for (const id of ids) expect(seqsOf(id)).toEqual([first]);
    socket.send({ type: 'ping' });
    await socket.next('pong');

    // A complete frees a place: the refused id is accepted now (no 4409: it was never in use).
    socket.send({ id: ids[0], type: 'complete' });
    socket.send(subscribe('one-too-many', from));
    await until(() => seqsOf('one-too-many').includes(first), 'the new subscription replays');
    const second = await send('after the complete');
    await until(() => ids.slice(1).every((id) => seqsOf(id).includes(second)) && seqsOf('one-too-many').includes(second), 'delivery after the complete');
    expect(seqsOf('one-too-many')).toEqual([first, second]);
    for (const id of ids.slice(1)) expect(seqsOf(id)).toEqual([first, second]);
    expect(seqsOf(ids[0]!)).toEqual([first]);
    // Still at the cap: the next one is refused again, the socket still open.
    socket.send(subscribe('again-too-many', second));
    await until(() => framesFor(socket, 'again-too-many', 'error').length > 0, 'the second refusal');
    expect(framesFor(socket, 'again-too-many', 'error')[0]!.payload).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    expect(socket.messages.filter((m) => m.type === 'complete')).toEqual([]);
  });

  it('keeps serving after every violation above', async () => {
    const socket = await acked();
    socket.send({ id: 'q', type: 'subscribe', payload: { query: '{ me { id } }' } });
    expect(await socket.next('next')).toMatchObject({ id: 'q', payload: { data: { me: { id: alice.id } } } });
    expect((await fetch(stack.httpUrl.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
  });

  // The socket validates with validateOperation (router/src/plugins), like HTTP.
  describe('the same operation checks as HTTP', () => {
    const errorFor = async (socket: RawSocket, id: string) => {
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        const found = socket.messages.find((m) => m.id === id && (m.type === 'error' || m.type === 'next'));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no answer for ${id}`);
    };

    it('refuses a subscription above the alias, depth or token limits, and keeps the socket open', async () => {
      const socket = await acked();
      const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ');
      socket.send({ id: 'aliases', type: 'subscribe', payload: { query: `subscription($c: ID!) { messageAdded(conversationId: $c) { ${aliases} } }`, variables: { conversationId } } });
      expect(await errorFor(socket, 'aliases')).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' } }] });
      const ids = Array.from({ length: 2100 }, () => 'id').join(' ');
      socket.send({ id: 'tokens', type: 'subscribe', payload: { query: `subscription($c: ID!) { messageAdded(conversationId: $c) { ${ids} } }`, variables: { conversationId } } });
      expect(await errorFor(socket, 'tokens')).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
      socket.send({ type: 'ping' });
      await socket.next('pong');
    });

    it('gives no field suggestions in production', async () => {
      const socket = await acked();
      socket.send({ id: 'typo', type: 'subscribe', payload: { query: 'subscription { messageAdde(conversationId: "x") { id } }' } });
      const answer = await errorFor(socket, 'typo');
      expect(JSON.stringify(answer)).toContain('GRAPHQL_VALIDATION_FAILED');
      expect(JSON.stringify(answer)).not.toMatch(/Did you mean/);
    });
  });
});
