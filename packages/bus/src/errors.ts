/**
 * What every adapter throws or rejects with: a bad subject or payload, a bus
 * that is disposed, or a server that did not answer in time. The server's
 * own error, when there is one, is the `cause`.
 */
export class BusError extends Error {
  override readonly name = 'BusError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
