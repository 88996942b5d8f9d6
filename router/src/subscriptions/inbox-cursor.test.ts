import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './inbox-cursor.js';

describe('inbox cursor', () => {
  it('round-trips positions compactly', () => {
    const positions = new Map([
      ['0b9f5c2e-1d2a-4c3b-9e8f-7a6b5c4d3e2f', 0],
      ['ffffffff-ffff-4fff-bfff-ffffffffffff', 127],
      ['00000000-0000-4000-8000-000000000001', 2 ** 31 - 1],
    ]);
    const cursor = encodeCursor(positions);
    expect(decodeCursor(cursor)).toEqual(positions);
    expect(cursor.length).toBeLessThan(3 * 30);
  });

  it('refuses what it did not write with BAD_USER_INPUT on cursor', () => {
    for (const bad of ['', '!!', 'AAAA', encodeCursor(new Map([['0b9f5c2e-1d2a-4c3b-9e8f-7a6b5c4d3e2f', 5]])).slice(0, -2)]) {
      expect(() => decodeCursor(bad)).toThrowError(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'cursor' } }));
    }
  });
});
