import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessTokenError,
  KeyError,
  devIdentitySecret,
  devKeys,
  findRepoRoot,
  hashRefreshToken,
  loadSigningKeys,
  loadVerifyKey,
  newRefreshToken,
  signAccessToken,
  verifyAccessToken,
  type SigningKeys,
} from './index.js';

const claims = { issuer: 'storm', audience: 'storm' };
let dir: string;
let keys: SigningKeys;
let publicKeyPem: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'storm-auth-'));
  const pems = devKeys(dir);
  publicKeyPem = pems.publicKeyPem;
  keys = await loadSigningKeys(pems);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejectCode(token: string, opts = claims): Promise<string> {
  const key = await loadVerifyKey(publicKeyPem);
  const err = await verifyAccessToken(token, key, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AccessTokenError);
  expect((err as AccessTokenError).name).toBe('AccessTokenError');
  return (err as AccessTokenError).code;
}

function segments(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  return [h!, p!, s!];
}
const enc = (obj: object) => base64url.encode(JSON.stringify(obj));

describe('access tokens', () => {
  it('round-trips: sub, exp, 15-minute default TTL, typ at+jwt, EdDSA, kid', async () => {
    const now = new Date();
    const { token, expiresAt } = await signAccessToken('user-1', keys, { ...claims, now });
    const [h] = segments(token);
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: keys.kid });
    const verified = await verifyAccessToken(token, await loadVerifyKey(publicKeyPem), claims);
    expect(verified.userId).toBe('user-1');
    expect(verified.exp).toBe(Math.floor(now.getTime() / 1000) + 900);
    expect(expiresAt.getTime()).toBe(verified.exp * 1000);
  });

  it('rejects a tampered signature', async () => {
    const { token } = await signAccessToken('user-1', keys, claims);
    const [h, p, s] = segments(token);
    const sig = Buffer.from(s, 'base64url');
    sig[0] = sig[0]! ^ 0xff;
    expect(await rejectCode(`${h}.${p}.${sig.toString('base64url')}`)).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('rejects a tampered payload (another sub under the original signature)', async () => {
    const { token } = await signAccessToken('user-1', keys, claims);
    const [h, p, s] = segments(token);
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(await rejectCode(`${h}.${enc({ ...payload, sub: 'admin' })}.${s}`)).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('rejects HS256 signed with the public key as the HMAC secret (algorithm confusion)', async () => {
    const iat = Math.floor(Date.now() / 1000);
    for (const secret of [publicKeyPem, publicKeyPem.trim()]) {
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setSubject('admin')
        .setIssuer('storm')
        .setAudience('storm')
        .setIssuedAt(iat)
        .setExpirationTime(iat + 900)
        .sign(new TextEncoder().encode(secret));
      expect(await rejectCode(forged)).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    }
  });

  it('rejects alg: none', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const body = enc({ sub: 'admin', iss: 'storm', aud: 'storm', iat, exp: iat + 900 });
    for (const alg of ['none', 'None', 'NONE']) {
      const code = await rejectCode(`${enc({ alg, typ: 'at+jwt' })}.${body}.`);
      expect(['ERR_JOSE_ALG_NOT_ALLOWED', 'ERR_JWS_INVALID']).toContain(code);
    }
  });

  it('rejects another Ed25519 key', async () => {
    const other = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { token } = await signAccessToken('user-1', await loadSigningKeys({ privateKeyPem: other }), claims);
    expect(await rejectCode(token)).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('rejects wrong issuer and wrong audience', async () => {
    const a = await signAccessToken('user-1', keys, { issuer: 'evil', audience: 'storm' });
    expect(await rejectCode(a.token)).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    const b = await signAccessToken('user-1', keys, { issuer: 'storm', audience: 'elsewhere' });
    expect(await rejectCode(b.token)).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('rejects a wrong or missing typ (another JWT signed by the same key)', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const base = () =>
      new SignJWT({}).setSubject('user-1').setIssuer('storm').setAudience('storm').setIssuedAt(iat).setExpirationTime(iat + 900);
    const idToken = await base().setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(keys.privateKey);
    expect(await rejectCode(idToken)).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    const noTyp = await base().setProtectedHeader({ alg: 'EdDSA' }).sign(keys.privateKey);
    expect(await rejectCode(noTyp)).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    // RFC 9068 allows the media-type form; it is the same type.
    const long = await base().setProtectedHeader({ alg: 'EdDSA', typ: 'application/at+jwt' }).sign(keys.privateKey);
    await expect(verifyAccessToken(long, keys.publicKey, claims)).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('rejects an expired token (beyond the clock tolerance)', async () => {
    const { token } = await signAccessToken('user-1', keys, { ...claims, ttlSeconds: 60, now: new Date(Date.now() - 120_000) });
    expect(await rejectCode(token)).toBe('ERR_JWT_EXPIRED');
    const err = await verifyAccessToken(token, keys.publicKey, claims).catch((e: AccessTokenError) => e);
    expect((err as AccessTokenError).expired).toBe(true);
    expect((err as AccessTokenError).cause).toBeDefined();
  });

  it('rejects missing exp, iat or sub', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const make = (parts: { exp?: boolean; iat?: boolean; sub?: boolean }) => {
      const jwt = new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' }).setIssuer('storm').setAudience('storm');
      if (parts.exp !== false) jwt.setExpirationTime(iat + 900);
      if (parts.iat !== false) jwt.setIssuedAt(iat);
      if (parts.sub !== false) jwt.setSubject('user-1');
      return jwt.sign(keys.privateKey);
    };
    expect(await rejectCode(await make({ exp: false }))).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(await rejectCode(await make({ iat: false }))).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(await rejectCode(await make({ sub: false }))).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('rejects garbage and a refresh token presented as an access token', async () => {
    expect(await rejectCode('')).toBe('ERR_ACCESS_TOKEN_INVALID');
    expect(await rejectCode('not.a.jwt')).toBe('ERR_JWS_INVALID');
    expect(await rejectCode(newRefreshToken().token)).toBe('ERR_JWS_INVALID');
  });
});

describe('keys', () => {
  it('refuses a non-Ed25519 key, a mismatched public key and a missing private key', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(loadSigningKeys({ privateKeyPem: rsa })).rejects.toBeInstanceOf(KeyError);
    await expect(loadSigningKeys({ privateKeyPem: 'nope' })).rejects.toBeInstanceOf(KeyError);
    await expect(loadSigningKeys({})).rejects.toBeInstanceOf(KeyError);
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expect(loadSigningKeys({ privateKeyPem: devKeys(dir).privateKeyPem, publicKeyPem: other })).rejects.toThrow(/does not belong/);
    await expect(loadVerifyKey('nope')).rejects.toBeInstanceOf(KeyError);
  });

  it('accepts a PEM with literal \\n (one-line env var)', async () => {
    const oneLine = devKeys(dir).privateKeyPem.replace(/\n/g, '\\n');
    const loaded = await loadSigningKeys({ privateKeyPem: oneLine });
    expect(loaded.kid).toBe(keys.kid);
  });

  it('dev keys and identity secret are created once and shared', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'storm-auth-dev-'));
    try {
      const sub = join(fresh, 'nested', 'dev-keys');
      const a = devKeys(sub);
      const b = devKeys(sub);
      expect(a).toEqual(b);
      const s1 = devIdentitySecret(sub);
      expect(s1).toMatch(/^[A-Za-z0-9_-]{64}$/);
      expect(devIdentitySecret(sub)).toBe(s1);
      expect(readdirSync(sub).sort()).toEqual(['identity-secret', 'jwt-ed25519.pem']);
      expect(statSync(join(sub, 'jwt-ed25519.pem')).mode & 0o077).toBe(0);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('finds the repository root (package.json with workspaces)', () => {
    const root = findRepoRoot();
    expect(statSync(join(root, 'packages', 'auth', 'package.json')).isFile()).toBe(true);
  });
});

describe('refresh tokens', () => {
  it('are 32 random bytes with a sha256 hex hash', () => {
    const a = newRefreshToken();
    const b = newRefreshToken();
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(a.token)).toBe(a.hash);
  });
});
