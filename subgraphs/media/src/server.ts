import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { maskError, type RunningService } from '@storm/common';
import { DEFAULT_MAX_BODY_BYTES, graphqlHttpHandler, routeGraphQL } from '@storm/common/graphql-http';
import type { PrismaClient } from './generated/prisma/client.js';
import { createMediaContext, type MediaContext } from './context.js';
import { buildSchema } from './schema.js';
import type { Peers } from './peers.js';
import { FileStorage, startOrphanSweep } from './modules/media/storage.js';
import { recordedKeys } from './modules/media/media.service.js';
import { MediaUrlSigner } from './modules/media/signed-url.js';
import { createMediaTransfer, DEFAULT_MEDIA_QUOTA_BYTES } from './modules/media/transfer.js';
import type { TokenBucket } from '@storm/limiter';

/** Everything the media service needs, already built by its caller. */
export interface MediaServiceDeps {
  /** The media PrismaClient. The caller owns it: dispose() does not disconnect it. */
  prisma: PrismaClient;
  /** identityKey(IDENTITY_SECRET): verifies the router's x-storm-identity assertions. */
  identityKey: Uint8Array;
  /** Bind address. @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Keeps error messages and enables introspection. */
  development: boolean;
  /** Largest accepted /graphql request body, bytes. @default DEFAULT_MAX_BODY_BYTES (1 MiB) */
  maxBodyBytes?: number;
  /**
   * The users and conversations subgraphs, asked about avatars, memberships
   * and message authors (createHttpPeers). Without them only owners see
   * their media and nothing can be attached.
   */
  peers?: Peers;
  /** Folder of the uploaded files (MEDIA_STORAGE_DIR); created if missing. */
  storageDir: string;
  /** Largest upload, bytes (MEDIA_MAX_BYTES). @default DEFAULT_MEDIA_MAX_BYTES (10 MiB) */
  maxUploadBytes?: number;
  /** Per-user upload rate; false = none (load generators). @default DEFAULT_UPLOAD_LIMIT */
  uploadLimit?: TokenBucket | false;
  /** Bytes each user's files may take in all (MEDIA_QUOTA_BYTES); false = no quota. @default DEFAULT_MEDIA_QUOTA_BYTES (1 GiB) */
  quotaBytes?: number | false;
}

/** Starts the media subgraph: POST /graphql, POST /media, GET /media/<id>, GET /healthz. */
export async function startMediaService(deps: MediaServiceDeps): Promise<RunningService> {
  const host = deps.host ?? '127.0.0.1';
  const storage = new FileStorage(deps.storageDir);
  await storage.init();
  const stopSweep = startOrphanSweep({
    storage,
    known: (keys) => recordedKeys(deps.prisma, keys),
  });
  const urls = new MediaUrlSigner(deps.identityKey);
  const quotaBytes = deps.quotaBytes ?? DEFAULT_MEDIA_QUOTA_BYTES;
  const transfer = createMediaTransfer({ prisma: deps.prisma, identityKey: deps.identityKey, storage, signer: urls, maxBytes: deps.maxUploadBytes, uploadLimit: deps.uploadLimit, quotaBytes });
  const app = express();
  app.disable('x-powered-by');
  // Its request listener is attached once Apollo Server has started (below).
  const httpServer = createServer();

  const apollo = new ApolloServer<MediaContext>({
    // drainOnSignals stops every service in reverse start order. Apollo's own
    // handler (on unless NODE_ENV=test) would stop this server and re-raise
    // the signal, killing the process before the bus and database drained.
    stopOnTerminationSignals: false,
    schema: buildSchema(),
    introspection: deps.development,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // maskError only removes or replaces fields, so the result is still a formatted error.
    formatError: (formatted) => maskError(formatted, { development: deps.development }) as GraphQLFormattedError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Federated traces only feed Apollo Studio, which STORM does not use
      // (metrics are the router's /metrics); they would cost time per request.
      ApolloServerPluginInlineTraceDisabled(),
      // No @cacheControl hints anywhere, and answers go to the router only: the
      // default cache-control plugin would wrap every field resolver to compute a
      // policy that is always no-store (the router still sends no-store to clients).
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  app.get('/healthz', async (_req, res) => {
    try {
      await deps.prisma.$queryRaw`SELECT 1`;
      res.status(200).json({ status: 'ok' });
    } catch {
      // No detail: /healthz is reachable by probes, not only by operators.
      res.status(503).json({ status: 'unavailable' });
    }
  });
  const graphql = graphqlHttpHandler<MediaContext>(apollo, {
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    context: (req) => createMediaContext(req, { ...deps, urls, storage, quotaBytes }),
  });
  // Bytes (transfer.ts) never walk express, which would not stream them any better.
  httpServer.on('request', routeGraphQL('/graphql', graphql, (req, res) => transfer.handle(req, res) || app(req, res)));

  try {
    await listen(httpServer, deps.port, host);
  } catch (err) {
    await apollo.stop();
    await transfer.dispose();
    stopSweep();
    throw err;
  }
  const { port } = httpServer.address() as AddressInfo;

  let disposed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    // The drain plugin closes the HTTP server and waits for in-flight requests.
    dispose: () => (disposed ??= apollo.stop().then(() => (stopSweep(), transfer.dispose()))),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
