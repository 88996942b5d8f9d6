import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, parse, type FormattedExecutionResult as ExecutionResult, type GraphQLSchema } from 'graphql';
import { ErrorCode, maskError, requestFault, VerifiedTokenCache, type RunningService } from '@storm/common';
import { BodyFault, graphqlHttpHandler, routeGraphQL } from '@storm/common/graphql-http';
import { topics, type Bus } from '@storm/bus';
import type { RouterContext } from './context.js';
import { createGateway, createSubgraphAgent, subgraphHeaders, undiciFetcher, type SubgraphUrls } from './gateway.js';
import { enforceScalarInputs } from './scalars.js';
import { DirectFetch } from './direct-fetch.js';
import { createHttpApp } from './http.js';
import { createMediaProxy, MEDIA_CONNECTIONS } from './media-proxy.js';
import { IdentitySigner } from './identity-signer.js';
import { createMetrics, type RouterMetrics } from './metrics.js';
import {
  operationGuardPlugin,
  operationLimitRules,
  requestIdFrom,
  requestIdPlugin,
  resolveOperationLimits,
  validateOperation,
  REQUEST_ID_HEADER,
  type OperationLimits,
} from './plugins/index.js';
import { announceTransition, busPresenceAnnouncer, type PresenceAnnouncer, type PresenceStore, type PresenceTransition } from '@storm/presence';
import { SubscriptionEngine } from './subscriptions/engine.js';
import { PRESENCE_SWEEP_DEFAULTS, PresenceSweep } from './subscriptions/presence-sweep.js';
import { attachWebSocket } from './subscriptions/server.js';
import { dependsOnViewer, viewerFields } from './subscriptions/viewer.js';
import { createInternalExecutor } from './internal-executor.js';
import { ClientAddress } from './client-address.js';

export interface RouterLimits {
  maxBodyBytes: number;
  wsMaxPayload: number;
  wsInitTimeoutMs: number;
  wsKeepAliveMs: number;
  wsMaxSubscriptions: number;
  /** Bytes a socket may have waiting to be written before its subscriptions must resync. */
  wsMaxBufferedBytes: number;
  /** Sockets one user may hold on one router. */
  wsMaxConnectionsPerUser: number;
  replayLimit: number;
  /** Most conversations one batched page read of shared subscription groups resolves. @default 50 */
  subscriptionBatchSize?: number;
  /** Most batched page reads of one selection in flight; later wake-ups join the next. @default 4 */
  subscriptionBatchConcurrency?: number;
  /**
   * Most batched head reads of opening subscriptions in flight; opens that
   * ask meanwhile join the next read. Not a setting (benchmarks vary it). @default 4
   */
  subscriptionOpenConcurrency?: number;
  /** Ms between membership audits of shared subscription groups (0 = off). @default 30000 */
  membershipAuditMs?: number;
  /** Ms between reads of each inbox user's conversations, for a join the bus lost (0 = off). @default 300000 */
  inboxAuditMs?: number;
  /**
   * Milliseconds between sweeps of the presence of the users this replica's
   * presenceChanged watchers watch (announces connections that expired with a
   * crashed router); 0 turns it off. @default 5000 (PRESENCE_SWEEP_DEFAULTS)
   */
  presenceSweepMs?: number;
  /** Most watched users one sweep reads; more are swept round-robin. @default 5000 */
  presenceSweepMaxUsers?: number;
  /** Depth, aliases, cost, tokens, directives per operation; unset ones take DEFAULT_OPERATION_LIMITS. */
  operations?: Partial<OperationLimits>;
}

export interface RouterDeps {
  supergraphSdl: string;
  subgraphs: SubgraphUrls;
  bus: Bus;
  /** BUS_PREFIX: namespaces every subject of this deployment. */
  busPrefix: string;
  identityKey: Uint8Array;
  /** Verifies an access token (not a refresh token); rejects when it does not verify. */
  verifyAccessToken: (token: string) => Promise<{ userId: string; exp?: number }>;
  host: string;
  /** 0 = any free port. */
  port: number;
  development: boolean;
  /** Serve introspection even outside development (Apollo Sandbox against staging). */
  introspection?: boolean;
  limits: RouterLimits;
  /**
   * Where live connections are recorded (online / away / offline): the
   * store the users subgraph reads. Optional: without it nobody shows online.
   */
  presence?: PresenceStore;
  /**
   * Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES, ClientAddress.parse).
   * @default none: the socket's peer is the client
   */
  clientAddress?: ClientAddress;
}

export interface RunningRouter extends RunningService {
  readonly metrics: RouterMetrics;
  readonly engine: SubscriptionEngine;
}

const BEARER = /^Bearer\s+(\S+)$/i;

