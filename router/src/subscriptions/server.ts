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

/** Distinct subscribe documents kept parsed and validated. */
export const MAX_CACHED_DOCUMENTS = 1_000;
/** Longer documents are parsed and validated every time (a cache of big documents would be big). */
export const MAX_CACHED_DOCUMENT_LENGTH = 8_192;

type Prepared = { document: DocumentNode } | { errors: GraphQLFormattedError[] };

/**
 * Parsed and validated documents by their text, for the current API schema:
 * a reconnect storm (a replica gone, its clients back on this one) subscribes
 * thousands of sockets with a handful of distinct documents. Least recently
 * used out first; cleared when the schema changes. The result of parsing and
 * validating a text against one schema is always the same, errors included.
 */
export class PreparedDocuments {
  private schema: GraphQLSchema | undefined;
  private readonly entries = new Map<string, Prepared>();

  constructor(private readonly prepare: (schema: GraphQLSchema, query: string) => Prepared) {}

  get(schema: GraphQLSchema, query: string): Prepared {
    if (schema !== this.schema) {
      this.schema = schema;
      this.entries.clear();
    }
    const cached = this.entries.get(query);
    if (cached) {
      this.entries.delete(query);
      this.entries.set(query, cached);
      return cached;
    }
    const prepared = this.prepare(schema, query);
    if (query.length <= MAX_CACHED_DOCUMENT_LENGTH) {
      this.entries.set(query, prepared);
      if (this.entries.size > MAX_CACHED_DOCUMENTS) this.entries.delete(this.entries.keys().next().value!);
    }
    return prepared;
  }
}

/**
 * The WebSocket side of the router: parses and validates each operation
 * against the API schema, hands subscriptions to the SubscriptionEngine (the
 * gateway cannot execute them) and runs queries and mutations sent over the
 * socket through Apollo Server, like HTTP ones.
 */
export function attachWebSocket(options: WsOptions): WireServer {
  const documents = new PreparedDocuments((schema, query) => {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: options.maxTokens });
    } catch (err) {
      return { errors: failed('GRAPHQL_PARSE_FAILED', (err as Error).message) };
    }
    const errors = options.validate(schema, document);
    if (errors.length) return { errors: errors.map((e) => ({ ...e.toJSON(), extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } })) };
    return { document };
  });
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
        const prepared = documents.get(schema, payload.query);
        if ('errors' in prepared) return prepared.errors;
        const { document } = prepared;
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
            if (!stopped) sink.result(JSON.stringify(result));
          },
          () => sink.error(failed(ErrorCode.Internal, 'Internal server error')),
        );
        return { stop: () => (stopped = true) };
      },
    },
  });
}
