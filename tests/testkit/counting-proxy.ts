import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  /** Requests received so far. */
  count(): number;
  /** Holds every later request this long before forwarding it, as a slow subgraph would (0: none). */
  delay(ms: number): void;
  /** Stops answering: later requests fail to connect, as to a subgraph that went down. */
  close(): Promise<void>;
}

/** Forwards requests to the subgraph at `target` and counts them: what a router sends, seen at the subgraph's door. */
export async function countingProxy(target: string): Promise<CountingProxy> {
  let requests = 0;
  let delayMs = 0;
  const server = http.createServer(async (req, res) => {
    requests++;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>;
    const upstream = await fetch(target, { method: req.method, headers, body: req.method === 'POST' ? Buffer.concat(chunks) : undefined });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    count: () => requests,
    delay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
