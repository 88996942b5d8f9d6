// Login throttling per client address behind an ingress: the router believes
// X-Forwarded-For only from TRUSTED_PROXIES, so clients behind one proxy are
// counted apart, and nobody escapes the limit by forging the header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { ClientAddress } from '@storm/router/client-address';
import { Login } from './testkit/operations.js';
import { startReplica, startTestStack, type Replica, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const LIMIT = 3;

async function login(url: string, user: TestUser, forwardedFor: string): Promise<string | undefined> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ query: print(Login), variables: { input: { email: user.email, password: 'not the password' } } }),
  });
  const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return body.errors?.[0]?.extensions?.code;
}

describe('client address behind trusted proxies', () => {
  let stack: TestStack;
  let behindProxy: Replica;
  let users: TestUser[];

  beforeAll(async () => {
    stack = await startTestStack({ throttle: { loginAddressLimit: LIMIT } });
    // The test client is 127.0.0.1: to this replica it is the ingress.
    behindProxy = await startReplica(stack, { clientAddress: ClientAddress.parse('127.0.0.1, ::1') });
    // One account per attempt: the per-account limit never fires, only the per-address one.
    users = await Promise.all(Array.from({ length: 3 * LIMIT + 2 }, (_, i) => registerUser(stack.httpUrl, `xff${i}`)));
  });
  afterAll(async () => {
    await behindProxy?.dispose();
    await stack?.dispose();
  });

  it('counts failed logins per forwarded client, not per proxy', async () => {
    const next = users.slice(0, LIMIT + 2).values();
    for (let i = 0; i < LIMIT; i++) expect(await login(behindProxy.router.url, next.next().value!, '203.0.113.7')).toBe('UNAUTHENTICATED');
    expect(await login(behindProxy.router.url, next.next().value!, '203.0.113.7')).toBe('RATE_LIMITED');
    // Another client behind the same proxy has its own budget.
    expect(await login(behindProxy.router.url, next.next().value!, '203.0.113.8')).toBe('UNAUTHENTICATED');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy: forging it escapes nothing', async () => {
    const next = users.slice(LIMIT + 2).values();
    for (let i = 0; i < LIMIT; i++) expect(await login(stack.httpUrl, next.next().value!, `198.51.100.${i}`)).toBe('UNAUTHENTICATED');
    expect(await login(stack.httpUrl, next.next().value!, '198.51.100.99')).toBe('RATE_LIMITED');
  });
});
