import { describe, expect, it } from 'vitest';
import { createMemoryPresence, type PresenceStatus } from '@storm/presence';
import { PresenceSweep } from './presence-sweep.js';

const A = 'a0000000-0000-4000-8000-000000000001';
const B = 'b0000000-0000-4000-8000-000000000002';

function setup(maxUsersPerTick = 100) {
  let t = 1_000_000;
  const store = createMemoryPresence({ heartbeatIntervalMs: 1_000, now: () => t });
  const announced: Array<[string, PresenceStatus]> = [];
  let reads = 0;
  const sweep = new PresenceSweep({
    store: { get: (ids) => ((reads += ids.length), store.get(ids)) },
    announce: async (userId, status) => void announced.push([userId, status]),
    intervalMs: 3_600_000, // ticks by hand
    maxUsersPerTick,
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { store, sweep, announced, settle, advance: (ms: number) => (t += ms), reads: () => reads };
}

describe('PresenceSweep', () => {
  it('announces OFFLINE once for connections that expired with no close, confirmed by a second sweep', async () => {
    const { store, sweep, announced, settle, advance } = setup();
    await store.connected(A, 'dead-router-conn');
    sweep.watch(A);
    await settle(); // baseline: ONLINE
    advance(2_001); // unheard for 2 × heartbeat: gone
    await sweep.tick();
    expect(announced).toEqual([]); // first sighting only
    await sweep.tick();
    expect(announced).toEqual([[A, 'OFFLINE']]);
    await sweep.tick();
    await sweep.tick();
    expect(announced).toEqual([[A, 'OFFLINE']]);
    await sweep.dispose();
  });

  it('does not repeat a change the bus announced, even one that raced a sweep', async () => {
    const { store, sweep, announced, settle } = setup();
    sweep.watch(A);
    await settle(); // baseline: OFFLINE
    await store.connected(A, 'c1');
    await sweep.tick(); // reads ONLINE before the router's announcement arrives
    sweep.observe({ userId: A, status: 'ONLINE', at: new Date().toISOString() });
    await sweep.tick();
    await store.setAway(A, true);
    sweep.observe({ userId: A, status: 'AWAY', at: new Date().toISOString() });
    await sweep.tick();
    await sweep.tick();
    expect(announced).toEqual([]);
    await sweep.dispose();
  });

  it('sweeps only watched users, at most maxUsersPerTick per sweep, round-robin', async () => {
    const { sweep, settle, reads } = setup(1);
    sweep.watch(A);
    sweep.watch(B);
    sweep.watch(B);
    await settle();
    const base = reads();
    await sweep.tick();
    await sweep.tick();
    expect(reads() - base).toBe(2);
    sweep.unwatch(B);
    expect(sweep.size).toBe(2); // still watched once
    sweep.unwatch(B);
    sweep.unwatch(A);
    expect(sweep.size).toBe(0);
    await sweep.tick();
    expect(reads() - base).toBe(2);
    await sweep.dispose();
  });
});
