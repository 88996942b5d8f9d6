import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IDENTITY_HEADER, identityKey, signIdentity, type RunningService } from '@storm/common';
import { adapterFor } from '@storm/db';
import { createTestDatabase } from '@storm/db/testing';
import { PrismaClient } from '../../generated/prisma/client.js';
import { startMediaService } from '../../server.js';
import { MediaUrlSigner } from './signed-url.js';
import { FileStorage, ORPHAN_GRACE_MS } from './storage.js';
import { contentCheck } from './content-types.js';
import { recordedKeys } from './media.service.js';

const key = identityKey('media-test-identity-secret-0123456789abcdef');
/** A download link of `id` signed with this service's key (signed-url.ts), valid now. */
function expectLink(url: string | undefined, id: string): void {
  const link = new URL(url ?? '', 'http://x');
  expect(link.pathname).toBe(`/media/${id}`);
  expect(new MediaUrlSigner(key).check(id, link.searchParams.get('exp'), link.searchParams.get('sig'))).toBeUndefined();
}
const alice = randomUUID();
const bob = randomUUID();

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: PrismaClient<'query'>;
let service: RunningService;
/** Every SQL statement the service's client sent, in order. */
let sql: string[] = [];
const aliceMedia: string[] = [];
let bobMedia: string;
let storageDir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = new PrismaClient({ adapter: adapterFor(db.target), log: [{ emit: 'event', level: 'query' }] });
  prisma.$on('query', (e) => sql.push(e.query));
  for (const [i, type] of ['image/png', 'image/jpeg', 'application/pdf'].entries()) {
    const row = await prisma.media.create({
      data: { ownerId: alice, contentType: type, size: 1000 + i, storageKey: `test/${randomUUID()}` },
    });
    aliceMedia.push(row.id);
  }
  bobMedia = (await prisma.media.create({ data: { ownerId: bob, contentType: 'image/gif', size: 7, storageKey: `test/${randomUUID()}` } })).id;
  storageDir = await mkdtemp(join(tmpdir(), 'storm-media-test-'));
  service = await startMediaService({ prisma, identityKey: key, port: 0, development: false, storageDir });
});

afterAll(async () => {
  await service?.dispose();
  await prisma?.$disconnect();
  await db?.drop();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

beforeEach(() => {
  sql = [];
});

interface GraphQLResponse {
  status: number;
  body: {
    data?: Record<string, any> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  };
}

/** identity: a user id, null for anonymous, or a raw header value (or undefined for none). */
async function gql(
  query: string,
  variables: Record<string, unknown>,
  identity: { userId: string | null } | { header: string | undefined },
): Promise<GraphQLResponse> {
  const header = 'header' in identity ? identity.header : await signIdentity(identity, key);
  const res = await fetch(service.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header === undefined ? {} : { [IDENTITY_HEADER]: header }) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse['body'] };
}

const MEDIA = /* GraphQL */ `
  query Media($id: ID!) {
    media(id: $id) { id contentType size createdAt url }
  }
`;

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Media { id contentType size url } }
  }
