/**
 * @storm/presence: online / away / offline with last-seen, derived from live
 * connections. Memory for one process (the embedded default), Redis with
 * expiring keys for a cluster; one interface, one test suite for both.
 */
import { createMemoryPresence } from './memory.js';
import type { MemoryPresenceOptions, PresenceStore, RedisPresenceOptions } from './presence.js';
import { createRedisPresence } from './redis.js';

export * from './presence.js';
export { createMemoryPresence } from './memory.js';
export { createRedisPresence } from './redis.js';
export * from './announce.js';

export type PresenceConfig =
  | ({ redis: { url: string; prefix: string; commandTimeoutMs?: number } } & Omit<RedisPresenceOptions, 'url' | 'prefix' | 'commandTimeoutMs'>)
  | ({ memory: true } & MemoryPresenceOptions);

/** The store a config names: `{ redis: { url, prefix } }` or `{ memory: true }`. */
export async function createPresenceStore(config: PresenceConfig): Promise<PresenceStore> {
  if ('redis' in config) {
    const { redis, ...timings } = config;
    return createRedisPresence({ ...redis, ...timings });
  }
  const { memory: _memory, ...options } = config;
  return createMemoryPresence(options);
}
