import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from './gate.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('ConcurrencyGate', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order as slots free', async () => {
    const gate = new ConcurrencyGate(2);
    const started: number[] = [];
    const release = new Map<number, () => void>();
    const tasks = [0, 1, 2, 3, 4].map((i) =>
      gate.run(async () => {
        started.push(i);
        await new Promise<void>((r) => release.set(i, r));
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([gate.inFlight, gate.queued]).toEqual([2, 3]);
    release.get(1)!();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    release.get(0)!();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const i of [2, 3]) release.get(i)!();
    await tick();
    release.get(4)!();
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4]);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  it('frees the slot of a task that throws, and passes the error on', async () => {
    const gate = new ConcurrencyGate(1);
    const failed = gate.run(async () => {
      throw new Error('head read failed');
    });
    const next = gate.run(async () => 'ran');
    await expect(failed).rejects.toThrow('head read failed');
    expect(await next).toBe('ran');
    expect(gate.inFlight).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) expect(() => new ConcurrencyGate(limit)).toThrow(RangeError);
  });
});
