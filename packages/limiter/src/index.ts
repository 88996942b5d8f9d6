/**
 * Attempt counters for throttling (login, register): one small interface,
 * an in-memory store for the single-process default and a Redis store that
 * every replica of the users service shares.
 *
 * The decision is made atomically inside the store (a Lua script on Redis),
 * counting the attempt BEFORE the caller does the expensive work: two
 * hundred concurrent guesses cannot all read "0 failures so far" and pass
 * together. A success then resets (account) or refunds (address) the count.
 */
import { Redis } from 'ioredis';

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

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface LimiterStore {
  /** Counts one attempt of `key` if the policy allows it now; a refused attempt is not counted. */
  consume(key: string, policy: LimitPolicy, now?: number): Promise<LimitDecision>;
  /** Takes back one counted attempt (e.g. a login from this address succeeded). */
  refund(key: string): Promise<void>;
  /** Forgets the key (e.g. a successful login clears its account's failures). */
  reset(key: string): Promise<void>;
  /** Closes the Redis connection or stops the memory sweeper. */
  dispose(): Promise<void>;
}

export interface RedisLimiterOptions {
  url: string;
  /** First part of every key (`<prefix>:limit:<key>`); no default, so two deployments never share counters. */
  prefix: string;
  /** A command slower than this rejects (the caller answers UNAVAILABLE). @default 2000 */
  commandTimeoutMs?: number;
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
  // Expired entries are swept so an attacker cycling through emails cannot grow the map forever.
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [key, e] of entries) if (e.expiresAt <= now) entries.delete(key);
  }, 60_000);
  sweeper.unref();
  return {
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

// Decrements without creating a key or going below zero.
const REFUND = `
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n > 0 then redis.call('HINCRBY', KEYS[1], 'n', -1) end
return 0
`;

const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export async function createRedisLimiter(options: RedisLimiterOptions): Promise<LimiterStore> {
  if (!PREFIX_PATTERN.test(options.prefix)) throw new Error('limiter prefix must be 1–64 characters of [A-Za-z0-9_.:-]');
  const redis = new Redis(options.url, {
    connectionName: 'storm-users-limiter',
    // A throttle check during an outage fails fast instead of holding the login.
    commandTimeout: options.commandTimeoutMs ?? 2000,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  redis.on('error', () => {
    // Reported per command (the caller answers UNAVAILABLE); ioredis reconnects.
  });
  await redis.connect();
  const keyOf = (key: string) => `${options.prefix}:limit:${key}`;
  return {
    async consume(key, policy, now = Date.now()) {
      const p = resolve(policy);
      const wait = Number(await redis.eval(CONSUME, 1, keyOf(key), now, p.windowMs, p.limit, p.free, p.baseDelayMs, p.maxDelayMs));
      return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
    },
    async refund(key) {
      await redis.eval(REFUND, 1, keyOf(key));
    },
    async reset(key) {
      await redis.del(keyOf(key));
    },
    async dispose() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
