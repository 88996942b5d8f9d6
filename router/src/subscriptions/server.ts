import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { GraphQLError, OperationTypeNode, getOperationAST, parse, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { ErrorCode } from '@storm/common';
import type { RouterMetrics } from '../metrics.js';
import type { SubscriptionEngine } from './engine.js';
import { planSubscription } from './selection.js';
import { SubscriptionField } from './protocol.js';
import { attachWire, type WireServer } from './wire.js';

export interface WsOptions {
  httpServer: HttpServer;
  path: string;
  engine: SubscriptionEngine;
  metrics: RouterMetrics;
  /** The current API schema (the gateway may not have loaded when the server starts). */
  schema: () => GraphQLSchema | undefined;
  /** Verifies `Bearer <token>`; resolves the user id (and expiry) or rejects. */
  authenticate: (authorization: string) => Promise<{ userId: string; exp?: number }>;
  /** Runs a query or mutation exactly as the HTTP endpoint would. */
  executeOperation: (
    request: { query: string; variables?: Record<string, unknown>; operationName?: string | null },
    userId: string,
    clientIp: string | undefined,
  ) => Promise<{ data?: unknown; errors?: readonly GraphQLFormattedError[] }>;
  /** The HTTP endpoint's validation (spec rules, operation limits, no suggestions in production). */
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
  /** Parser token limit, as over HTTP. */
  maxTokens: number;
  /** Connection lifecycle hooks (presence). */
  lifecycle?: Pick<import('./wire.js').WireHandlers, 'connected' | 'alive' | 'disconnected'>;
  maxPayload: number;
  initTimeoutMs: number;
  keepAliveMs: number;
  maxSubscriptionsPerConnection: number;
  /** Bytes a socket may have queued before its subscriptions must resync. */
  maxBufferedBytes: number;
  maxConnectionsPerUser: number;
  /** The client's address from the upgrade request. @default the socket's peer */
  clientAddress?: (request: IncomingMessage) => string | undefined;
}

const failed = (code: string, message: string): GraphQLFormattedError[] => [{ message, extensions: { code } }];

/**
 * The WebSocket side of the router: parses and validates each operation
 * against the API schema, hands subscriptions to the SubscriptionEngine (the
 * gateway cannot execute them) and runs queries and mutations sent over the
 * socket through Apollo Server, like HTTP ones.
 */
export function attachWebSocket(options: WsOptions): WireServer {
  return attachWire({
    httpServer: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayload,
    initTimeoutMs: options.initTimeoutMs,
    keepAliveMs: options.keepAliveMs,
    maxBufferedBytes: options.maxBufferedBytes,
    maxConnectionsPerUser: options.maxConnectionsPerUser,
    clientAddress: options.clientAddress,
    metrics: options.metrics,
    log: (message, err) => console.warn(`[router] ${message}`, err ?? ''),
    handlers: {
      authenticate: options.authenticate,
      ...options.lifecycle,
      async subscribe(sink, payload: SubscribePayload, active) {
        const schema = options.schema();
        if (!schema) return failed(ErrorCode.Unavailable, 'The router is starting');
        if (active >= options.maxSubscriptionsPerConnection) {
          return [{ message: `At most ${options.maxSubscriptionsPerConnection} operations per connection`, extensions: { code: ErrorCode.RateLimited, retryAfter: 1 } }];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens });
        } catch (err) {
          return failed('GRAPHQL_PARSE_FAILED', (err as Error).message);
        }
        const errors = options.validate(schema, document);
        if (errors.length) return errors.map((e) => ({ ...e.toJSON(), extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return failed(ErrorCode.BadUserInput, 'Could not determine the operation to run');
        const variables = (payload.variables ?? {}) as Record<string, unknown>;

        if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
          try {
            const plan = planSubscription(document, operation, variables);
            if (plan.field === SubscriptionField.PresenceChanged) return await options.engine.openPresence(sink, plan);
            if (plan.field === SubscriptionField.NotificationAdded) return await options.engine.openNotifications(sink, plan);
            return plan.field === SubscriptionField.Inbox && 'cursor' in plan ? await options.engine.openInbox(sink, plan) : await options.engine.open(sink, plan);
          } catch (err) {
            if (err instanceof GraphQLError) return [err.toJSON()];
            return failed(ErrorCode.Unavailable, 'Could not open the subscription');
          }
        }
        // A query or mutation: one `next`, then `complete`.
        let stopped = false;
        void options.executeOperation({ query: payload.query, variables, operationName: payload.operationName }, sink.userId, sink.clientIp).then(
          (result) => {
            if (stopped) return;
            sink.next(JSON.stringify(result));
            sink.complete();
          },
          () => sink.error(failed(ErrorCode.Internal, 'Internal server error')),
        );
        return { stop: () => (stopped = true) };
      },
    },
  });
}
