import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, MessageType, handleProtocols, parseMessage, type SubscribePayload } from 'graphql-ws';
import type { GraphQLFormattedError } from 'graphql';
import type { RouterMetrics } from '../metrics.js';
import { StormCloseCode } from './protocol.js';

/**
 * The graphql-transport-ws protocol (graphql-ws PROTOCOL.md) written on `ws`,
 * with graphql-ws's own message parser, names and close codes. STORM runs
 * its own server loop instead of graphql-ws's `useServer` for two reasons
 * the library cannot serve: a group's result is serialised once and the
 * same string goes to every subscriber (`DeliverySink.next` takes JSON), and
 * each socket's backlog is bounded by `ws.bufferedAmount`, so a client that
 * stops reading is told to resync instead of growing the heap.
 */

/** Where the engine delivers one subscription's events. */
export interface DeliverySink {
  readonly userId: string;
  /** The client's address (socket peer). */
  readonly clientIp: string | undefined;
  /**
   * Sends one pre-serialised ExecutionResult (`{"data":…}`). Returns false
   * when the subscriber cannot take it (socket gone or too far behind); the
   * engine then ends the subscription with `error`.
   */
  next(payloadJson: string, seq?: number): boolean;
  /**
   * Sends an ephemeral event (typing) unless the socket already has a quarter
   * of its backlog bound waiting: those are dropped first, before any durable
   * event is. Returns false when it was dropped.
   */
  nextEphemeral(payloadJson: string): boolean;
  /**
   * Runs `send` with the socket corked, so every `next` inside leaves in one
   * write (one syscall per socket per batch of events instead of per event).
   */
  batch(send: () => void): void;
  /**
   * Whether the socket has room for more: its unsent backlog is at most half
   * the bound (true once the socket is gone, so the next `next` reports it).
   * A replay reads from the database at its own pace: it sends while there is
   * room and otherwise waits for `writable`, so a client resuming a long or
   * heavy history is paced by what it reads, never told it fell behind by the
   * replay itself. Live events cannot wait: they use `next`'s bound.
   */
  hasRoom(): boolean;
  /** Resolves once `hasRoom()` (or the socket is gone). */
  writable(): Promise<void>;
  /** Ends the subscription with an `error` message. */
  error(errors: readonly GraphQLFormattedError[]): void;
  /** Ends the subscription with `complete`. */
  complete(): void;
}

/** What the wire hands an operation: a DeliverySink that can also answer a query or mutation. */
export interface OperationSink extends DeliverySink {
  /**
   * The one answer of a query or mutation sent over the socket, then
   * `complete`. Sent whatever the socket's backlog: it is one bounded
   * result the client asked for, and a mutation's answer must not be lost.
   */
  result(payloadJson: string): void;
}

/** A running operation: `stop` is called when the client completes it or the socket closes. */
export interface Operation {
  stop(): void;
}

export interface WireHandlers {
  /** Verifies `connection_init`'s `authorization`; rejects when it does not verify. */
  authenticate(authorization: string): Promise<{ userId: string; exp?: number }>;
  /** Connection lifecycle, for presence: acknowledged, answered a keep-alive ping, closed. */
  connected?(userId: string, connectionId: string): void;
  alive?(userId: string, connectionId: string): void;
  disconnected?(userId: string, connectionId: string): void;
  /**
   * Starts one operation for `sink`. Resolves to its handle, or to errors that
   * refuse it (sent as `error` for that id; the socket stays open).
   */
  subscribe(sink: OperationSink, payload: SubscribePayload, activeOperations: number): Promise<Operation | readonly GraphQLFormattedError[]>;
}

/** Keep-alive pings go out in this many slices per interval (one slice a second at the default 15 s). */
const KEEPALIVE_SLICES = 15;
/** A socket's next ping is due this share of an interval after its last (slices come round with some jitter). */
const KEEPALIVE_DUE = 0.9;
/** How often a replay waiting for room on a backed-up socket looks again, besides the socket's 'drain' (ms). */
const ROOM_POLL_MS = 20;

