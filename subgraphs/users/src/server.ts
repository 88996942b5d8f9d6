import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { SigningKeys } from '@storm/auth';
import { ErrorCode, IDENTITY_HEADER, verifyIdentity, type RunningService } from '@storm/common';
import { DEFAULT_MAX_BODY_BYTES, graphqlHttpHandler, routeGraphQL, writeGraphQLError } from '@storm/common/graphql-http';
import express from 'express';
import type { UsersContext } from './context.js';
import { EXPECTED_CODES, formatUsersError } from './errors.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { createMemoryLimiter, type LimiterStore } from '@storm/limiter';
import { AuthService, type TokenSettings } from './modules/auth/auth.service.js';
import { addressKey, AuthThrottle, DEFAULT_THROTTLE, type ThrottleSettings } from './modules/auth/throttle.js';
import { createMemoryPresence, type PresenceAnnouncer, type PresenceStore } from '@storm/presence';
import { PresenceService } from './modules/presence/presence.service.js';
import type { AvatarCheck } from './modules/profile/avatars.js';
import { ProfileService } from './modules/profile/profile.service.js';
import { UsersService } from './modules/users/users.service.js';
import { buildSchema } from './schema.js';

export interface UsersServiceDeps {
  /** The users PrismaClient, built and owned (disconnected) by the caller. */
  prisma: PrismaClient;
  /** Verifies the router's `x-storm-identity` assertions: identityKey(IDENTITY_SECRET). */
  identityKey: Uint8Array;
  /** Bind address. */
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Unmasked error messages and introspection. */
  development: boolean;
  /** Signs access tokens: loadSigningKeys({ privateKeyPem: env.jwt.privateKeyPem }). */
  signingKeys: SigningKeys;
  /** Issuer, audience and lifetimes of the tokens this service issues. */
  tokens: TokenSettings;
  /**
   * Where login/register attempt counters live: createRedisLimiter(...) shared
   * by every replica, built and disposed by the caller. @default an in-memory
   * store owned by the service (right for one process only).
   */
  limiter?: LimiterStore;
  /**
   * Where User.presence is read: the store the router writes connections to
   * (createPresenceStore from @storm/presence: the same Redis prefix, or in
   * one process the same memory instance). Built and disposed by the caller.
   * @default an empty in-memory store: everyone OFFLINE
   */
  presence?: PresenceStore;
  /**
   * Announces a status that setAway changed on the bus, as the router does
   * for connections (busPresenceAnnouncer from @storm/presence), so
   * presenceChanged delivers it. @default none: setAway shows on the next read only
   */
  announcePresence?: PresenceAnnouncer;
  /** Whether a media may be someone's avatar: createHttpAvatarCheck({ url: MEDIA_URL, ... }). */
  avatars: AvatarCheck;
  /** Login and registration throttling. @default DEFAULT_THROTTLE (see throttle.ts) */
  throttle?: Partial<ThrottleSettings>;
  /** Largest accepted request body, bytes. @default DEFAULT_MAX_BODY_BYTES (1 MiB) */
  maxBodyBytes?: number;
  /** Where unexpected errors are reported. @default console.error */
  logError?: (message: string, err: unknown) => void;
}

/**
 * The client address the router forwards with every request. Trusted only
 * because every /graphql request must carry the router's signed identity.
 */
export const CLIENT_IP_HEADER = 'x-storm-client-ip';

/** How long /healthz waits for `SELECT 1` before answering 503. */
const HEALTH_TIMEOUT_MS = 2_000;

/** Starts the users subgraph: POST /graphql (identity required) and GET /healthz. */
export async function startUsersService(deps: UsersServiceDeps): Promise<RunningService> {
  const logError = deps.logError ?? ((message, err) => console.error(`[users] ${message}`, err));
  const ownLimiter = deps.limiter ? undefined : createMemoryLimiter();
  const throttle = new AuthThrottle(deps.limiter ?? ownLimiter!, { ...DEFAULT_THROTTLE, ...deps.throttle });
  const auth = new AuthService(deps.prisma, deps.signingKeys, deps.tokens, throttle);
  const profiles = new ProfileService(deps.prisma, deps.avatars);
  const ownPresence = deps.presence ? undefined : createMemoryPresence();
  const presenceStore = deps.presence ?? ownPresence!;
  const onPresenceError = (err: unknown) => logError('presence store failed; answering OFFLINE', err);
  const app = express();
  app.disable('x-powered-by');
  // Its request listener is attached once Apollo Server has started (below).
  const httpServer: Server = createServer();

  const apollo = new ApolloServer<UsersContext>({
    // drainOnSignals stops every service in reverse start order. Apollo's own
    // handler (on unless NODE_ENV=test) would stop this server and re-raise
    // the signal, killing the process before the bus and database drained.
    stopOnTerminationSignals: false,
    schema: buildSchema(),
    introspection: deps.development,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    formatError: (formatted, error) => formatUsersError(formatted, error, deps.development),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Federated traces (ftv1) would hand per-resolver timings to whoever asks for them.
      ApolloServerPluginInlineTraceDisabled(),
      // No @cacheControl hints anywhere, and answers go to the router only: the
      // default cache-control plugin would wrap every field resolver to compute a
      // policy that is always no-store (the router still sends no-store to clients).
      ApolloServerPluginCacheControlDisabled(),
      ...(deps.development ? [] : [ApolloServerPluginLandingPageDisabled()]),
      {
        async requestDidStart() {
          return {
            async didEncounterErrors({ errors }) {
              for (const err of errors) {
                const code = err.extensions?.code;
                if (typeof code !== 'string' || !EXPECTED_CODES.has(code)) logError('unexpected error', err.originalError ?? err);
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.prisma.$queryRaw`SELECT 1`,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('health check timed out')), HEALTH_TIMEOUT_MS);
        }),
      ]);
      res.status(200).json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    } finally {
      clearTimeout(timer);
    }
  });

  const graphql = graphqlHttpHandler<UsersContext, { userId: string | null }>(apollo, {
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    // Nothing runs for a request the router did not sign: not even parsing.
    admit: async (req, res) => {
      const assertion = req.headers[IDENTITY_HEADER];
      try {
        if (typeof assertion !== 'string' || assertion === '') throw new Error('missing');
        return await verifyIdentity(assertion, deps.identityKey);
      } catch {
        writeGraphQLError(res, 401, ErrorCode.Unauthenticated, 'Missing or invalid identity assertion');
        return undefined;
      }
    },
    context: async (req, _res, identity): Promise<UsersContext> => {
      const clientIp = req.headers[CLIENT_IP_HEADER];
      const freshLoaders = () => ({ users: new UsersService(deps.prisma), presence: new PresenceService(presenceStore, onPresenceError, deps.announcePresence) });
      return {
        userId: identity.userId,
        // Read after the identity check: only the router can have set it.
        clientAddress: addressKey(typeof clientIp === 'string' ? clientIp : undefined),
        prisma: deps.prisma,
        ...freshLoaders(),
        freshLoaders,
        auth,
        profiles,
      };
    },
  });
  httpServer.on('request', routeGraphQL('/graphql', graphql, app));

  httpServer.listen(deps.port, deps.host);
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;
  const hostForUrl = deps.host.includes(':') ? `[${deps.host}]` : deps.host;

  let disposed: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}/graphql`,
    port,
    // apollo.stop() runs the drain plugin, which closes the HTTP server after
    // in-flight requests finish. The Prisma client belongs to the caller.
    dispose: () =>
      (disposed ??= (async () => {
        await apollo.stop();
        await ownLimiter?.dispose();
        await ownPresence?.dispose();
      })()),
  };
}
