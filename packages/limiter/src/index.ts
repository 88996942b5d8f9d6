/**
 * @storm/limiter: counters that decide whether an action may happen now. One
 * small interface, an in-memory store for the single-process default and a
 * Redis store that every replica of a service shares. Two kinds of limit:
 *
 * - attempt counters in a fixed window with growing delays (`consume`): the
 *   users service's login and registration throttling;
 * - token buckets (`take`): the conversations service's per-user limits on
 *   sends, reactions and conversation creation.
 *
 * The decision is made atomically inside the store (one Lua script on
 * Redis, one round trip), taking the attempt BEFORE the caller does the
 * work: two hundred concurrent guesses or sends cannot all read "budget
 * left" and pass together. A success may then reset or refund a count.
 */
import { Redis } from 'ioredis';
import { assertRedisPrefix, connectRedis } from '@storm/common';

/** How many attempts a key gets in a window, and how they are slowed. */
export interface LimitPolicy {
  /** Attempts are counted in a fixed window starting at the first one. */
  windowMs: number;
  /** Attempts allowed in the window; further ones are refused until it ends. */
  limit: number;
  /**
   * Attempts allowed without delay. After them, attempt n (n > free) must
   * wait `baseDelayMs * 2^(n - free - 1)` (at most `maxDelayMs`) after the
   * previous one, else it is refused. @default limit (no delay)
   */
  free?: number;
  /** @default 1000 */
  baseDelayMs?: number;
  /** @default windowMs */
  maxDelayMs?: number;
}

