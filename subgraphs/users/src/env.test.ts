import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from '@storm/common';
import { describe, expect, it } from 'vitest';
import { loadUsersEnv } from './env.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const ed25519 = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function configError(source: NodeJS.ProcessEnv): ConfigError {
  try {
    loadUsersEnv(source);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadUsersEnv', () => {
  it('production requires JWT_PRIVATE_KEY, IDENTITY_SECRET and DATABASE_URL, naming each', () => {
    const err = configError({ NODE_ENV: 'production' });
    expect(err.problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(err.problems.join('\n')).toMatch(/IDENTITY_SECRET: required in production/);
    expect(err.problems.join('\n')).toMatch(/JWT_PRIVATE_KEY: required in production/);
  });

  it('rejects a short identity secret, a non-Ed25519 key and bad numbers', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const err = configError({
      NODE_ENV: 'production',
      DATABASE_URL,
      IDENTITY_SECRET: 'short',
      JWT_PRIVATE_KEY: rsa,
      JWT_ACCESS_TTL_SECONDS: 'soon',
      PORT: '70000',
      MEDIA_URL: 'ftp://media/graphql',
      MEDIA_TIMEOUT_MS: '10',
    });
    const text = err.problems.join('\n');
    for (const name of ['IDENTITY_SECRET', 'JWT_PRIVATE_KEY', 'JWT_ACCESS_TTL_SECONDS', 'PORT', 'MEDIA_URL', 'MEDIA_TIMEOUT_MS']) expect(text).toContain(name);
  });

  it('production with everything set; defaults for the rest', () => {
    const key = ed25519();
    const env = loadUsersEnv({ NODE_ENV: 'production', DATABASE_URL, IDENTITY_SECRET: 'x'.repeat(32), JWT_PRIVATE_KEY: key });
    expect(env).toMatchObject({
      development: false,
      host: '127.0.0.1',
      port: 4001,
      identitySecret: 'x'.repeat(32),
      mediaUrl: 'http://127.0.0.1:4003/graphql',
      mediaTimeoutMs: 5000,
      jwt: { privateKeyPem: key, issuer: 'storm', audience: 'storm', accessTtlSeconds: 900, refreshTtlSeconds: 2_592_000, refreshReuseGraceSeconds: 0 },
    });
  });

  it('outside production, unset secrets fall back to the shared dev material', () => {
    const a = loadUsersEnv({ DATABASE_URL });
    const b = loadUsersEnv({ NODE_ENV: 'test', DATABASE_URL, JWT_PRIVATE_KEY: '' });
    expect(a.development).toBe(true);
    expect(b.development).toBe(false);
    expect(a.identitySecret.length).toBeGreaterThanOrEqual(32);
    expect(a.jwt.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(b.jwt.privateKeyPem).toBe(a.jwt.privateKeyPem);
    expect(b.identitySecret).toBe(a.identitySecret);
  });

  it('throttle settings have defaults and are validated; REDIS_URL needs REDIS_PREFIX', () => {
    const env = loadUsersEnv({ NODE_ENV: 'test', DATABASE_URL });
    expect(env.redis).toBeUndefined();
    expect(env.throttle).toEqual({
      loginWindowSeconds: 900,
      loginAccountFree: 5,
      loginDelayBaseMs: 1000,
      loginAccountLimit: 20,
      loginAddressLimit: 100,
      registerAddressLimit: 20,
      registerWindowSeconds: 3600,
    });
    const text = configError({ NODE_ENV: 'test', DATABASE_URL, REDIS_URL: 'redis://127.0.0.1:6379', LOGIN_ACCOUNT_LIMIT: '0' }).problems.join('\n');
    expect(text).toMatch(/REDIS_PREFIX: required with REDIS_URL/);
    expect(text).toMatch(/LOGIN_ACCOUNT_LIMIT/);
    expect(configError({ NODE_ENV: 'test', DATABASE_URL, REDIS_URL: 'http://x' }).problems.join('\n')).toMatch(/REDIS_URL/);
    const set = loadUsersEnv({ NODE_ENV: 'test', DATABASE_URL, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: 'storm_a', LOGIN_ACCOUNT_FREE: '3' });
    expect(set.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'storm_a' });
    expect(set.throttle.loginAccountFree).toBe(3);
  });
});
