/** What every operation through the router carries: the verified caller. */
export interface RouterContext {
  /** null = anonymous (register, login, refreshToken). */
  userId: string | null;
  /** Correlates a client's request with logs; echoed as `x-request-id`. */
  requestId: string;
  /** The client's address (the socket's peer), forwarded for per-address limits. */
  clientIp?: string;
  /**
   * Only on the subscription engine's batched page reads: the router vouches
   * for the subscribers' membership (see Identity.membershipVouched).
   */
  membershipVouched?: boolean;
}
