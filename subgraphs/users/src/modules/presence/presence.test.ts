import { randomBytes } from 'node:crypto';
import { createMemoryPresence, createPresenceStore, type PresenceStore } from '@storm/presence';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUsersHarness, type UsersHarness } from '../../test-kit.js';

const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id presence { status lastSeenAt } } } }`;

type Row = { id: string; presence: { status: string; lastSeenAt: string | null } };

describe('User.presence over the memory store', () => {
  let h: UsersHarness;
  const store = createMemoryPresence();
  const calls: string[][] = [];
  // Counts store reads, to prove a page of users costs one.
  const counting: PresenceStore = { ...store, get: (ids) => (calls.push([...ids]), store.get(ids)) };
  let ids: string[];

  beforeAll(async () => {
    h = await startUsersHarness({}, { presence: counting });
    ids = [];
    for (const n of ['a', 'b', 'c']) {
      const handle = `pr_${n}_${randomBytes(3).toString('hex')}`;
      ids.push((await h.prisma.user.create({ data: { handle, email: `${handle}@example.com`, displayName: handle, passwordHash: 'x' } })).id);
    }
  });
  afterAll(async () => {
    await h?.close();
    await store.dispose();
  });

  it('reports ONLINE, AWAY and OFFLINE with last-seen, batched into one store read', async () => {
    const [a, b, c] = ids as [string, string, string];
    await store.connected(a, 'ws-1');
    await store.connected(b, 'ws-2');
    await store.setAway(b, true);
    await store.connected(c, 'ws-3');
    await store.disconnected(c, 'ws-3');
    calls.length = 0;
    const res = await h.gql<{ _entities: Row[] }>(ENTITIES, { r: ids.map((id) => ({ __typename: 'User', id })) }, { userId: a });
    expect(res.errors).toBeUndefined();
    const byId = new Map(res.data!._entities.map((u) => [u.id, u.presence]));
    expect(byId.get(a)!.status).toBe('ONLINE');
    expect(byId.get(b)!.status).toBe('AWAY');
    expect(byId.get(c)!.status).toBe('OFFLINE');
    expect(Date.now() - new Date(byId.get(c)!.lastSeenAt!).getTime()).toBeLessThan(5000);
    expect(calls).toEqual([expect.arrayContaining(ids)]);
  });

  it('a user never connected is OFFLINE with no last-seen', async () => {
    const never = (await h.prisma.user.create({ data: { handle: `pr_n_${randomBytes(3).toString('hex')}`, email: `${randomBytes(4).toString('hex')}@example.com`, displayName: 'n', passwordHash: 'x' } })).id;
    const res = await h.gql<{ user: Row }>(`query ($id: ID!) { user(id: $id) { id presence { status lastSeenAt } } }`, { id: never }, { userId: ids[0] });
    expect(res.data!.user.presence).toEqual({ status: 'OFFLINE', lastSeenAt: null });
  });

  it('setAway marks the caller away while connected, and back', async () => {
    const [a] = ids as [string];
    await store.connected(a, 'ws-away');
    const SET = `mutation ($away: Boolean!) { setAway(away: $away) { id presence { status } } }`;
    const away = await h.gql<{ setAway: Row }>(SET, { away: true }, { userId: a });
    expect(away.data!.setAway).toEqual({ id: a, presence: { status: 'AWAY' } });
    expect((await store.get([a])).get(a)!.status).toBe('AWAY');
    const back = await h.gql<{ setAway: Row }>(SET, { away: false }, { userId: a });
    expect(back.data!.setAway.presence.status).toBe('ONLINE');
    expect((await h.gql(SET, { away: true }, { userId: null })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('is refused to an anonymous caller', async () => {
    const res = await h.gql<{ _entities: Row[] }>(ENTITIES, { r: [{ __typename: 'User', id: ids[0] }] }, { userId: null });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('User.presence over Redis', () => {
  const prefix = `test_users_presence_${randomBytes(4).toString('hex')}`;
  let h: UsersHarness;
  let router: PresenceStore;
  let reader: PresenceStore;

  beforeAll(async () => {
    router = await createPresenceStore({ redis: { url: 'redis://127.0.0.1:6379', prefix } });
    reader = await createPresenceStore({ redis: { url: 'redis://127.0.0.1:6379', prefix } });
    h = await startUsersHarness({}, { presence: reader });
  });
  afterAll(async () => {
    await h?.close();
    await router?.dispose();
    await reader?.dispose();
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('shows what another process (the router) wrote', async () => {
    const handle = `pr_r_${randomBytes(3).toString('hex')}`;
    const user = await h.prisma.user.create({ data: { handle, email: `${handle}@example.com`, displayName: handle, passwordHash: 'x' } });
    await router.connected(user.id, 'ws-9');
    const res = await h.gql<{ me: Row }>(`{ me { id presence { status lastSeenAt } } }`, {}, { userId: user.id });
    expect(res.data!.me.presence.status).toBe('ONLINE');
  });
});

describe('User.presence when the store fails', () => {
  it('reads degrade to OFFLINE (reported) instead of failing the user; setAway fails UNAVAILABLE', async () => {
    const errors: unknown[] = [];
    const down = () => Promise.reject(new Error('redis down'));
    const broken: PresenceStore = { ...createMemoryPresence(), get: down, setAway: down };
    const h = await startUsersHarness({}, { presence: broken, logError: (_m: string, err: unknown) => void errors.push(err) });
    try {
      const handle = `pr_f_${randomBytes(3).toString('hex')}`;
      const user = await h.prisma.user.create({ data: { handle, email: `${handle}@example.com`, displayName: handle, passwordHash: 'x' } });
      const res = await h.gql<{ me: Row }>(`{ me { id handle presence { status lastSeenAt } } }`, {}, { userId: user.id });
      expect(res.errors).toBeUndefined();
      expect(res.data!.me.presence).toEqual({ status: 'OFFLINE', lastSeenAt: null });
      expect(errors).toHaveLength(1);
      // A write the caller asked for is not silently dropped.
      const set = await h.gql(`mutation { setAway(away: true) { id } }`, {}, { userId: user.id });
      expect(set.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    } finally {
      await h.close();
      await broken.dispose();
    }
  });
});
