// An HTTP/1.1 client for the send benchmark's closed loop, written on `net`,
// for a load generator that costs the machine as little as it can per request
// (as bench/raw-ws.ts does for the fan-out fleet): the driver shares the two
// cores with the router, the subgraphs and PostgreSQL it measures, so each
// microsecond it spends is one the system under test does not get.
//
// What it speaks: one keep-alive connection, one request at a time (the closed
// loop's client waits for its answer before the next), a POST with a body of
// known length; responses with `content-length` or `transfer-encoding:
// chunked` (no trailers), `connection: close` honoured. Not spoken, since the
// benchmark never needs them: pipelining, 1xx answers other than none, bodies
// without a length on a kept-alive connection (such an answer is an error).
import net from 'node:net';

export interface RawHttpResponse {
  status: number;
  body: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** Larger answers are refused (the benchmark's biggest, a 50-message page, is ~10 KB). */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Incremental parser of one response at a time: `push` bytes as they arrive;
 * it returns the response once whole (and keeps any bytes after it, which a
 * server answering one request at a time never sends).
 */
export class ResponseParser {
  private pending: Buffer = Buffer.alloc(0);

  /** The whole response, undefined while incomplete; throws on a malformed one. */
  push(chunk: Buffer): (RawHttpResponse & { close: boolean }) | undefined {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length > MAX_RESPONSE_BYTES) throw new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`);
    const headEnd = this.pending.indexOf(HEADER_END);
    if (headEnd < 0) return undefined;
    const head = this.pending.toString('latin1', 0, headEnd).split('\r\n');
    const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]!);
    if (!statusLine) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(head[0]!.slice(0, 80))}`);
    let length: number | undefined;
    let chunked = false;
    let close = false;
    for (let i = 1; i < head.length; i++) {
      const line = head[i]!;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.split(',').some((v) => v.trim() === 'chunked');
      else if (name === 'connection') close = value.split(',').some((v) => v.trim() === 'close');
    }
    const start = headEnd + HEADER_END.length;
    let body: Buffer | undefined;
    let end: number;
    if (chunked) {
      const decoded = decodeChunked(this.pending, start);
      if (!decoded) return undefined;
      ({ body, end } = decoded);
    } else if (length !== undefined) {
      if (!Number.isSafeInteger(length) || length < 0) throw new Error(`bad content-length: ${length}`);
      if (this.pending.length < start + length) return undefined;
      body = this.pending.subarray(start, start + length);
      end = start + length;
    } else {
      throw new Error('a response without content-length or chunked encoding');
    }
    const response = { status: Number(statusLine[1]), body: body.toString('utf8'), close };
    this.pending = this.pending.subarray(end);
    return response;
  }
}

/** The body of a chunked message starting at `start`, and where the message ends; undefined while incomplete. */
function decodeChunked(buffer: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const chunks: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = buffer.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const sizeText = buffer.toString('latin1', at, lineEnd).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size: ${JSON.stringify(sizeText.slice(0, 20))}`);
    const size = parseInt(sizeText, 16);
    const dataStart = lineEnd + CRLF.length;
    if (size === 0) {
      // No trailers: the last chunk is followed by the empty line.
      if (buffer.length < dataStart + CRLF.length) return undefined;
      if (!buffer.subarray(dataStart, dataStart + CRLF.length).equals(CRLF)) throw new Error('trailers are not supported');
      return { body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), end: dataStart + CRLF.length };
    }
    if (buffer.length < dataStart + size + CRLF.length) return undefined;
    chunks.push(buffer.subarray(dataStart, dataStart + size));
    at = dataStart + size + CRLF.length;
  }
}

/** One keep-alive connection to `url`'s host, one request at a time; reconnects after a `connection: close`. */
export class RawHttpConnection {
  private socket?: net.Socket;
  private parser = new ResponseParser();
  private waiter?: { resolve: (r: RawHttpResponse) => void; reject: (e: Error) => void };
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;

  constructor(url: string) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:') throw new Error(`raw-http speaks http: only, not ${parsed.protocol}`);
    this.host = parsed.hostname;
    this.port = Number(parsed.port || 80);
    this.path = `${parsed.pathname}${parsed.search}`;
  }

  /** POSTs `body` (JSON) with `headers` and resolves with the answer; rejects if the connection fails first. */
  post(body: string, headers: Record<string, string>): Promise<RawHttpResponse> {
    if (this.waiter) return Promise.reject(new Error('one request at a time per connection'));
    let head = `POST ${this.path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    const socket = this.socket ?? this.open();
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      socket.write(`${head}\r\n${body}`);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.parser = new ResponseParser();
    socket.on('data', (chunk: Buffer) => {
      let response: ReturnType<ResponseParser['push']>;
      try {
        response = this.parser.push(chunk);
      } catch (err) {
        return this.fail(socket, err as Error);
      }
      if (!response) return;
      const waiter = this.waiter;
      this.waiter = undefined;
      if (response.close) {
        socket.destroy();
        this.socket = undefined;
      }
      waiter?.resolve({ status: response.status, body: response.body });
    });
    socket.on('error', (err) => this.fail(socket, err));
    socket.on('close', () => this.fail(socket, new Error('connection closed before the answer')));
    return socket;
  }

  private fail(socket: net.Socket, err: Error): void {
    socket.destroy();
    // A socket let go of after `connection: close` reports its close later: not this request's.
    if (this.socket !== socket) return;
    this.socket = undefined;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(err);
  }
}
