/**
 * A fix for @nats-io/nats-core 3.4's RequestOne (every core request, each
 * JetStream publish of the outbox relay included): when the answer arrives,
 * `resolver` resolves the request's promise and then calls `cancel()`, which
 * rejects the already-resolved promise with `new RequestError("cancelled")`.
 * The rejection is ignored, but the Error and its stack trace are built on
 * every answered request: 3% of the back end's CPU in the spread fan-out
 * benchmark, and garbage for the collector.
 *
 * Patched here: an answered request resolves, stops its timer and leaves the
 * mux, exactly as before, without the rejection that cannot land. Errors,
 * timeouts and cancellations still go through the library's own code. The
 * patch is applied once, to the one RequestOne class the client uses, and
 * only while that class still has the shape it fixes (`nats-request.test.ts`
 * would fail on an upgrade that changed it).
 */
import { RequestOne } from '@nats-io/nats-core/internal';

interface RequestOneInternals {
  timer?: { cancel(): void };
  deferred: { resolve(value: unknown): void };
  mux: { cancel(request: unknown): void };
}

type Resolver = (this: RequestOneInternals, err: Error | null, msg: unknown) => void;

const PATCHED = Symbol.for('storm.nats.requestOne.patched');

/** Whether RequestOne is the shape this patch was written for (see the file comment). */
export function requestOneHasCancelAfterResolve(): boolean {
  const proto = RequestOne.prototype as unknown as Record<string, unknown>;
  return typeof proto.resolver === 'function' && typeof proto.cancel === 'function' && /this\.cancel\(\)/.test(String(proto.resolver));
}

export function patchRequestOne(): boolean {
  const proto = RequestOne.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[PATCHED]) return true;
  if (!requestOneHasCancelAfterResolve()) return false;
  const original = proto.resolver as Resolver;
  proto.resolver = function resolver(this: RequestOneInternals, err: Error | null, msg: unknown): void {
    if (err) return original.call(this, err, msg);
    this.timer?.cancel();
    this.deferred.resolve(msg);
    this.mux.cancel(this);
  } satisfies Resolver;
  proto[PATCHED] = true;
  return true;
}
