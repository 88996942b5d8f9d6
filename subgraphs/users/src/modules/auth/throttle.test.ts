import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLimiter, createRedisLimiter, type LimiterStore } from '@storm/limiter';
import { startUsersHarness, type UsersHarness } from '../../test-kit.js';
import { addressKey, AuthThrottle } from './throttle.js';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { user { id } } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken user { id } } }`;
const PASSWORD = 'correct horse battery';

type Err = { message: string; extensions?: { code?: string; retryAfter?: unknown; field?: string } };
const codes = (errors: Err[] | undefined) => (errors ?? []).map((e) => e.extensions?.code);

let h: UsersHarness;
let seq = 0;
const unique = () => `t${process.pid % 1000}_${++seq}_${randomBytes(2).toString('hex')}`;
let ipSeq = 0;
/** A fresh client address per test, so tests do not share address counters. */
const freshIp = () => `198.51.100.${++ipSeq}`;

beforeAll(async () => {
  h = await startUsersHarness(
    {},
    {
      throttle: {
        loginAccountFree: 3,
        loginDelayBaseMs: 60_000,
        loginAccountLimit: 6,
        loginAddressLimit: 20,
        registerAddressLimit: 3,
      },
    },
  );
});
afterAll(async () => {
  await h?.close();
});

async function register(ip = freshIp()) {
  const handle = unique();
  const email = `${handle}@example.com`;
  const res = await h.gql<{ register: { user: { id: string } } }>(REGISTER, { input: { handle, email, password: PASSWORD } }, { headers: { 'x-storm-client-ip': ip } });
  expect(res.errors).toBeUndefined();
  return { email, id: res.data!.register.user.id };
}

const login = (email: string, password: string, ip?: string) =>
  h.gql<{ login: { accessToken: string } }>(LOGIN, { input: { email, password } }, ip ? { headers: { 'x-storm-client-ip': ip } } : {});

describe('login throttling per account', () => {
  it('after the free failures, attempts are refused with RATE_LIMITED and retryAfter, even with the right password', async () => {
    const { email } = await register();
    for (let i = 0; i < 3; i++) expect(codes((await login(email, 'wrong password!!', freshIp())).errors)).toEqual(['UNAUTHENTICATED']);
    // A new address does not help: the account itself is throttled.
    const refused = await login(email, PASSWORD, freshIp());
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 60 });
    expect(refused.errors?.[0]?.message).toBe('Too many requests');
  });

  it('treats an email without an account exactly like one with an account', async () => {
    const email = `${unique()}@example.com`;
    for (let i = 0; i < 3; i++) expect(codes((await login(email, 'wrong password!!')).errors)).toEqual(['UNAUTHENTICATED']);
    expect((await login(email, 'wrong password!!')).errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 60 });
    // Case and surrounding spaces do not make another account key.
    expect(codes((await login(`  ${email.toUpperCase()} `, 'wrong password!!')).errors)).toEqual(['RATE_LIMITED']);
  });

  it('a successful login clears the account failures', async () => {
    const { email } = await register();
    for (let i = 0; i < 2; i++) await login(email, 'wrong password!!');
    expect((await login(email, PASSWORD)).errors).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(codes((await login(email, 'wrong password!!')).errors)).toEqual(['UNAUTHENTICATED']);
    expect(codes((await login(email, PASSWORD)).errors)).toEqual(['RATE_LIMITED']);
  });

  it('aliased login fields are attempts each: a document cannot multiply guesses', async () => {
    const { email } = await register();
    const fields = Array.from({ length: 100 }, (_, i) => `a${i}: login(input: $input) { accessToken }`).join('\n');
    const aliased = () => h.gql<Record<string, unknown>>(`mutation ($input: LoginInput!) { ${fields} }`, { input: { email, password: 'wrong password!!' } });
    // Mutation fields run one after the other and login is non-null, so the
    // first failure ends the document: one guess per document, counted once.
    for (let i = 0; i < 3; i++) {
      const res = await aliased();
      expect(res.data).toBeNull();
      expect(codes(res.errors as Err[])).toEqual(['UNAUTHENTICATED']);
    }
    expect(codes((await aliased()).errors as Err[])).toEqual(['RATE_LIMITED']);
    // Still refused afterwards, right password or not.
    expect(codes((await login(email, PASSWORD)).errors)).toEqual(['RATE_LIMITED']);
  });

  it('concurrent guesses cannot all pass before the first failure is counted', async () => {
    const { email } = await register();
    const results = await Promise.all(Array.from({ length: 12 }, () => login(email, 'wrong password!!')));
    const byCode = results.flatMap((r) => codes(r.errors));
    expect(byCode.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(3);
    expect(byCode.filter((c) => c === 'RATE_LIMITED')).toHaveLength(9);
  });

  it('bad input stays BAD_USER_INPUT and is not counted', async () => {
    const { email } = await register();
    for (let i = 0; i < 5; i++) {
      const res = await login(email, 'x'.repeat(257));
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    }
    expect((await login(email, PASSWORD)).errors).toBeUndefined();
  });
});

describe('login throttling per client address', () => {
  it('refuses an address after its limit of failures, whichever accounts it tries', async () => {
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => login(`${unique()}-${i}@example.com`, 'wrong password!!', ip)));
    const byCode = results.flatMap((r) => codes(r.errors));
    expect(byCode.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(20);
    expect(byCode.filter((c) => c === 'RATE_LIMITED')).toHaveLength(5);
    const limited = results.flatMap((r) => r.errors ?? []).find((e) => e.extensions?.code === 'RATE_LIMITED');
    expect(limited?.extensions?.retryAfter).toBeGreaterThan(890);

    // Another address, and a request without one (nothing to count it under), still get through.
    const { email } = await register();
    expect((await login(email, PASSWORD, freshIp())).errors).toBeUndefined();
    expect((await login(email, PASSWORD)).errors).toBeUndefined();
    // The same /64 of IPv6 is one address.
    const v6 = Array.from({ length: 20 }, (_, i) => login(`${unique()}@example.com`, 'wrong password!!', `2001:db8:1:2::${i + 1}`));
    await Promise.all(v6);
    expect(codes((await login(email, PASSWORD, '2001:db8:1:2:ffff::9')).errors)).toEqual(['RATE_LIMITED']);
    expect((await login(email, PASSWORD, '2001:db8:1:3::1')).errors).toBeUndefined();
  });

  it('successful logins do not use up the address', async () => {
    const ip = freshIp();
    const { email } = await register();
    for (let i = 0; i < 25; i++) expect((await login(email, PASSWORD, ip)).errors).toBeUndefined();
  });
});

describe('registration throttling per client address', () => {
  it('refuses registrations from one address beyond its limit, writing nothing', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) await register(ip);
    const handle = unique();
    const res = await h.gql(REGISTER, { input: { handle, email: `${handle}@example.com`, password: PASSWORD } }, { headers: { 'x-storm-client-ip': ip } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await h.prisma.user.count({ where: { handle } })).toBe(0);
    // Bad input is still answered as such (and not counted).
    const bad = await h.gql(REGISTER, { input: { handle: 'x', email: 'y@example.com', password: PASSWORD } }, { headers: { 'x-storm-client-ip': freshIp() } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'handle' });
    await register(freshIp());
  });
});

describe('AuthThrottle', () => {
  it('replicas sharing a Redis store share the counters', async () => {
    const prefix = `test_throttle_${randomBytes(4).toString('hex')}`;
    const [a, b] = [await createRedisLimiter({ url: 'redis://127.0.0.1:6379', prefix }), await createRedisLimiter({ url: 'redis://127.0.0.1:6379', prefix })];
    try {
      const settings = { loginWindowSeconds: 60, loginAccountFree: 2, loginDelayBaseMs: 10_000, loginAccountLimit: 5, loginAddressLimit: 100, registerAddressLimit: 1, registerWindowSeconds: 60 };
      const [one, two] = [new AuthThrottle(a, settings), new AuthThrottle(b, settings)];
      await one.beforeLogin('x@example.com', '192.0.2.1');
      await two.beforeLogin('X@example.com', '192.0.2.1');
      await expect(one.beforeLogin('x@example.com', '192.0.2.2')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfter: 10 } });
      await one.loginSucceeded('x@example.com', '192.0.2.1');
      await two.beforeLogin('x@example.com', '192.0.2.1');
      await one.beforeRegister('192.0.2.1');
      await expect(two.beforeRegister('192.0.2.1')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    } finally {
      const redis = new Redis('redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await a.dispose();
      await b.dispose();
    }
  });

  it('fails closed (UNAVAILABLE) when its store is down', async () => {
    const broken: LimiterStore = {
      ...createMemoryLimiter(),
      consume: () => Promise.reject(new Error('connection refused')),
    };
    await expect(new AuthThrottle(broken).beforeLogin('x@example.com', null)).rejects.toMatchObject({ extensions: { code: 'UNAVAILABLE' } });
    await broken.dispose();
  });
});

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['', null],
    [undefined, null],
    ['not an ip', null],
    ['203.0.113.7, 10.0.0.1', null],
  ])('%j → %j', (raw, key) => {
    expect(addressKey(raw)).toBe(key);
  });
});
