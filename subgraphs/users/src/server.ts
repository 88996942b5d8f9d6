import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { SigningKeys } from '@storm/auth';
import { ErrorCode, IDENTITY_HEADER, verifyIdentity, type RunningService } from '@storm/common';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { UsersContext } from './context.js';
import { EXPECTED_CODES, formatUsersError } from './errors.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { createMemoryLimiter, type LimiterStore } from './limiter.js';
import { AuthService, type TokenSettings } from './modules/auth/auth.service.js';
import { addressKey, AuthThrottle, DEFAULT_THROTTLE, type ThrottleSettings } from './modules/auth/throttle.js';
import { createMemoryPresence, type PresenceAnnouncer, type PresenceStore } from '@storm/presence';
import { PresenceService } from './modules/presence/presence.service.js';
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
  /** Login and registration throttling. @default DEFAULT_THROTTLE (see throttle.ts) */
  throttle?: Partial<ThrottleSettings>;
  /** Largest accepted request body. @default "1mb" */
  bodyLimit?: string;
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

function graphqlError(status: number, code: string, message: string): { status: number; body: object } {
  return { status, body: { errors: [{ message, extensions: { code } }] } };
}

/** Starts the users subgraph: POST /graphql (identity required) and GET /healthz. */
export async function startUsersService(deps: UsersServiceDeps): Promise<RunningService> {
  const logError = deps.logError ?? ((message, err) => console.error(`[users] ${message}`, err));
  const ownLimiter = deps.limiter ? undefined : createMemoryLimiter();
  const throttle = new AuthThrottle(deps.limiter ?? ownLimiter!, { ...DEFAULT_THROTTLE, ...deps.throttle });
  const auth = new AuthService(deps.prisma, deps.signingKeys, deps.tokens, throttle);
  const profiles = new ProfileService(deps.prisma);
  const ownPresence = deps.presence ? undefined : createMemoryPresence();
  const presenceStore = deps.presence ?? ownPresence!;
  const onPresenceError = (err: unknown) => logError('presence store failed; answering OFFLINE', err);
  const app = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer(app);

  const apollo = new ApolloServer<UsersContext>({
    schema: buildSchema(),
    introspection: deps.development,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    formatError: (formatted, error) => formatUsersError(formatted, error, deps.development),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Federated traces (ftv1) would hand per-resolver timings to whoever asks for them.
      ApolloServerPluginInlineTraceDisabled(),
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

  // Nothing runs for a request the router did not sign: not even parsing.
  const requireIdentity: RequestHandler = async (req, res, next) => {
    const assertion = req.get(IDENTITY_HEADER);
    try {
      if (!assertion) throw new Error('missing');
      res.locals.identity = await verifyIdentity(assertion, deps.identityKey);
      next();
    } catch {
      const { status, body } = graphqlError(401, ErrorCode.Unauthenticated, 'Missing or invalid identity assertion');
      res.status(status).json(body);
    }
  };

  const bodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      const { status, body } = graphqlError(413, ErrorCode.PayloadTooLarge, 'Request body too large');
      res.status(status).json(body);
    } else if (type === 'entity.parse.failed') {
      const { status, body } = graphqlError(400, 'BAD_REQUEST', 'Request body is not valid JSON');
      res.status(status).json(body);
    } else {
      next(err);
    }
  };

  app.use(
    '/graphql',
    requireIdentity,
    express.json({ limit: deps.bodyLimit ?? '1mb' }),
    bodyErrors,
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<UsersContext> => ({
        userId: (res.locals.identity as { userId: string | null }).userId,
        // Read after requireIdentity: only the router can have set it.
        clientAddress: addressKey(req.get(CLIENT_IP_HEADER)),
        prisma: deps.prisma,
        users: new UsersService(deps.prisma),
        auth,
        profiles,
        presence: new PresenceService(presenceStore, onPresenceError, deps.announcePresence),
      }),
    }),
  );

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
