/**
 * At most `limit` tasks of run() in flight; the rest wait, in arrival order,
 * for a slot. The subscription engine opens subscriptions through one: a
 * reconnect storm of 10,000 subscribes then keeps 64 head reads in flight,
 * not 10,000, each of which held a gateway request (query plan state,
 * subgraph request, its response) for as long as it queued for one of the
 * subgraph's connections.
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`ConcurrencyGate: limit must be a positive integer, got ${limit}`);
  }

  /** Tasks running now. */
  get inFlight(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    // A finished task hands its slot straight to the first waiter (active stays the same).
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
