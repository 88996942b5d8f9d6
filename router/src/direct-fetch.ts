import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import type { HTTPGraphQLResponse } from '@apollo/server';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { getVariableValues, Kind, OperationTypeNode, parse, print, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import type { RouterContext } from './context.js';
import type { ReplaySource } from './gateway.js';

type QueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0]['queryPlan'];

/** Distinct operations remembered (each one document's route, or that it has none); more clear the memory. */
const MAX_OPERATIONS = 5_000;
/** Distinct `accept` headers remembered per operation. */
const MAX_HEADS = 8;
/** Apollo's query-plan debugging header: its answers carry the plan, so they go the usual way. */
const QUERY_PLAN_HEADER = 'apollo-query-plan-experimental';

/** An operation whose plan is one fetch from one subgraph, asking for exactly what the client asked. */
interface Route {
  service: string;
  url: string;
  type: OperationTypeNode;
  /** The subgraph operation the query planner wrote, sent as it would send it. */
  operation: string;
  operationName: string | undefined;
  variableUsages: readonly string[];
  variableDefinitions: readonly VariableDefinitionNode[];
  /** By the request's `accept` header: the headers Apollo Server answered a success with (content-type, …). */
  heads: Map<string, Array<[string, string]>>;
}

export interface DirectFetchOptions {
  /** The API schema the gateway validates variables against. */
  schema: () => GraphQLSchema | undefined;
  url: (service: string) => string | undefined;
  /** The gateway's own fetcher (gateway.ts undiciFetcher), so a replayed answer is what the data source would have received. */
  fetcher: Fetcher;
  /** The headers the gateway's data sources add (gateway.ts subgraphHeaders). */
  headers: (context: RouterContext) => Promise<Record<string, string>>;
  /** Counted as the operationMetrics plugin counts an answer. */
  answered: (type: OperationTypeNode) => void;
}

/**
 * The router's shortcut for operations the query planner answers with one
 * fetch from one subgraph (`sendMessage { id seq }`, `markRead`, `me { … }`):
 * the subgraph's answer is the client's answer, so when it is a success the
 * router writes it through without Apollo Server's request pipeline, the
 * gateway's executor and its result shaping (about half of the router's CPU
 * per send; docs/performance.md, *The direct fetch*).
 *
 * It never decides on its own what an operation means. An operation takes the
 * shortcut only after it went the usual way once and:
 * - its query plan was a single fetch with no `requires` and no rewrites,
 *   whose selection set prints the same as the client's (no added `__typename`,
 *   no fragments, nothing the gateway answers itself such as introspection);
 * - Apollo Server answered it with success, for the same `accept` header: the
 *   headers of that answer are the ones written;
 * - the document is the same text with the same `operationName`, so it parsed
 *   and validated once already, against a schema that does not change.
 * Variables are coerced as the gateway coerces them; when they do not coerce
 * the request goes the usual way and gets the gateway's error. When the
 * subgraph's answer is anything but data without errors (an error, a non-200,
 * no answer at all), the request goes the usual way with that answer handed
 * to the data source in place of its fetch (`take`), so errors are shaped,
 * masked and counted by the same code as always and nothing is sent twice.
 */
export class DirectFetch implements ReplaySource {
  private readonly routes = new Map<string, Route | null>();

  constructor(private readonly options: DirectFetchOptions) {}

  /** Forgets every route: the schema changed, so each operation must validate and plan again. */
  forget(): void {
    this.routes.clear();
  }

  /** The gateway's `experimental_didResolveQueryPlan`: keeps each request's plan until its answer is seen. */
  readonly didResolveQueryPlan: Experimental_DidResolveQueryPlanCallback = ({ queryPlan, requestContext }) => {
    const slot = slotOf(requestContext.context);
    if (slot) slot.plan = queryPlan;
  };

  take(context: object | undefined, service: string): Promise<FetcherResponse> | undefined {
    const slot = slotOf(context);
    const replay = slot?.replay;
    if (!replay || replay.service !== service) return undefined;
    slot.replay = undefined;
    return replay.answer;
  }

  /** graphqlHttpHandler's `shortcut`. */
  readonly shortcut = async (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, context: RouterContext): Promise<boolean> => {
    const slot: Slot = {};
    (context as WithSlot)[SLOT] = slot;
    const key = keyOf(body);
    const route = key === undefined ? undefined : this.routes.get(key);
    if (!route) return false;
    const head = route.heads.get(req.headers.accept ?? '');
    const schema = this.options.schema();
    if (!head || !schema || req.headers[QUERY_PLAN_HEADER] !== undefined) return false;
    const provided = (body.variables ?? {}) as Record<string, unknown>;
    if (route.variableDefinitions.length > 0 && getVariableValues(schema, route.variableDefinitions, provided).errors) return false;
    // As the gateway's executeFetch picks them: the fetch's own, as the client sent them.
    const variables: Record<string, unknown> = {};
    for (const name of route.variableUsages) if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];

