import { randomUUID } from 'node:crypto';
import { hashRefreshToken, newRefreshToken, signAccessToken, type SigningKeys } from '@storm/auth';
import { badInput, conflict, unauthenticated } from '@storm/common';
import type { Prisma, PrismaClient, User } from '../../generated/prisma/client.js';
import { PASSWORD_MAX, validateLogin, validateNewPassword, validateRegistration } from './auth.validation.js';
import { burnVerification, hashPassword, needsRehash, verifyPassword } from './password.js';
import type { AuthThrottle } from './throttle.js';
import type { ChangePasswordInput, RegisterInput, LoginInput } from '../../generated/graphql.js';

/** Token settings of the users service (from JWT_* in env.ts). */
export interface TokenSettings {
  /** `iss` of access tokens. @default "storm" */
  issuer: string;
  /** `aud` of access tokens. @default "storm" */
  audience: string;
  /** Access token lifetime. @default 900 (15 minutes) */
  accessTtlSeconds: number;
  /** Refresh token lifetime, renewed at each rotation. @default 2592000 (30 days) */
  refreshTtlSeconds: number;
  /**
   * Seconds after a rotation during which presenting the rotated token again
   * is refused (UNAUTHENTICATED) without revoking its family. 0 = strict: any
   * second presentation, even a concurrent duplicate, revokes the family.
   * @default 0
   */
  refreshReuseGraceSeconds?: number;
}

/** What register, login and refreshToken return (the GraphQL AuthPayload). */
export interface AuthResult {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: User;
}

const INVALID_CREDENTIALS = 'Invalid email or password';
/** A wrong current password of changePassword: a form field's error (BAD_USER_INPUT), not a signed-out caller. */
const INVALID_PASSWORD = 'The current password is not right';
const INVALID_REFRESH = 'Invalid or expired refresh token';
/** Our tokens are 43 characters; anything far longer is not one of ours and is refused before hashing. */
const REFRESH_TOKEN_MAX = 128;

/**
 * Accounts and credentials: the only code that creates users or writes
 * credentials and refresh tokens (profiles are ProfileService's).
 *
 * Refresh tokens (RFC 9700 §4.14.2): each login starts a family; each use
 * marks the presented token used and issues a successor in the same family,
 * inside one transaction. Presenting a used token again means it was copied:
 * the whole family is revoked, so whoever holds the latest successor (the
 * thief or the victim) must log in again.
 */
