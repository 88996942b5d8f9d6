/**
 * Remembers tokens whose signature already verified, until they expire, so a
 * hot path (every request of a connection, every subgraph fetch) pays the
 * crypto once per token instead of once per use. Only successes are kept;
 * a token is never served past its `exp`. Bounded: when full, it starts over.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAtMs: number }>();

  constructor(private readonly maxEntries = 50_000) {}

  get(token: string, nowMs = Date.now()): T | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.expiresAtMs <= nowMs) {
      this.entries.delete(token);
      return undefined;
    }
    return hit.value;
  }

  set(token: string, value: T, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(token, { value, expiresAtMs });
  }
}
