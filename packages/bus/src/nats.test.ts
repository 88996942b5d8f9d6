/** NATS-only behaviour the shared suite cannot express: how the stream is ensured. */
import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { BusError } from './errors.js';
import { busConfigFromEnv, busEnvSchema } from './index.js';
import { createNatsBus, NATS_LIVE_ROOT, natsStreamName, type NatsBusOptions } from './nats.js';

const servers = 'nats://127.0.0.1:4222';
const base = `nt${randomBytes(4).toString('hex')}`;
let counter = 0;
let prefix: string;
let nc: NatsConnection;
let jsm: JetStreamManager;
const quiet = () => {};
const settings = (extra: Partial<NatsBusOptions> = {}): NatsBusOptions => ({ servers, prefix, storage: 'memory', log: quiet, ...extra });

beforeAll(async () => {
  nc = await connect({ servers });
  jsm = await jetstreamManager(nc);
});
afterEach(async () => {
  await jsm.streams.delete(natsStreamName(prefix)).catch(() => false);
});
afterAll(async () => {
  await nc.close();
});
// A fresh prefix (and stream) per test.
const next = () => (prefix = `${base}_${++counter}`);

test('creates the stream with the limits, the dedupe window and the republish rule', async () => {
  next();
  const bus = await createNatsBus(settings({ maxAgeMs: 3_600_000, duplicateWindowMs: 30_000, maxBytes: 1_000_000 }));
  await bus.dispose();
  const { config } = await jsm.streams.info(natsStreamName(prefix));
  expect(config).toMatchObject({
    subjects: [`${prefix}.>`],
    storage: 'memory',
    max_age: nanos(3_600_000),
    duplicate_window: nanos(30_000),
    max_bytes: 1_000_000,
    discard: 'old',
    republish: { src: `${prefix}.>`, dest: `${NATS_LIVE_ROOT}.${prefix}.>` },
  });
});

test('takes its limits from the environment, so a service configured only by it keeps the stream it is given', async () => {
  next();
  const env = busEnvSchema.parse({ BUS: 'nats', BUS_PREFIX: prefix, NATS_STREAM_MAX_AGE_MS: '3600000', NATS_STREAM_MAX_BYTES: '5242880', NATS_STREAM_STORAGE: 'memory' });
  const config = busConfigFromEnv(env);
  if (config.kind !== 'nats') throw new Error('expected a nats config');
  await (await createNatsBus({ ...config, log: () => {} })).dispose();
  // A second process with the same settings (another service, a restart) leaves it as it is.
  await (await createNatsBus({ ...config, log: () => {} })).dispose();
  const info = await jsm.streams.info(natsStreamName(prefix));
  expect(info.config).toMatchObject({ max_age: nanos(3_600_000), max_bytes: 5_242_880, storage: 'memory', num_replicas: 1 });
});

test('brings an existing stream to new limits', async () => {
  next();
  await (await createNatsBus(settings({ maxAgeMs: 60_000, duplicateWindowMs: 10_000 }))).dispose();
  await (await createNatsBus(settings({ maxAgeMs: 7_200_000, duplicateWindowMs: 60_000 }))).dispose();
  const { config } = await jsm.streams.info(natsStreamName(prefix));
  expect(config.max_age).toBe(nanos(7_200_000));
  expect(config.duplicate_window).toBe(nanos(60_000));
});

test('adds a missing republish rule where the server allows it, else refuses with what to do', async () => {
  next();
  // As an operator (or another tool) might have left it.
  await jsm.streams.add({ name: natsStreamName(prefix), subjects: [`${prefix}.>`], storage: 'memory' as never });
  const [major, minor] = (nc.info?.version ?? '0.0').split('.').map(Number);
  if (major > 2 || (major === 2 && minor >= 10)) {
    await (await createNatsBus(settings())).dispose();
    const { config } = await jsm.streams.info(natsStreamName(prefix));
    expect(config.republish?.dest).toBe(`${NATS_LIVE_ROOT}.${prefix}.>`);
  } else {
    // nats-server 2.9 cannot change republish in place.
    const err = await createNatsBus(settings()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusError);
    expect((err as BusError).message).toMatch(/cannot set up JetStream stream .*republish.*delete the stream/);
  }
});

test('refuses to run on a stream whose storage differs from the settings', async () => {
  next();
  await (await createNatsBus(settings({ storage: 'memory' }))).dispose();
  await expect(createNatsBus(settings({ storage: 'file' }))).rejects.toBeInstanceOf(BusError);
});

test('refuses a duplicate window longer than the retention, and a bad prefix', async () => {
  next();
  await expect(createNatsBus(settings({ maxAgeMs: 1000, duplicateWindowMs: 2000 }))).rejects.toBeInstanceOf(BusError);
  await expect(createNatsBus(settings({ prefix: 'a.b' }))).rejects.toThrow(/prefix/);
});
