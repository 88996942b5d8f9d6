/**
 * Why an access token was refused. `code` is jose's error code when jose
 * raised it (e.g. `ERR_JWT_EXPIRED`, `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`,
 * `ERR_JOSE_ALG_NOT_ALLOWED`), else `ERR_ACCESS_TOKEN_INVALID`; the router may
 * log it, but clients only ever learn "unauthenticated".
 */
export class AccessTokenError extends Error {
  override name = 'AccessTokenError';
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the token was otherwise fine but is past its `exp`: a client should refresh. */
  get expired(): boolean {
    return this.code === 'ERR_JWT_EXPIRED';
  }
}

/** A key that cannot be used: malformed PEM, wrong key type, or a public key that does not match. */
export class KeyError extends Error {
  override name = 'KeyError';
}