export async function startRouter(deps: RouterDeps): Promise<RunningRouter> {
  const metrics = createMetrics();
  const clientAddress = deps.clientAddress ?? ClientAddress.parse('');
  const signer = new IdentitySigner(deps.identityKey);
  const subgraphAgent = createSubgraphAgent();
  let apiSchema: GraphQLSchema | undefined;
  const direct = new DirectFetch({
    schema: () => apiSchema,
    url: (service) => deps.subgraphs[service as keyof SubgraphUrls],
    fetcher: undiciFetcher(subgraphAgent),
    headers: (ctx) => subgraphHeaders(signer, ctx),
    answered: (type) => {
      metrics.operations.inc({ type, outcome: 'ok' });
      metrics.directFetches.inc();
    },
  });
  const gateway = createGateway(deps.supergraphSdl, deps.subgraphs, signer, subgraphAgent, direct);
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    // The same schema object Apollo Server validates and coerces against.
    enforceScalarInputs(schema);
    apiSchema = schema;
    // A route was learned against the schema it validated and planned with.
    direct.forget();
  });

  // Its request listener is attached once Apollo Server has started (below).
  const httpServer = http.createServer();
  const operationLimits = resolveOperationLimits(deps.limits.operations);
  const apollo = new ApolloServer<RouterContext>({
    // drainOnSignals stops every service in reverse start order. Apollo's own
    // handler (on unless NODE_ENV=test) would stop this server and re-raise
    // the signal, killing the process before the bus and database drained.
    stopOnTerminationSignals: false,
    gateway,
    introspection: deps.development || deps.introspection === true,
    // "Did you mean …?" would hand the schema to anyone probing field names.
    hideSchemaDetailsFromClientErrors: !deps.development,
    includeStacktraceInErrorResponses: false,
    // Refuses simple (preflight-free) requests a browser would send cross-site.
    csrfPrevention: true,
    // Apollo's default, stated: a batch would multiply work (and login attempts) per request.
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: operationLimits.maxTokens },
    validationRules: operationLimitRules(operationLimits),
    // Apollo's guard against fragment fan-out that the per-operation rules cannot see.
    maxRecursiveSelections: true,
    formatError: (formatted, error) => {
      const masked = maskError(requestFault(formatted, error), { development: deps.development });
      // Masked for the client, kept for the operator.
      if (masked.extensions?.code === ErrorCode.Internal) console.error('[router] unexpected error', error);
      return masked;
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      operationMetrics(metrics),
      requestIdPlugin<RouterContext>(),
      operationGuardPlugin(),
      ...(deps.development ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
  });
  await apollo.start();

  // A client sends the same access token with every request for its lifetime: verify its signature once.
  const verifiedTokens = new VerifiedTokenCache<{ userId: string; exp?: number }>();
  const authenticate = async (authorization: string): Promise<{ userId: string; exp?: number }> => {
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw new Error('not a bearer token');
    const hit = verifiedTokens.get(token);
    if (hit) return hit;
    const identity = await deps.verifyAccessToken(token);
    // Without an exp the verifier vouched for, nothing is cached.
    if (identity.exp !== undefined) verifiedTokens.set(token, identity, identity.exp * 1000);
    return identity;
  };

  const runAs = async (
    request: { query: string; variables?: Record<string, unknown>; operationName?: string | null },
    userId: string,
    clientIp?: string,
  ): Promise<ExecutionResult> => {
    const response = await apollo.executeOperation(
      { query: request.query, variables: request.variables, operationName: request.operationName ?? undefined },
      { contextValue: { userId, requestId: randomUUID(), clientIp } },
    );
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported');
    return response.body.singleResult as ExecutionResult;
  };

  const internal = createInternalExecutor(gateway, () => apiSchema, (formatted) => maskError(formatted, { development: deps.development }));
  const marked = viewerFields(deps.supergraphSdl);
  const busTopics = topics(deps.busPrefix);
  const announcePresence = busPresenceAnnouncer(deps.bus, busTopics);
  const sweepMs = deps.limits.presenceSweepMs ?? PRESENCE_SWEEP_DEFAULTS.intervalMs;
  const presenceSweep =
    deps.presence && sweepMs > 0
    ? new PresenceSweep({
        store: deps.presence,
        announce: announcePresence,
        intervalMs: sweepMs,
        maxUsersPerTick: deps.limits.presenceSweepMaxUsers ?? PRESENCE_SWEEP_DEFAULTS.maxUsersPerTick,
        log: (message, err) => console.warn(`[router] ${message}`, err),
      })
    : undefined;

  const engine = new SubscriptionEngine({
    bus: deps.bus,
    topics: busTopics,
    metrics,
    replayLimit: deps.limits.replayLimit,
    pageBatchSize: deps.limits.subscriptionBatchSize,
    pageReadConcurrency: deps.limits.subscriptionBatchConcurrency,
    membershipAuditMs: deps.limits.membershipAuditMs,
    inboxAuditMs: deps.limits.inboxAuditMs,
    openConcurrency: deps.limits.subscriptionOpenConcurrency,
    execute: (query, variables, userId, options) => internal(query, variables, { userId, requestId: randomUUID(), membershipVouched: options?.vouched === true }),
    dependsOnViewer: (query) => dependsOnViewer(apiSchema!, parse(query), marked),
    log: (message, err) => console.warn(`[router] ${message}`, ...(err === undefined ? [] : [err])),
    presenceSweep,
  });

  const graphql = graphqlHttpHandler<RouterContext, string>(apollo, {
    maxBodyBytes: deps.limits.maxBodyBytes,
    // Single-fetch operations it has seen succeed skip Apollo Server and the gateway (direct-fetch.ts).
    shortcut: direct.shortcut,
    answered: direct.answered,
    // Before the body is read, so a 413 or a 400 carries the id too.
    admit: (req, res) => {
      const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      return requestId;
    },
    faultCode: (fault) => (fault === BodyFault.TooLarge ? ErrorCode.PayloadTooLarge : ErrorCode.BadUserInput),
    context: async (req, _res, requestId): Promise<RouterContext> => {
      // The socket's peer, or behind trusted proxies the address they forwarded (client-address.ts).
      const clientIp = clientAddress.of(req.socket.remoteAddress, req.headers['x-forwarded-for']);
      const authorization = req.headers.authorization;
      if (!authorization) return { userId: null, requestId, clientIp };
      try {
        const { userId } = await authenticate(authorization);
        return { userId, requestId, clientIp };
      } catch {
        throw new GraphQLError('Invalid or expired access token', {
          extensions: { code: ErrorCode.Unauthenticated, http: { status: 401 } },
        });
      }
    },
  });
  // Media bytes stream to the media service (media-proxy.ts), on connections of
  // their own: a slow upload never holds one the query planner's fetches need.
  const mediaAgent = new Agent({ connections: MEDIA_CONNECTIONS, keepAliveTimeout: 4_000 });
  const media = createMediaProxy({
    mediaUrl: deps.subgraphs.media,
    dispatcher: mediaAgent,
    signer,
    authenticate,
    answered: (method, status) => metrics.mediaRequests.inc({ method, status: String(status) }),
  });
  const httpApp = createHttpApp({ bus: deps.bus, subgraphs: deps.subgraphs, metrics, ready: () => apiSchema !== undefined });
  // /graphql and /media never walk express; liveness, readiness and metrics do.
  httpServer.on('request', routeGraphQL('/graphql', graphql, (req, res) => media(req, res) || httpApp(req, res)));

  const ws = attachWebSocket({
    httpServer,
    path: '/graphql',
    engine,
    metrics,
    schema: () => apiSchema,
    authenticate,
    executeOperation: runAs,
    maxPayload: deps.limits.wsMaxPayload,
    initTimeoutMs: deps.limits.wsInitTimeoutMs,
    keepAliveMs: deps.limits.wsKeepAliveMs,
    maxSubscriptionsPerConnection: deps.limits.wsMaxSubscriptions,
    maxBufferedBytes: deps.limits.wsMaxBufferedBytes,
    maxConnectionsPerUser: deps.limits.wsMaxConnectionsPerUser,
    clientAddress: (request) => clientAddress.of(request.socket.remoteAddress, request.headers['x-forwarded-for']),
    maxTokens: operationLimits.maxTokens,
    validate: (schema, document) =>
      validateOperation(schema, document, { limits: operationLimits, development: deps.development, introspection: deps.introspection === true || deps.development }),
    lifecycle: deps.presence ? presenceHooks(deps.presence, announcePresence) : undefined,
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(deps.port, deps.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;

  let disposing: Promise<void> | undefined;
  return {
    url: `http://${deps.host}:${port}/graphql`,
    port,
    metrics,
    engine,
    dispose: () =>
      (disposing ??= (async () => {
        await presenceSweep?.dispose();
        // Sockets first, with 1001 and no `complete`: a graphql-ws client
        // takes `complete` for the normal end of its subscription and would
        // not resume it elsewhere (SUBSCRIPTIONS.md, Close codes).
        await ws.dispose();
        await engine.dispose();
        await apollo.stop();
        await subgraphAgent.close();
        await mediaAgent.close();
      })()),
  };
}

/**
 * Records connections in the presence store and announces real changes on
 * the bus (`<prefix>.user.<id>.presence`, for presenceChanged on every
 * replica). A store or bus failure is logged, never fatal to a socket.
 */
function presenceHooks(store: PresenceStore, announce: PresenceAnnouncer) {
  const report = (err: unknown) => console.warn('[router] presence failed', err);
  // Ephemeral: a lost announcement costs a stale indicator until the next change, read or sweep.
  const announced = (userId: string) => (transition: PresenceTransition) => announceTransition(announce, userId, transition);
  return {
    connected: (userId: string, id: string) => void store.connected(userId, id).then(announced(userId)).catch(report),
    alive: (userId: string, id: string) => void store.heartbeat(userId, id).then(announced(userId)).catch(report),
    disconnected: (userId: string, id: string) => void store.disconnected(userId, id).then(announced(userId)).catch(report),
  };
}

function operationMetrics(metrics: RouterMetrics): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      let type = 'unknown';
      return {
        async didResolveOperation({ operation }) {
          type = operation?.operation ?? 'unknown';
        },
        async willSendResponse({ response }) {
          const failed = response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0;
          metrics.operations.inc({ type, outcome: failed ? 'error' : 'ok' });
        },
      };
    },
  };
}
