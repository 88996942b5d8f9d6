import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify, type CryptoKey } from 'jose';
import { AccessTokenError } from './errors.js';
import { ACCESS_TOKEN_ALG, type SigningKeys } from './keys.js';

/** JOSE header `typ` of an access token (RFC 9068 §2.1); verifiers require it. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
/** Default access token lifetime: 15 minutes. */
export const DEFAULT_ACCESS_TTL_SECONDS = 900;

export interface AccessTokenClaimsOptions {
  /** `iss` to set and to require. @default "storm" (set by the service's env) */
  issuer: string;
  /** `aud` to set and to require. */
  audience: string;
}

export interface SignAccessTokenOptions extends AccessTokenClaimsOptions {
  /** Lifetime in seconds. @default 900 */
  ttlSeconds?: number;
  /** RFC 9068 `client_id`. @default "storm" */
  clientId?: string;
  /** Clock for tests. @default new Date() */
  now?: Date;
}

export interface VerifyAccessTokenOptions extends AccessTokenClaimsOptions {
  /** Accepted clock skew in seconds for `exp`/`iat`/`nbf`. @default 5 */
  clockToleranceSeconds?: number;
  /** Clock for tests. @default new Date() */
  now?: Date;
}

export interface SignedAccessToken {
  token: string;
  expiresAt: Date;
}

/** Signs a short-lived access token (RFC 9068 profile, EdDSA / Ed25519) for `userId`. */
export async function signAccessToken(
  userId: string,
  keys: Pick<SigningKeys, 'privateKey'> & Partial<Pick<SigningKeys, 'kid'>>,
  opts: SignAccessTokenOptions,
): Promise<SignedAccessToken> {
  if (!userId) throw new TypeError('signAccessToken: userId is required');
  const ttl = opts.ttlSeconds ?? DEFAULT_ACCESS_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new TypeError('signAccessToken: ttlSeconds must be a positive integer');
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const exp = iat + ttl;
  const token = await new SignJWT({ client_id: opts.clientId ?? 'storm' })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP, ...(keys.kid ? { kid: keys.kid } : {}) })
    .setSubject(userId)
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(keys.privateKey);
  return { token, expiresAt: new Date(exp * 1000) };
}

/**
 * Verifies an access token and returns its subject. Pins everything an
 * attacker could otherwise choose (RFC 8725 §3.1, §3.11): the algorithm (EdDSA
 * only, so an HS256 token "signed" with the public key or an `alg: none` token
 * is refused before any key is used), issuer, audience and `typ: at+jwt` (so
 * no other JWT signed with the same key passes as an access token), and
 * requires `exp`, `iat` and `sub`. Throws AccessTokenError for anything else.
 */
export async function verifyAccessToken(
  token: string,
  publicKey: CryptoKey,
  opts: VerifyAccessTokenOptions,
): Promise<{ userId: string; exp: number }> {
  if (typeof token !== 'string' || token.length === 0) {
    throw new AccessTokenError('access token rejected: empty', 'ERR_ACCESS_TOKEN_INVALID');
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(token, publicKey, {
      algorithms: [ACCESS_TOKEN_ALG],
      issuer: opts.issuer,
      audience: opts.audience,
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: opts.clockToleranceSeconds ?? 5,
      ...(opts.now ? { currentDate: opts.now } : {}),
    }));
  } catch (err) {
    const code = err instanceof joseErrors.JOSEError ? err.code : 'ERR_ACCESS_TOKEN_INVALID';
    throw new AccessTokenError(`access token rejected: ${code}`, code, { cause: err });
  }
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || typeof payload.exp !== 'number') {
    throw new AccessTokenError('access token rejected: malformed sub or exp', 'ERR_ACCESS_TOKEN_INVALID');
  }
  return { userId: payload.sub, exp: payload.exp };
}
