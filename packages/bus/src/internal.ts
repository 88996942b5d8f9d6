/** Pieces every adapter shares; not part of the package's public API. */
import type { BusHandler } from './bus.js';
import { BusError } from './errors.js';

/**
 * Called when a subscriber's handler throws (or returns a rejected promise).
 * The error never reaches the publisher nor the other handlers.
 */
export type HandlerErrorListener = (error: unknown, subject: string) => void;

export const logHandlerError: HandlerErrorListener = (error, subject) => {
  console.error(`bus: a handler for ${subject} failed`, error);
};

/** Payloads travel as JSON on every adapter, memory included, so all behave alike. */
export function encodePayload(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (err) {
    throw new BusError('payload is not JSON-serialisable', { cause: err });
  }
  if (json === undefined) throw new BusError('payload is not JSON-serialisable (undefined, a function or a symbol)');
  return json;
}

/**
 * Runs a handler so that nothing it does can break delivery: a throw or a
 * rejected promise goes to `onError`, never up the caller's stack (on NATS
 * and Redis that stack is the client's socket reader).
 */
export function invokeHandler(handler: BusHandler, payload: unknown, subject: string, onError: HandlerErrorListener): void {
  try {
    const result: unknown = handler(payload, subject);
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, (err: unknown) => reportSafely(onError, err, subject));
    }
  } catch (err) {
    reportSafely(onError, err, subject);
  }
}

function reportSafely(onError: HandlerErrorListener, error: unknown, subject: string): void {
  try {
    onError(error, subject);
  } catch {
    // The listener itself failed; there is nobody left to tell.
  }
}

/** Rejects with BusError when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BusError(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `fn` once; later calls get the first call's promise. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}

/** The listeners of Bus.onReconnect: each told in turn; one that throws does not keep the others from hearing. */
export class ReconnectListeners {
  private readonly listeners = new Set<() => void>();

  add(listener: () => void): () => void {
    const entry = () => listener();
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  notify(log: (message: string) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (err) {
        log(`bus: a reconnect listener failed: ${String(err)}`);
      }
    }
  }
}
