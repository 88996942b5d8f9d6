import { randomUUID } from 'node:crypto';
import { startUsersHarness, type UsersHarness } from '@storm/users/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpUserDirectory } from './user-directory.js';

// Against the real users subgraph: the contract this service relies on is
// that `_entities` answers null for an unknown User id.
let users: UsersHarness;
const registered: string[] = [];

beforeAll(async () => {
  users = await startUsersHarness();
  for (const handle of ['dir_alice', 'dir_bob']) {
    const response = await users.gql<{ register: { user: { id: string } } }>(
      `mutation($input: RegisterInput!) { register(input: $input) { user { id } } }`,
      { input: { handle, email: `${handle}@example.com`, password: 'correct horse battery staple' } },
    );
    expect(response.errors).toBeUndefined();
    registered.push(response.data!.register.user.id);
  }
});
afterAll(async () => {
  await users?.close();
});

describe('createHttpUserDirectory against the users subgraph', () => {
  it('returns exactly the ids that are users, asked anonymously or as a caller', async () => {
    const directory = createHttpUserDirectory({ url: users.service.url, identityKey: users.identityKey });
    const stranger = randomUUID();
    expect(await directory.existing([...registered, stranger])).toEqual(new Set(registered));
    expect(await directory.existing([stranger], registered[0])).toEqual(new Set());
    expect(await directory.existing([])).toEqual(new Set());
  });

  it('resolves exact handles (case-insensitive) to ids, and leaves prefixes, unknown and malformed handles out', async () => {
    const directory = createHttpUserDirectory({ url: users.service.url, identityKey: users.identityKey });
    const found = await directory.byHandles(['DIR_ALICE', 'dir_bob', 'dir_', 'dir_nobody', 'x', 'bad-handle!'], registered[0]!);
    expect(found).toEqual(new Map([['dir_alice', registered[0]], ['dir_bob', registered[1]]]));
    expect(await directory.byHandles([], registered[0]!)).toEqual(new Map());
  });

  it('is UNAVAILABLE when its identity is refused or the service is gone', async () => {
    const wrongKey = createHttpUserDirectory({ url: users.service.url, identityKey: new TextEncoder().encode('w'.repeat(40)) });
    await expect(wrongKey.existing(registered)).rejects.toMatchObject({ extensions: { code: 'UNAVAILABLE' } });
    const gone = createHttpUserDirectory({ url: 'http://127.0.0.1:9/graphql', identityKey: users.identityKey, timeoutMs: 500 });
    await expect(gone.existing(registered)).rejects.toMatchObject({ extensions: { code: 'UNAVAILABLE' } });
    await expect(gone.byHandles(['dir_alice'], registered[0]!)).rejects.toMatchObject({ extensions: { code: 'UNAVAILABLE' } });
  });
});
