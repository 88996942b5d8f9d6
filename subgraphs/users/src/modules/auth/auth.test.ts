import { hashRefreshToken, verifyAccessToken } from '@storm/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUsersHarness, type UsersHarness } from '../../test-kit.js';

const PAYLOAD = `accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt user { id handle displayName }`;
const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { ${PAYLOAD} } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { ${PAYLOAD} } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { ${PAYLOAD} } }`;
const LOGOUT = `mutation ($t: String!) { logout(refreshToken: $t) }`;

interface Payload {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
  user: { id: string; handle: string; displayName: string };
}

let h: UsersHarness;
let seq = 0;
const unique = () => `u${process.pid % 1000}_${++seq}`;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  h = await startUsersHarness();
});
afterAll(async () => {
  await h?.close();
});

async function register(overrides: Record<string, unknown> = {}): Promise<Payload> {
  const handle = unique();
  const res = await h.gql<{ register: Payload }>(REGISTER, {
    input: { handle, email: `${handle}@example.com`, password: PASSWORD, ...overrides },
  });
  expect(res.errors).toBeUndefined();
  return res.data!.register;
}

async function refresh(token: string) {
  return h.gql<{ refreshToken: Payload }>(REFRESH, { t: token });
}

const codeOf = (res: { errors?: Array<{ extensions?: { code?: string } }> }) => res.errors?.[0]?.extensions?.code;

describe('register', () => {
  it('creates an account, stores an argon2id hash and a hashed refresh token, and signs a valid access token', async () => {
    const handle = unique();
    const res = await h.gql<{ register: Payload }>(REGISTER, {
      input: { handle, email: `  ${handle.toUpperCase()}@Example.COM `, password: PASSWORD, displayName: '  Ada Lovelace ' },
    });
    expect(res.errors).toBeUndefined();
    const p = res.data!.register;
    expect(p.user).toMatchObject({ handle, displayName: 'Ada Lovelace' });

    const row = await h.prisma.user.findUniqueOrThrow({ where: { id: p.user.id } });
    expect(row.email).toBe(`${handle}@example.com`);
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const tokens = await h.prisma.refreshToken.findMany({ where: { userId: p.user.id } });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.tokenHash).toBe(hashRefreshToken(p.refreshToken));
    expect(tokens[0]!.tokenHash).not.toContain(p.refreshToken);

    const verified = await verifyAccessToken(p.accessToken, h.verifyKey, h.tokens);
    expect(verified.userId).toBe(p.user.id);
    expect(new Date(p.accessTokenExpiresAt).getTime()).toBe(verified.exp * 1000);
    expect(new Date(p.refreshTokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('defaults displayName to the handle', async () => {
    const p = await register();
    expect(p.user.displayName).toBe(p.user.handle);
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['handle too short', { handle: 'ab' }, 'handle'],
    ['handle too long', { handle: 'a'.repeat(33) }, 'handle'],
    ['handle with uppercase', { handle: 'Alice_1' }, 'handle'],
    ['handle with a dash', { handle: 'al-ice' }, 'handle'],
    ['handle with a space', { handle: 'al ice' }, 'handle'],
    ['email without @', { email: 'nope' }, 'email'],
    ['email too long', { email: `${'a'.repeat(250)}@example.com` }, 'email'],
    ['password too short', { password: '123456789' }, 'password'],
    ['password too long', { password: 'x'.repeat(257) }, 'password'],
    ['displayName blank', { displayName: '   ' }, 'displayName'],
    ['displayName too long', { displayName: 'é'.repeat(65) }, 'displayName'],
    ['displayName with a control character', { displayName: 'bad\u0000name' }, 'displayName'],
  ];
  it.each(invalid)('%s → BAD_USER_INPUT on %s, nothing written', async (_name, overrides, field) => {
    const before = [await h.prisma.user.count(), await h.prisma.refreshToken.count()];
    const handle = unique();
    const res = await h.gql(REGISTER, {
      input: { handle, email: `${handle}@example.com`, password: PASSWORD, ...overrides },
    });
    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect([await h.prisma.user.count(), await h.prisma.refreshToken.count()]).toEqual(before);
  });

  it('accepts the boundaries: 3- and 32-char handles, 10- and 256-char passwords, 64-char names', async () => {
    await register({ handle: `b${seq++}`.padEnd(3, '_').slice(0, 3).padEnd(3, '0') });
    const long = `l${process.pid}_${++seq}`.padEnd(32, '_');
    await register({ handle: long, email: `${long}@example.com`, password: 'p'.repeat(256), displayName: 'é'.repeat(64) });
    await register({ password: '0123456789' });
  });

  it('duplicate handle or email → CONFLICT with the field, nothing written', async () => {
    const first = await register();
    const handle = first.user.handle;
    const before = await h.prisma.user.count();

    const dupHandle = await h.gql(REGISTER, { input: { handle, email: `other_${handle}@example.com`, password: PASSWORD } });
    expect(dupHandle.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'handle' });

    const dupEmail = await h.gql(REGISTER, {
      input: { handle: unique(), email: `${handle.toUpperCase()}@EXAMPLE.com`, password: PASSWORD },
    });
    expect(dupEmail.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect(await h.prisma.user.count()).toBe(before);
  });

  it('concurrent registrations of one handle: exactly one succeeds, the other is CONFLICT (unique index, P2002)', async () => {
    const handle = unique();
    const results = await Promise.all(
      [1, 2, 3].map((i) => h.gql(REGISTER, { input: { handle, email: `${handle}_${i}@example.com`, password: PASSWORD } })),
    );
    const ok = results.filter((r) => !r.errors);
    const conflicts = results.filter((r) => codeOf(r) === 'CONFLICT');
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(2);
    for (const c of conflicts) expect(c.errors?.[0]?.extensions?.field).toBe('handle');
    expect(await h.prisma.user.count({ where: { handle } })).toBe(1);
  });
});

describe('login', () => {
  it('signs in with the right password (email case-insensitive) and starts a new family', async () => {
    const p = await register();
    const res = await h.gql<{ login: Payload }>(LOGIN, {
      input: { email: `${p.user.handle.toUpperCase()}@example.com`, password: PASSWORD },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.user.id).toBe(p.user.id);
    const families = await h.prisma.refreshToken.groupBy({ by: ['familyId'], where: { userId: p.user.id } });
    expect(families).toHaveLength(2);
  });

  it('wrong password, unknown email and malformed email all fail alike', async () => {
    const p = await register();
    const cases = [
      { email: `${p.user.handle}@example.com`, password: 'wrong password!' },
      { email: `nobody_${p.user.handle}@example.com`, password: PASSWORD },
      { email: 'not-an-email', password: PASSWORD },
    ];
    for (const input of cases) {
      const res = await h.gql(LOGIN, { input });
      expect(res.data).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]).toMatchObject({ message: 'Invalid email or password', extensions: { code: 'UNAUTHENTICATED' } });
    }
  });

  it('an unknown email costs a password verification too (timing)', async () => {
    // Spread over accounts and fresh unknown emails so no attempt is refused by the
    // per-account throttle (5 free failures), which would skip the verification on both sides.
    const accounts = [await register(), await register(), await register()];
    let attempt = 0;
    const wrongPassword = () =>
      h.gql(LOGIN, { input: { email: `${accounts[attempt++ % accounts.length]!.user.handle}@example.com`, password: 'wrong password!' } });
    const unknownEmail = () => h.gql(LOGIN, { input: { email: `nobody_${attempt++}_${accounts[0]!.user.handle}@example.com`, password: 'wrong password!' } });
    // CPU time of this process (the service runs in it; argon2's worker
    // threads included), not wall time: other work on the machine does not
    // inflate one side, so the comparison holds on a loaded CI box.
    const cpu = async (fn: () => Promise<unknown>) => {
      const before = process.cpuUsage();
      await fn();
      const used = process.cpuUsage(before);
      return used.user + used.system;
    };
    // The first calls pay for JIT, the dummy hash and argon2's first allocations.
    for (let i = 0; i < 3; i++) await Promise.all([wrongPassword(), unknownEmail()]);
    let known = 0;
    let unknown = 0;
    for (let i = 0; i < 6; i++) {
      known += await cpu(wrongPassword);
      unknown += await cpu(unknownEmail);
    }
    // Same work either way; without the dummy verification an unknown email
    // costs about a third of a wrong password.
    expect(unknown).toBeGreaterThan(known * 0.7);
  });
});

describe('refresh token rotation', () => {
  it('rotates: a new pair, the old token marked used, the successor in the same family', async () => {
    const p = await register();
    const res = await refresh(p.refreshToken);
    expect(res.errors).toBeUndefined();
    const next = res.data!.refreshToken;
    expect(next.user.id).toBe(p.user.id);
    expect(next.refreshToken).not.toBe(p.refreshToken);
    expect((await verifyAccessToken(next.accessToken, h.verifyKey, h.tokens)).userId).toBe(p.user.id);

    const old = await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(p.refreshToken) } });
    const successor = await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(next.refreshToken) } });
    expect(old.usedAt).not.toBeNull();
    expect(old.revokedAt).toBeNull();
    expect(successor.familyId).toBe(old.familyId);
    expect(successor.usedAt).toBeNull();

    // And the successor rotates in turn.
    const third = await refresh(next.refreshToken);
    expect(third.errors).toBeUndefined();
  });

  it('reuse of a rotated token revokes the whole family and fails UNAUTHENTICATED', async () => {
    const p = await register();
    const second = (await refresh(p.refreshToken)).data!.refreshToken;
    // A second login (another device) is a different family and must survive.
    const other = (await h.gql<{ login: Payload }>(LOGIN, { input: { email: `${p.user.handle}@example.com`, password: PASSWORD } })).data!
      .login;

    const reuse = await refresh(p.refreshToken);
    expect(codeOf(reuse)).toBe('UNAUTHENTICATED');
    expect(reuse.data).toBeNull();

    const family = (await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(p.refreshToken) } })).familyId;
    const rows = await h.prisma.refreshToken.findMany({ where: { familyId: family } });
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.revokedAt).not.toBeNull();

    // The legitimate holder's latest token no longer works either.
    expect(codeOf(await refresh(second.refreshToken))).toBe('UNAUTHENTICATED');
    // The other device's login is untouched.
    expect((await refresh(other.refreshToken)).errors).toBeUndefined();
  });

  it('concurrent refreshes with one token: exactly one winner, the others UNAUTHENTICATED; strict mode revokes the family', async () => {
    const p = await register();
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(p.refreshToken)));
    const winners = results.filter((r) => !r.errors);
    const losers = results.filter((r) => codeOf(r) === 'UNAUTHENTICATED');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(4);
    const rows = await h.prisma.refreshToken.findMany({ where: { userId: p.user.id } });
    expect(rows).toHaveLength(2); // the presented token and exactly one successor
    // Without a grace period a duplicate presentation is reuse, whatever its timing.
    for (const row of rows) expect(row.revokedAt).not.toBeNull();
    expect(codeOf(await refresh(winners[0]!.data!.refreshToken.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('expired, unknown, empty and oversized tokens → UNAUTHENTICATED, nothing written', async () => {
    const p = await register();
    await h.prisma.refreshToken.updateMany({
      where: { tokenHash: hashRefreshToken(p.refreshToken) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const before = await h.prisma.refreshToken.count();
    for (const t of [p.refreshToken, 'unknown-token', '', 'x'.repeat(10_000)]) {
      const res = await refresh(t);
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
    }
    expect(await h.prisma.refreshToken.count()).toBe(before);
    const row = await h.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(p.refreshToken) } });
    expect(row.usedAt).toBeNull();
  });

  it('an access token is not a refresh token', async () => {
    const p = await register();
    expect(codeOf(await refresh(p.accessToken))).toBe('UNAUTHENTICATED');
  });
});

describe('logout', () => {
  it('revokes the family: its tokens stop working; other logins do not', async () => {
    const p = await register();
    const rotated = (await refresh(p.refreshToken)).data!.refreshToken;
    const other = (await h.gql<{ login: Payload }>(LOGIN, { input: { email: `${p.user.handle}@example.com`, password: PASSWORD } })).data!
      .login;

    const out = await h.gql<{ logout: boolean }>(LOGOUT, { t: rotated.refreshToken });
    expect(out.data).toEqual({ logout: true });
    expect(codeOf(await refresh(rotated.refreshToken))).toBe('UNAUTHENTICATED');
    expect((await refresh(other.refreshToken)).errors).toBeUndefined();

    // Idempotent, and says nothing about unknown tokens.
    expect((await h.gql(LOGOUT, { t: rotated.refreshToken })).data).toEqual({ logout: true });
    expect((await h.gql(LOGOUT, { t: 'never-issued' })).data).toEqual({ logout: true });
  });
});

describe('refresh with a reuse grace period', () => {
  let g: UsersHarness;
  beforeAll(async () => {
    g = await startUsersHarness({ refreshReuseGraceSeconds: 30 });
  });
  afterAll(async () => {
    await g?.close();
  });

  it('concurrent refreshes: one winner whose successor keeps working; a later replay still revokes', async () => {
    const handle = unique();
    const reg = await g.gql<{ register: Payload }>(REGISTER, { input: { handle, email: `${handle}@example.com`, password: PASSWORD } });
    const first = reg.data!.register.refreshToken;
    const results = await Promise.all(Array.from({ length: 5 }, () => g.gql<{ refreshToken: Payload }>(REFRESH, { t: first })));
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === 'UNAUTHENTICATED')).toHaveLength(4);
    expect(await g.prisma.refreshToken.count({ where: { revokedAt: { not: null } } })).toBe(0);
    const next = winners[0]!.data!.refreshToken.refreshToken;

    // Past the grace period, the same replay is reuse.
    await g.prisma.refreshToken.updateMany({
      where: { tokenHash: hashRefreshToken(first) },
      data: { usedAt: new Date(Date.now() - 31_000) },
    });
    expect(codeOf(await g.gql(REFRESH, { t: first }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await g.gql(REFRESH, { t: next }))).toBe('UNAUTHENTICATED');
  });
});
