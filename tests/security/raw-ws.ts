// A raw graphql-transport-ws socket for the security suites: every frame is
// exactly what the test wrote (the graphql-ws client would fix our mistakes).
import WebSocket from 'ws';

export interface Closed {
  code: number;
  reason: string;
}

export class RawSocket {
  readonly messages: Array<Record<string, unknown>> = [];
  readonly closed: Promise<Closed>;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      try {
        this.messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
      } catch {
        this.messages.push({ type: '<unparsable>', raw: data.toString() });
      }
      for (const w of this.waiters.splice(0)) w();
    });
    // A socket the server closes abruptly may report an error after close: the test reads `closed`.
    ws.on('error', () => {});
    this.closed.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(url: string, protocol: string | undefined = 'graphql-transport-ws'): Promise<RawSocket> {
    const ws = new WebSocket(url, protocol ? [protocol] : []);
    const socket = new RawSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('close', () => resolve());
    });
    return socket;
  }

  send(frame: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  init(token: string | undefined): void {
    this.send({ type: 'connection_init', payload: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  }

  /** Resolves with the first message of `type` (looking at those already received too), or rejects on close/timeout. */
  async next(type: string, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < this.messages.length; seen++) if (this.messages[seen]!.type === type) return this.messages[seen]!;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed before a ${type} message`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} message within ${timeoutMs} ms (got ${JSON.stringify(this.messages)})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves with the close the server sent, or rejects after timeoutMs. */
  async closedWithin(timeoutMs = 5_000): Promise<Closed> {
    return Promise.race([
      this.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}
