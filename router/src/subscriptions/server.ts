import type { Server as HttpServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import {
  GraphQLError,
  OperationTypeNode,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type FormattedExecutionResult as ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { ErrorCode } from '@storm/common';
import type { RouterMetrics } from '../metrics.js';
import type { SubscriptionEngine } from './engine.js';
import { planSubscription } from './selection.js';

export interface WsOptions {
  httpServer: HttpServer;
  path: string;
  engine: SubscriptionEngine;
  metrics: RouterMetrics;
  /** The current API schema (the gateway may not have loaded when the server starts). */
  schema: () => GraphQLSchema | undefined;
  /** Verifies `Bearer <token>`; resolves the user id or rejects. */
  authenticate: (authorization: string) => Promise<{ userId: string }>;
  /** Runs a query or mutation exactly as the HTTP endpoint would. */
  executeOperation: (request: { query: string; variables?: Record<string, unknown>; operationName?: string | null }, userId: string) => Promise<ExecutionResult>;
  maxPayload: number;
  initTimeoutMs: number;
  keepAliveMs: number;
  maxSubscriptionsPerConnection: number;
}

type Extra = { userId?: string };

type StormContext = { run: () => Promise<ExecutionResult> | AsyncIterableIterator<ExecutionResult> };

/**
 * graphql-ws on the router's HTTP server. Subscriptions are executed by the
 * SubscriptionEngine (the gateway cannot execute them); queries and
 * mutations sent over the socket go through Apollo Server like HTTP ones.
 */
export function attachWebSocket(options: WsOptions): { dispose(): Promise<void> } {
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: options.maxPayload });
  const { metrics } = options;

  const server = useServer<Record<string, unknown>, Extra>(
    {
      connectionInitWaitTimeout: options.initTimeoutMs,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        if (typeof authorization !== 'string') return false; // 4403 Forbidden
        try {
          const { userId } = await options.authenticate(authorization);
          ctx.extra.userId = userId;
        } catch {
          return false;
        }
        metrics.connections.inc();
        return true;
      },
      onClose: (ctx) => {
        if (ctx.acknowledged) metrics.connections.dec();
      },
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const userId = ctx.extra.userId!;
        const schema = options.schema();
        if (!schema) return [new GraphQLError('The router is starting', { extensions: { code: ErrorCode.Unavailable } })];
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return [new GraphQLError(`At most ${options.maxSubscriptionsPerConnection} subscriptions per connection`, { extensions: { code: ErrorCode.RateLimited, retryAfter: 1 } })];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: 5_000 });
        } catch (err) {
          return [new GraphQLError((err as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = validate(schema, document);
        if (errors.length) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Could not determine the operation to run', { extensions: { code: ErrorCode.BadUserInput } })];
        const variables = payload.variables ?? {};

        let context: StormContext;
        if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
          let stream: AsyncIterableIterator<ExecutionResult>;
          try {
            stream = await options.engine.open(userId, planSubscription(document, operation, variables));
          } catch (err) {
            if (err instanceof GraphQLError) return [err];
            return [new GraphQLError('Could not open the subscription', { extensions: { code: ErrorCode.Unavailable } })];
          }
          context = { run: () => stream };
        } else {
          const request = { query: payload.query, variables, operationName: payload.operationName };
          context = { run: () => options.executeOperation(request, userId) };
        }
        return { schema, document, variableValues: variables, operationName: payload.operationName, contextValue: context };
      },
      // graphql-ws only serialises what these yield, so formatted results (errors already masked) are what it needs.
      subscribe: (args) => (args.contextValue as StormContext).run() as never,
      execute: (args) => (args.contextValue as StormContext).run() as never,
    },
    wss,
    options.keepAliveMs,
  );

  return {
    async dispose() {
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export function requestId(): string {
  return randomUUID();
}
