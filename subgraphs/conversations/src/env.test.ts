import { ConfigError } from '@storm/common';
import { describe, expect, it } from 'vitest';
import { loadConversationsEnv } from './env.js';

const base = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u@h/db', IDENTITY_SECRET: 's'.repeat(32), BUS: 'nats', BUS_PREFIX: 'prod' };

function problems(source: Record<string, string>): string[] {
  try {
    loadConversationsEnv(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConversationsEnv', () => {
  it('applies the documented defaults', () => {
    const env = loadConversationsEnv(base);
    expect(env).toMatchObject({
      development: false,
      host: '127.0.0.1',
      port: 4002,
      usersUrl: 'http://127.0.0.1:4001/graphql',
      usersTimeoutMs: 5000,
      mediaUrl: 'http://127.0.0.1:4003/graphql',
      mediaTimeoutMs: 5000,
      bus: { kind: 'nats', prefix: 'prod', servers: 'nats://127.0.0.1:4222' },
      outbox: { pollIntervalMs: 250, batchSize: 1000 },
      rateLimits: { send: { burst: 300, perSecond: 30 }, react: { burst: 100, perSecond: 10 }, create: { burst: 30, perSecond: 0.5 } },
    });
    expect(loadConversationsEnv({ ...base, RATE_LIMIT_SEND_BURST: '0', RATE_LIMIT_CREATE_PER_SECOND: '2' }).rateLimits).toMatchObject({
      send: { burst: 0 },
      create: { burst: 30, perSecond: 2 },
    });
  });

  it('names every bad or missing setting', () => {
    const found = problems({ NODE_ENV: 'production', BUS: 'nats', PORT: 'x', USERS_URL: 'ftp://nope', MEDIA_URL: 'not a url', IDENTITY_SECRET: 'short' });
    expect(problems({ ...base, RATE_LIMIT_SEND_BURST: '-1', RATE_LIMIT_REACTION_PER_SECOND: '0' }).map((p) => p.split(':')[0])).toEqual([
      'RATE_LIMIT_SEND_BURST',
      'RATE_LIMIT_REACTION_PER_SECOND',
    ]);
    for (const name of ['DATABASE_URL', 'PORT', 'USERS_URL', 'MEDIA_URL', 'IDENTITY_SECRET']) {
      expect(found.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
  });

  it('keeps the rate limits in memory and reads no presence unless REDIS_PREFIX names their place in Redis (REDIS_URL)', () => {
    expect(loadConversationsEnv(base).rateLimitsAndPresenceRedis).toBeUndefined();
    expect(loadConversationsEnv({ ...base, REDIS_PREFIX: 'storm_prod' }).rateLimitsAndPresenceRedis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'storm_prod' });
    expect(loadConversationsEnv({ ...base, REDIS_PREFIX: 'storm_prod', REDIS_URL: 'rediss://r:6380' }).rateLimitsAndPresenceRedis).toEqual({ url: 'rediss://r:6380', prefix: 'storm_prod' });
    expect(problems({ ...base, REDIS_PREFIX: 'a b*' }).map((p) => p.split(':')[0])).toEqual(['REDIS_PREFIX']);
  });

  it('requires BUS_PREFIX for a shared bus (no default)', () => {
    const { BUS_PREFIX: _p, ...rest } = base;
    expect(problems(rest).some((p) => p.startsWith('BUS_PREFIX:'))).toBe(true);
  });

  it('requires IDENTITY_SECRET outside development only', () => {
    const { IDENTITY_SECRET: _s, ...rest } = base;
    expect(problems(rest).some((p) => p.startsWith('IDENTITY_SECRET:'))).toBe(true);
  });
});