export class AuthService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly keys: SigningKeys,
    private readonly settings: TokenSettings,
    private readonly throttle: AuthThrottle,
  ) {}

  /**
   * Creates an account and its first refresh token family. Note (issue 3):
   * a duplicate email is reported as CONFLICT on `email`, which tells the
   * caller the address has an account; accepted for now.
   */
  async register(input: RegisterInput, clientAddress: string | null = null): Promise<AuthResult> {
    const valid = validateRegistration(input);
    // After validation (a typo costs nothing), before the duplicate check (which tells whether an email has an account).
    await this.throttle.beforeRegister(clientAddress);
    // Cheap pre-check so a duplicate does not cost an argon2 hash; the unique
    // indexes still decide when two registrations race (P2002 below).
    const taken = await this.prisma.user.findFirst({
      where: { OR: [{ handle: valid.handle }, { email: valid.email }] },
      select: { handle: true },
    });
    if (taken) throw this.duplicate(taken.handle === valid.handle ? 'handle' : 'email');

    const passwordHash = await hashPassword(valid.password);
    const refresh = this.newRefresh();
    let user: User;
    try {
      // A nested create is one transaction: the account never exists without its session.
      user = await this.prisma.user.create({
        data: {
          handle: valid.handle,
          email: valid.email,
          displayName: valid.displayName,
          passwordHash,
          refreshTokens: { create: { familyId: randomUUID(), tokenHash: refresh.hash, expiresAt: refresh.expiresAt } },
        },
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        // `meta.target` differs between driver adapters; ask the table instead.
        const byHandle = await this.prisma.user.count({ where: { handle: valid.handle } });
        throw this.duplicate(byHandle > 0 ? 'handle' : 'email');
      }
      throw err;
    }
    return this.result(user, refresh);
  }

  /**
   * Any failure is the same UNAUTHENTICATED "Invalid email or password", taking
   * about the same time. Throttled per account and per `clientAddress`
   * (RATE_LIMITED with retryAfter) before any password is checked.
   */
  async login(input: LoginInput, clientAddress: string | null = null): Promise<AuthResult> {
    const { email, password } = validateLogin(input);
    // Keyed on what was typed, valid address or not: unknown emails are throttled exactly like known ones.
    const throttleKey = email ?? input.email;
    await this.throttle.beforeLogin(throttleKey, clientAddress);
    const user = email ? await this.prisma.user.findUnique({ where: { email } }) : null;
    if (!user) {
      await burnVerification(password);
      throw unauthenticated(INVALID_CREDENTIALS);
    }
    if (!(await verifyPassword(user.passwordHash, password))) throw unauthenticated(INVALID_CREDENTIALS);

    const refresh = this.newRefresh();
    const writes: Prisma.PrismaPromise<unknown>[] = [
      this.prisma.refreshToken.create({
        data: { userId: user.id, familyId: randomUUID(), tokenHash: refresh.hash, expiresAt: refresh.expiresAt },
      }),
    ];
    if (needsRehash(user.passwordHash)) {
      // Parameters were raised since this hash was made; upgrade it while we know the password.
      writes.push(this.prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } }));
    }
    await this.prisma.$transaction(writes);
    await this.throttle.loginSucceeded(throttleKey, clientAddress);
    return this.result(user, refresh);
  }

  /**
   * Changes a signed-in user's password. The current one is checked as login
   * checks it, throttled under the same counters (per account and per
   * address), so a stolen access token cannot be used to guess it faster than
   * login could. On success, in one transaction: the new hash, every refresh
   * token of the account revoked (every other device must sign in again), and
   * a new family for this device, whose pair is returned. Access tokens
   * already issued stay valid until they expire (stateless JWTs).
   */
  async changePassword(userId: string, input: ChangePasswordInput, clientAddress: string | null = null): Promise<AuthResult> {
    if ([...input.currentPassword].length > PASSWORD_MAX) throw badInput(INVALID_PASSWORD, 'currentPassword');
    const newPassword = validateNewPassword(input.newPassword, 'newPassword');
    if (newPassword === input.currentPassword) throw badInput('The new password must differ from the current one', 'newPassword');
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) throw unauthenticated();
    await this.throttle.beforeLogin(user.email, clientAddress);
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) throw badInput(INVALID_PASSWORD, 'currentPassword');
    const passwordHash = await hashPassword(newPassword);
    const refresh = this.newRefresh();
    const now = new Date();
    const [updated] = await this.prisma.$transaction([
      this.prisma.user.update({ where: { id: user.id }, data: { passwordHash } }),
      this.prisma.refreshToken.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } }),
      this.prisma.refreshToken.create({ data: { userId: user.id, familyId: randomUUID(), tokenHash: refresh.hash, expiresAt: refresh.expiresAt } }),
    ]);
    await this.throttle.loginSucceeded(user.email, clientAddress);
    return this.result(updated, refresh);
  }

  /** Rotates a refresh token; see the class comment for reuse detection. */
  async refresh(presented: string): Promise<AuthResult> {
    if (!presented || presented.length > REFRESH_TOKEN_MAX) throw unauthenticated(INVALID_REFRESH);
    const tokenHash = hashRefreshToken(presented);
    const successor = this.newRefresh();
    const now = new Date();

    const graceMs = (this.settings.refreshReuseGraceSeconds ?? 0) * 1000;

    const outcome = await this.prisma.$transaction(async (tx) => {
      const row = await tx.refreshToken.findUnique({ where: { tokenHash }, include: { user: true } });
      if (!row || row.revokedAt) return { kind: 'invalid' } as const;
      let usedAt = row.usedAt;
      if (!usedAt) {
        if (row.expiresAt <= now) return { kind: 'invalid' } as const;
        // The conditional update is the lock: of two concurrent refreshes with
        // the same token, the second blocks on the row, re-checks the WHERE
        // once the first commits, and updates nothing. Exactly one wins.
        const marked = await tx.refreshToken.updateMany({
          where: { id: row.id, usedAt: null, revokedAt: null },
          data: { usedAt: now },
        });
        if (marked.count === 1) {
          await tx.refreshToken.create({
            data: { userId: row.userId, familyId: row.familyId, tokenHash: successor.hash, expiresAt: successor.expiresAt },
          });
          return { kind: 'rotated', user: row.user } as const;
        }
        const after = await tx.refreshToken.findUnique({ where: { id: row.id }, select: { usedAt: true, revokedAt: true } });
        if (!after?.usedAt || after.revokedAt) return { kind: 'invalid' } as const;
        usedAt = after.usedAt;
      }
      // The token was already used: whether the loser of a race or a replay
      // later on, it was presented twice, which is what a stolen copy looks
      // like, so the family goes (API.md). Only within the optional grace
      // period is a duplicate merely refused, for clients that race their own
      // refreshes. The revocation must commit, so this path returns instead
      // of throwing (a throw would roll it back).
      if (graceMs > 0 && now.getTime() - usedAt.getTime() < graceMs) return { kind: 'invalid' } as const;
      await tx.refreshToken.updateMany({ where: { familyId: row.familyId, revokedAt: null }, data: { revokedAt: now } });
      return { kind: 'reused' } as const;
    });

    if (outcome.kind !== 'rotated') throw unauthenticated(INVALID_REFRESH);
    return this.result(outcome.user, successor);
  }

  /**
   * Revokes the presented token's whole family (this login on this device).
   * An unknown, expired or already revoked token also answers true: logging
   * out is idempotent, and the answer reveals nothing about the token.
   */
  async logout(presented: string): Promise<true> {
    if (!presented || presented.length > REFRESH_TOKEN_MAX) return true;
    const row = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(presented) },
      select: { familyId: true },
    });
    if (row) {
      await this.prisma.refreshToken.updateMany({
        where: { familyId: row.familyId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
    }
    return true;
  }

  private newRefresh(): { token: string; hash: string; expiresAt: Date } {
    return { ...newRefreshToken(), expiresAt: new Date(Date.now() + this.settings.refreshTtlSeconds * 1000) };
  }

  private async result(user: User, refresh: { token: string; expiresAt: Date }): Promise<AuthResult> {
    const access = await signAccessToken(user.id, this.keys, {
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      ttlSeconds: this.settings.accessTtlSeconds,
    });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt,
      user,
    };
  }

  private duplicate(field: 'handle' | 'email') {
    return conflict(field === 'handle' ? 'This handle is taken' : 'An account with this email exists', field);
  }
}

/** Unique-constraint violation, as both the pg and the PGlite adapters report it. */
function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
