// Helpers for tests of clients that connect at start (Redis stores, buses).
import { createServer, type AddressInfo } from 'node:net';

/**
 * Runs `start` against a server that hangs up on every connection (a
 * service that does not answer), then watches for `watchMs` more: what it
 * rejected with, and how many connections were tried after it had failed.
 * A client that keeps reconnecting in the background after a failed start
 * holds the process open; `reconnects` should be 0.
 */
export async function startAgainstHangUp(
  scheme: string,
  start: (url: string) => Promise<unknown>,
  watchMs = 500,
): Promise<{ error: unknown; reconnects: number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    let error: unknown;
    try {
      await start(`${scheme}://127.0.0.1:${port}`);
    } catch (err) {
      error = err;
    }
    const atFailure = connections;
    await new Promise((r) => setTimeout(r, watchMs));
    return { error, reconnects: connections - atFailure };
  } finally {
    await new Promise((r) => server.close(r));
  }
}
