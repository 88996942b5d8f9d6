import { describe, expect, it } from 'vitest';
import { ConfigError } from '@storm/common';
import { loadRouterEnv } from './env.js';

describe('router settings', () => {
  it('has working defaults for development', () => {
    const env = loadRouterEnv({});
    expect(env).toMatchObject({ PORT: 4000, HOST: '127.0.0.1', BUS: 'memory', USERS_URL: 'http://127.0.0.1:4001/graphql' });
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
