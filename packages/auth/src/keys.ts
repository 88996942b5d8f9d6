import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, importPKCS8, importSPKI, type CryptoKey } from 'jose';
import { KeyError } from './errors.js';

/** The only JWS algorithm STORM signs or accepts for access tokens (Ed25519). */
export const ACCESS_TOKEN_ALG = 'EdDSA';

/** Everything needed to sign access tokens, and to hand the public half to verifiers. */
export interface SigningKeys {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** SPKI PEM of the public key: what the router needs to verify (JWT_PUBLIC_KEY). */
  readonly publicKeyPem: string;
  /** RFC 7638 thumbprint of the public key, sent as the JWS `kid` so keys can be rotated. */
  readonly kid: string;
}

export interface LoadSigningKeysOptions {
  /** PKCS#8 PEM of an Ed25519 private key. Required. */
  privateKeyPem?: string;
  /**
   * SPKI PEM of the matching public key. Optional: derived from the private key when
   * absent; when given, it must match the private key (a mismatch would mint tokens no
   * verifier accepts, so it stops start-up instead).
   */
  publicKeyPem?: string;
}

function ed25519(pem: string, kind: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(normalizePem(pem)) : createPublicKey(normalizePem(pem));
  } catch (err) {
    throw new KeyError(`the ${kind} key is not a valid PEM (${kind === 'private' ? 'PKCS#8' : 'SPKI'}) key`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new KeyError(`the ${kind} key must be Ed25519, got ${key.asymmetricKeyType ?? key.type}`);
  }
  return key;
}

/**
 * Environment variables often carry PEMs with literal `\n` sequences (one-line
 * secrets in Kubernetes or .env files); accept both forms.
 */
function normalizePem(pem: string): string {
  return pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
}

/** Imports the private key (and its public half) from PEM for signing access tokens. */
export async function loadSigningKeys(options: LoadSigningKeysOptions): Promise<SigningKeys> {
  if (!options.privateKeyPem) throw new KeyError('a private key (PKCS#8 PEM) is required to sign access tokens');
  const privateObj = ed25519(options.privateKeyPem, 'private');
  const derivedPem = createPublicKey(privateObj).export({ type: 'spki', format: 'pem' }).toString();
  if (options.publicKeyPem) {
    const givenPem = ed25519(options.publicKeyPem, 'public').export({ type: 'spki', format: 'pem' }).toString();
    if (givenPem !== derivedPem) throw new KeyError('the public key does not belong to the private key');
  }
  const privatePkcs8 = privateObj.export({ type: 'pkcs8', format: 'pem' }).toString();
  const privateKey = await importPKCS8(privatePkcs8, ACCESS_TOKEN_ALG);
  const publicKey = await importSPKI(derivedPem, ACCESS_TOKEN_ALG, { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return { privateKey, publicKey, publicKeyPem: derivedPem, kid };
}

/** Imports an Ed25519 public key (SPKI PEM) for verifying access tokens. */
export async function loadVerifyKey(publicKeyPem: string): Promise<CryptoKey> {
  const pem = ed25519(publicKeyPem, 'public').export({ type: 'spki', format: 'pem' }).toString();
  return importSPKI(pem, ACCESS_TOKEN_ALG);
}

/** SPKI PEM of the public half of a PKCS#8 PEM private key (e.g. to derive JWT_PUBLIC_KEY in development). */
export function publicKeyPemOf(privateKeyPem: string): string {
  return createPublicKey(ed25519(privateKeyPem, 'private')).export({ type: 'spki', format: 'pem' }).toString();
}
