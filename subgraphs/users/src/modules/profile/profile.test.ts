import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUsersHarness, type UsersHarness } from '../../test-kit.js';

const UPDATE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { id handle displayName statusText avatar { __typename id } } }`;
const SEARCH = `query ($p: String!, $limit: Int) { users(handlePrefix: $p, limit: $limit) { id handle } }`;

interface Profile {
  id: string;
  handle: string;
  displayName: string;
  statusText: string | null;
  avatar: { __typename: string; id: string } | null;
}

let h: UsersHarness;
/** A run-unique handle stem, so searches only see this file's users. */
const stem = `p${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  h = await startUsersHarness();
});
afterAll(async () => {
  await h?.close();
});

async function createUser(handle: string) {
  return h.prisma.user.create({ data: { handle, email: `${handle}@example.com`, displayName: handle, passwordHash: 'x' } });
}

const update = (userId: string | null, input: Record<string, unknown>) => h.gql<{ updateProfile: Profile }>(UPDATE, { input }, { userId });

describe('updateProfile', () => {
  it('updates the caller: trims, keeps omitted fields, null clears, avatar is a Media reference', async () => {
    const user = await createUser(`${stem}_owner`);
    const media = randomUUID().toUpperCase();
    h.avatars.add(media, { ownerId: user.id, contentType: 'image/png' });
    const res = await update(user.id, { displayName: '  Ada L. ', statusText: ' on holiday 🏖️ ', avatarMediaId: media });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateProfile).toEqual({
      id: user.id,
      handle: user.handle,
      displayName: 'Ada L.',
      statusText: 'on holiday 🏖️',
      avatar: { __typename: 'Media', id: media.toLowerCase() },
    });

    const partial = await update(user.id, { statusText: null });
    expect(partial.data!.updateProfile).toMatchObject({ displayName: 'Ada L.', statusText: null, avatar: { id: media.toLowerCase() } });
    const cleared = await update(user.id, { avatarMediaId: null, statusText: '   ' });
    expect(cleared.data!.updateProfile).toMatchObject({ displayName: 'Ada L.', statusText: null, avatar: null });
    expect(await h.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ displayName: 'Ada L.', statusText: null, avatarMediaId: null });
    // An empty input changes nothing and answers the profile.
    expect((await update(user.id, {})).data!.updateProfile.displayName).toBe('Ada L.');
  });

  it('accepts 140 characters of status (code points, not UTF-16 units) and 64 of name', async () => {
    const user = await createUser(`${stem}_bounds`);
    const res = await update(user.id, { statusText: '😀'.repeat(140), displayName: 'n'.repeat(64) });
    expect(res.errors).toBeUndefined();
    expect([...res.data!.updateProfile.statusText!]).toHaveLength(140);
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['empty display name', { displayName: '   ' }, 'displayName'],
    ['null display name', { displayName: null }, 'displayName'],
    ['65-character display name', { displayName: 'n'.repeat(65) }, 'displayName'],
    ['display name with a newline', { displayName: 'a\nb' }, 'displayName'],
    ['141-character status', { statusText: 's'.repeat(141) }, 'statusText'],
    ['status with a newline', { statusText: 'line one\nline two' }, 'statusText'],
    ['status with NUL', { statusText: 'a\u0000b' }, 'statusText'],
    ['avatar that is not a UUID', { avatarMediaId: 'not-a-uuid' }, 'avatarMediaId'],
    ['avatar with SQL', { avatarMediaId: "'; DROP TABLE users.users; --" }, 'avatarMediaId'],
    // One bad field spoils the whole input: nothing of it is written.
    ['good name, bad avatar', { displayName: 'Changed', statusText: 'changed', avatarMediaId: '123' }, 'avatarMediaId'],
  ];
  it.each(invalid)('%s: BAD_USER_INPUT on the field, nothing written', async (_name, input, field) => {
    const user = await createUser(`${stem}_bad_${randomBytes(2).toString('hex')}`);
    const before = await h.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    const res = await update(user.id, input);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await h.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toEqual(before);
  });

  it('an avatar must be an image the caller uploaded: unknown, foreign and non-image media are BAD_USER_INPUT, nothing written', async () => {
    const [owner, other] = [await createUser(`${stem}_av_own`), await createUser(`${stem}_av_other`)];
    const mine = randomUUID();
    h.avatars.add(mine, { ownerId: owner.id, contentType: 'image/jpeg' });
    expect((await update(owner.id, { avatarMediaId: mine })).errors).toBeUndefined();
    const theirs = randomUUID();
    h.avatars.add(theirs, { ownerId: other.id, contentType: 'image/png' });
    const svg = randomUUID();
    h.avatars.add(svg, { ownerId: owner.id, contentType: 'image/svg+xml' });
    const pdf = randomUUID();
    h.avatars.add(pdf, { ownerId: owner.id, contentType: 'application/pdf' });
    const before = await h.prisma.user.findUniqueOrThrow({ where: { id: owner.id } });
    for (const [media, message] of [
      [randomUUID(), /no media with this id/i],
      [theirs, /media you uploaded/],
      [svg, /must be an image .*image\/svg\+xml/],
      [pdf, /must be an image .*application\/pdf/],
    ] as const) {
      const res = await update(owner.id, { displayName: 'Changed too', avatarMediaId: media });
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'avatarMediaId' });
      expect(res.errors?.[0]?.message).toMatch(message);
    }
    expect(await h.prisma.user.findUniqueOrThrow({ where: { id: owner.id } })).toEqual(before);
    expect(before.avatarMediaId).toBe(mine);
  });

  it('requires an authenticated caller and only ever changes the caller', async () => {
    const [a, b] = [await createUser(`${stem}_a`), await createUser(`${stem}_b`)];
    expect((await update(null, { displayName: 'x' })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await update(a.id, { displayName: 'Only A' });
    expect((await h.prisma.user.findUniqueOrThrow({ where: { id: b.id } })).displayName).toBe(b.displayName);
  });

  it('a caller whose account is gone gets NOT_FOUND', async () => {
    expect((await update(randomUUID(), { displayName: 'ghost' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('statusText and avatar resolve on entity references too', async () => {
    const user = await createUser(`${stem}_ref`);
    const media = randomUUID();
    h.avatars.add(media, { ownerId: user.id, contentType: 'image/webp' });
    expect((await update(user.id, { statusText: 'hi', avatarMediaId: media })).errors).toBeUndefined();
    const res = await h.gql<{ _entities: unknown[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { statusText avatar { id } } } }`,
      { r: [{ __typename: 'User', id: user.id }] },
      { userId: user.id },
    );
    expect(res.data!._entities).toEqual([{ statusText: 'hi', avatar: { id: media } }]);
  });
});

describe('users(handlePrefix)', () => {
  beforeAll(async () => {
    for (const suffix of ['s_alice', 's_alicia', 's_al_x', 's_alx', 's_bob', 's_al9']) await createUser(`${stem}${suffix}`);
  });
  const search = (p: string, limit?: number, userId: string | null = randomUUID()) =>
    h.gql<{ users: Array<{ handle: string }> }>(SEARCH, { p, limit }, { userId });
  const handles = async (p: string, limit?: number) => {
    const res = await search(p, limit);
    expect(res.errors).toBeUndefined();
    return res.data!.users.map((u) => u.handle.slice(stem.length));
  };

  it('finds handles by prefix, ordered, case-insensitively, with a leading @ accepted', async () => {
    expect(await handles(`${stem}s_al`)).toEqual(['s_al9', 's_al_x', 's_alice', 's_alicia', 's_alx']);
    expect(await handles(`@${stem.toUpperCase()}S_ALI`)).toEqual(['s_alice', 's_alicia']);
    expect(await handles(`${stem}s_alice`)).toEqual(['s_alice']);
    expect(await handles(`${stem}s_nobody`)).toEqual([]);
  });

  it('matches _ literally, not as a LIKE wildcard', async () => {
    // As a wildcard, "al_" would also match "alx" and "al9".
    expect(await handles(`${stem}s_al_`)).toEqual(['s_al_x']);
  });

  it('limits the results (default 20, 1–50)', async () => {
    expect(await handles(`${stem}s_al`, 2)).toEqual(['s_al9', 's_al_x']);
    for (const limit of [0, -1, 51]) {
      expect((await search(`${stem}s`, limit)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
    }
  });

  it.each(['', '   ', '%', 'a%', "a' OR '1'='1", 'a\\', 'x'.repeat(33), 'ä'])('prefix %j is BAD_USER_INPUT', async (p) => {
    expect((await search(p)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'handlePrefix' });
  });

  it('requires an authenticated caller', async () => {
    expect((await search(`${stem}s`, 5, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('is an index range scan on users_handle_prefix_idx, also as a generic prepared plan', async () => {
    // Enough rows that the planner prefers the index on its own.
    await h.prisma.$executeRawUnsafe(`
      INSERT INTO "users"."users" (id, handle, email, display_name, password_hash, updated_at)
      SELECT gen_random_uuid(), 'bulk_' || i, 'bulk_' || i || '@example.com', 'bulk', 'x', now()
      FROM generate_series(1, 20000) AS i`);
    await h.prisma.$executeRawUnsafe(`ANALYZE "users"."users"`);
    const sql = `EXPLAIN SELECT id::text AS id FROM "users"."users"
      WHERE handle ~>=~ $1 AND handle ~<~ $2 AND handle LIKE $3 ESCAPE '\\'
      ORDER BY handle USING ~<~ LIMIT $4`;
    for (const mode of ['auto', 'force_generic_plan']) {
      const plan = await h.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL plan_cache_mode = ${mode}`);
        return tx.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(sql, 'bulk_12', 'bulk_13', 'bulk\\_12%', 20);
      });
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      // A range on the pattern index (ordered or bitmap, as the planner sees fit), never a table scan.
      expect(text, text).toMatch(/Index (Only )?Scan (using|on) users_handle_prefix_idx/);
      expect(text, text).toMatch(/Index Cond: .*~>=~ 'bulk_12'.*~<~ 'bulk_13'/);
      expect(text, text).not.toMatch(/Seq Scan/);
    }
    const res = await search('bulk_1234');
    expect(res.data!.users.map((u) => u.handle)).toEqual(['bulk_1234', ...Array.from({ length: 10 }, (_, i) => `bulk_1234${i}`)]);
  });
});
