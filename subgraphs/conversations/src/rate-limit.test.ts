import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryLimiter, createRedisLimiter, type LimiterStore } from '@storm/limiter';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimitSettings } from './rate-limit.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test_ratelimit_${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  // Nothing of this run may stay behind in the shared Redis (every key expires anyway).
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

function clock() {
  let t = Date.now();
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function refusal(take: Promise<void>): Promise<{ code?: unknown; retryAfter?: unknown } | undefined> {
  try {
    await take;
    return undefined;
  } catch (err) {
    return (err as { extensions?: { code?: unknown; retryAfter?: unknown } }).extensions;
  }
}

const stores: Array<[string, () => Promise<LimiterStore | undefined>]> = [
  ['its own memory', async () => undefined],
  ['Redis', () => createRedisLimiter({ url: REDIS_URL, prefix })],
];

describe.each(stores)('RateLimiter over %s', (_name, createStore) => {
  const limiterWith = async (settings: RateLimitSettings, now?: () => number) => {
    const store = await createStore();
    const limiter = new RateLimiter(settings, { store, now });
    return { limiter, dispose: async () => (await limiter.dispose(), await store?.dispose()) };
  };
  // Users are fresh per test: the Redis buckets of one run share a prefix.
  const user = () => `u_${randomBytes(4).toString('hex')}`;

  it('lets a burst through, then refuses with retryAfter until tokens refill', async () => {
    const c = clock();
    const { limiter, dispose } = await limiterWith({ ...DEFAULT_RATE_LIMITS, send: { burst: 3, perSecond: 0.5 } }, c.now);
    try {
      const [u, v] = [user(), user()];
      for (let i = 0; i < 3; i++) await limiter.take('send', u);
      expect(await refusal(limiter.take('send', u))).toEqual({ code: 'RATE_LIMITED', retryAfter: 2 });
      c.advance(1000);
      expect(await refusal(limiter.take('send', u))).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 });
      c.advance(1000);
      expect(await refusal(limiter.take('send', u))).toBeUndefined();
      // Other users and other actions have their own buckets.
      expect(await refusal(limiter.take('send', v))).toBeUndefined();
      expect(await refusal(limiter.take('react', u))).toBeUndefined();
    } finally {
      await dispose();
    }
  });

  it('by default lets one user send a burst of at least 100 messages (API.md)', async () => {
    const { limiter, dispose } = await limiterWith(DEFAULT_RATE_LIMITS);
    try {
      const u = user();
      await Promise.all(Array.from({ length: 100 }, () => limiter.take('send', u)));
      expect(DEFAULT_RATE_LIMITS.send.burst).toBeGreaterThanOrEqual(100);
    } finally {
      await dispose();
    }
  });

  it('never refills above the burst, and burst 0 means no limit', async () => {
    const c = clock();
    const { limiter, dispose } = await limiterWith({ ...DEFAULT_RATE_LIMITS, create: { burst: 2, perSecond: 0.01 }, react: { burst: 0, perSecond: 0 } }, c.now);
    try {
      const u = user();
      await limiter.take('create', u);
      c.advance(3_600_000);
      await limiter.take('create', u);
      await limiter.take('create', u);
      expect((await refusal(limiter.take('create', u)))?.code).toBe('RATE_LIMITED');
      for (let i = 0; i < 1000; i++) await limiter.take('react', u);
    } finally {
      await dispose();
    }
  });
});

describe('RateLimiter', () => {
  it('two limiters over one Redis prefix (two replicas) share a user’s budget; another user is not affected', async () => {
    const [a, b] = [await createRedisLimiter({ url: REDIS_URL, prefix }), await createRedisLimiter({ url: REDIS_URL, prefix })];
    const settings = { ...DEFAULT_RATE_LIMITS, send: { burst: 4, perSecond: 0.1 } };
    const [one, two] = [new RateLimiter(settings, { store: a }), new RateLimiter(settings, { store: b })];
    try {
      const [u, v] = [`shared_${randomBytes(4).toString('hex')}`, `other_${randomBytes(4).toString('hex')}`];
      await one.take('send', u);
      await two.take('send', u);
      await one.take('send', u);
      await two.take('send', u);
      for (const replica of [one, two]) {
        const refused = await refusal(replica.take('send', u));
        expect(refused?.code).toBe('RATE_LIMITED');
        // One token at 0.1/s: 10 s at most, never 0.
        expect(refused?.retryAfter).toBeGreaterThanOrEqual(1);
        expect(refused?.retryAfter).toBeLessThanOrEqual(10);
      }
      for (let i = 0; i < 4; i++) await (i % 2 ? one : two).take('send', v);
    } finally {
      await Promise.all([one.dispose(), two.dispose(), a.dispose(), b.dispose()]);
    }
  });

  it('fails open to its own buckets when the store fails, with one warning per interval', async () => {
    const broken: LimiterStore = { ...createMemoryLimiter(), take: () => Promise.reject(new Error('Connection is closed.')) };
    const warnings: string[] = [];
    const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, send: { burst: 3, perSecond: 0.01 } }, { store: broken, warn: (m) => warnings.push(m) });
    try {
      for (let i = 0; i < 3; i++) await limiter.take('send', 'u');
      // Still limited, by this replica's buckets.
      expect((await refusal(limiter.take('send', 'u')))?.code).toBe('RATE_LIMITED');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/rate limit store failed \(Connection is closed\.\)/);
    } finally {
      await limiter.dispose();
      await broken.dispose();
    }
  });

  it('refuses at construction a limit that is on but never refills', () => {
    expect(() => new RateLimiter({ ...DEFAULT_RATE_LIMITS, react: { burst: 5, perSecond: 0 } })).toThrow(/"react"/);
    expect(() => new RateLimiter({ ...DEFAULT_RATE_LIMITS, react: { burst: 0, perSecond: 0 } })).not.toThrow();
  });
});
