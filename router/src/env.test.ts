import { describe, expect, it } from 'vitest';
import { ConfigError } from '@storm/common';
import { loadRouterEnv } from './env.js';

describe('router settings', () => {
  it('has working defaults for development', () => {
    const env = loadRouterEnv({});
    expect(env).toMatchObject({ PORT: 4000, HOST: '127.0.0.1', BUS: 'memory', USERS_URL: 'http://127.0.0.1:4001/graphql' });
  });

  it('validates the presence sweep: 0 turns it off, otherwise at least 100 ms', () => {
    expect(loadRouterEnv({})).toMatchObject({ PRESENCE_SWEEP_MS: 5000, PRESENCE_SWEEP_MAX_USERS: 5000 });
    expect(loadRouterEnv({ PRESENCE_SWEEP_MS: '0' }).PRESENCE_SWEEP_MS).toBe(0);
    for (const bad of [{ PRESENCE_SWEEP_MS: '50' }, { PRESENCE_SWEEP_MS: '-1' }, { PRESENCE_SWEEP_MS: 'often' }, { PRESENCE_SWEEP_MAX_USERS: '0' }]) {
      expect(() => loadRouterEnv(bad), JSON.stringify(bad)).toThrow(new RegExp(Object.keys(bad)[0]!));
    }
  });

  it('reads TRUSTED_PROXIES as addresses and CIDR ranges, refusing anything else by name', () => {
    expect(loadRouterEnv({}).TRUSTED_PROXIES).toBe('');
    expect(loadRouterEnv({ TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8' }).TRUSTED_PROXIES).toBe('10.0.0.0/8, fd00::/8');
    expect(() => loadRouterEnv({ TRUSTED_PROXIES: '10.0.0.0/8, ingress.local' })).toThrow(/TRUSTED_PROXIES.*ingress\.local/s);
  });

  it('stops with a message naming every bad setting', () => {
    let error: unknown;
    try {
      loadRouterEnv({ PORT: 'eighty', BUS: 'nats', IDENTITY_SECRET: 'short', WS_MAX_PAYLOAD: '-1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'BUS_PREFIX', 'IDENTITY_SECRET', 'WS_MAX_PAYLOAD']) expect(message).toContain(name);
  });
});
