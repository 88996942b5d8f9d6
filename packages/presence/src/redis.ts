import { Redis } from 'ioredis';
import { assertRedisPrefix, connectRedis } from '@storm/common';
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_LAST_SEEN_TTL_MS,
  transition,
  type Presence,
  type PresenceStatus,
  type PresenceStore,
  type RedisPresenceOptions,
} from './presence.js';

// Per user, three keys, all with an expiry (a crashed router leaves nothing
// that lives forever):
//   <p>:presence:{<user>}:conns  sorted set connectionId → expiry (ms); the key
//                                expires with its newest member
//   <p>:presence:{<user>}:away   "1" while the user is away; refreshed with the connections
//   <p>:presence:{<user>}:seen   last activity (ms); kept lastSeenTtlMs
// Times come from the Redis server clock (TIME), so router replicas with
// skewed clocks still agree on what has expired. `{<user>}` is a hash tag:
// the three keys of a user share a Redis Cluster slot.

const STATUS = `
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function status(conns, away, t)
  if redis.call('ZCOUNT', conns, '(' .. t, '+inf') == 0 then return 'OFFLINE' end
  if redis.call('EXISTS', away) == 1 then return 'AWAY' end
  return 'ONLINE'
end
`;

// KEYS conns, away, seen; ARGV connectionId, ttl, seenTtl
const TOUCH = `${STATUS}
local t = now()
local ttl = tonumber(ARGV[2])
local before = status(KEYS[1], KEYS[2], t)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
redis.call('ZADD', KEYS[1], t + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
if before == 'OFFLINE' then
  -- A fresh session starts ONLINE, whatever a session that expired had said.
  redis.call('DEL', KEYS[2])
else
  redis.call('PEXPIRE', KEYS[2], ttl)
end
redis.call('SET', KEYS[3], t, 'PX', ARGV[3])
return {before, status(KEYS[1], KEYS[2], t)}
`;

// KEYS conns, away, seen; ARGV connectionId, seenTtl
const DISCONNECT = `${STATUS}
local t = now()
local before = status(KEYS[1], KEYS[2], t)
redis.call('ZREM', KEYS[1], ARGV[1])
if before ~= 'OFFLINE' or redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('SET', KEYS[3], t, 'PX', ARGV[2])
end
local after = status(KEYS[1], KEYS[2], t)
if after == 'OFFLINE' then redis.call('DEL', KEYS[1], KEYS[2]) end
return {before, after}
`;

// KEYS conns, away; ARGV away (1/0), ttl
const AWAY = `${STATUS}
local t = now()
local before = status(KEYS[1], KEYS[2], t)
if ARGV[1] == '1' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[2]) else redis.call('DEL', KEYS[2]) end
return {before, status(KEYS[1], KEYS[2], t)}
`;

// KEYS conns, away, seen for each user in turn; returns status, seen per user.
const GET = `${STATUS}
local t = now()
local out = {}
for i = 1, #KEYS, 3 do
  out[#out + 1] = status(KEYS[i], KEYS[i + 1], t)
  out[#out + 1] = redis.call('GET', KEYS[i + 2]) or ''
end
return out
`;

/** Users per GET script call: bounded work per script, however many ids a page asks for. */
const GET_CHUNK = 500;
const STATUSES = new Set<string>(['ONLINE', 'AWAY', 'OFFLINE']);

/** Presence shared by every router and users replica, in Redis with expiring keys. */
export async function createRedisPresence(options: RedisPresenceOptions): Promise<PresenceStore> {
  assertRedisPrefix(options.prefix, 'presence');
  const ttl = 2 * (options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS);
  const seenTtl = options.lastSeenTtlMs ?? DEFAULT_LAST_SEEN_TTL_MS;
  const redis = new Redis(options.url, {
    connectionName: 'storm-presence',
    // Presence is best effort: a slow Redis must not hold a socket or a query.
    commandTimeout: options.commandTimeoutMs ?? 2000,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  redis.on('error', () => {
    // Surfaced per command as a rejection; ioredis reconnects by itself.
  });
  await connectRedis(redis, 'presence');

  const keys = (userId: string) => {
    const base = `${options.prefix}:presence:{${userId}}`;
    return [`${base}:conns`, `${base}:away`, `${base}:seen`] as const;
  };
  const asTransition = (reply: unknown) => {
    const [before, after] = reply as [PresenceStatus, PresenceStatus];
    return transition(before, after);
  };

  return {
    async connected(userId, connectionId) {
      return asTransition(await redis.eval(TOUCH, 3, ...keys(userId), connectionId, ttl, seenTtl));
    },
    async heartbeat(userId, connectionId) {
      return asTransition(await redis.eval(TOUCH, 3, ...keys(userId), connectionId, ttl, seenTtl));
    },
    async disconnected(userId, connectionId) {
      return asTransition(await redis.eval(DISCONNECT, 3, ...keys(userId), connectionId, seenTtl));
    },
    async setAway(userId, away) {
      const [conns, awayKey] = keys(userId);
      return asTransition(await redis.eval(AWAY, 2, conns, awayKey, away ? '1' : '0', ttl));
    },
    async get(userIds) {
      const result = new Map<string, Presence>();
      const ids = [...new Set(userIds)];
      for (let i = 0; i < ids.length; i += GET_CHUNK) {
        const chunk = ids.slice(i, i + GET_CHUNK);
        const reply = (await redis.eval(GET, chunk.length * 3, ...chunk.flatMap(keys))) as string[];
        chunk.forEach((id, j) => {
          const status = reply[2 * j]!;
          const seen = reply[2 * j + 1]!;
          result.set(id, {
            status: STATUSES.has(status) ? (status as PresenceStatus) : 'OFFLINE',
            lastSeenAt: seen ? new Date(Number(seen)) : null,
          });
        });
      }
      return result;
    },
    async dispose() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
