import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import { GraphQLError, parse, validate, type DocumentNode, type FormattedExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { RouterContext } from './context.js';

/** Distinct internal documents kept parsed and validated (generated from subscriptions' selections, so bounded in practice). */
const MAX_DOCUMENTS = 10_000;

export type InternalExecutor = (query: string, variables: Record<string, unknown>, context: RouterContext) => Promise<FormattedExecutionResult>;

/**
 * Runs the router's own operations (the subscription engine's page, head and
 * event queries) straight through the gateway's query planner and executor,
 * without Apollo Server's per-request pipeline: parsed and validated once per
 * distinct document, planned once (the gateway caches plans by hash). The
 * public operation limits do not apply here: these documents are written by
 * the engine from selections that already passed them when the client
 * subscribed (a batched page query has one alias per conversation).
 */
export function createInternalExecutor(
  gateway: ApolloGateway,
  schema: () => GraphQLSchema | undefined,
  formatError: (formatted: GraphQLFormattedError) => GraphQLFormattedError,
): InternalExecutor {
  const documents = new Map<string, { document: DocumentNode; queryHash: string; operationName: string | null } | { errors: readonly GraphQLError[] }>();
  const prepare = (query: string, apiSchema: GraphQLSchema) => {
    let prepared = documents.get(query);
    if (prepared) return prepared;
    try {
      const document = parse(query);
      const errors = validate(apiSchema, document);
      const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
      prepared = errors.length
        ? { errors }
        : { document, queryHash: createHash('sha256').update(query).digest('hex'), operationName: (operation && 'name' in operation && operation.name?.value) || null };
    } catch (err) {
      prepared = { errors: [err instanceof GraphQLError ? err : new GraphQLError(String(err))] };
    }
    if (documents.size >= MAX_DOCUMENTS) documents.clear();
    documents.set(query, prepared);
    return prepared;
  };
  return async (query, variables, context) => {
    const apiSchema = schema();
    if (!apiSchema) throw new Error('the gateway has not loaded its schema yet');
    const prepared = prepare(query, apiSchema);
    // An engine bug, not a client's: surfaces as INTERNAL_SERVER_ERROR, logged by the caller.
    if ('errors' in prepared) return { errors: prepared.errors.map((e) => formatError(e.toJSON())) };
    const request = { query, variables, operationName: prepared.operationName ?? undefined };
    const response = await gateway.executor({
      request,
      document: prepared.document,
      queryHash: prepared.queryHash,
      operationName: prepared.operationName,
      source: query,
      context,
      metrics: {},
      logger: console,
      cache: undefined,
      overallCachePolicy: undefined,
    } as unknown as Parameters<ApolloGateway['executor']>[0]);
    const errors = response.errors?.map((e) => formatError(e instanceof GraphQLError ? e.toJSON() : (e as GraphQLFormattedError)));
    return errors?.length ? { data: response.data as Record<string, unknown> | null | undefined, errors } : { data: response.data as Record<string, unknown> | null | undefined };
  };
}
