import { STATUS_CODES } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource, type Experimental_DidResolveQueryPlanCallback, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { Agent, request } from 'undici';
import { IDENTITY_HEADER } from '@storm/common';
import type { RouterContext } from './context.js';
import { EntityFetchBatcher } from './entity-batching.js';
import type { IdentitySigner } from './identity-signer.js';

export type SubgraphUrls = Record<'users' | 'conversations' | 'media', string>;

/**
 * Forwards each subgraph request with the caller's identity signed by the
 * router: subgraphs refuse requests without it, so they are not reachable
 * around the router.
 */
class SignedDataSource extends RemoteGraphQLDataSource<RouterContext> {
  private readonly entities = new EntityFetchBatcher<RouterContext>();

  constructor(
    private readonly service: string,
    url: string,
    private readonly signer: IdentitySigner,
    dispatcher: Agent,
    replays: ReplaySource | undefined,
  ) {
    // undici instead of the default make-fetch-happen: its pool closes idle
    // sockets before Node servers do (4 s < 5 s), so a reused keep-alive socket
    // is never reset under the request (ECONNRESET / "socket hang up" under
    // load), it costs less per request, and it caps sockets per subgraph: a
    // burst of 1,000 subscribes queues on 64 connections instead of opening
    // 1,000 and overflowing the subgraph's accept backlog. Its `request`, not
    // its WHATWG `fetch`: see undiciFetcher.
    const fetcher = undiciFetcher(dispatcher);
    super({ url, fetcher });
    // RemoteGraphQLDataSource.sendRequest (private in its types, so replaced
    // here rather than overridden) builds a node-fetch Request per fetch that
    // only its error hooks would read, and these hooks are the defaults. This
    // one sends the same body and headers, and answers with the subgraph's
    // reply to the router's direct fetch of this operation when there is one
    // (direct-fetch.ts), instead of sending the operation twice.
    (this as unknown as { sendRequest: SendRequest }).sendRequest = async (request, context) => {
      const { http, ...payload } = request;
      const replay = replays?.take(context as object | undefined, this.service);
      const response = replay ? await replay : await this.fetcher(http!.url, { method: http!.method, headers: Object.fromEntries(http!.headers), body: JSON.stringify(payload) });
      if (!response.ok) throw await this.errorFromResponse(response);
      const body: unknown = await this.parseBody(response, undefined as never, context as RouterContext | undefined);
      if (typeof body !== 'object' || body === null) throw new Error(`Expected JSON response body, but received: ${String(body)}`);
      return { ...body, http: response } as GatewayGraphQLResponse;
    };
  }

  /** Entity fetches of one operation that the planner split by response path go out as one request (entity-batching.ts). */
  override process(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayGraphQLResponse> {
    // GraphQLDataSourceRequestKind.INCOMING_OPERATION (the enum is not exported): not a health check or schema load.
    if ((options.kind as string) === 'incoming operation') {
      const batched = this.entities.add(options, (merged) => super.process(merged));
      if (batched) return batched;
    }
    return super.process(options);
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): Promise<void> {
    const headers = request.http!.headers;
    // Never passed through from the client: subgraphs trust it (login throttling per address).
    headers.delete(CLIENT_IP_HEADER);
    // Gateway-internal requests (health checks) carry no RouterContext.
    for (const [name, value] of Object.entries(await subgraphHeaders(this.signer, context as Partial<RouterContext> | undefined))) headers.set(name, value);
  }
}

type SendRequest = (request: GraphQLDataSourceProcessOptions<RouterContext>['request'], context: unknown) => Promise<GatewayGraphQLResponse>;

/** Where a data source finds the answer the router's direct fetch already received (direct-fetch.ts). */
export interface ReplaySource {
  /** The answer (or failure) to this operation's fetch to `service`, once; undefined when there is none. */
  take(context: object | undefined, service: string): Promise<FetcherResponse> | undefined;
}

/**
 * What the router adds to every subgraph request: the caller's identity,
 * signed; the request id; the client's address. The address is always the
 * router's own finding, never the client's header: subgraphs trust it
 * because only the router can reach them.
 */
export async function subgraphHeaders(signer: IdentitySigner, ctx: Partial<RouterContext> | undefined): Promise<Record<string, string>> {
  const headers: Record<string, string> = { [IDENTITY_HEADER]: await signer.sign(ctx?.userId ?? null, ctx?.membershipVouched === true) };
  if (ctx?.requestId) headers['x-request-id'] = ctx.requestId;
  if (ctx?.clientIp) headers[CLIENT_IP_HEADER] = ctx.clientIp;
  return headers;
}

/**
 * A Fetcher over undici's `request` rather than its WHATWG `fetch`, whose
 * Request/Response objects, web streams and body tee cost a third of the
 * router's CPU per mutation in the send benchmark's profile. The answer
 * carries what RemoteGraphQLDataSource reads of a fetch Response: ok,
 * status, statusText, url, headers.get, text() and json() (the body is read
 * whole before it resolves; subgraph answers are small and bounded).
 */
export function undiciFetcher(dispatcher: Agent): Fetcher {
  return async (url: string, init?: FetcherRequestInit): Promise<FetcherResponse> => {
    const res = await request(url, {
      method: (init?.method ?? 'GET') as 'POST',
      headers: init?.headers as Record<string, string> | undefined,
      body: init?.body as string | undefined,
      signal: init?.signal as AbortSignal | undefined,
      dispatcher,
    });
    const text = await res.body.text();
    const header = (name: string): string | null => {
      const value = res.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    };
    const response = {
      ok: res.statusCode >= 200 && res.statusCode < 300,
      status: res.statusCode,
      statusText: STATUS_CODES[res.statusCode] ?? '',
      url,
      redirected: false,
      headers: { get: header, has: (name: string) => header(name) !== null },
      text: async () => text,
      json: async () => JSON.parse(text) as unknown,
      clone: () => response,
    };
    return response as unknown as FetcherResponse;
  };
}

/** The client's address, for subgraphs' per-address limits. */
export const CLIENT_IP_HEADER = 'x-storm-client-ip';

/** Connections kept per subgraph origin. */
export const SUBGRAPH_CONNECTIONS = 64;

export function createSubgraphAgent(): Agent {
  return new Agent({ connections: SUBGRAPH_CONNECTIONS, keepAliveTimeout: 4_000, pipelining: 1 });
}

/**
 * The query planner over a static supergraph (composed by `npm run compose`;
 * no polling, no managed federation). Subgraph URLs come from settings, not
 * from the URLs baked into the supergraph.
 */
export function createGateway(
  supergraphSdl: string,
  urls: SubgraphUrls,
  signer: IdentitySigner,
  dispatcher: Agent,
  /** The router's direct fetch (direct-fetch.ts): sees each query plan, hands back answers it already received. */
  direct?: ReplaySource & { didResolveQueryPlan: Experimental_DidResolveQueryPlanCallback },
): ApolloGateway {
  // @apollo/gateway 2.14 starts a usage-data exporter to Apollo (probing cloud
  // metadata addresses such as 169.254.169.254 on the way) unless this is set
  // when it is constructed; it has no option for it. STORM's router talks to
  // its subgraphs and its bus, nothing else.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  return new ApolloGateway({
    supergraphSdl,
    experimental_didResolveQueryPlan: direct?.didResolveQueryPlan,
    buildService: ({ name, url }) => {
      const override = urls[name as keyof SubgraphUrls];
      return new SignedDataSource(name, override ?? url!, signer, dispatcher, direct);
    },
  });
}
