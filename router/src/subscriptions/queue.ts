/**
 * A subscriber's pending events: pushed by the engine, pulled by graphql-ws
 * as its socket accepts them. Bounded by the caller (see engine.ts), so a
 * client that stops reading cannot grow the heap without limit.
 */
export class PushQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private ended = false;

  constructor(
    private readonly onReturn: () => void,
    private readonly onPull: (item: T) => void = () => {},
  ) {}

  get size(): number {
    return this.items.length;
  }

  get closed(): boolean {
    return this.ended;
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.onPull(item);
      resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  /** Drops whatever waits, then delivers `last` (if given) and ends the stream. */
  end(last?: T): void {
    if (this.ended) return;
    this.items = last === undefined ? [] : [last];
    this.ended = true;
    if (this.waiting && last === undefined) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    } else if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.items = [];
      resolve({ value: last!, done: false });
    }
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.onPull(item);
      return Promise.resolve({ value: item, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.ended = true;
    this.items = [];
    if (this.waiting) {
      this.waiting({ value: undefined, done: true });
      this.waiting = undefined;
    }
    // The engine's removal is idempotent, so calling it after it ended the stream itself is harmless.
    this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