export interface WireOptions {
  httpServer: HttpServer;
  path: string;
  /** Largest accepted frame; larger ones close the socket with 1009. */
  maxPayload: number;
  /** ms to wait for connection_init before closing with 4408. */
  initTimeoutMs: number;
  /** ms between a socket's server pings (sent in KEEPALIVE_SLICES slices per interval); a socket that did not answer the previous one is terminated. 0 = off. */
  keepAliveMs: number;
  /** Bytes a socket may have waiting to be written before its subscriptions are told to resync. */
  maxBufferedBytes: number;
  /** Acknowledged sockets one user may hold on this router; one more is closed with 4008. */
  maxConnectionsPerUser: number;
  /** The client's address from the upgrade request (trusted proxies). @default the socket's peer */
  clientAddress?: (request: IncomingMessage) => string | undefined;
  metrics: RouterMetrics;
  handlers: WireHandlers;
  log?: (message: string, err?: unknown) => void;
}

export interface WireServer {
  /** Closes every socket with 1001 (going away) and stops accepting new ones. */
  dispose(): Promise<void>;
}

const stringify = (message: Record<string, unknown>) => JSON.stringify(message);

/** A WebSocket text frame of `text`, server to client (unmasked, FIN, RFC 6455 §5.2). */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, header, 'utf8');
  return frame;
}

/**
 * The framed bytes of the delivery being handed out: a group gives the same
 * payload to each of its subscribers in turn, and subscribers whose
 * subscription has the same id (clients number theirs "1", "2", …) get the
 * same frame, so it is encoded once and every socket writes the same buffer.
 * Holds one payload's frames; the next payload replaces them.
 */
class SharedFrames {
  private payload: string | undefined;
  private readonly frames = new Map<string, Buffer>();

  frame(head: string, payloadJson: string): Buffer {
    if (payloadJson !== this.payload) {
      this.payload = payloadJson;
      this.frames.clear();
    }
    let frame = this.frames.get(head);
    if (!frame) {
      frame = textFrame(head + payloadJson + '}');
      if (this.frames.size < 64) this.frames.set(head, frame);
    }
    return frame;
  }
}

const sharedFrames = new SharedFrames();

/**
 * `text` as one flat string. V8 keeps a concatenation as a rope of 32-byte
 * nodes: `randomUUID()` returns one of about 20 (about 700 bytes for 36
 * characters), a template literal one of several. A string held for a
 * connection's lifetime is copied flat once instead. Lossless for well-formed
 * text (no lone surrogates: JSON.stringify escapes them).
 */
