// Baseline "a plain graphql-ws server": graphql-ws's useServer with library
// defaults, so each event is executed (and serialised) once per subscriber,
// with the author resolved by a field resolver as a subgraph would.
import http from 'node:http';
import { EventEmitter, on } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { buildSchema } from 'graphql';
import { ready, startControl, type BenchMessage } from './harness.js';

const schema = buildSchema(`
  type User { displayName: String! }
  type Message { id: ID! seq: Int! body: String! createdAt: String! author: User! }
  type Query { ok: Boolean }
  type Subscription { messageAdded(conversationId: ID!): Message! }
`);
const events = new EventEmitter();
events.setMaxListeners(0);
const roots = {
  subscription: {
    messageAdded: async function* ({ conversationId }: { conversationId: string }) {
      for await (const [message] of on(events, conversationId)) yield { messageAdded: message as BenchMessage };
    },
  },
};
const httpServer = http.createServer();
const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
useServer({ schema, roots }, wss);
await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
let seq = 0;
const control = await startControl({
  '/publish': async (body) => {
    const { conversationId, text } = body as { conversationId: string; text: string };
    seq++;
    events.emit(conversationId, { id: `m${seq}`, seq, body: text, createdAt: new Date().toISOString(), author: { displayName: 'Alice' } });
    return { seq };
  },
});
ready({ wsUrl: `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`, control });