`;

describe('Query.media', () => {
  it('shows the owner their media', async () => {
    const { status, body } = await gql(MEDIA, { id: aliceMedia[0] }, { userId: alice });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const row = await prisma.media.findUniqueOrThrow({ where: { id: aliceMedia[0] } });
    expect(body.data?.media).toEqual({
      id: aliceMedia[0],
      contentType: 'image/png',
      size: 1000,
      createdAt: row.createdAt.toISOString(),
      url: expect.any(String),
    });
    expectLink((body.data?.media as { url: string }).url, aliceMedia[0]!);
  });

  it("answers NOT_FOUND for someone else's media, exactly as for an unknown id", async () => {
    const other = await gql(MEDIA, { id: aliceMedia[0] }, { userId: bob });
    const unknown = await gql(MEDIA, { id: randomUUID() }, { userId: bob });
    for (const { status, body } of [other, unknown]) {
      expect(status).toBe(200);
      expect(body.data?.media).toBeNull();
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    }
    expect(other.body.errors?.[0].message).toBe(unknown.body.errors?.[0].message);
  });

  it('rejects a malformed id as BAD_USER_INPUT on field id, without a query', async () => {
    const { body } = await gql(MEDIA, { id: 'not-a-uuid' }, { userId: alice });
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(sql).toEqual([]);
  });

  it('answers UNAUTHENTICATED to an anonymous caller', async () => {
    const { body } = await gql(MEDIA, { id: aliceMedia[0] }, { userId: null });
    expect(body.data?.media).toBeNull();
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('identity assertion', () => {
  it.each([
    ['missing', { header: undefined }],
    ['garbage', { header: 'not-a-jwt' }],
  ])('refuses a %s identity with 401 before executing anything', async (_name, identity) => {
    const { status, body } = await gql(MEDIA, { id: aliceMedia[0] }, identity);
    expect(status).toBe(401);
    expect(body.data).toBeUndefined();
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(body)).not.toContain('http');
    expect(sql).toEqual([]);
  });

  it('refuses an identity signed with another key (forged) with 401', async () => {
    const forged = await signIdentity({ userId: alice }, identityKey('some-other-secret-that-is-long-enough-123'));
    const { status, body } = await gql(MEDIA, { id: aliceMedia[0] }, { header: forged });
    expect(status).toBe(401);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(sql).toEqual([]);
  });
});

describe('Media references (_entities)', () => {
  it('resolves many ids with one SQL query and only the caller’s own', async () => {
    const unknown = randomUUID();
    const ids = [aliceMedia[2], bobMedia, aliceMedia[0], unknown, aliceMedia[1], aliceMedia[0]];
    const representations = ids.map((id) => ({ __typename: 'Media', id }));
    const { status, body } = await gql(ENTITIES, { representations }, { userId: alice });
    expect(status).toBe(200);
    expect(sql.filter((q) => /\bFROM\b/i.test(q))).toHaveLength(1);
    expect(sql).toHaveLength(1);
    const entities = body.data?._entities as Array<{ id: string; url: string } | null>;
    expect(entities.map((e) => e?.id ?? null)).toEqual([aliceMedia[2], null, aliceMedia[0], null, aliceMedia[1], aliceMedia[0]]);
    expectLink(entities[0]?.url, aliceMedia[2]!);
    // Bob's media and the unknown id fail alone, indistinguishably.
    const errors = body.errors?.map((e) => [e.path, e.extensions?.code]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(errors).toEqual([
      [['_entities', 1], 'NOT_FOUND'],
      [['_entities', 3], 'NOT_FOUND'],
    ]);
  });

  it('skips malformed ids instead of sending them to the database', async () => {
    const representations = [aliceMedia[0], 'nope'].map((id) => ({ __typename: 'Media', id }));
    const { body } = await gql(ENTITIES, { representations }, { userId: alice });
    expect(body.data?._entities.map((e: { id: string } | null) => e?.id ?? null)).toEqual([aliceMedia[0], null]);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(sql).toHaveLength(1);
  });

  it('resolves nothing for an anonymous caller, without a query', async () => {
    const { body } = await gql(ENTITIES, { representations: [{ __typename: 'Media', id: aliceMedia[0] }] }, { userId: null });
    expect(body.data?._entities).toEqual([null]);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(sql).toEqual([]);
  });
});

describe('the orphan sweep', () => {
  it('removes old files without a row, and keeps recorded files and files too young to judge', async () => {
    const storage = new FileStorage(await mkdtemp(join(tmpdir(), 'storm-media-sweep-')));
    try {
      await storage.init();
      const write = (id: string) => storage.write(id, [Buffer.from('GIF89a')], { maxBytes: 100, check: contentCheck('image/gif')! });
      // One shard, three files: recorded, an orphan past the grace, an orphan inside it.
      const [recorded, orphan, young] = ['ab000000-0000-4000-8000-000000000001', 'ab000000-0000-4000-8000-000000000002', 'ab000000-0000-4000-8000-000000000003'];
      const stored = await write(recorded!);
      await prisma.media.create({ data: { id: recorded!, ownerId: alice, contentType: 'image/gif', size: 6, storageKey: stored.key } });
      const lost = await write(orphan!);
      await write(young!);
      // Thumbnails go with their file's row.
      await storage.writeThumbnail(stored.key, Buffer.from('RIFF'));
      await storage.writeThumbnail(lost.key, Buffer.from('RIFF'));
      const old = new Date(Date.now() - ORPHAN_GRACE_MS - 60_000);
      for (const key of [stored.key, lost.key, `${stored.key}.thumb`, `${lost.key}.thumb`]) await utimes(join(storage.root, key), old, old);

      expect((await storage.sweep('ab', (keys) => recordedKeys(prisma, keys), ORPHAN_GRACE_MS)).sort()).toEqual([lost.key, `${lost.key}.thumb`]);
      expect(await storage.keys()).toEqual([stored.key, `${stored.key}.thumb`, `ab/${young}`]);
      // An empty or missing folder is nothing to do.
      expect(await storage.sweep('cd', (keys) => recordedKeys(prisma, keys), ORPHAN_GRACE_MS)).toEqual([]);
    } finally {
      await rm(storage.root, { recursive: true, force: true });
    }
  });
});

describe('GET /healthz', () => {
  it('is 200 while the database answers', async () => {
    const res = await fetch(new URL('/healthz', service.url));
    expect(res.status).toBe(200);
  });
});

describe('GET /healthz without a database', () => {
  it('is 503, with no detail', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const down = new PrismaClient({ adapter: adapterFor({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' }, { connectionTimeoutMs: 1000 }) });
    const svc = await startMediaService({ prisma: down, identityKey: key, port: 0, development: false, storageDir });
    try {
      const res = await fetch(new URL('/healthz', svc.url));
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable' });
    } finally {
      await svc.dispose();
      await down.$disconnect();
    }
  });
});
