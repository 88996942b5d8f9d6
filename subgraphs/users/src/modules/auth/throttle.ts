import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { rateLimited, unavailable } from '@storm/common';
import type { LimitDecision, LimiterStore, LimitPolicy } from '@storm/limiter';

/**
 * Login and registration throttling (issue 3, OWASP authentication cheat
 * sheet). Every login attempt is counted before the password is checked, per
 * account (the email as typed, normalised, whether or not an account has it,
 * so the answer never tells which emails exist) and per client address. Each
 * resolver call is one attempt: 100 aliased `login` fields are 100 attempts.
 */
export interface ThrottleSettings {
  /** Length of the counting windows. @default 900 (15 minutes) */
  loginWindowSeconds: number;
  /** Failed logins per account answered without delay. @default 5 */
  loginAccountFree: number;
  /**
   * After the free ones, each further attempt on the account must wait
   * `loginDelayBaseMs * 2^(k-1)` after the previous one (1 s, 2 s, 4 s …,
   * at most the window); earlier ones get RATE_LIMITED. @default 1000
   */
  loginDelayBaseMs: number;
  /** Failed logins per account in a window, after which every attempt is refused until it ends. @default 20 */
  loginAccountLimit: number;
  /** Failed logins per client address in a window. @default 100 */
  loginAddressLimit: number;
  /** Registrations (attempts) per client address in a window of registerWindowSeconds. @default 20 */
  registerAddressLimit: number;
  /** @default 3600 (1 hour) */
  registerWindowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  loginWindowSeconds: 900,
  loginAccountFree: 5,
  loginDelayBaseMs: 1000,
  loginAccountLimit: 20,
  loginAddressLimit: 100,
  registerAddressLimit: 20,
  registerWindowSeconds: 3600,
};

/**
 * The client address as a counter key: IPv4 as is (also when IPv4-mapped),
 * IPv6 by its /64, since anyone holding one address of a /64 holds them all.
 * Null when the value is not an IP address (nothing is counted per address).
 */
export function addressKey(raw: string | undefined | null): string | null {
  if (!raw) return null;
  let ip = raw.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1]!;
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version !== 6) return null;
  // Expand "::" so the first four groups are the /64 prefix.
  const [head = '', tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Emails are hashed into keys: bounded length, and no addresses lying around in Redis. */
function accountKey(email: string): string {
  return `login:acct:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 40)}`;
}

export class AuthThrottle {
  private readonly account: LimitPolicy;
  private readonly loginAddress: LimitPolicy;
  private readonly registerAddress: LimitPolicy;

  constructor(
    private readonly store: LimiterStore,
    settings: ThrottleSettings = DEFAULT_THROTTLE,
  ) {
    const windowMs = settings.loginWindowSeconds * 1000;
    this.account = {
      windowMs,
      limit: settings.loginAccountLimit,
      free: settings.loginAccountFree,
      baseDelayMs: settings.loginDelayBaseMs,
    };
    this.loginAddress = { windowMs, limit: settings.loginAddressLimit };
    this.registerAddress = { windowMs: settings.registerWindowSeconds * 1000, limit: settings.registerAddressLimit };
  }

  /**
   * Counts a login attempt for `email` from `address`, or throws RATE_LIMITED
   * with retryAfter. Call `loginSucceeded` when the password was right.
   */
  async beforeLogin(email: string, address: string | null): Promise<void> {
    if (address) refuseUnless(await this.guard(() => this.store.consume(`login:addr:${address}`, this.loginAddress)));
    refuseUnless(await this.guard(() => this.store.consume(accountKey(email), this.account)));
  }

  /** A correct password clears the account's failures and gives the address its attempt back. */
  async loginSucceeded(email: string, address: string | null): Promise<void> {
    // Best effort: the login itself succeeded, a counter hiccup must not fail it.
    await Promise.all([
      this.store.reset(accountKey(email)).catch(() => {}),
      address ? this.store.refund(`login:addr:${address}`).catch(() => {}) : undefined,
    ]);
  }

  /** Counts a registration attempt from `address` (none without one), or throws RATE_LIMITED. */
  async beforeRegister(address: string | null): Promise<void> {
    if (address) refuseUnless(await this.guard(() => this.store.consume(`register:addr:${address}`, this.registerAddress)));
  }

  private async guard(check: () => Promise<LimitDecision>): Promise<LimitDecision> {
    try {
      return await check();
    } catch (err) {
      // Fail closed: without its counters, login would be open to guessing.
      throw unavailable(undefined, err);
    }
  }
}

function refuseUnless(decision: LimitDecision): void {
  if (!decision.allowed) throw rateLimited(decision.retryAfterMs / 1000);
}
