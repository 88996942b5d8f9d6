import { describe, expect, it } from 'vitest';
import { identityKey, signIdentity, verifyIdentity } from './identity.js';
import { VerifiedTokenCache } from './verified-cache.js';

describe('verified token cache', () => {
  it('serves a token until its expiry, never after', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set('t', 'alice', 1_000);
    expect(cache.get('t', 999)).toBe('alice');
    expect(cache.get('t', 1_000)).toBeUndefined();
    expect(cache.get('t', 999)).toBeUndefined();
  });

  it('stays bounded', () => {
    const cache = new VerifiedTokenCache<number>(3);
    for (let i = 0; i < 10; i++) cache.set(`t${i}`, i, Number.MAX_SAFE_INTEGER);
    expect(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'].filter((t) => cache.get(t) !== undefined).length).toBeLessThanOrEqual(3);
  });

  it('keeps identities per key: an assertion verified under one secret is not accepted under another', async () => {
    const a = identityKey('a'.repeat(40));
    const b = identityKey('b'.repeat(40));
    const token = await signIdentity({ userId: 'u1' }, a);
    expect(await verifyIdentity(token, a)).toEqual({ userId: 'u1' });
    expect(await verifyIdentity(token, a)).toEqual({ userId: 'u1' });
    await expect(verifyIdentity(token, b)).rejects.toThrow(/identity assertion rejected/);
  });
});
