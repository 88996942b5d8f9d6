/**
 * Test helpers for code that talks to the bus (import from
 * `@storm/bus/testing`): a message collector that can be awaited, and a TCP
 * proxy that simulates a server outage without touching the real server.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { BusHandler } from './bus.js';

export interface Received<T = unknown> {
  subject: string;
  payload: T;
}

/** Records what a handler receives; `until(n)` waits for the n-th message. */
export class Collector<T = unknown> {
  readonly messages: Array<Received<T>> = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  readonly handler: BusHandler = (payload, subject) => {
    this.messages.push({ subject, payload: payload as T });
    this.waiters = this.waiters.filter((w) => {
      if (this.messages.length < w.count) return true;
      w.resolve();
      return false;
    });
  };

  get payloads(): T[] {
    return this.messages.map((m) => m.payload);
  }

  /**
   * Resolves with a copy of the messages once at least `count` arrived;
   * rejects after `timeoutMs` saying what did arrive (a clearer failure than
   * the test's own timeout).
   */
  until(count: number, timeoutMs = 10_000): Promise<Array<Received<T>>> {
    if (this.messages.length >= count) return Promise.resolve([...this.messages]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`expected ${count} message(s), got ${this.messages.length}: ${JSON.stringify(this.messages).slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve([...this.messages]);
        },
      });
    });
  }
}

export interface TcpProxy {
  /** The local port clients connect to; stays the same across stop/start. */
  readonly port: number;
  /** Cuts every connection and closes the port (connections are refused). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to `target`, for outage tests. Call `stop()` when done. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      if (server) return resolve();
      const s = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        sockets.add(client);
        sockets.add(upstream);
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        for (const socket of [client, upstream]) {
          socket.on('error', end);
          socket.on('close', end);
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const stop = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    stop,
    start: listen,
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
