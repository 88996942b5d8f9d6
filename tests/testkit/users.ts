import { randomBytes } from 'node:crypto';
import { ok } from './client.js';
import { Register } from './operations.js';

export interface TestUser {
  id: string;
  handle: string;
  displayName: string;
  accessToken: string;
  refreshToken: string;
  email: string;
  password: string;
}

/** Registers a fresh user through the router. */
export async function registerUser(url: string, name = 'user'): Promise<TestUser> {
  const handle = `${name}_${randomBytes(4).toString('hex')}`.slice(0, 32);
  const email = `${handle}@example.test`;
  const password = 'correct horse battery staple';
  const { register } = await ok(url, Register, { input: { handle, email, password, displayName: `${name} ${handle.slice(-4)}` } });
  return { ...register.user, accessToken: register.accessToken, refreshToken: register.refreshToken, email, password };
}
