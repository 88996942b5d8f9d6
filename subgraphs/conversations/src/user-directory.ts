import { askPeer, peerEntities, unavailable, type PeerOptions } from '@storm/common';

/**
 * Which user ids exist. The users subgraph owns users and this service never
 * reads its tables, so the real implementation asks the users subgraph over
 * HTTP; tests and the all-in-one process may inject another one.
 */
export interface UserDirectory {
  /**
   * The subset of `ids` that are existing users. Rejects with an UNAVAILABLE
   * GraphQLError when the answer cannot be had (users service down).
   * `asUserId`, when given, is the identity the question is asked as.
   */
  existing(ids: string[], asUserId?: string | null): Promise<Set<string>>;
  /**
   * The users with exactly these handles (lower-case), as handle → id; a
   * handle nobody has is simply absent. Rejects with UNAVAILABLE like
   * `existing`. `asUserId` is the identity asked as (the users subgraph
   * requires an authenticated caller).
   */
  byHandles(handles: string[], asUserId: string): Promise<Map<string, string>>;
}

/** What a handle is (users subgraph rule): 3–32 characters of [a-z0-9_]. */
export const HANDLE = /^[a-z0-9_]{3,32}$/;

export interface HttpUserDirectoryOptions {
  /** The users subgraph's GraphQL endpoint, e.g. http://127.0.0.1:4001/graphql. */
  url: string;
  /** Signs the `x-storm-identity` header the users subgraph requires. */
  identityKey: Uint8Array;
  /** @default 5000 */
  timeoutMs?: number;
}

const ENTITIES_QUERY = 'query StormUserExists($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }';

/** Codes of per-entity errors that mean "no such user" rather than "could not tell". */
const MISSING_CODES = new Set(['NOT_FOUND', 'BAD_USER_INPUT']);

/**
 * Asks the users subgraph's `_entities` for `{ __typename: "User", id }`
 * references in one request; a null entity (or a NOT_FOUND error for it) is a
 * user that does not exist.
 */
export function createHttpUserDirectory(options: HttpUserDirectoryOptions): UserDirectory {
  const peer: PeerOptions = { ...options, unavailableMessage: 'The user directory is unavailable; retry later' };
  return {
    /**
     * One request: `users(handlePrefix: h, limit: 1)` per handle, aliased.
     * The users subgraph orders by handle bytewise, so an exact match is the
     * first (shortest) user with that prefix; anything else is no match.
     */
    async byHandles(handles, asUserId) {
      const valid = [...new Set(handles.map((h) => h.toLowerCase()))].filter((h) => HANDLE.test(h));
      if (valid.length === 0) return new Map();
      const fields = valid.map((_, i) => `h${i}: users(handlePrefix: $h${i}, limit: 1) { id handle }`).join(' ');
      const query = `query StormUsersByHandle(${valid.map((_, i) => `$h${i}: String!`).join(', ')}) { ${fields} }`;
      const body = await askPeer<Record<string, Array<{ id?: unknown; handle?: unknown }> | null>>(
        peer,
        query,
        Object.fromEntries(valid.map((h, i) => [`h${i}`, h])),
        asUserId,
      );
      if (!body.data || (body.errors?.length ?? 0) > 0) {
        throw unavailable('The user directory is unavailable; retry later', new Error(`users subgraph errors: ${JSON.stringify(body.errors ?? []).slice(0, 500)}`));
      }
      const found = new Map<string, string>();
      valid.forEach((handle, i) => {
        const [user] = body.data?.[`h${i}`] ?? [];
        if (user && typeof user.id === 'string' && typeof user.handle === 'string' && user.handle.toLowerCase() === handle) found.set(handle, user.id.toLowerCase());
      });
      return found;
    },
    async existing(ids, asUserId = null) {
      if (ids.length === 0) return new Set();
      const entities = await peerEntities<{ id?: unknown }>(peer, ENTITIES_QUERY, 'User', ids, asUserId, MISSING_CODES);
      const found = new Set<string>();
      for (const entity of entities) {
        if (entity && typeof entity.id === 'string') found.add(entity.id.toLowerCase());
      }
      return found;
    },
  };
}

/** An in-memory directory for tests and embedded setups: exactly the ids (and handles) it is given (mutable). */
export function createStaticUserDirectory(
  ids: Iterable<string> = [],
): UserDirectory & { add(...ids: string[]): void; addHandle(id: string, handle: string): void } {
  const known = new Set([...ids].map((id) => id.toLowerCase()));
  const handles = new Map<string, string>();
  return {
    add: (...more) => more.forEach((id) => known.add(id.toLowerCase())),
    addHandle(id, handle) {
      known.add(id.toLowerCase());
      handles.set(handle.toLowerCase(), id.toLowerCase());
    },
    async byHandles(asked) {
      const found = new Map<string, string>();
      for (const handle of asked.map((h) => h.toLowerCase())) {
        const id = handles.get(handle);
        if (id) found.set(handle, id);
      }
      return found;
    },
    async existing(asked) {
      return new Set(asked.map((id) => id.toLowerCase()).filter((id) => known.has(id)));
    },
  };
}
