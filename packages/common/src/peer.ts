import { unavailable } from './errors.js';
import { IDENTITY_HEADER, signIdentity } from './identity.js';

/**
 * How one subgraph asks another what it owns: plain GraphQL over HTTP,
 * signed as the caller (`x-storm-identity`), so the owner's own rules decide.
 */
export interface PeerOptions {
  /** The peer's GraphQL endpoint; a function when it is only known after startup (the all-in-one stack). */
  url: string | (() => string);
  /** Signs the `x-storm-identity` header the peer requires: identityKey(IDENTITY_SECRET). */
  identityKey: Uint8Array;
  /** @default 5000 */
  timeoutMs?: number;
  /** Message of the UNAVAILABLE error thrown when the peer cannot answer. */
  unavailableMessage: string;
}

export interface PeerError {
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: unknown };
}

export interface PeerAnswer<T> {
  data?: T | null;
  errors?: PeerError[];
}

/** POSTs one operation as `asUserId` (null: anonymous); rejects UNAVAILABLE on a network error, a timeout or a non-200 answer. */
export async function askPeer<T>(options: PeerOptions, query: string, variables: Record<string, unknown>, asUserId: string | null): Promise<PeerAnswer<T>> {
  const url = typeof options.url === 'function' ? options.url() : options.url;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signIdentity({ userId: asUserId }, options.identityKey) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    return (await response.json()) as PeerAnswer<T>;
  } catch (err) {
    throw unavailable(options.unavailableMessage, err);
  }
}

/**
 * `_entities` of `{ __typename: typename, id }` for each id, in order (null
 * where the peer resolved none). Per-entity errors whose code is in `missing`
 * mean "not there for this caller"; any other error, or an answer of the
 * wrong shape, rejects UNAVAILABLE: what cannot be checked is never guessed.
 */
export async function peerEntities<T>(
  options: PeerOptions,
  query: string,
  typename: string,
  ids: readonly string[],
  asUserId: string | null,
  missing: ReadonlySet<string>,
): Promise<Array<T | null>> {
  const body = await askPeer<{ _entities?: Array<T | null> | null }>(options, query, { r: ids.map((id) => ({ __typename: typename, id })) }, asUserId);
  const list = body.data?._entities;
  const errors = body.errors ?? [];
  if (!Array.isArray(list) || list.length !== ids.length || errors.some((e) => !missing.has(String(e.extensions?.code)))) {
    throw unavailable(options.unavailableMessage, new Error(`${typename} entities failed: ${JSON.stringify(errors).slice(0, 500)}`));
  }
  return list;
}
