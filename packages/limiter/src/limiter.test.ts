import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgainstHangUp } from '@storm/common/testing';
import { createMemoryLimiter, createRedisLimiter, type LimiterStore } from './index.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test_limiter_${randomBytes(4).toString('hex')}`;

const stores: Array<[string, () => Promise<LimiterStore>]> = [
  ['memory', async () => createMemoryLimiter()],
  ['redis', () => createRedisLimiter({ url: REDIS_URL, prefix })],
];

afterAll(async () => {
  // Nothing of this run may stay behind in the shared Redis.
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe.each(stores)('%s limiter', (_name, create) => {
  let store: LimiterStore;
  let n = 0;
  const key = () => `k${++n}_${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    store = await create();
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('allows `limit` attempts in the window, then refuses until it ends', async () => {
    const k = key();
    const policy = { windowMs: 60_000, limit: 3 };
    for (let i = 0; i < 3; i++) expect(await store.consume(k, policy)).toEqual({ allowed: true });
    const refused = await store.consume(k, policy);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.retryAfterMs).toBeGreaterThan(55_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('after the free attempts, each further one waits an exponentially growing delay', async () => {
    const k = key();
    const policy = { windowMs: 60_000, limit: 10, free: 2, baseDelayMs: 100 };
    const t0 = Date.now();
    expect((await store.consume(k, policy, t0)).allowed).toBe(true);
    expect((await store.consume(k, policy, t0)).allowed).toBe(true);
    // Third: 100 ms after the second.
    expect(await store.consume(k, policy, t0 + 40)).toEqual({ allowed: false, retryAfterMs: 60 });
    expect((await store.consume(k, policy, t0 + 100)).allowed).toBe(true);
    // Fourth: 200 ms after the third (refused attempts did not count or move the clock).
    expect(await store.consume(k, policy, t0 + 250)).toEqual({ allowed: false, retryAfterMs: 50 });
    expect((await store.consume(k, policy, t0 + 300)).allowed).toBe(true);
    // Fifth: 400 ms.
    expect(await store.consume(k, policy, t0 + 699)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect((await store.consume(k, policy, t0 + 700)).allowed).toBe(true);
  });

  it('caps the delay at maxDelayMs', async () => {
    const k = key();
    const policy = { windowMs: 60_000, limit: 10, free: 0, baseDelayMs: 1000, maxDelayMs: 1500 };
    const t0 = Date.now();
    expect((await store.consume(k, policy, t0 - 1_000_000)).allowed).toBe(true);
    expect((await store.consume(k, policy, t0)).allowed).toBe(true);
    expect((await store.consume(k, policy, t0 + 2000)).allowed).toBe(true);
    // 2^2 s would be 4 s; capped to 1.5 s.
    expect(await store.consume(k, policy, t0 + 2000)).toEqual({ allowed: false, retryAfterMs: 1500 });
  });

  it('the window ends by itself', async () => {
    const k = key();
    const policy = { windowMs: 150, limit: 1 };
    expect((await store.consume(k, policy)).allowed).toBe(true);
    expect((await store.consume(k, policy)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect((await store.consume(k, policy)).allowed).toBe(true);
  });

  it('reset forgets a key; refund gives one attempt back and never goes below zero', async () => {
    const policy = { windowMs: 60_000, limit: 2 };
    const a = key();
    await store.consume(a, policy);
    await store.consume(a, policy);
    expect((await store.consume(a, policy)).allowed).toBe(false);
    await store.refund(a);
    expect((await store.consume(a, policy)).allowed).toBe(true);
    expect((await store.consume(a, policy)).allowed).toBe(false);
    await store.reset(a);
    expect((await store.consume(a, policy)).allowed).toBe(true);

    const b = key();
    await store.refund(b);
    await store.refund(b);
    await store.consume(b, policy);
    await store.consume(b, policy);
    expect((await store.consume(b, policy)).allowed).toBe(false);
  });

  it('concurrent attempts cannot slip past the limit together', async () => {
    const k = key();
    const results = await Promise.all(Array.from({ length: 60 }, () => store.consume(k, { windowMs: 60_000, limit: 10 })));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('a token bucket lets `burst` takes through, then refuses until a token is back', async () => {
    const k = key();
    const bucket = { burst: 3, perSecond: 0.5 };
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) expect(await store.take(k, bucket, t0)).toEqual({ allowed: true });
    expect(await store.take(k, bucket, t0)).toEqual({ allowed: false, retryAfterMs: 2000 });
    // Half a token back after 1 s; a refusal took nothing.
    expect(await store.take(k, bucket, t0 + 1000)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(await store.take(k, bucket, t0 + 1999)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(await store.take(k, bucket, t0 + 2000)).toEqual({ allowed: true });
    expect(await store.take(k, bucket, t0 + 2000)).toEqual({ allowed: false, retryAfterMs: 2000 });
    // Other keys have their own buckets, full.
    expect(await store.take(key(), bucket, t0 + 2000)).toEqual({ allowed: true });
  });

  it('a token bucket never refills above its burst, and a clock stepping back refills nothing', async () => {
    const k = key();
    const bucket = { burst: 2, perSecond: 0.001 }; // an hour refills 3.6 tokens
    const t0 = Date.now();
    expect((await store.take(k, bucket, t0)).allowed).toBe(true);
    expect((await store.take(k, bucket, t0 + 3_600_000)).allowed).toBe(true);
    expect((await store.take(k, bucket, t0 + 3_600_000)).allowed).toBe(true);
    expect((await store.take(k, bucket, t0 + 3_600_000)).allowed).toBe(false);
    expect((await store.take(k, bucket, t0)).allowed).toBe(false);
  });

  it('concurrent takes cannot overdraw a bucket (on the store clock)', async () => {
    const k = key();
    const results = await Promise.all(Array.from({ length: 60 }, () => store.take(k, { burst: 10, perSecond: 0.01 })));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    const refused = results.find((r) => !r.allowed);
    expect(refused && !refused.allowed && refused.retryAfterMs).toBeGreaterThan(99_000);
  });

  it('a bucket and an attempt counter of the same key are separate', async () => {
    const k = key();
    expect((await store.consume(k, { windowMs: 60_000, limit: 1 })).allowed).toBe(true);
    expect((await store.take(k, { burst: 1, perSecond: 0.01 })).allowed).toBe(true);
    expect((await store.take(k, { burst: 1, perSecond: 0.01 })).allowed).toBe(false);
    await store.reset(k);
    expect((await store.consume(k, { windowMs: 60_000, limit: 1 })).allowed).toBe(true);
    expect((await store.take(k, { burst: 1, perSecond: 0.01 })).allowed).toBe(false);
  });

  it('refuses a bucket no limit can come from', async () => {
    await expect(store.take(key(), { burst: 0, perSecond: 1 })).rejects.toThrow(RangeError);
    await expect(store.take(key(), { burst: 5, perSecond: 0 })).rejects.toThrow(RangeError);
  });

  it('keys are independent', async () => {
    const policy = { windowMs: 60_000, limit: 1 };
    const [a, b] = [key(), key()];
    expect((await store.consume(a, policy)).allowed).toBe(true);
    expect((await store.consume(b, policy)).allowed).toBe(true);
    expect((await store.consume(a, policy)).allowed).toBe(false);
  });
});

describe('redis limiter', () => {
  it('keeps its keys under the prefix, with an expiry', async () => {
    const store = await createRedisLimiter({ url: REDIS_URL, prefix });
    const redis = new Redis(REDIS_URL);
    try {
      await store.consume('expiry-check', { windowMs: 30_000, limit: 5 });
      const ttl = await redis.pttl(`${prefix}:limit:expiry-check`);
      expect(ttl).toBeGreaterThan(25_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
    } finally {
      await redis.quit();
      await store.dispose();
    }
  });

  it('keeps a bucket until it is full again, under the prefix, then forgets it', async () => {
    const store = await createRedisLimiter({ url: REDIS_URL, prefix });
    const redis = new Redis(REDIS_URL);
    try {
      const bucket = { burst: 5, perSecond: 10 };
      await store.take('ttl-check', bucket);
      // One token short of full: 100 ms at 10/s.
      const ttl = await redis.pttl(`${prefix}:bucket:ttl-check`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(100);
      await new Promise((r) => setTimeout(r, 150));
      expect(await redis.exists(`${prefix}:bucket:ttl-check`)).toBe(0);
      // A refusal writes nothing: the bucket's expiry stays that of its last take.
      const slow = { burst: 1, perSecond: 0.01 };
      await store.take('ttl-refusal', slow);
      const before = await redis.pttl(`${prefix}:bucket:ttl-refusal`);
      await new Promise((r) => setTimeout(r, 20));
      expect((await store.take('ttl-refusal', slow)).allowed).toBe(false);
      expect(await redis.pttl(`${prefix}:bucket:ttl-refusal`)).toBeLessThan(before);
    } finally {
      await redis.quit();
      await store.dispose();
    }
  });

  it('two stores over the same prefix share one bucket; another prefix does not', async () => {
    const [a, b] = [await createRedisLimiter({ url: REDIS_URL, prefix }), await createRedisLimiter({ url: REDIS_URL, prefix })];
    const other = await createRedisLimiter({ url: REDIS_URL, prefix: `${prefix}_other` });
    try {
      const bucket = { burst: 4, perSecond: 0.01 };
      for (const store of [a, b, a, b]) expect((await store.take('shared', bucket)).allowed).toBe(true);
      for (const store of [a, b]) {
        const refused = await store.take('shared', bucket);
        expect(refused.allowed).toBe(false);
        if (!refused.allowed) expect(refused.retryAfterMs).toBeGreaterThan(99_000);
      }
      expect((await b.take('someone-else', bucket)).allowed).toBe(true);
      expect((await other.take('shared', bucket)).allowed).toBe(true);
    } finally {
      await Promise.all([a.dispose(), b.dispose(), other.dispose()]);
    }
  });

  it('runs its scripts by SHA (EVALSHA), one command per decision', async () => {
    const name = `storm-limiter-sha-${randomBytes(3).toString('hex')}`;
    const store = await createRedisLimiter({ url: REDIS_URL, prefix, connectionName: name });
    const redis = new Redis(REDIS_URL);
    const monitor = await redis.monitor();
    try {
      await store.take('sha-check', { burst: 5, perSecond: 1 }); // the first one on a connection sends the script
      const clients = String(await redis.client('LIST')).split('\n');
      const addr = /\baddr=(\S+)/.exec(clients.find((line) => line.includes(` name=${name} `)) ?? '')?.[1];
      expect(addr).toBeDefined();
      const seen: string[] = [];
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source === addr) seen.push(String(args[0]).toLowerCase());
      });
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 3; i++) await store.take('sha-check', { burst: 5, perSecond: 1 });
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual(['evalsha', 'evalsha', 'evalsha']);
    } finally {
      monitor.disconnect();
      await redis.quit();
      await store.dispose();
    }
  });

  it('a Redis that does not answer at start is an error, and leaves no client reconnecting behind', async () => {
    const { error, reconnects } = await startAgainstHangUp('redis', (url) => createRedisLimiter({ url, prefix }));
    expect(String(error)).toMatch(/REDIS_URL/);
    expect(reconnects).toBe(0);
  });

  it('refuses a prefix that could collide with other keys', async () => {
    await expect(createRedisLimiter({ url: REDIS_URL, prefix: 'a b*' })).rejects.toThrow(/prefix/);
  });
});

