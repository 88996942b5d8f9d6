import { rateLimited } from '@storm/common';

/** One token bucket: `burst` actions at once, refilled at `perSecond`. */
export interface TokenBucketSettings {
  /** Bucket size: actions allowed back to back. 0 turns the limit off. */
  burst: number;
  /** Tokens added per second (sustained rate). */
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

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Per-user token buckets, in memory. Each replica keeps its own buckets, so
 * with N replicas behind a load balancer a user gets up to N times the
 * configured rates: fine as flood protection (what this is), not as a quota.
 * A shared limit would need the buckets in Redis (as the users service's
 * login throttle does).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(
    private readonly settings: RateLimitSettings = DEFAULT_RATE_LIMITS,
    private readonly now: () => number = () => performance.now(),
    /** Buckets kept before full (idle) ones are dropped. @default 100000 */
    private readonly maxBuckets = 100_000,
  ) {
    this.lastSweep = now();
  }

  /** Takes one token for `action` by `userId`, or throws RATE_LIMITED with `retryAfter` (whole seconds, at least 1). */
  take(action: RateLimitedAction, userId: string): void {
    const { burst, perSecond } = this.settings[action];
    if (burst <= 0) return;
    const now = this.now();
    const key = `${action}:${userId}`;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      throw rateLimited(perSecond > 0 ? (1 - bucket.tokens) / perSecond : 3600);
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxBuckets || now - this.lastSweep > 60_000) this.sweep(now);
  }

  /** Drops buckets that have refilled: forgetting them changes no decision. */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      const { burst, perSecond } = this.settings[key.slice(0, key.indexOf(':')) as RateLimitedAction];
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond >= burst) this.buckets.delete(key);
    }
  }
}
