import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgainstHangUp } from '@storm/common/testing';
import { createPresenceStore, type PresenceStore, type PresenceTimings } from './index.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test_presence_${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Factory = (timings?: PresenceTimings) => Promise<PresenceStore>;
const factories: Array<[string, Factory]> = [
  ['memory', (timings) => createPresenceStore({ memory: true, ...timings })],
  ['redis', (timings) => createPresenceStore({ redis: { url: REDIS_URL, prefix }, ...timings })],
];

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe.each(factories)('%s presence', (kind, create) => {
  const open: PresenceStore[] = [];
  const store = async (timings?: PresenceTimings) => {
    const s = await create(timings);
    open.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of open) await s.dispose();
  });
  const one = async (s: PresenceStore, userId: string) => (await s.get([userId])).get(userId)!;

  it('an unknown user is OFFLINE and never seen', async () => {
    const s = await store();
    const id = randomUUID();
    expect(await s.get([id])).toEqual(new Map([[id, { status: 'OFFLINE', lastSeenAt: null }]]));
    expect((await s.get([])).size).toBe(0);
  });

  it('ONLINE while any connection is open; OFFLINE with last-seen when the last one closes', async () => {
    const s = await store();
    const user = randomUUID();
    const t0 = Date.now();
    expect(await s.connected(user, 'c1')).toEqual({ before: 'OFFLINE', after: 'ONLINE', changed: true });
    expect(await s.connected(user, 'c2')).toEqual({ before: 'ONLINE', after: 'ONLINE', changed: false });
    const online = await one(s, user);
    expect(online.status).toBe('ONLINE');
    expect(online.lastSeenAt!.getTime()).toBeGreaterThanOrEqual(t0 - 5);

    expect((await s.disconnected(user, 'c1')).changed).toBe(false);
    expect((await one(s, user)).status).toBe('ONLINE');
    await sleep(20);
    const closedAt = Date.now();
    expect(await s.disconnected(user, 'c2')).toEqual({ before: 'ONLINE', after: 'OFFLINE', changed: true });
    const offline = await one(s, user);
    expect(offline.status).toBe('OFFLINE');
    expect(Math.abs(offline.lastSeenAt!.getTime() - closedAt)).toBeLessThan(50);
    // Closing an unknown or already closed connection is harmless.
    expect((await s.disconnected(user, 'c2')).changed).toBe(false);
    expect((await s.disconnected(randomUUID(), 'nope')).changed).toBe(false);
  });

  it('AWAY while the user says so and is connected; a new session after going offline starts ONLINE', async () => {
    const s = await store();
    const user = randomUUID();
    await s.connected(user, 'c1');
    expect(await s.setAway(user, true)).toEqual({ before: 'ONLINE', after: 'AWAY', changed: true });
    expect((await one(s, user)).status).toBe('AWAY');
    expect((await s.heartbeat(user, 'c1')).after).toBe('AWAY');
    expect(await s.setAway(user, false)).toEqual({ before: 'AWAY', after: 'ONLINE', changed: true });
    await s.setAway(user, true);
    expect(await s.disconnected(user, 'c1')).toEqual({ before: 'AWAY', after: 'OFFLINE', changed: true });
    expect(await s.connected(user, 'c2')).toEqual({ before: 'OFFLINE', after: 'ONLINE', changed: true });
  });

  it('a connection whose heartbeats stop (its router crashed) expires after twice the interval', async () => {
    // Margins are wide (beats every 100 ms against a 600 ms expiry) for a loaded machine.
    const writer = await store({ heartbeatIntervalMs: 300 });
    const reader = await store({ heartbeatIntervalMs: 300 });
    const user = randomUUID();
    await writer.connected(user, 'c1');
    await writer.setAway(user, true);
    // Heartbeats keep it alive well past the 600 ms expiry.
    for (let i = 0; i < 9; i++) {
      await sleep(100);
      await writer.heartbeat(user, 'c1');
    }
    const lastBeat = Date.now();
    if (kind === 'redis') {
      // Another replica sees it, through Redis alone.
      expect((await one(reader, user)).status).toBe('AWAY');
      // The crash: the writer goes away without a word about its connections.
      await writer.dispose();
    } else {
      expect((await one(writer, user)).status).toBe('AWAY');
    }
    const view = kind === 'redis' ? reader : writer;
    await sleep(700);
    const gone = await one(view, user);
    expect(gone.status).toBe('OFFLINE');
    expect(Math.abs(gone.lastSeenAt!.getTime() - lastBeat)).toBeLessThan(50);

    if (kind === 'redis') {
      // Nothing is left behind without an expiry.
      const redis = new Redis(REDIS_URL);
      try {
        const keys = await redis.keys(`${prefix}:presence:{${user}}:*`);
        expect(keys).toEqual([`${prefix}:presence:{${user}}:seen`]);
        expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
      } finally {
        await redis.quit();
      }
    }
    // The next session starts ONLINE (the away of the dead one is forgotten).
    expect((await reader.connected(user, 'c2')).after).toBe('ONLINE');
  });

  it('a heartbeat of a connection the store forgot brings the user back', async () => {
    const s = await store({ heartbeatIntervalMs: 50 });
    const user = randomUUID();
    await s.connected(user, 'c1');
    await sleep(130);
    expect((await one(s, user)).status).toBe('OFFLINE');
    expect(await s.heartbeat(user, 'c1')).toEqual({ before: 'OFFLINE', after: 'ONLINE', changed: true });
  });

  it('answers a large batch (duplicates included) in one map, users independent', async () => {
    const s = await store();
    const ids = Array.from({ length: 1203 }, () => randomUUID());
    await s.connected(ids[0]!, 'c');
    await s.connected(ids[1201]!, 'c');
    await s.setAway(ids[1201]!, true);
    const result = await s.get([...ids, ids[0]!]);
    expect(result.size).toBe(1203);
    expect(result.get(ids[0]!)!.status).toBe('ONLINE');
    expect(result.get(ids[1201]!)!.status).toBe('AWAY');
    expect(result.get(ids[600]!)).toEqual({ status: 'OFFLINE', lastSeenAt: null });
  });
});

describe('createPresenceStore', () => {
  it('refuses a Redis prefix that could collide with other keys', async () => {
    await expect(createPresenceStore({ redis: { url: REDIS_URL, prefix: 'a b*' } })).rejects.toThrow(/prefix/);
  });

  it('a Redis that does not answer at start is an error naming REDIS_URL, and leaves no client reconnecting behind', async () => {
    const { error, reconnects } = await startAgainstHangUp('redis', (url) => createPresenceStore({ redis: { url, prefix } }));
    expect(String(error)).toMatch(/REDIS_URL/);
    expect(reconnects).toBe(0);
  });

  it('memory uses the injected clock', async () => {
    let t = 1_000_000;
    const s = await createPresenceStore({ memory: true, heartbeatIntervalMs: 1000, now: () => t });
    await s.connected('u', 'c');
    t += 1999;
    expect((await s.get(['u'])).get('u')).toEqual({ status: 'ONLINE', lastSeenAt: new Date(1_000_000) });
    t += 1;
    expect((await s.get(['u'])).get('u')!.status).toBe('OFFLINE');
    await s.dispose();
  });
});
