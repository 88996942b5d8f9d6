import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

/**
 * Router → subgraph identity. The router verifies the client's access token
 * and forwards the caller to subgraphs as a short-lived HS256 JWT in this
 * header, signed with a secret only the router and the subgraphs hold.
 * Subgraphs trust no other source of identity, so a direct call to a
 * subgraph with a forged or missing identity is anonymous or refused.
 */
export const IDENTITY_HEADER = 'x-storm-identity';
const AUDIENCE = 'storm-subgraphs';
const ISSUER = 'storm-router';
/** Seconds an identity assertion stays valid; only long enough for one request. */
const TTL_SECONDS = 60;

export interface Identity {
  userId: string;
}

export function identityKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signIdentity(identity: Identity, key: Uint8Array): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'storm-identity+jwt' })
    .setSubject(identity.userId)
    .setAudience(AUDIENCE)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${TTL_SECONDS}s`)
    .sign(key);
}

export class IdentityError extends Error {
  override name = 'IdentityError';
}

/** Returns the identity, or throws IdentityError for a token that is forged, expired or malformed. */
export async function verifyIdentity(token: string, key: Uint8Array): Promise<Identity> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      issuer: ISSUER,
      typ: 'storm-identity+jwt',
      requiredClaims: ['exp', 'sub'],
    });
    return { userId: payload.sub! };
  } catch (err) {
    const reason = err instanceof joseErrors.JOSEError ? err.code : 'invalid';
    throw new IdentityError(`identity assertion rejected: ${reason}`, { cause: err });
  }
}
