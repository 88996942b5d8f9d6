// Baseline "what Node can physically do": the graphql-transport-ws wire
// protocol written straight on `ws`, one JSON serialisation per event shared
// by every subscriber. No GraphQL execution at all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ready, startControl } from './harness.js';

const subscribers = new Map<string, Set<{ socket: WebSocket; head: string }>>();
const httpServer = http.createServer();
const wss = new WebSocketServer({ server: httpServer, path: '/graphql', handleProtocols: () => 'graphql-transport-ws' });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (msg.type === 'subscribe') {
      const conversationId = msg.payload.variables.conversationId as string;
      let set = subscribers.get(conversationId);
      if (!set) subscribers.set(conversationId, (set = new Set()));
      const entry = { socket, head: `{"id":${JSON.stringify(msg.id)},"type":"next","payload":` };
      set.add(entry);
      socket.once('close', () => set!.delete(entry));
    }
  });
});
await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
let seq = 0;
const control = await startControl({
  '/publish': async (body) => {
    const { conversationId, text } = body as { conversationId: string; text: string };
    seq++;
    const json = JSON.stringify({ data: { messageAdded: { id: `m${seq}`, seq, body: text, createdAt: new Date().toISOString(), author: { displayName: 'Alice' } } } });
    for (const s of subscribers.get(conversationId) ?? []) s.socket.send(s.head + json + '}');
    return { seq };
  },
});
ready({ wsUrl: `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`, control });
