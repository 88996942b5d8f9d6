import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per router instance, so several routers in one process (tests) don't collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'storm_router_' });
  return {
    registry,
    operations: new Counter({
      name: 'storm_graphql_operations_total',
      help: 'GraphQL operations over HTTP, by type and outcome',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    }),
    directFetches: new Counter({
      name: 'storm_direct_fetches_total',
      help: 'HTTP operations answered straight from one subgraph fetch, past Apollo Server and the gateway (direct-fetch.ts)',
      registers: [registry],
    }),
    mediaRequests: new Counter({
      name: 'storm_media_requests_total',
      help: 'Uploads (POST /media) and downloads (GET|HEAD /media/<id>) forwarded to the media service, by method and answer status',
      labelNames: ['method', 'status'] as const,
      registers: [registry],
    }),
    connections: new Gauge({ name: 'storm_ws_connections', help: 'Open graphql-ws connections (acknowledged)', registers: [registry] }),
    subscriptions: new Gauge({ name: 'storm_subscriptions', help: 'Active subscriptions', registers: [registry] }),
    groups: new Gauge({
      name: 'storm_subscription_groups',
      help: 'Distinct (conversation, selection) groups resolved once per event',
      registers: [registry],
    }),
    busEvents: new Counter({
      name: 'storm_bus_events_total',
      help: 'Events received from the bus (every conversation and user event this router listens to)',
      registers: [registry],
    }),
    catchUps: new Counter({
      name: 'storm_subscription_catch_ups_total',
      help: 'Groups the audit found behind their conversation (a bus event was lost) and woke, and conversations it found missing from an inbox and started',
      registers: [registry],
    }),
    resolutions: new Counter({
      name: 'storm_subscription_resolutions_total',
      help: 'Selection-set resolutions through the query planner (one per group per batch of events)',
      registers: [registry],
    }),
    pageBatchSize: new Histogram({
      name: 'storm_subscription_page_batch_conversations',
      help: 'Conversations read by one page query of shared groups (groups with one selection that woke together)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    deliveries: new Counter({ name: 'storm_deliveries_total', help: 'Events handed to subscribers', registers: [registry] }),
    replayed: new Counter({ name: 'storm_replayed_messages_total', help: 'Messages replayed from the database on resume', registers: [registry] }),
    ephemeralDropped: new Counter({
      name: 'storm_ephemeral_dropped_total',
      help: 'Ephemeral events (typing) not sent because the socket was backed up',
      registers: [registry],
    }),
    resyncs: new Counter({ name: 'storm_resyncs_total', help: 'Subscriptions told to resync (replay bound exceeded)', registers: [registry] }),
    deliveryLatency: new Histogram({
      name: 'storm_delivery_latency_seconds',
      help: 'Commit of a message to its write to the last subscriber socket of its group (live deliveries)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type RouterMetrics = ReturnType<typeof createMetrics>;
