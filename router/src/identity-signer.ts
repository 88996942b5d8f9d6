import { signIdentity } from '@storm/common';

/**
 * Signs the caller's identity for subgraph requests. Assertions live 60 s;
 * reusing one for 30 s saves an HMAC per subgraph fetch on hot paths (every
 * subscription event resolution goes through here).
 */
export class IdentitySigner {
  private readonly cache = new Map<string, { token: string; until: number }>();
  private static readonly REUSE_MS = 30_000;
  private static readonly MAX_CACHED = 100_000;

  constructor(private readonly key: Uint8Array) {}

  async sign(userId: string | null, membershipVouched = false): Promise<string> {
    const cacheKey = `${membershipVouched ? 'v' : 'u'}${userId ?? ''}`;
    const now = Date.now();
    const hit = this.cache.get(cacheKey);
    if (hit && hit.until > now) return hit.token;
    const token = await signIdentity(membershipVouched ? { userId, membershipVouched } : { userId }, this.key);
    if (this.cache.size >= IdentitySigner.MAX_CACHED) this.cache.clear();
    this.cache.set(cacheKey, { token, until: now + IdentitySigner.REUSE_MS });
    return token;
  }
}
