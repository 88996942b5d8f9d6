import express, { type Express } from 'express';
import type { Bus } from '@storm/bus';
import { ErrorCode } from '@storm/common';
import type { RouterMetrics } from './metrics.js';
import type { SubgraphUrls } from './gateway.js';

/** The router's plain HTTP endpoints: liveness, readiness, metrics. */
export function createHttpApp(deps: { bus: Bus; subgraphs: SubgraphUrls; metrics: RouterMetrics; ready: () => boolean }): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Ready only when every subgraph and the bus answer: a replica that cannot
  // serve is taken out of the load balancer instead of failing requests.
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, boolean> = { gateway: deps.ready() };
    await Promise.all([
      ...Object.entries(deps.subgraphs).map(async ([name, url]) => {
        checks[name] = await probe(url.replace(/\/graphql\/?$/, '/healthz'));
      }),
      deps.bus.ping().then(
        () => (checks.bus = true),
        () => (checks.bus = false),
      ),
    ]);
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  });

  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  // Any other path: a JSON 404 in GraphQL's error shape, like every other refusal of this API
  // (express's own is an HTML page).
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Not found: the API is POST /graphql (and WebSocket on the same path), with files on POST /media and GET /media/<id>', extensions: { code: ErrorCode.NotFound } }] });
  });

  return app;
}

async function probe(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}
