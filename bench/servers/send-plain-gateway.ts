// Baseline B of the send benchmark: a plain @apollo/gateway behind
// @apollo/server + express 5 over the same subgraphs, with none of STORM's
// additions (no operation limits, metrics, request ids, undici agent,
// identity-assertion cache, subscriptions). It does only what the subgraphs
// require to answer at all: verify the caller's access token (the STORM
// router does the same work) and sign `x-storm-identity` per subgraph request
// in willSendRequest. BENCH_BACKEND carries the back end's ready line.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { IDENTITY_HEADER, identityKey, signIdentity } from '@storm/common';
import { loadVerifyKey, verifyAccessToken } from '@storm/auth';
import { ready, startControl } from './harness.js';

interface Context {
  userId: string | null;
}

const backend = JSON.parse(process.env.BENCH_BACKEND!) as {
  subgraphs: Record<'users' | 'conversations' | 'media', string>;
  identitySecret: string;
  jwtPublicKeyPem: string;
};
const key = identityKey(backend.identitySecret);
const verifyKey = await loadVerifyKey(backend.jwtPublicKeyPem);

class IdentityDataSource extends RemoteGraphQLDataSource<Context> {
  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>): Promise<void> {
    request.http!.headers.set(IDENTITY_HEADER, await signIdentity({ userId: (context as Partial<Context> | undefined)?.userId ?? null }, key));
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: await readFile(fileURLToPath(new URL('../../router/supergraph.graphql', import.meta.url)), 'utf8'),
  buildService: ({ name, url }) => new IdentityDataSource({ url: backend.subgraphs[name as keyof typeof backend.subgraphs] ?? url }),
});
const apollo = new ApolloServer<Context>({ gateway });
await apollo.start();
const app = express();
app.use(
  '/graphql',
  express.json(),
  expressMiddleware(apollo, {
    context: async ({ req }) => {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return { userId: null };
      const { userId } = await verifyAccessToken(token, verifyKey, { issuer: 'storm', audience: 'storm' });
      return { userId };
    },
  }),
);
const server = http.createServer(app);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const control = await startControl();
const shutdown = async () => {
  await apollo.stop();
  server.close();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
ready({ httpUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, control });
