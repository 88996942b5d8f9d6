import { TypingService } from './modules/typing/typing.service.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { topics, type Bus } from '@storm/bus';
import { ErrorCode, maskError, type RunningService } from '@storm/common';
import { DEFAULT_MAX_BODY_BYTES, graphqlHttpHandler, routeGraphQL } from '@storm/common/graphql-http';
import express from 'express';
import { createContextFactory, type ConversationsContext } from './context.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { ConversationsService } from './modules/conversations/conversations.service.js';
import { MembersService } from './modules/members/members.service.js';
import { MessagesService } from './modules/messages/messages.service.js';
import { ReactionsService } from './modules/reactions/reactions.service.js';
import { PinsService } from './modules/pins/pins.service.js';
import { BlocksService } from './modules/blocks/blocks.service.js';
import { SearchService } from './modules/search/search.service.js';
import { NotificationsService, type PresenceLookup } from './modules/notifications/notifications.service.js';
import { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './modules/outbox/outbox.relay.js';
import type { LimiterStore } from '@storm/limiter';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimitSettings } from './rate-limit.js';
import { buildSchema } from './schema.js';
import type { UserDirectory } from './user-directory.js';
import type { MediaAttachments } from './media-attachments.js';

export interface ConversationsServiceDeps {
  /** This service's client; the caller owns it (dispose() does not disconnect it). */
  prisma: PrismaClient;
  /** Where the outbox relay publishes; the caller owns it. */
  bus: Bus;
  /** First token of every subject (`topics(busPrefix)`); no default. */
  busPrefix: string;
  /** `identityKey(IDENTITY_SECRET)`: verifies the router's `x-storm-identity`. */
  identityKey: Uint8Array;
  /** Answers which member ids are existing users (`createHttpUserDirectory` in production). */
  userDirectory: UserDirectory;
  /** Stores the files of `sendMessage(input: { attachmentIds })` (`createHttpMediaAttachments` in production); absent: such sends are UNAVAILABLE. */
  mediaAttachments?: MediaAttachments;
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 = any free port. */
  port: number;
  /** Keeps error messages and enables introspection. */
  development: boolean;
  /**
   * Outbox relay settings, or `false` not to run a relay in this process
   * (another replica or process runs one; commits then wait for its poll).
   * @default {} (a relay with its defaults)
   */
  relay?: Omit<OutboxRelayOptions, 'prisma' | 'bus'> | false;
  /**
   * Per-user token buckets on sends, reactions and conversation creation,
   * or `false` for none (load generators).
   * @default DEFAULT_RATE_LIMITS (sends: a burst of 300, then 30/s)
   */
  rateLimits?: RateLimitSettings | false;
  /**
   * Where the rate limit buckets live: `createRedisLimiter(...)` shares them
   * between every replica (one EVALSHA per limited action; when it fails,
   * this replica's own buckets decide, with a logged warning). The caller
   * owns it. @default this process's memory (per replica)
   */
  rateLimitStore?: LimiterStore;
  /**
   * Who is connected (the router's presence store): mentioned users and
   * direct-message recipients who are not get a notification. Absent:
   * everyone counts as offline.
   */
  presence?: PresenceLookup;
  /** Largest accepted request body, bytes. @default DEFAULT_MAX_BODY_BYTES (1 MiB) */
  maxBodyBytes?: number;
}

export interface ConversationsRunningService extends RunningService {
  /** The relay this service started (undefined with `relay: false`). */
  readonly relay: OutboxRelay | undefined;
}

export async function startConversationsService(deps: ConversationsServiceDeps): Promise<ConversationsRunningService> {
  const { prisma, bus, development } = deps;
  const relay = deps.relay === false ? undefined : startOutboxRelay({ ...deps.relay, prisma, bus });
  const kick = () => relay?.kick();
  const busTopics = topics(deps.busPrefix);
  const notifications = new NotificationsService(prisma, busTopics, deps.presence);
  const blocks = new BlocksService(prisma, notifications.direct, deps.userDirectory);
  const conversations = new ConversationsService(prisma, deps.userDirectory, busTopics, kick, blocks);
  const messages = new MessagesService(prisma, busTopics, kick, deps.userDirectory, notifications, undefined, deps.mediaAttachments, blocks);
  const reactions = new ReactionsService(prisma, busTopics, kick);
  const pins = new PinsService(prisma, busTopics, kick);
  const search = new SearchService(prisma);
  const typing = new TypingService(conversations, deps.bus, busTopics);
  const limiter = deps.rateLimits === false ? undefined : new RateLimiter(deps.rateLimits ?? DEFAULT_RATE_LIMITS, { store: deps.rateLimitStore });
  const members = new MembersService(prisma, deps.userDirectory, busTopics, kick);

  const app = express();
  app.disable('x-powered-by');
  // Only the router calls this service, by POST: an ETag (a SHA-1 of every
  // response body) is work nobody uses.
  app.set('etag', false);
  // Its request listener is attached once Apollo Server has started (below).
  const httpServer: Server = createServer();
  const apollo = new ApolloServer<ConversationsContext>({
    // drainOnSignals stops every service in reverse start order. Apollo's own
    // handler (on unless NODE_ENV=test) would stop this server and re-raise
    // the signal, killing the process before the bus and database drained.
    stopOnTerminationSignals: false,
    schema: buildSchema(),
    introspection: development,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => {
      const masked = maskError(formatted, { development });
      if (masked.extensions?.code === ErrorCode.Internal) console.error('[conversations] unexpected error', error);
      return masked;
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // No @cacheControl hints anywhere, and answers go to the router only: the
      // default cache-control plugin would wrap every field resolver to compute a
      // policy that is always no-store (the router still sends no-store to clients).
      ApolloServerPluginCacheControlDisabled(),
      ...(development ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
  });
  try {
    await apollo.start();
  } catch (err) {
    await relay?.dispose();
    await limiter?.dispose();
    throw err;
  }

  app.get('/healthz', async (_req, res) => {
    try {
      await prisma.$queryRaw`SELECT 1`;
      res.status(200).json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  const context = createContextFactory({ prisma, identityKey: deps.identityKey, conversations, messages, members, reactions, pins, blocks, search, typing, notifications, limiter });
  const graphql = graphqlHttpHandler<ConversationsContext>(apollo, {
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    context: (req) => context({ req }),
  });
  httpServer.on('request', routeGraphQL('/graphql', graphql, app));

  const host = deps.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(deps.port, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await apollo.stop();
    await relay?.dispose();
    await limiter?.dispose();
    throw err;
  }
  const { port } = httpServer.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let disposing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/graphql`,
    port,
    relay,
    dispose() {
      // HTTP first (in-flight requests finish and kick the relay), then the
      // relay publishes what they committed and stops.
      disposing ??= (async () => {
        await apollo.stop();
        await relay?.dispose();
        await limiter?.dispose();
      })();
      return disposing;
    },
  };
}
