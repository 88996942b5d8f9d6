import { devIdentitySecret, devKeys, loadVerifyKey, verifyAccessToken } from '@storm/auth';
import { ConfigError } from '@storm/common';
import type { RouterEnv } from './env.js';

/**
 * The access-token verifier of the router. In production JWT_PUBLIC_KEY is
 * required; in development the shared dev key pair (.storm/dev-keys) stands in.
 */
export async function createAccessTokenVerifier(
  env: Pick<RouterEnv, 'NODE_ENV' | 'JWT_PUBLIC_KEY' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>,
): Promise<(token: string) => Promise<{ userId: string; exp: number }>> {
  let pem = env.JWT_PUBLIC_KEY;
  if (!pem) {
    if (env.NODE_ENV === 'production') throw new ConfigError('router', ['JWT_PUBLIC_KEY: required in production (not set)']);
    pem = devKeys().publicKeyPem;
  }
  let key;
  try {
    key = await loadVerifyKey(pem);
  } catch (err) {
    throw new ConfigError('router', [`JWT_PUBLIC_KEY: not an Ed25519 public key in PEM (${(err as Error).message})`]);
  }
  const opts = { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
  return (token) => verifyAccessToken(token, key, opts);
}

/** IDENTITY_SECRET, or in development the shared dev secret. */
export async function resolveIdentitySecret(env: Pick<RouterEnv, 'NODE_ENV' | 'IDENTITY_SECRET'>): Promise<string> {
  if (env.IDENTITY_SECRET) return env.IDENTITY_SECRET;
  if (env.NODE_ENV === 'production') throw new ConfigError('router', ['IDENTITY_SECRET: required in production (not set)']);
  return devIdentitySecret();
}
