/**
 * A minimal per-request batch loader (the DataLoader idea without the
 * dependency): every `load` issued in the same tick becomes one call of
 * `batch`, and a key is fetched at most once per loader.
 */
export class BatchLoader<K, V> {
  private readonly cache = new Map<K, Promise<V | undefined>>();
  private pending: Array<{ key: K; resolve: (v: V | undefined) => void; reject: (e: unknown) => void }> = [];

  constructor(private readonly batch: (keys: K[]) => Promise<Map<K, V>>) {}

  load(key: K): Promise<V | undefined> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const promise = new Promise<V | undefined>((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      // After the current promise jobs, so resolvers that run in the same
      // tick (list items, `_entities` representations) join one batch.
      if (this.pending.length === 1) void Promise.resolve().then(() => process.nextTick(() => void this.dispatch()));
    });
    this.cache.set(key, promise);
    return promise;
  }

  /** Caches `value` for `key` unless it is already loaded or loading (a value another query of this request read anyway). */
  prime(key: K, value: V): void {
    if (!this.cache.has(key)) this.cache.set(key, Promise.resolve(value));
  }

  private async dispatch(): Promise<void> {
    const jobs = this.pending;
    this.pending = [];
    try {
      const found = await this.batch(jobs.map((j) => j.key));
      for (const job of jobs) job.resolve(found.get(job.key));
    } catch (err) {
      for (const job of jobs) {
        this.cache.delete(job.key);
        job.reject(err);
      }
    }
  }
}
