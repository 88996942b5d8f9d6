import { rateLimited } from '@storm/common';
import { assertTokenBucket, createMemoryLimiter, type LimitDecision, type LimiterStore } from '@storm/limiter';

/** One token bucket: `burst` actions at once, refilled at `perSecond`. */
export interface TokenBucketSettings {
  /** Bucket size: actions allowed back to back. 0 turns the limit off. */
  burst: number;
  /** Tokens added per second (sustained rate); more than 0 unless the limit is off. */
  perSecond: number;
}

/** Per-user limits of this service's write operations. */
export interface RateLimitSettings {
  /** sendMessage. @default { burst: 300, perSecond: 30 } (API.md: a burst of at least 100 must pass) */
  send: TokenBucketSettings;
  /** addReaction and removeReaction. @default { burst: 100, perSecond: 10 } */
  react: TokenBucketSettings;
  /** createConversation. @default { burst: 30, perSecond: 0.5 } */
  create: TokenBucketSettings;
}

export type RateLimitedAction = keyof RateLimitSettings;

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  send: { burst: 300, perSecond: 30 },
  react: { burst: 100, perSecond: 10 },
  create: { burst: 30, perSecond: 0.5 },
};

export interface RateLimiterOptions {
  /**
   * Where the buckets live. `createRedisLimiter(...)` from @storm/limiter:
   * one bucket per user and action shared by every replica (the caller owns
   * the store and disposes it). @default a memory store of this process
   * (each replica then has its own buckets: with N replicas a user gets up
   * to N times the rates)
   */
  store?: LimiterStore;
  /** Where a failing store is reported, at most once per `warnIntervalMs`. @default console.warn */
  warn?: (message: string) => void;
  /** @default 30000 */
  warnIntervalMs?: number;
  /** Tests only: the clock given to the store. @default the store's (Redis: the server's) */
  now?: () => number;
}

/**
 * Per-user token buckets on sends, reactions and conversation creation. The
 * token is taken before the write (a refusal writes nothing), in one store
 * call: with Redis, one EVALSHA round trip per limited action.
 *
 * When the shared store fails (Redis down, or slower than its command
 * timeout) the limiter fails OPEN to this process's own buckets, with a
 * logged warning: the limits are flood protection, and PostgreSQL, not
 * Redis, is what a send needs, so a Redis outage must not stop messaging.
 * During the outage a user gets each replica's full budget again (the
 * behaviour of the in-memory default); once Redis answers, the shared
 * buckets decide again.
 */
export class RateLimiter {
  private readonly store: LimiterStore;
  /** The store this limiter made itself (no store given), disposed with it. */
  private readonly own: LimiterStore | undefined;
  /** Per-replica buckets used while the shared store fails; made on the first failure. */
  private fallback: LimiterStore | undefined;
  private readonly warn: (message: string) => void;
  private readonly warnIntervalMs: number;
  private lastWarning = -Infinity;
  private failuresSinceWarning = 0;

  constructor(
    private readonly settings: RateLimitSettings = DEFAULT_RATE_LIMITS,
    private readonly options: RateLimiterOptions = {},
  ) {
    for (const [action, bucket] of Object.entries(settings) as Array<[RateLimitedAction, TokenBucketSettings]>) {
      if (bucket.burst <= 0) continue;
      try {
        assertTokenBucket(bucket);
      } catch (err) {
        throw new RangeError(`rate limit "${action}": ${(err as Error).message}`);
      }
    }
    this.own = options.store ? undefined : createMemoryLimiter();
    this.store = options.store ?? this.own!;
    this.warn = options.warn ?? ((message) => console.warn(message));
    this.warnIntervalMs = options.warnIntervalMs ?? 30_000;
  }

  /** Takes one token for `action` by `userId`, or throws RATE_LIMITED with `retryAfter` (whole seconds, at least 1). */
  async take(action: RateLimitedAction, userId: string): Promise<void> {
    const bucket = this.settings[action];
    if (bucket.burst <= 0) return;
    const key = `${action}:${userId}`;
    const now = this.options.now?.();
    let decision: LimitDecision;
    try {
      decision = await this.store.take(key, bucket, now);
    } catch (err) {
      this.storeFailed(err);
      this.fallback ??= createMemoryLimiter();
      decision = await this.fallback.take(key, bucket, now);
    }
    if (!decision.allowed) throw rateLimited(decision.retryAfterMs / 1000);
  }

  private storeFailed(err: unknown): void {
    this.failuresSinceWarning++;
    const now = performance.now();
    if (now - this.lastWarning < this.warnIntervalMs) return;
    this.lastWarning = now;
    const count = this.failuresSinceWarning;
    this.failuresSinceWarning = 0;
    const reason = err instanceof Error ? err.message : String(err);
    this.warn(
      `[conversations] rate limit store failed (${reason}); ${count} decision(s) since the last warning were made by this replica's own buckets`,
    );
  }

  /** Drops the buckets this limiter made (not a store it was given). */
  async dispose(): Promise<void> {
    await this.own?.dispose();
    await this.fallback?.dispose();
  }
}
