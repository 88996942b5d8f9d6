// The fan-out fleet's WebSocket client against the `ws` server the router is
// built on: what it hands on must be exactly what the server sent, whatever
// the frame length form, and it must speak the rest of the protocol back.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { RawWebSocket } from './raw-ws.js';

describe('RawWebSocket', () => {
  let server: WebSocketServer;
  let url: string;
  const received: string[] = [];
  let peer: WebSocket | undefined;

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false) });
    server.on('connection', (socket) => {
      peer = socket;
      socket.on('message', (data) => received.push(String(data)));
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads text frames of every length form, in order, as the server wrote them', async () => {
    const got: string[] = [];
    const socket = await RawWebSocket.connect(url, 'graphql-transport-ws', { onText: (p) => got.push(p.toString('utf8')), onError: (e) => got.push(`error ${e.message}`) });
    // 7-bit, 16-bit and 64-bit lengths, multi-byte UTF-8, and several frames in one read.
    const sent = ['short é', 'm'.repeat(300), '🚀'.repeat(20_000), ...Array.from({ length: 50 }, (_, i) => `burst ${i}`)];
    for (const text of sent) peer!.send(text);
    await expect.poll(() => got.length).toBe(sent.length);
    expect(got).toEqual(sent);
    socket.terminate();
  });

  it('sends masked text the server decodes, answers a ping with its payload, and reports the close code', async () => {
    let closed: number | undefined;
    const socket = await RawWebSocket.connect(url, 'graphql-transport-ws', { onText: () => {}, onError: () => {}, onClose: (code) => (closed = code) });
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await expect.poll(() => received.at(-1)).toBe('{"type":"connection_init"}');
    const pong = new Promise<string>((resolve) => peer!.once('pong', (data) => resolve(String(data))));
    peer!.ping('are you there');
    expect(await pong).toBe('are you there');
    peer!.close(4403, 'Forbidden');
    await expect.poll(() => closed).toBe(4403);
  });

  it('refuses a server that does not agree on the subprotocol', async () => {
    await expect(RawWebSocket.connect(url, 'something-else', { onText: () => {}, onError: () => {} })).rejects.toThrow();
  });
});