    const headers = { 'content-type': 'application/json', ...(await this.options.headers(context)) };
    const answer = this.options.fetcher(route.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: route.operation, variables, operationName: route.operationName }),
    });
    const text = await answer.then((response) => (response.ok && isJson(response.headers.get('content-type')) ? response.text() : undefined)).catch(() => undefined);
    if (text === undefined || !isPlainData(text)) {
      slot.replay = { service: route.service, answer };
      return false;
    }
    res.statusCode = 200;
    for (const [name, value] of head) res.setHeader(name, value);
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
    this.options.answered(route.type);
    return true;
  };

  /** graphqlHttpHandler's `answered`: learns the routes. */
  readonly answered = (req: IncomingMessage, body: Record<string, unknown>, context: RouterContext, response: HTTPGraphQLResponse): void => {
    const plan = slotOf(context)?.plan;
    const key = keyOf(body);
    if (!plan || key === undefined) return;
    let route = this.routes.get(key);
    if (route === undefined) {
      if (this.routes.size >= MAX_OPERATIONS) this.routes.clear();
      route = this.routeOf(plan, body.query as string, body.operationName as string | undefined | null);
      this.routes.set(key, route);
    }
    // A success: Apollo Server writes `errors` first when there are any.
    const success = (response.status ?? 200) === 200 && response.body.kind === 'complete' && response.body.string.startsWith('{"data":');
    if (!route || !success || route.heads.size >= MAX_HEADS) return;
    const head: Array<[string, string]> = [];
    for (const [name, value] of response.headers) if (name !== 'content-length') head.push([name, value]);
    route.heads.set(req.headers.accept ?? '', head);
  };

  private routeOf(plan: QueryPlan, query: string, operationName: string | undefined | null): Route | null {
    const fetch = plan.node;
    if (fetch?.kind !== 'Fetch' || fetch.requires || fetch.inputRewrites?.length || fetch.outputRewrites?.length || fetch.contextRewrites?.length) return null;
    if (fetch.operationKind !== OperationTypeNode.QUERY && fetch.operationKind !== OperationTypeNode.MUTATION) return null;
    const url = this.options.url(fetch.serviceName);
    if (!url) return null;
    const client = operationOf(parse(query), operationName);
    const subgraph = operationOf(fetch.operationDocumentNode ?? parse(fetch.operation), undefined);
    if (!client || !subgraph || print(client.selectionSet) !== print(subgraph.selectionSet)) return null;
    return {
      service: fetch.serviceName,
      url,
      type: fetch.operationKind,
      operation: fetch.operation,
      operationName: fetch.operationName,
      variableUsages: fetch.variableUsages ?? [],
      variableDefinitions: client.variableDefinitions ?? [],
      heads: new Map(),
    };
  }
}

/**
 * What one request carries between the shortcut, the gateway and the data
 * source. Apollo Server hands the gateway a shallow copy of the context, so
 * it travels as one shared object under a symbol rather than as fields.
 */
interface Slot {
  plan?: QueryPlan;
  replay?: { service: string; answer: Promise<FetcherResponse> };
}
const SLOT = Symbol('storm.directFetch');
type WithSlot = { [SLOT]?: Slot };

function slotOf(context: unknown): Slot | undefined {
  return typeof context === 'object' && context !== null ? (context as WithSlot)[SLOT] : undefined;
}

/** The document's operation, or undefined when it has fragments (the planner may rewrite them) or none matches. */
function operationOf(document: DocumentNode, operationName: string | undefined | null): OperationDefinitionNode | undefined {
  if (document.definitions.some((d) => d.kind !== Kind.OPERATION_DEFINITION)) return undefined;
  const operations = document.definitions as readonly OperationDefinitionNode[];
  if (typeof operationName === 'string') return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** The request's identity, or undefined for a body the shortcut leaves to Apollo Server (persisted queries, odd shapes). */
function keyOf(body: Record<string, unknown>): string | undefined {
  const { query, operationName, variables, extensions } = body;
  // Extensions (a persisted query's hash, …) are Apollo Server's to read; an empty object says nothing.
  const plain = extensions === undefined || extensions === null || (typeof extensions === 'object' && !Array.isArray(extensions) && Object.keys(extensions).length === 0);
  if (typeof query !== 'string' || !plain) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  // An empty name is a name (that Apollo Server finds no operation for), not the absence of one.
  return typeof operationName === 'string' ? `${query}\u0000${operationName}` : query;
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json'));
}

/** An answer that is `{ data }` with data and nothing else: what the gateway would pass through unchanged. */
function isPlainData(text: string): boolean {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof answer !== 'object' || answer === null) return false;
  const keys = Object.keys(answer);
  const data = (answer as { data?: unknown }).data;
  return keys.length === 1 && keys[0] === 'data' && typeof data === 'object' && data !== null;
}
