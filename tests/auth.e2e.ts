// Accounts and tokens through the router, and the trust boundary between the
// router and the subgraphs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIdentity, IDENTITY_HEADER } from '@storm/common';
import { ok, request, wsClient } from './testkit/client.js';
import { ChangePassword, Login, Logout, Me, RefreshToken, Register } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser } from './testkit/users.js';

describe('accounts and tokens through the router', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('registers, logs in and answers `me` with the access token', async () => {
    const user = await registerUser(stack.httpUrl, 'carol');
    const { login } = await ok(stack.httpUrl, Login, { input: { email: user.email.toUpperCase(), password: user.password } });
    expect(login.user.id).toBe(user.id);
    const { me } = await ok(stack.httpUrl, Me, {}, login.accessToken);
    expect(me).toEqual({ id: user.id, handle: user.handle, displayName: user.displayName });
    expect((await ok(stack.httpUrl, Me, {})).me).toBeNull();
  });

  it('rotates refresh tokens and revokes the family when a rotated one is replayed', async () => {
    const user = await registerUser(stack.httpUrl, 'dave');
    const first = await ok(stack.httpUrl, RefreshToken, { token: user.refreshToken });
    const second = await ok(stack.httpUrl, RefreshToken, { token: first.refreshToken.refreshToken });
    expect(second.refreshToken.refreshToken).not.toBe(first.refreshToken.refreshToken);
    // The stolen-token case: the old one comes back.
    const replay = await request(stack.httpUrl, RefreshToken, { token: user.refreshToken });
    expect(replay.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // ...and the whole family is gone, including the newest token.
    const after = await request(stack.httpUrl, RefreshToken, { token: second.refreshToken.refreshToken });
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('changePassword: checks the current one, signs every other device out, and hands this one a new pair', async () => {
    const user = await registerUser(stack.httpUrl, 'changer');
    const other = (await ok(stack.httpUrl, Login, { input: { email: user.email, password: user.password } })).login;
    const change = (currentPassword: string, newPassword: string, token = user.accessToken) => request(stack.httpUrl, ChangePassword, { input: { currentPassword, newPassword } }, token);
    const refusal = async (res: ReturnType<typeof change>) => {
      const { errors } = await res;
      return [errors?.[0]?.extensions?.code, errors?.[0]?.extensions?.field];
    };
    expect(await refusal(change('not my password', 'a brand new passphrase'))).toEqual(['BAD_USER_INPUT', 'currentPassword']);
    expect(await refusal(change(user.password, 'short'))).toEqual(['BAD_USER_INPUT', 'newPassword']);
    expect(await refusal(change(user.password, user.password))).toEqual(['BAD_USER_INPUT', 'newPassword']);
    expect(await refusal(change(user.password, 'a brand new passphrase', 'not-a-token'))).toEqual(['UNAUTHENTICATED', undefined]);
    // Nothing changed so far: the old password still signs in.
    await ok(stack.httpUrl, Login, { input: { email: user.email, password: user.password } });

    const { changePassword } = await ok(stack.httpUrl, ChangePassword, { input: { currentPassword: user.password, newPassword: 'a brand new passphrase' } }, user.accessToken);
    expect(changePassword.user.id).toBe(user.id);
    // Every refresh token issued before is dead, on every device; the new one works.
    for (const token of [user.refreshToken, other.refreshToken]) {
      expect((await request(stack.httpUrl, RefreshToken, { token })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    await ok(stack.httpUrl, RefreshToken, { token: changePassword.refreshToken });
    expect((await request(stack.httpUrl, Login, { input: { email: user.email, password: user.password } })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await ok(stack.httpUrl, Login, { input: { email: user.email, password: 'a brand new passphrase' } });
    expect((await ok(stack.httpUrl, Me, {}, changePassword.accessToken)).me?.id).toBe(user.id);

    // Guessing the current password with a stolen access token is throttled like login.
    const codes: unknown[] = [];
    for (let i = 0; i < 8; i++) codes.push((await refusal(change(`guess number ${i}!`, 'another new passphrase', changePassword.accessToken)))[0]);
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('BAD_USER_INPUT'));
    expect(codes).toContain('RATE_LIMITED');
  });

  it('logout ends the refresh family', async () => {
    const user = await registerUser(stack.httpUrl, 'erin');
    expect((await ok(stack.httpUrl, Logout, { token: user.refreshToken })).logout).toBe(true);
    const res = await request(stack.httpUrl, RefreshToken, { token: user.refreshToken });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers bad registrations with the field at fault, and login failures without telling whether the account exists', async () => {
    const taken = await registerUser(stack.httpUrl, 'frank');
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ handle: 'No Spaces!' }, 'BAD_USER_INPUT', 'handle'],
      [{ handle: 'ab' }, 'BAD_USER_INPUT', 'handle'],
      [{ email: 'not-an-email' }, 'BAD_USER_INPUT', 'email'],
      [{ password: 'short' }, 'BAD_USER_INPUT', 'password'],
      [{ handle: taken.handle }, 'CONFLICT', 'handle'],
    ];
    for (const [override, code, field] of cases) {
      const input = { handle: `ok_${Math.random().toString(36).slice(2, 10)}`, email: `${Math.random().toString(36).slice(2)}@example.test`, password: 'long enough password', ...override };
      const res = await request(stack.httpUrl, Register, { input });
      expect(res.errors?.[0]?.extensions, JSON.stringify(override)).toMatchObject({ code, field });
    }
    const wrongPassword = await request(stack.httpUrl, Login, { input: { email: taken.email, password: 'wrong password!!' } });
    const noAccount = await request(stack.httpUrl, Login, { input: { email: 'nobody@example.test', password: 'wrong password!!' } });
    // Identical but for the request id that correlates each response with the logs.
    const { requestId: _a, ...wrongExtensions } = wrongPassword.errors?.[0]?.extensions ?? {};
    const { requestId: _b, ...noAccountExtensions } = noAccount.errors?.[0]?.extensions ?? {};
    expect({ ...wrongPassword.errors?.[0], extensions: wrongExtensions }).toEqual({ ...noAccount.errors?.[0], extensions: noAccountExtensions });
    expect(wrongPassword.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a forged or missing access token over HTTP with 401', async () => {
    const user = await registerUser(stack.httpUrl, 'gina');
    const [head, payload] = user.accessToken.split('.');
    const forged = `${head}.${payload}.${'A'.repeat(86)}`;
    for (const token of [forged, 'garbage', user.refreshToken]) {
      const res = await request(stack.httpUrl, Me, {}, token);
      expect(res.status).toBe(401);
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('closes a WebSocket whose connection_init carries a bad token with 4403', async () => {
    for (const token of ['garbage', undefined]) {
      const client = wsClient(stack.wsUrl, token, { lazy: false });
      const code = await new Promise<number>((resolve) => client.on('closed', (e) => resolve((e as { code: number }).code)));
      expect(code).toBe(4403);
      await client.dispose();
    }
  });

  it('subgraphs refuse requests that do not carry the router-signed identity', async () => {
    const user = await registerUser(stack.httpUrl, 'hank');
    const query = JSON.stringify({ query: '{ me { id } }' });
    const post = (headers: Record<string, string>) =>
      fetch(stack.users.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: query });
    // No identity, an identity signed with another secret, a client token in its place.
    const otherKey = new TextEncoder().encode('x'.repeat(48));
    const attempts: Array<Record<string, string>> = [
      {},
      { [IDENTITY_HEADER]: await signIdentity({ userId: user.id }, otherKey) },
      { [IDENTITY_HEADER]: user.accessToken },
    ];
    for (const headers of attempts) {
      const res = await post(headers);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { data?: unknown; errors: Array<{ extensions: { code: string } }> };
      expect(body.data ?? null).toBeNull();
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});