/** A token bucket: `burst` actions back to back, then `perSecond` on average. */
export interface TokenBucket {
  /** Tokens of a full bucket (an unknown key's bucket is full). At least 1. */
  burst: number;
  /** Tokens added per second, up to `burst`. More than 0. */
  perSecond: number;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

const ALLOWED: LimitDecision = { allowed: true };

export interface LimiterStore {
  /** Counts one attempt of `key` if the policy allows it now; a refused attempt is not counted. */
  consume(key: string, policy: LimitPolicy, now?: number): Promise<LimitDecision>;
  /**
   * Takes one token from the bucket `key` if it holds a whole one; a refusal
   * takes nothing and says when the next token will be there (`retryAfterMs`,
   * at least 1). Buckets are forgotten once full again, so an idle key costs
   * nothing. `now` (ms since the epoch) is for tests: by default the memory
   * store reads Date.now() and the Redis store the Redis server's clock, so
   * replicas with skewed clocks refill alike.
   */
  take(key: string, bucket: TokenBucket, now?: number): Promise<LimitDecision>;
  /** Takes back one counted attempt (e.g. a login from this address succeeded); buckets are not touched. */
  refund(key: string): Promise<void>;
  /** Forgets the key's attempt counter (e.g. a successful login clears its account's failures); buckets are not touched. */
  reset(key: string): Promise<void>;
  /** Closes the Redis connection or stops the memory sweeper. */
  dispose(): Promise<void>;
}

export interface RedisLimiterOptions {
  url: string;
  /**
   * First part of every key (`<prefix>:limit:<key>` for attempt counters,
   * `<prefix>:bucket:<key>` for token buckets); no default, so two
   * deployments never share counters.
   */
  prefix: string;
  /** A command slower than this rejects (the caller decides: UNAVAILABLE, or another way). @default 2000 */
  commandTimeoutMs?: number;
  /**
   * While the connection is down, queue commands until it is back (or the
   * timeout) instead of rejecting them at once. Off suits a caller with a
   * fallback on a hot path. @default true
   */
  offlineQueue?: boolean;
  /** CLIENT SETNAME, to tell the services' connections apart. @default "storm-limiter" */
  connectionName?: string;
}

interface Resolved {
  windowMs: number;
  limit: number;
  free: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

function resolve(p: LimitPolicy): Resolved {
  return {
    windowMs: p.windowMs,
    limit: p.limit,
    free: Math.min(p.free ?? p.limit, p.limit),
    baseDelayMs: p.baseDelayMs ?? 1000,
    maxDelayMs: p.maxDelayMs ?? p.windowMs,
  };
}

/** Required gap after the previous attempt when `count` attempts were made already. */
function delayAfter(count: number, p: Resolved): number {
  if (count < p.free) return 0;
  return Math.min(p.baseDelayMs * 2 ** (count - p.free), p.maxDelayMs);
}

/** Throws on a bucket no limit can come from (a programming error, not a refusal). */
export function assertTokenBucket(bucket: TokenBucket): void {
  if (!(bucket.burst >= 1 && Number.isFinite(bucket.burst) && bucket.perSecond > 0 && Number.isFinite(bucket.perSecond))) {
    throw new RangeError(`a token bucket needs burst >= 1 and perSecond > 0 (got ${bucket.burst}, ${bucket.perSecond})`);
  }
}

/** The decision both stores make; `count` attempts so far, last at `last`, window ends at `expiresAt`. */
function decide(count: number, last: number, expiresAt: number, now: number, p: Resolved): LimitDecision {
  if (count >= p.limit) return { allowed: false, retryAfterMs: Math.max(1, expiresAt - now) };
  const wait = last + delayAfter(count, p) - now;
  // A delay never outlasts the window: the counter is gone by then.
  if (wait > 0) return { allowed: false, retryAfterMs: Math.min(wait, Math.max(1, expiresAt - now)) };
  return { allowed: true };
}

export function createMemoryLimiter(): LimiterStore {
  const entries = new Map<string, { count: number; last: number; expiresAt: number }>();
  /** `tokens` left at `at`; full again (and forgettable) at `fullAt`. */
  const buckets = new Map<string, { tokens: number; at: number; fullAt: number }>();
  // Expired entries are swept so an attacker cycling through emails cannot grow the map forever;
  // full buckets are dropped because a missing bucket is a full one.
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [key, e] of entries) if (e.expiresAt <= now) entries.delete(key);
    for (const [key, b] of buckets) if (b.fullAt <= now) buckets.delete(key);
  }, 60_000);
  sweeper.unref();
  return {
    async take(key, bucket, now = Date.now()) {
      assertTokenBucket(bucket);
      const { burst, perSecond } = bucket;
      const b = buckets.get(key);
      // A clock that steps back refills nothing (and takes nothing back).
      const tokens = b ? Math.min(burst, b.tokens + (Math.max(0, now - b.at) * perSecond) / 1000) : burst;
      if (tokens < 1) return { allowed: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / perSecond) };
      const left = tokens - 1;
      buckets.set(key, { tokens: left, at: now, fullAt: now + ((burst - left) * 1000) / perSecond });
      return ALLOWED;
    },
    async consume(key, policy, now = Date.now()) {
      const p = resolve(policy);
      let e = entries.get(key);
      if (e && e.expiresAt <= now) {
        entries.delete(key);
        e = undefined;
      }
      const decision = decide(e?.count ?? 0, e?.last ?? 0, e?.expiresAt ?? now + p.windowMs, now, p);
      if (!decision.allowed) return decision;
      if (e) {
        e.count++;
        e.last = now;
      } else {
        entries.set(key, { count: 1, last: now, expiresAt: now + p.windowMs });
      }
      return decision;
    },
    async refund(key) {
      const e = entries.get(key);
      if (e && e.count > 0) e.count--;
    },
    async reset(key) {
      entries.delete(key);
    },
    async dispose() {
      clearInterval(sweeper);
      entries.clear();
      buckets.clear();
    },
  };
}

