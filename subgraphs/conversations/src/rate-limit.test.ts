import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, RateLimiter } from './rate-limit.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function codeOf(fn: () => void): { code?: unknown; retryAfter?: unknown } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { extensions?: { code?: unknown; retryAfter?: unknown } }).extensions;
  }
}

describe('RateLimiter', () => {
  it('lets a burst through, then refuses with retryAfter until tokens refill', () => {
    const c = clock();
    const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, send: { burst: 3, perSecond: 0.5 } }, c.now);
    for (let i = 0; i < 3; i++) limiter.take('send', 'u');
    expect(codeOf(() => limiter.take('send', 'u'))).toEqual({ code: 'RATE_LIMITED', retryAfter: 2 });
    c.advance(1000);
    expect(codeOf(() => limiter.take('send', 'u'))).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 });
    c.advance(1000);
    expect(codeOf(() => limiter.take('send', 'u'))).toBeUndefined();
    // Other users and other actions have their own buckets.
    expect(codeOf(() => limiter.take('send', 'v'))).toBeUndefined();
    expect(codeOf(() => limiter.take('react', 'u'))).toBeUndefined();
  });

  it('by default lets one user send a burst of at least 100 messages (API.md)', () => {
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS, () => 0);
    for (let i = 0; i < 100; i++) limiter.take('send', 'u');
    expect(DEFAULT_RATE_LIMITS.send.burst).toBeGreaterThanOrEqual(100);
  });

  it('never refills above the burst, and burst 0 means no limit', () => {
    const c = clock();
    const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, create: { burst: 2, perSecond: 1 }, react: { burst: 0, perSecond: 0 } }, c.now);
    c.advance(3_600_000);
    limiter.take('create', 'u');
    limiter.take('create', 'u');
    expect(codeOf(() => limiter.take('create', 'u'))?.code).toBe('RATE_LIMITED');
    for (let i = 0; i < 10_000; i++) limiter.take('react', 'u');
  });

  it('forgets idle buckets so memory stays bounded, without changing decisions', () => {
    const c = clock();
    const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, send: { burst: 2, perSecond: 1 } }, c.now, 10);
    for (let i = 0; i < 50; i++) limiter.take('send', `user${i}`);
    limiter.take('send', 'hot');
    limiter.take('send', 'hot');
    c.advance(1500);
    limiter.take('send', 'another'); // sweeps the refilled ones
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(2);
    limiter.take('send', 'hot');
    expect(codeOf(() => limiter.take('send', 'hot'))?.code).toBe('RATE_LIMITED');
  });
});
