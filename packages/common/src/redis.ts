// What the Redis-backed stores (presence, limiter) and the settings that name
// their key prefix share.
import type { Redis } from 'ioredis';

/** A key prefix of this deployment: `REDIS_PREFIX`, and the stores' `prefix` option. */
export const REDIS_PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const REDIS_PREFIX_RULE = 'must be 1–64 characters of [A-Za-z0-9_.:-]';

/** Throws when `prefix` could collide with other keys (`what`: the store, for the message). */
export function assertRedisPrefix(prefix: string, what: string): void {
  if (!REDIS_PREFIX_PATTERN.test(prefix)) throw new Error(`${what} prefix ${REDIS_PREFIX_RULE}`);
}

/**
 * Connects a `lazyConnect` client, or rejects naming REDIS_URL and releases
 * it: else ioredis keeps reconnecting in the background and holds the
 * process open after a start that failed.
 */
export async function connectRedis(redis: Redis, what: string): Promise<void> {
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`${what}: Redis does not answer at REDIS_URL`, { cause: err });
  }
}
