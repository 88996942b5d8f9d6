import { createHash, randomBytes } from 'node:crypto';

// Refresh tokens are opaque random strings, not JWTs: they carry no claims, so
// one can never be mistaken for an access token, and only their SHA-256 is
// stored, so a database leak does not leak usable tokens. (A fast hash is right
// here: 256 random bits need no stretching, unlike passwords.)

/** A fresh refresh token (32 random bytes, base64url) and the hash to store. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** SHA-256 of a refresh token, lowercase hex (64 chars): the value stored and looked up. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
