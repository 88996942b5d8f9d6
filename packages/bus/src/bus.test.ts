/**
 * Runs the one bus suite over every adapter, against the real NATS and Redis
 * on 127.0.0.1 (each suite instance uses its own random prefix).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe } from 'vitest';
import { busSuite, type BusFactory } from './bus.suite.js';
import { createBus } from './index.js';
import { createNatsBus, natsStreamName } from './nats.js';
import { createRedisBus } from './redis.js';

const NATS = { host: '127.0.0.1', port: 4222 };
const REDIS = { host: '127.0.0.1', port: 6379 };
const quiet = () => {};

const memory: BusFactory = {
  kind: 'memory',
  dedupesMsgId: false,
  // Through createBus, so buses with one prefix share a hub as in production.
  create: (prefix, options) => createBus({ kind: 'memory', prefix, ...options }),
};

const nats: BusFactory = {
  kind: 'nats',
  dedupesMsgId: true,
  create: (prefix, options) =>
    createNatsBus({ servers: `nats://${NATS.host}:${NATS.port}`, prefix, storage: 'memory', log: quiet, ...options }),
  server: {
    ...NATS,
    createVia: (port, prefix, options) =>
      createNatsBus({
        servers: `nats://127.0.0.1:${port}`,
        prefix,
        storage: 'memory',
        publishTimeoutMs: 500,
        reconnectTimeWaitMs: 100,
        log: quiet,
        ...options,
      }),
    loseStateWhileDown: deleteStream,
  },
  cleanup: deleteStream,
};

async function deleteStream(prefix: string): Promise<void> {
  const nc = await connect({ servers: `nats://${NATS.host}:${NATS.port}` });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(natsStreamName(prefix)).catch(() => false);
  } finally {
    await nc.close();
  }
}

const redis: BusFactory = {
  kind: 'redis',
  dedupesMsgId: false,
  create: (prefix, options) => createRedisBus({ url: `redis://${REDIS.host}:${REDIS.port}`, prefix, log: quiet, ...options }),
  server: {
    ...REDIS,
    createVia: (port, prefix, options) =>
      createRedisBus({ url: `redis://127.0.0.1:${port}`, prefix, commandTimeoutMs: 500, log: quiet, ...options }),
  },
};

describe.each([memory, nats, redis])('$kind bus', (factory) => {
  busSuite(factory);
});
