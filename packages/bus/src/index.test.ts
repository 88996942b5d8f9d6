import { describe, expect, test } from 'vitest';
import { parseEnv } from '@storm/common/env';
import { ConfigError } from '@storm/common/errors';
import { z } from 'zod';
import { busConfigFromEnv, busEnvSchema, busEnvShape, createBus, createMemoryBus, refineBusEnv, topics } from './index.js';
import { Collector } from './testing.js';

describe('busEnvSchema', () => {
  test('defaults to the memory bus with local server URLs', () => {
    const env = busEnvSchema.parse({});
    expect(env).toEqual({
      BUS: 'memory',
      NATS_URL: 'nats://127.0.0.1:4222',
      REDIS_URL: 'redis://127.0.0.1:6379',
      NATS_STREAM_MAX_AGE_MS: 86_400_000,
      NATS_STREAM_MAX_BYTES: 1024 ** 3,
      NATS_STREAM_REPLICAS: 1,
      NATS_STREAM_STORAGE: 'file',
    });
    expect(busConfigFromEnv(env)).toEqual({ kind: 'memory', prefix: 'storm' });
  });

  test.each(['nats', 'redis'])('BUS=%s without BUS_PREFIX is refused, naming BUS_PREFIX', (bus) => {
    const result = busEnvSchema.safeParse({ BUS: bus });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['BUS_PREFIX']);
  });

  test('refuses a bad BUS, a prefix that is not one token, and bad URLs', () => {
    const result = busEnvSchema.safeParse({ BUS: 'kafka', BUS_PREFIX: 'a.b', NATS_URL: 'http://x y', REDIS_URL: 'localhost' });
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['BUS', 'BUS_PREFIX', 'NATS_URL', 'REDIS_URL']);
  });

  test('refuses stream limits the server would refuse or that make no sense, naming each', () => {
    const result = busEnvSchema.safeParse({ NATS_STREAM_MAX_AGE_MS: '60000', NATS_STREAM_MAX_BYTES: '1000', NATS_STREAM_REPLICAS: '0', NATS_STREAM_STORAGE: 'disk' });
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['NATS_STREAM_MAX_AGE_MS', 'NATS_STREAM_MAX_BYTES', 'NATS_STREAM_REPLICAS', 'NATS_STREAM_STORAGE']);
    expect(result.error?.issues.find((i) => i.path[0] === 'NATS_STREAM_MAX_AGE_MS')?.message).toMatch(/duplicate window/);
  });

  test('turns settings into createBus configs', () => {
    expect(busConfigFromEnv(busEnvSchema.parse({ BUS: 'nats', BUS_PREFIX: 'prod', NATS_URL: 'nats://n1:4222,nats://n2:4222' }))).toEqual({
      kind: 'nats',
      servers: 'nats://n1:4222,nats://n2:4222',
      prefix: 'prod',
      maxAgeMs: 86_400_000,
      maxBytes: 1024 ** 3,
      replicas: 1,
      storage: 'file',
    });
    const tuned = { BUS: 'nats', BUS_PREFIX: 'prod', NATS_STREAM_MAX_AGE_MS: '0', NATS_STREAM_MAX_BYTES: '10485760', NATS_STREAM_REPLICAS: '3', NATS_STREAM_STORAGE: 'memory' };
    expect(busConfigFromEnv(busEnvSchema.parse(tuned))).toMatchObject({ maxAgeMs: 0, maxBytes: 10_485_760, replicas: 3, storage: 'memory' });
    expect(busConfigFromEnv(busEnvSchema.parse({ BUS: 'redis', BUS_PREFIX: 'prod', REDIS_URL: 'redis://r:6379' }))).toEqual({
      kind: 'redis',
      url: 'redis://r:6379',
      prefix: 'prod',
    });
  });

  test('merges into a service schema, by intersection or by spreading the shape', () => {
    const service = z.object({ PORT: z.coerce.number().default(4000) });
    const merged = service.and(busEnvSchema);
    expect(parseEnv('svc', merged, { PORT: '4100', BUS: 'nats', BUS_PREFIX: 'p' })).toMatchObject({ PORT: 4100, BUS: 'nats', BUS_PREFIX: 'p' });
    expect(() => parseEnv('svc', merged, { BUS: 'nats' })).toThrow(ConfigError);
    const spread = z.object({ PORT: z.coerce.number().default(4000), ...busEnvShape }).superRefine(refineBusEnv);
    expect(() => parseEnv('svc', spread, { BUS: 'redis' })).toThrow(/BUS_PREFIX/);
  });
});

describe('createBus memory', () => {
  test('buses with one prefix share a hub; other prefixes and private buses do not', async () => {
    const a = await createBus({ kind: 'memory', prefix: 'hubtest' });
    const b = await createBus({ kind: 'memory', prefix: 'hubtest' });
    const other = await createBus({ kind: 'memory', prefix: 'hubother' });
    const solo = createMemoryBus({ prefix: 'hubtest' });
    const subject = topics('hubtest').user('u1', 'typing');
    const onB = new Collector();
    const onSolo = new Collector();
    await b.subscribe(subject, onB.handler);
    await solo.subscribe(subject, onSolo.handler);
    await other.subscribe(topics('hubother').user('u1', 'typing'), onSolo.handler);
    await a.publish(subject, { n: 1 });
    await solo.publish(subject, { n: 2 });
    await onB.until(1);
    await onSolo.until(1);
    expect(onB.payloads).toEqual([{ n: 1 }]);
    expect(onSolo.payloads).toEqual([{ n: 2 }]);
    await Promise.all([a, b, other, solo].map((bus) => bus.dispose()));
  });
});