export function flat(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** The TCP socket under a `ws` socket (ws keeps it in `_socket`; undefined once closed). */
function tcpOf(socket: WebSocket): Pick<import('node:net').Socket, 'write' | 'cork' | 'uncork'> | undefined {
  return (socket as unknown as { _socket?: import('node:net').Socket })._socket;
}

export function attachWire(options: WireOptions): WireServer {
  const wss = new WebSocketServer({
    // No permessage-deflate (ws's server default, said here because deliver() relies on it).
    perMessageDeflate: false,
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayload,
    handleProtocols: (protocols) => handleProtocols(protocols) || false,
  });
  const connections = new Set<Connection>();
  const perUser = new Map<string, number>();

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => void new Connection(socket, request, options, perUser, connections));
  wss.on('error', (err) => options.log?.('websocket server error', err));

  // Each socket is pinged once per keepAliveMs, a slice of them at a time:
  // pinging all at once is one write per socket in a single turn (10,000
  // sockets: 150–250 ms during which nothing is delivered), every interval.
  let turn = connections.values();
  const pinger =
    options.keepAliveMs > 0
      ? setInterval(
          () => {
            const now = Date.now();
            for (let n = Math.ceil(connections.size / KEEPALIVE_SLICES); n > 0; n--) {
              let next = turn.next();
              if (next.done) {
                turn = connections.values();
                next = turn.next();
                if (next.done) break;
              }
              next.value.keepAlive(now);
            }
          },
          Math.max(1, Math.floor(options.keepAliveMs / KEEPALIVE_SLICES)),
        )
      : undefined;
  pinger?.unref();

  return {
    async dispose() {
      clearInterval(pinger);
      for (const connection of connections) connection.close(StormCloseCode.GoingAway, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** The Connection a socket belongs to, for the listeners below. */
const CONNECTION = Symbol('storm.connection');
type WiredSocket = WebSocket & { [CONNECTION]: Connection };

// The socket listeners, shared by every socket (`this` is the socket): a
// closure per socket and event (and `once`'s wrapper) would cost heap for
// as long as each connection lives.
function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  void (this as WiredSocket)[CONNECTION].onMessage(isBinary ? data : data.toString());
}
function onSocketPong(this: WebSocket): void {
  (this as WiredSocket)[CONNECTION].onPong();
}
// 'close' follows; errors such as 1009 are reported by their close code.
function onSocketError(): void {}
function onSocketClose(this: WebSocket): void {
  (this as WiredSocket)[CONNECTION].onClose();
}

/**
 * Where the engine delivers one subscription's events. A class, not an
 * object of closures: a router holds one per subscription (10,000 idle
 * subscribers cost their closures' heap otherwise).
 */
class Sink implements OperationSink {
  /** `{"id":…,"type":"next","payload":` is the only per-subscriber part of a delivery. */
  private readonly head: string;

  constructor(
    private readonly conn: Connection,
    private readonly id: string,
    readonly userId: string,
    readonly clientIp: string | undefined,
  ) {
    this.head = flat(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  }

  next(payloadJson: string): boolean {
    return this.conn.deliver(this.id, sharedFrames.frame(this.head, payloadJson), this.conn.maxBufferedBytes);
  }

  nextEphemeral(payloadJson: string): boolean {
    return this.conn.deliver(this.id, sharedFrames.frame(this.head, payloadJson), this.conn.maxBufferedBytes / 4);
  }

  batch(send: () => void): void {
    this.conn.corked(send);
  }

  hasRoom(): boolean {
    return this.conn.hasRoom();
  }

  writable(): Promise<void> {
    return this.conn.writable();
  }

  error(errors: readonly GraphQLFormattedError[]): void {
    this.conn.end(this.id, stringify({ id: this.id, type: MessageType.Error, payload: errors }));
  }

  complete(): void {
    this.conn.end(this.id, stringify({ id: this.id, type: MessageType.Complete }));
  }

  result(payloadJson: string): void {
    this.conn.deliver(this.id, sharedFrames.frame(this.head, payloadJson), Number.POSITIVE_INFINITY);
    this.complete();
  }
}

class Connection {
  /** Replays waiting for room on this socket (see writable). */
  private readonly roomWaiters: Array<() => void> = [];
  private roomTimer: NodeJS.Timeout | undefined;
  private initReceived = false;
  private acknowledged = false;
  private userId: string | undefined;
  private alive = true;
  /** When the last ping left (Date.now()); the first goes about an interval after the socket opened. */
  private pingedAt = Date.now();
  private closed = false;
  /** null = accepted, being set up; Operation once running. */
  private readonly operations = new Map<string, Operation | null>();
  private initTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly id = flat(randomUUID());
  private readonly clientIp: string | undefined;

  constructor(
    private readonly socket: WebSocket,
    request: IncomingMessage,
    private readonly options: WireOptions,
    /** Acknowledged sockets per user on this router. */
    private readonly perUser: Map<string, number>,
    /** The router's open connections; this one is in it until its socket closes. */
    private readonly connections: Set<Connection>,
  ) {
    this.clientIp = options.clientAddress ? options.clientAddress(request) : request.socket.remoteAddress;
    (socket as WiredSocket)[CONNECTION] = this;
    connections.add(this);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      socket.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
      this.closed = true;
      return;
    }
    if (options.initTimeoutMs > 0) {
      this.initTimer = setTimeout(() => {
        if (!this.initReceived) this.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
      }, options.initTimeoutMs);
    }
    socket.on('message', onSocketMessage);
    socket.on('pong', onSocketPong);
  }

  /** The socket answered a ping. */
  onPong(): void {
    this.alive = true;
    if (this.acknowledged) this.options.handlers.alive?.(this.userId!, this.id);
  }

  /** Called at least once per keepAliveMs (more often with few sockets): pings once per interval. */
  keepAlive(now: number): void {
    if (this.closed || now - this.pingedAt < this.options.keepAliveMs * KEEPALIVE_DUE) return;
    if (!this.alive) {
      // No pong for a whole interval: the peer is gone without a close frame.
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.pingedAt = now;
    this.socket.ping();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
    this.stopAll();
  }

  async onMessage(data: unknown): Promise<void> {
    if (this.closed) return;
    let message: ReturnType<typeof parseMessage>;
    try {
      if (typeof data !== 'string') throw new Error('binary frame');
      message = parseMessage(data);
    } catch {
      return this.close(CloseCode.BadRequest, 'Invalid message received');
    }
    switch (message.type) {
      case MessageType.ConnectionInit:
        return this.onInit(message.payload);
      case MessageType.Ping:
        return this.send(stringify(message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong }));
      case MessageType.Pong:
        return;
      case MessageType.Subscribe:
        return this.onSubscribe(message.id, message.payload);
      case MessageType.Complete: {
        const operation = this.operations.get(message.id);
        this.operations.delete(message.id);
        operation?.stop();
        return;
      }
      default:
        // Server-to-client types (next, error, complete from a client is handled above).
        return this.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
    }
  }

  private async onInit(payload: Record<string, unknown> | undefined): Promise<void> {
    if (this.initReceived) return this.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
    this.initReceived = true;
    clearTimeout(this.initTimer);
    // Not kept for the socket's life: a router holds thousands of idle sockets.
    this.initTimer = undefined;
    const authorization = payload?.authorization;
    if (typeof authorization !== 'string') return this.close(CloseCode.Forbidden, 'Forbidden');
    let identity: { userId: string; exp?: number };
    try {
      identity = await this.options.handlers.authenticate(authorization);
    } catch {
      return this.close(CloseCode.Forbidden, 'Forbidden');
    }
    if (this.closed) return;
    const held = this.perUser.get(identity.userId) ?? 0;
    if (held >= this.options.maxConnectionsPerUser) return this.close(StormCloseCode.TooManyConnections, 'Too many connections');
    this.perUser.set(identity.userId, held + 1);
    this.userId = identity.userId;
    this.acknowledged = true;
    this.options.metrics.connections.inc();
    this.options.handlers.connected?.(identity.userId, this.id);
    if (identity.exp !== undefined) {
      // The token's lifetime is the connection's: the client reconnects with a fresh one.
      const ms = identity.exp * 1000 - Date.now();
      this.expiryTimer = setTimeout(() => this.close(StormCloseCode.AccessTokenExpired, 'Access token expired'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
      this.expiryTimer.unref();
    }
    this.send(stringify({ type: MessageType.ConnectionAck }));
  }

  private async onSubscribe(id: string, payload: SubscribePayload): Promise<void> {
    if (!this.acknowledged) return this.close(CloseCode.Unauthorized, 'Unauthorized');
    if (this.operations.has(id)) return this.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
    this.operations.set(id, null);
    const sink = this.sink(id);
    let result: Operation | readonly GraphQLFormattedError[];
    try {
      result = await this.options.handlers.subscribe(sink, payload, this.operations.size - 1);
    } catch (err) {
      this.options.log?.('operation failed to start', err);
      result = [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }];
    }
    if (Array.isArray(result)) {
      if (this.operations.get(id) === null) {
        this.operations.delete(id);
        this.send(stringify({ id, type: MessageType.Error, payload: result }));
      }
      return;
    }
    const operation = result as Operation;
    // Completed by the client (or the socket closed) while it was starting.
    if (!this.operations.has(id) || this.closed) return operation.stop();
    if (this.operations.get(id) === null) this.operations.set(id, operation);
  }

  private sink(id: string): OperationSink {
    return new Sink(this, id, this.userId!, this.clientIp);
  }

  /** Whether the subscription `id` still runs on an open socket. */
  isOpen(id: string): boolean {
    return this.operations.has(id) && !this.closed;
  }

  /**
   * One framed `next` for subscription `id`, unless the socket holds more than
   * `limit` unsent bytes. The frame goes straight to the TCP socket (the same
   * buffer for every subscriber that shares it): the server negotiates no
   * extension (`perMessageDeflate: false`), so `ws` writes each of its own
   * frames whole and queues nothing, frames never interleave, and
   * `bufferedAmount` counts these bytes too.
   */
  deliver(id: string, frame: Buffer, limit: number): boolean {
    const tcp = tcpOf(this.socket);
    if (!tcp || !this.isOpen(id) || this.socket.readyState !== this.socket.OPEN || this.socket.bufferedAmount > limit) return false;
    tcp.write(frame);
    return true;
  }

  get maxBufferedBytes(): number {
    return this.options.maxBufferedBytes;
  }

  /** The unsent backlog is at most half the bound, or the socket is gone (see DeliverySink.hasRoom). */
  hasRoom(): boolean {
    return this.closed || this.socket.readyState !== this.socket.OPEN || this.socket.bufferedAmount <= this.options.maxBufferedBytes / 2;
  }

  /** Resolves once hasRoom(): one 'drain' listener and one timer per socket, whatever the number of waiting replays. */
  writable(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => {
      this.roomWaiters.push(resolve);
      if (this.roomTimer) return;
      const tcp = tcpOf(this.socket);
      const check = () => {
        if (!this.hasRoom()) return;
        clearInterval(this.roomTimer);
        this.roomTimer = undefined;
        (tcp as import('node:net').Socket | undefined)?.off('drain', check);
        for (const waiter of this.roomWaiters.splice(0)) waiter();
      };
      // 'drain' comes once the whole backlog is written, and only after a write the stream
      // refused; the timer covers a backlog that falls under half the bound without emptying.
      (tcp as import('node:net').Socket | undefined)?.on('drain', check);
      this.roomTimer = setInterval(check, ROOM_POLL_MS);
    });
  }

  /** Runs `send` with the socket corked: every frame inside leaves in one write. */
  corked(send: () => void): void {
    const tcp = tcpOf(this.socket);
    if (!tcp) return send();
    tcp.cork();
    try {
      send();
    } finally {
      tcp.uncork();
    }
  }

  /** Ends subscription `id` with a final message (error or complete). */
  end(id: string, text: string): void {
    if (!this.isOpen(id)) return;
    this.operations.delete(id);
    this.send(text);
  }

  private send(text: string): void {
    if (!this.closed && this.socket.readyState === this.socket.OPEN) this.socket.send(text);
  }

  private stopAll(): void {
    const operations = [...this.operations.values()];
    this.operations.clear();
    for (const operation of operations) operation?.stop();
  }

  /** The socket closed (it emits 'close' once). */
  onClose(): void {
    this.connections.delete(this);
    clearTimeout(this.initTimer);
    clearTimeout(this.expiryTimer);
    if (this.acknowledged) {
      const held = (this.perUser.get(this.userId!) ?? 1) - 1;
      if (held > 0) this.perUser.set(this.userId!, held);
      else this.perUser.delete(this.userId!);
      this.options.metrics.connections.dec();
      this.options.handlers.disconnected?.(this.userId!, this.id);
    }
    this.acknowledged = false;
    this.closed = true;
    clearInterval(this.roomTimer);
    this.roomTimer = undefined;
    for (const waiter of this.roomWaiters.splice(0)) waiter();
    this.stopAll();
  }
}