// KEYS[1] = counter hash {n = attempts, t = last attempt (ms)}.
// ARGV = now, windowMs, limit, free, baseDelayMs, maxDelayMs.
// Mirrors decide() above; the shared suite checks both agree.
const CONSUME = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local free = tonumber(ARGV[4])
local base = tonumber(ARGV[5])
local maxDelay = tonumber(ARGV[6])
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = window end
local expiresIn = math.max(1, ttl)
if n >= limit then return expiresIn end
local delay = 0
if n >= free then delay = math.min(base * 2 ^ (n - free), maxDelay) end
local wait = t + delay - now
if wait > 0 then return math.min(wait, expiresIn) end
redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], 't', now)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], window) end
return 0
`;

// KEYS[1] = bucket hash {k = tokens left, t = when (ms)}.
// ARGV = burst, perSecond, now (ms; empty: the Redis server's clock).
// Mirrors the memory store's take(); the shared suite checks both agree.
// A refusal writes nothing; a take rewrites the hash and expires it when the
// bucket is full again (a missing bucket is a full one). PEXPIRE gets an
// integer string: Lua would print a large number as 1e+16.
const TAKE = `
local burst = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local s = redis.call('HMGET', KEYS[1], 'k', 't')
local tokens = burst
if s[1] then tokens = math.min(burst, tonumber(s[1]) + math.max(0, now - tonumber(s[2])) * perMs) end
if tokens < 1 then return math.ceil((1 - tokens) / perMs) end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'k', tokens, 't', now)
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil((burst - tokens) / perMs)))
return 0
`;

// Decrements without creating a key or going below zero.
const REFUND = `
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n > 0 then redis.call('HINCRBY', KEYS[1], 'n', -1) end
return 0
`;

/** The client with the scripts above defined as commands. */
type LimiterRedis = Redis & {
  stormLimitConsume(key: string, ...args: number[]): Promise<number>;
  stormLimitTake(key: string, burst: number, perSecond: number, now: number | ''): Promise<number>;
  stormLimitRefund(key: string): Promise<number>;
};


export async function createRedisLimiter(options: RedisLimiterOptions): Promise<LimiterStore> {
  assertRedisPrefix(options.prefix, 'limiter');
  const redis = new Redis(options.url, {
    connectionName: options.connectionName ?? 'storm-limiter',
    // A throttle check during an outage fails fast instead of holding the login.
    commandTimeout: options.commandTimeoutMs ?? 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: options.offlineQueue ?? true,
    // Concurrent decisions (a burst of sends) leave in one write and come back
    // in one read instead of a round trip each.
    enableAutoPipelining: true,
    lazyConnect: true,
  }) as LimiterRedis;
  // EVALSHA (ioredis sends the script itself once per connection, and again after NOSCRIPT).
  redis.defineCommand('stormLimitConsume', { numberOfKeys: 1, lua: CONSUME });
  redis.defineCommand('stormLimitTake', { numberOfKeys: 1, lua: TAKE });
  redis.defineCommand('stormLimitRefund', { numberOfKeys: 1, lua: REFUND });
  redis.on('error', () => {
    // Reported per command (the caller decides what a failure means); ioredis reconnects.
  });
  await connectRedis(redis, 'limiter');
  const keyOf = (key: string) => `${options.prefix}:limit:${key}`;
  const bucketKeyOf = (key: string) => `${options.prefix}:bucket:${key}`;
  return {
    async consume(key, policy, now = Date.now()) {
      const p = resolve(policy);
      const wait = Number(await redis.stormLimitConsume(keyOf(key), now, p.windowMs, p.limit, p.free, p.baseDelayMs, p.maxDelayMs));
      return wait > 0 ? { allowed: false, retryAfterMs: wait } : ALLOWED;
    },
    async take(key, bucket, now) {
      assertTokenBucket(bucket);
      const wait = Number(await redis.stormLimitTake(bucketKeyOf(key), bucket.burst, bucket.perSecond, now ?? ''));
      return wait > 0 ? { allowed: false, retryAfterMs: wait } : ALLOWED;
    },
    async refund(key) {
      await redis.stormLimitRefund(keyOf(key));
    },
    async reset(key) {
      await redis.del(keyOf(key));
    },
    async dispose() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
