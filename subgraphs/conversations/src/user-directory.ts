import { IDENTITY_HEADER, signIdentity, unavailable } from '@storm/common';

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
}

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
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async existing(ids, asUserId = null) {
      if (ids.length === 0) return new Set();
      let body: { data?: { _entities?: Array<{ id?: unknown } | null> | null } | null; errors?: Array<{ extensions?: { code?: unknown } }> };
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [IDENTITY_HEADER]: await signIdentity({ userId: asUserId }, options.identityKey),
          },
          body: JSON.stringify({ query: ENTITIES_QUERY, variables: { r: ids.map((id) => ({ __typename: 'User', id })) } }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) throw new Error(`users subgraph answered HTTP ${response.status}`);
        body = (await response.json()) as typeof body;
      } catch (err) {
        throw unavailable('The user directory is unavailable; retry later', err);
      }
      const entities = body.data?._entities;
      const errors = body.errors ?? [];
      if (!Array.isArray(entities) || errors.some((e) => !MISSING_CODES.has(String(e.extensions?.code)))) {
        throw unavailable('The user directory is unavailable; retry later', new Error(`users subgraph errors: ${JSON.stringify(errors).slice(0, 500)}`));
      }
      const found = new Set<string>();
      for (const entity of entities) {
        if (entity && typeof entity.id === 'string') found.add(entity.id.toLowerCase());
      }
      return found;
    },
  };
}

/** An in-memory directory for tests and embedded setups: exactly the ids it is given (mutable). */
export function createStaticUserDirectory(ids: Iterable<string> = []): UserDirectory & { add(...ids: string[]): void } {
  const known = new Set([...ids].map((id) => id.toLowerCase()));
  return {
    add: (...more) => more.forEach((id) => known.add(id.toLowerCase())),
    async existing(asked) {
      return new Set(asked.map((id) => id.toLowerCase()).filter((id) => known.has(id)));
    },
  };
}
