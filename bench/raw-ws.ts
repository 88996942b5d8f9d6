// A WebSocket client for the fan-out benchmark's fleet, written on `net`
// with a shared read buffer (`onread`), for a load generator that costs the
// machine as little as it can per delivery. On these 2-core machines the
// fleet shares the cores with the server it measures: with the `ws` client,
// reading one message on 10,000 sockets took the driver longer than the
// router took to write it (112 ms against 84), so the latency tail it
// reported was partly its own. This client reads into one buffer for all
// sockets (no stream, no per-read allocation), parses the server's frames
// in place and hands each text payload to `onText` as a view of that buffer,
// valid only during the call.
//
// What it speaks (RFC 6455, client side): the opening handshake (Sec-WebSocket-
// Accept checked, the subprotocol required), masked text frames out, unmasked
// frames in of any length form, ping answered with pong, close answered and
// reported. Not spoken, since a server of ours never sends them: fragmented
// messages and extensions (a continuation frame or an RSV bit is a protocol
// error: the socket is closed and `onError` told).
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEADER_END = Buffer.from('\r\n\r\n');

enum Opcode {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
}

/** Largest frame a fleet socket accepts; a server frame beyond it is an error. */
const MAX_FRAME = 1 << 20;
/** One read buffer for every socket of the process (reads are handled one at a time). */
const shared = Buffer.allocUnsafe(256 * 1024);

export interface RawSocketHandlers {
  /** A text or binary message; `payload` is only valid during the call. */
  onText(payload: Buffer): void;
  onError(error: Error): void;
  onClose?(code: number): void;
}

export class RawWebSocket {
  private readonly socket: net.Socket;
  private open = false;
  private closed = false;
  /** Bytes of an incomplete handshake or frame, carried to the next read. */
  private rest: Buffer | undefined;
  private readonly key = randomBytes(16).toString('base64');

  private constructor(url: URL, protocol: string, private readonly handlers: RawSocketHandlers, onOpen: () => void) {
    this.socket = net.connect({
      host: url.hostname,
      port: Number(url.port || 80),
      onread: {
        buffer: shared,
        callback: (n, buf) => {
          this.onRead((buf as Buffer).subarray(0, n), onOpen);
          return true; // keep reading
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.once('connect', () => {
      this.socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      );
    });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      if (!this.closed) this.fail(new Error('connection closed without a close frame'));
    });
  }

  /** Connects and completes the handshake. */
  static connect(wsUrl: string, protocol: string, handlers: RawSocketHandlers): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const socket: RawWebSocket = new RawWebSocket(new URL(wsUrl), protocol, {
        ...handlers,
        onError: (err) => {
          if (!settled) {
            settled = true;
            reject(err);
          } else handlers.onError(err);
        },
      }, () => {
        settled = true;
        resolve(socket);
      });
    });
  }

  /** Sends one text message (masked, as a client must). */
  send(text: string): void {
    if (!this.open || this.closed) return;
    this.socket.write(frame(Opcode.Text, Buffer.from(text)));
  }

  /** Closes at once, without the closing handshake. */
  terminate(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handlers.onError(err);
  }

  private onRead(chunk: Buffer, onOpen: () => void): void {
    // Carried bytes are a copy; the shared buffer is rewritten by the next read.
    let data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    if (!this.open) {
      const end = data.indexOf(HEADER_END);
      if (end === -1) {
        this.rest = Buffer.from(data);
        return;
      }
      const head = data.toString('latin1', 0, end);
      const problem = handshakeProblem(head, this.key);
      if (problem) return this.fail(new Error(problem));
      this.open = true;
      data = data.subarray(end + HEADER_END.length);
      onOpen();
    }
    let at = 0;
    while (!this.closed && data.length - at >= 2) {
      const b0 = data[at]!;
      const b1 = data[at + 1]!;
      if ((b0 & 0x70) !== 0 || (b1 & 0x80) !== 0) return this.fail(new Error('protocol error: RSV bit or masked server frame'));
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        offset = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        offset = 10;
      }
      if (length > MAX_FRAME) return this.fail(new Error(`frame of ${length} bytes exceeds ${MAX_FRAME}`));
      if (data.length - at - offset < length) break;
      const payload = data.subarray(at + offset, at + offset + length);
      at += offset + length;
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if (!fin || opcode === Opcode.Continuation) return this.fail(new Error('protocol error: fragmented message'));
      if (opcode === Opcode.Text || opcode === Opcode.Binary) this.handlers.onText(payload);
      else if (opcode === Opcode.Ping) this.socket.write(frame(Opcode.Pong, payload));
      else if (opcode === Opcode.Close) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.socket.end(frame(Opcode.Close, payload.subarray(0, 2)));
        this.closed = true;
        this.handlers.onClose?.(code);
      }
      // Pong: nothing to do.
    }
    if (at < data.length && !this.closed) this.rest = Buffer.from(data.subarray(at));
  }
}

/** What is wrong with the server's handshake response, or undefined. */
function handshakeProblem(head: string, key: string): string | undefined {
  const [status, ...lines] = head.split('\r\n');
  if (!/^HTTP\/1\.1 101 /.test(status ?? '')) return `handshake refused: ${status}`;
  const headers = new Map(lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
  }));
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  if (headers.get('sec-websocket-accept') !== accept) return 'handshake: wrong Sec-WebSocket-Accept';
  if (!headers.get('sec-websocket-protocol')) return 'handshake: no subprotocol agreed';
  return undefined;
}

/** A masked client frame (payloads under 64 KiB are all a fleet sends). */
function frame(opcode: Opcode, payload: Buffer): Buffer {
  if (payload.length > 0xffff) throw new Error(`a fleet frame of ${payload.length} bytes: only frames under 64 KiB are written`);
  const long = payload.length > 125;
  const head = long ? 8 : 6;
  const out = Buffer.allocUnsafe(head + payload.length);
  out[0] = 0x80 | opcode;
  if (long) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(payload.length, 2);
  } else out[1] = 0x80 | payload.length;
  const mask = randomBytes(4);
  mask.copy(out, head - 4);
  for (let i = 0; i < payload.length; i++) out[head + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}
