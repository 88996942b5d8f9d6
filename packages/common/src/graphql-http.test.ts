import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlHttpHandler, routeGraphQL, writeGraphQLError } from './graphql-http.js';

// A real Apollo Server on a real socket: what the router and the subgraphs
// mount, down to the bytes a client sees.
describe('graphqlHttpHandler', () => {
  let server: http.Server;
  let apollo: ApolloServer<{ who: string }>;
  let base: string;

  beforeAll(async () => {
    apollo = new ApolloServer<{ who: string }>({
      typeDefs: 'type Query { whoami: String, echo(text: String!): String }',
      resolvers: { Query: { whoami: (_: unknown, __: unknown, ctx: { who: string }) => ctx.who, echo: (_: unknown, a: { text: string }) => a.text } },
      csrfPrevention: true,
    });
    await apollo.start();
    const graphql = graphqlHttpHandler<{ who: string }, string>(apollo, {
      maxBodyBytes: 1024,
      admit: (req, res) => {
        if (req.headers['x-refuse']) {
          writeGraphQLError(res, 401, 'UNAUTHENTICATED', 'refused');
          return undefined;
        }
        return 'admitted';
      },
      context: async (_req, _res, admitted) => ({ who: admitted }),
    });
    server = http.createServer(routeGraphQL('/graphql', graphql, (_req, res) => res.writeHead(404).end('elsewhere')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await apollo.stop();
    await new Promise((r) => server.close(r));
  });

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('executes a JSON POST with the context its admit step built', async () => {
    const res = await post(JSON.stringify({ query: '{ whoami }' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ data: { whoami: 'admitted' } });
  });

  it('a refused admit answers alone: the body is never parsed', async () => {
    const res = await post('{ not json', { 'x-refuse': '1' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errors: [{ message: 'refused', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('refuses a body over the limit with 413, whether declared or streamed without a length', async () => {
    const big = JSON.stringify({ query: '{ echo(text: $t) }', variables: { t: 'x'.repeat(2000) } });
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const streamed = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode('x'.repeat(600)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('bad JSON is 400; a compressed body is 415; an empty JSON body reaches Apollo Server as {}', async () => {
    expect((await post('{"query": ')).status).toBe(400);
    const encoded = await post(Buffer.from([0x1f, 0x8b]), { 'content-encoding': 'gzip' });
    expect(encoded.status).toBe(415);
    const empty = await post('');
    expect(empty.status).toBe(400);
    expect(JSON.stringify(await empty.json())).toMatch(/POST body missing/);
  });

  it("keeps Apollo Server's own rules: CSRF prevention and GET queries", async () => {
    const simple = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ whoami }"}' });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);
    const get = await fetch(`${base}/graphql?query=${encodeURIComponent('{ echo(text: "hi") }')}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(await get.json()).toEqual({ data: { echo: 'hi' } });
  });

  it('sends every other path to the fallback listener', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('elsewhere');
  });
});
