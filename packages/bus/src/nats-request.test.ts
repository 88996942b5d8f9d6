/** The RequestOne fix (nats-request.ts), on the real NATS server. */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { patchRequestOne, requestOneHasCancelAfterResolve } from './nats-request.js';

// The library's own errors module (the instance its request code reads
// `RequestError` from at each construction), to count what it builds.
const natsRequire = createRequire(createRequire(import.meta.url).resolve('@nats-io/nats-core/internal'));
const errorsModule = natsRequire('./errors.js') as { RequestError: new (...args: unknown[]) => Error };

let nc: NatsConnection;
const subject = `storm.test.req.${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  nc = await connect({ servers: 'nats://127.0.0.1:4222', noAsyncTraces: true });
  nc.subscribe(subject, { callback: (_err, msg) => void msg.respond(msg.data) });
  nc.subscribe(`${subject}.silent`, { callback: () => {} });
  await nc.flush();
});
afterAll(async () => {
  await nc.close();
});

/** How many RequestErrors `run` makes the library build. */
async function requestErrorsBuiltBy(run: () => Promise<unknown>): Promise<number> {
  const Original = errorsModule.RequestError;
  let built = 0;
  errorsModule.RequestError = class extends Original {
    constructor(...args: unknown[]) {
      super(...args);
      built++;
    }
  };
  try {
    await run();
  } finally {
    errorsModule.RequestError = Original;
  }
  return built;
}

const hundredRequests = () => Promise.all(Array.from({ length: 100 }, (_, i) => nc.request(subject, `m${i}`, { timeout: 2_000 })));

test('the installed nats-core still has the shape the patch fixes', () => {
  // If an upgrade fixed or reshaped RequestOne, drop or rewrite nats-request.ts.
  expect(requestOneHasCancelAfterResolve()).toBe(true);
});

test('an answered request builds no RequestError once patched, and still resolves with its answer', async () => {
  // Unpatched, the library builds one per answered request: this is what the patch removes.
  expect(await requestErrorsBuiltBy(hundredRequests)).toBe(100);
  expect(patchRequestOne()).toBe(true);
  expect(patchRequestOne()).toBe(true); // idempotent
  let answers: string[] = [];
  expect(await requestErrorsBuiltBy(async () => (answers = (await hundredRequests()).map((m) => m.string())))).toBe(0);
  expect(answers).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
});

test('the error paths are the library’s own: no responders, a timeout', async () => {
  patchRequestOne();
  const noResponders = await nc.request(`${subject}.nobody`, 'x', { timeout: 2_000 }).catch((err: unknown) => err);
  expect(noResponders).toBeInstanceOf(errorsModule.RequestError);
  expect((noResponders as { isNoResponders(): boolean }).isNoResponders()).toBe(true);
  const timedOut = await nc.request(`${subject}.silent`, 'x', { timeout: 100 }).catch((err: unknown) => err);
  expect((timedOut as Error).name).toBe('TimeoutError');
  // The mux forgot both: a later request still gets its own answer.
  expect((await nc.request(subject, 'after', { timeout: 2_000 })).string()).toBe('after');
});
