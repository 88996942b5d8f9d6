import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent, fetch as undiciFetch } from 'undici';
import { IDENTITY_HEADER } from '@storm/common';
import type { RouterContext } from './context.js';
import type { IdentitySigner } from './identity-signer.js';

export type SubgraphUrls = Record<'users' | 'conversations' | 'media', string>;

/**
 * Forwards each subgraph request with the caller's identity signed by the
 * router: subgraphs refuse requests without it, so they are not reachable
 * around the router.
 */
class SignedDataSource extends RemoteGraphQLDataSource<RouterContext> {
  constructor(
    url: string,
    private readonly signer: IdentitySigner,
    dispatcher: Agent,
  ) {
    // undici instead of the default make-fetch-happen: its pool closes idle
    // sockets before Node servers do (4 s < 5 s), so a reused keep-alive socket
    // is never reset under the request (ECONNRESET / "socket hang up" under
    // load), it costs less per request, and it caps sockets per subgraph: a
    // burst of 1,000 subscribes queues on 64 connections instead of opening
    // 1,000 and overflowing the subgraph's accept backlog.
    const fetcher = ((input: string, init?: Record<string, unknown>) => undiciFetch(input, { ...init, dispatcher })) as unknown as Fetcher;
    super({ url, fetcher });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): Promise<void> {
    // Gateway-internal requests (health checks) carry no RouterContext.
    const ctx = context as Partial<RouterContext> | undefined;
    request.http!.headers.set(IDENTITY_HEADER, await this.signer.sign(ctx?.userId ?? null, ctx?.membershipVouched === true));
    if (ctx?.requestId) request.http!.headers.set('x-request-id', ctx.requestId);
    // Always overwritten, never passed through from the client: subgraphs trust it
    // (login throttling per address) because only the router can reach them.
    if (ctx?.clientIp) request.http!.headers.set(CLIENT_IP_HEADER, ctx.clientIp);
    else request.http!.headers.delete(CLIENT_IP_HEADER);
  }
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
export function createGateway(supergraphSdl: string, urls: SubgraphUrls, signer: IdentitySigner, dispatcher: Agent): ApolloGateway {
  // @apollo/gateway 2.14 starts a usage-data exporter to Apollo (probing cloud
  // metadata addresses such as 169.254.169.254 on the way) unless this is set
  // when it is constructed; it has no option for it. STORM's router talks to
  // its subgraphs and its bus, nothing else.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  return new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const override = urls[name as keyof SubgraphUrls];
      return new SignedDataSource(override ?? url!, signer, dispatcher);
    },
  });
}
