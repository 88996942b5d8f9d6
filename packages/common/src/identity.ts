import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { VerifiedTokenCache } from './verified-cache.js';

/**
 * Router → subgraph identity. The router verifies the client's access token
 * and forwards the caller to subgraphs as a short-lived HS256 JWT in this
 * header, signed with a secret only the router and the subgraphs hold.
 * Every request the router sends carries one, anonymous callers included
 * (no `sub`): subgraphs refuse a request without a valid assertion, so a
 * direct call to a subgraph with a forged or missing identity gets nothing.
 */
export const IDENTITY_HEADER = 'x-storm-identity';
const AUDIENCE = 'storm-subgraphs';
const ISSUER = 'storm-router';
/** Seconds an identity assertion stays valid; only long enough for one request. */
const TTL_SECONDS = 60;

export interface Identity {
  /** null for an anonymous caller (register, login, refreshToken). */
  userId: string | null;
  /**
   * Set only by the router's subscription engine, for a batch of message pages
   * of several conversations resolved at once: the router has checked that each
   * conversation's subscribers are its members (and revokes them when they
   * leave), so the conversations subgraph reads those conversations without
   * checking `userId`'s own membership of each. Fields whose value depends on
   * the viewer (`@viewer`) are never asked for under it.
   */
  membershipVouched?: boolean;
}

/** The claim that carries Identity.membershipVouched. */
const VOUCHED_CLAIM = 'storm_vouched';

export function identityKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signIdentity(identity: Identity, key: Uint8Array): Promise<string> {
  const jwt = new SignJWT(identity.membershipVouched ? { [VOUCHED_CLAIM]: true } : {}).setProtectedHeader({ alg: 'HS256', typ: 'storm-identity+jwt' });
  if (identity.userId) jwt.setSubject(identity.userId);
  return jwt
    .setAudience(AUDIENCE)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${TTL_SECONDS}s`)
    .sign(key);
}

export class IdentityError extends Error {
  override name = 'IdentityError';
}

/** Verified assertions per key (a process may hold several stacks with different secrets, e.g. tests). */
const verified = new WeakMap<Uint8Array, VerifiedTokenCache<Identity>>();

/** Returns the identity, or throws IdentityError for a token that is forged, expired or malformed. */
export async function verifyIdentity(token: string, key: Uint8Array): Promise<Identity> {
  let cache = verified.get(key);
  if (!cache) verified.set(key, (cache = new VerifiedTokenCache<Identity>()));
  const hit = cache.get(token);
  if (hit) return hit;
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      issuer: ISSUER,
      typ: 'storm-identity+jwt',
      requiredClaims: ['exp'],
    });
    const identity: Identity = { userId: typeof payload.sub === 'string' ? payload.sub : null };
    if (payload[VOUCHED_CLAIM] === true) identity.membershipVouched = true;
    cache.set(token, identity, payload.exp! * 1000);
    return identity;
  } catch (err) {
    const reason = err instanceof joseErrors.JOSEError ? err.code : 'invalid';
    throw new IdentityError(`identity assertion rejected: ${reason}`, { cause: err });
  }
}
