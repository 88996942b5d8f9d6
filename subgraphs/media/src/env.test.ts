import { describe, expect, it } from 'vitest';
import { ConfigError } from '@storm/common';
import { loadMediaEnv } from './env.js';

const secret = 'x'.repeat(32);

describe('loadMediaEnv', () => {
  it('applies the defaults', () => {
    expect(loadMediaEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/storm', IDENTITY_SECRET: secret })).toEqual({
      nodeEnv: 'production',
      development: false,
      host: '127.0.0.1',
      port: 4003,
      databaseUrl: 'postgres://db/storm',
      identitySecret: secret,
      usersUrl: 'http://127.0.0.1:4001/graphql',
      conversationsUrl: 'http://127.0.0.1:4002/graphql',
      peersTimeoutMs: 5000,
      storage: { storageDir: '.storm/media', maxUploadBytes: 10 * 1024 * 1024, uploadLimit: { burst: 30, perSecond: 0.5 }, quotaBytes: 1024 ** 3 },
    });
  });

  it('reads the storage settings; a burst of 0 turns the upload limit off, a quota of 0 the quota', () => {
    const env = loadMediaEnv({ NODE_ENV: 'test', DATABASE_URL: 'postgres://db/storm', IDENTITY_SECRET: secret, MEDIA_STORAGE_DIR: '/data/media', MEDIA_MAX_BYTES: '1024', MEDIA_UPLOAD_BURST: '0', MEDIA_QUOTA_BYTES: '0' });
    expect(env.storage).toEqual({ storageDir: '/data/media', maxUploadBytes: 1024, uploadLimit: false, quotaBytes: false });
    const quota = loadMediaEnv({ NODE_ENV: 'test', DATABASE_URL: 'postgres://db/storm', IDENTITY_SECRET: secret, MEDIA_QUOTA_BYTES: String(50 * 1024 ** 3) });
    expect(quota.storage.quotaBytes).toBe(50 * 1024 ** 3);
  });

  it('lists every bad setting at once, by name', () => {
    let error: unknown;
    try {
      loadMediaEnv({ NODE_ENV: 'production', PORT: '70000', MEDIA_MAX_BYTES: '0', MEDIA_UPLOAD_PER_SECOND: '-1', MEDIA_QUOTA_BYTES: '-1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems).toEqual(['PORT', 'DATABASE_URL', 'MEDIA_MAX_BYTES', 'MEDIA_UPLOAD_PER_SECOND', 'MEDIA_QUOTA_BYTES', 'IDENTITY_SECRET']);
  });

  it('refuses a short identity secret', () => {
    expect(() => loadMediaEnv({ NODE_ENV: 'test', DATABASE_URL: 'postgres://db/storm', IDENTITY_SECRET: 'short' })).toThrow(/IDENTITY_SECRET/);
  });
});
