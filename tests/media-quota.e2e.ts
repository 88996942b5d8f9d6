// The storage quota of each user's files, through the router over the real
// PostgreSQL: an upload that does not fit what is left is refused with a typed
// 413 and keeps nothing, also when it only finds out while streaming and when
// uploads race for the last bytes; deleting frees room at once; a user sees
// what they use (`mediaUsage`) and lists their files (`uploads`) to choose what
// to delete (docs/media.md).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { FileStorage } from '@storm/media/modules/media/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, request } from './testkit/client.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const KIB = 1024;
const MAX_BYTES = 64 * KIB;
const QUOTA = 100 * KIB;
const USAGE = 'query Usage { mediaUsage { files usedBytes quotaBytes } }';
const UPLOADS = 'query Uploads($limit: Int, $after: String) { uploads(limit: $limit, after: $after) { media { id size } nextCursor } }';
const DELETE = 'mutation Delete($id: ID!) { deleteMedia(id: $id) }';

type Usage = { mediaUsage: { files: number; usedBytes: number; quotaBytes: number | null } };
type Uploads = { uploads: { media: Array<{ id: string; size: number }>; nextCursor: string | null } };
type Refusal = { errors: Array<{ message: string; extensions: { code: string; reason?: string; usedBytes?: number; quotaBytes?: number; maxBytes?: number } }> };

let stack: TestStack;
let origin: string;
let db: pg.Client;
let storage: FileStorage;

const png = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size - 8)]);

function upload(user: TestUser, body: Buffer | ReadableStream<Uint8Array>): Promise<Response> {
  const streamed = !Buffer.isBuffer(body);
  return fetch(`${origin}/media`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'image/png', authorization: `Bearer ${user.accessToken}` },
    ...(streamed ? { duplex: 'half' } : {}),
  } as RequestInit);
}

async function uploaded(user: TestUser, size: number): Promise<{ id: string; size: number }> {
  const res = await upload(user, png(size));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; size: number };
}

const usage = async (user: TestUser) => (await ok<Usage, Record<string, never>>(stack.httpUrl, USAGE, {}, user.accessToken)).mediaUsage;

/** What the user's files take in the table, and every stored and half-written file: what a refusal must not change. */
async function kept(user: TestUser): Promise<{ bytes: number; files: string[]; pending: string[] }> {
  const { rows } = await db.query<{ bytes: number }>('SELECT coalesce(sum(size), 0)::int AS bytes FROM media.media WHERE owner_id = $1', [user.id]);
  return { bytes: rows[0]!.bytes, files: await storage.keys(), pending: await storage.pending() };
}

function expectQuotaRefusal(status: number, body: Refusal, usedBytes: number): void {
  expect(status).toBe(413);
  expect(body.errors[0]!.extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', reason: 'QUOTA', usedBytes, quotaBytes: QUOTA });
  expect(body.errors[0]!.message).toContain('deleteMedia');
}

beforeAll(async () => {
  stack = await startTestStack({ bus: 'memory', media: { maxUploadBytes: MAX_BYTES, quotaBytes: QUOTA, uploadLimit: false } });
  origin = new URL(stack.httpUrl).origin;
  db = new pg.Client({ connectionString: stack.db.url });
  await db.connect();
  storage = new FileStorage(stack.mediaDir);
});
afterAll(async () => {
  await db?.end();
  await stack?.dispose();
});

describe('storage quota', () => {
  it('refuses what does not fit, by Content-Length or while streaming, keeps nothing, and deleting frees room', async () => {
    const alice = await registerUser(stack.httpUrl, 'quota_alice');
    expect(await usage(alice)).toEqual({ files: 0, usedBytes: 0, quotaBytes: QUOTA });
    const first = await uploaded(alice, 60 * KIB);
    expect(await usage(alice)).toEqual({ files: 1, usedBytes: 60 * KIB, quotaBytes: QUOTA });
    const before = await kept(alice);

    // 50 KiB is under the size limit but over the 40 KiB left: refused from its Content-Length.
    const declared = await upload(alice, png(50 * KIB));
    expectQuotaRefusal(declared.status, (await declared.json()) as Refusal, 60 * KIB);
    // Without a Content-Length the body streams until it passes what is left. (The insert-time
    // check below would refuse it too: this proves the refusal and that nothing is kept, not
    // that the upload was cut off early.)
    const chunks = [png(16 * KIB), randomBytes(16 * KIB), randomBytes(16 * KIB)];
    const stream = new ReadableStream<Uint8Array>({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) });
    const streamed = await upload(alice, stream);
    expectQuotaRefusal(streamed.status, (await streamed.json()) as Refusal, 60 * KIB);
    expect(await kept(alice)).toEqual(before);
    // The size limit is still its own refusal, with its own extensions.
    const big = await upload(alice, png(MAX_BYTES + 1));
    expect([big.status, ((await big.json()) as Refusal).errors[0]!.extensions]).toEqual([413, { code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_BYTES }]);

    // What fits still goes in, up to the last byte.
    await uploaded(alice, 40 * KIB);
    expect(await usage(alice)).toEqual({ files: 2, usedBytes: QUOTA, quotaBytes: QUOTA });
    const full = await upload(alice, png(10));
    expectQuotaRefusal(full.status, (await full.json()) as Refusal, QUOTA);

    // Another user's quota is their own.
    const bob = await registerUser(stack.httpUrl, 'quota_bob');
    await uploaded(bob, 60 * KIB);

    await ok(stack.httpUrl, DELETE, { id: first.id }, alice.accessToken);
    expect(await usage(alice)).toEqual({ files: 1, usedBytes: 40 * KIB, quotaBytes: QUOTA });
    await uploaded(alice, 60 * KIB);
  });

  it('uploads racing for the last bytes: only what fits is kept, the others leave no row and no file', async () => {
    const carol = await registerUser(stack.httpUrl, 'quota_carol');
    await uploaded(carol, 50 * KIB);
    // Each of the five fits the 50 KiB left on its own (so all stream to the end); together two do.
    const answers = await Promise.all(Array.from({ length: 5 }, () => upload(carol, png(20 * KIB)).then(async (res) => ({ status: res.status, body: (await res.json()) as Refusal }))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 201, 413, 413, 413]);
    for (const refused of answers.filter((a) => a.status === 413)) expectQuotaRefusal(refused.status, refused.body, 90 * KIB);
    const after = await kept(carol);
    expect(after.bytes).toBe(90 * KIB);
    expect(after.pending).toEqual([]);
    // One file per row: the refused ones removed theirs.
    const { rows } = await db.query<{ storage_key: string }>('SELECT storage_key FROM media.media');
    expect(after.files.sort()).toEqual(rows.map((r) => r.storage_key).sort());
    expect(await usage(carol)).toEqual({ files: 3, usedBytes: 90 * KIB, quotaBytes: QUOTA });
  });

  it('lists the caller’s own files newest first, page by page, and nobody else’s', async () => {
    const dave = await registerUser(stack.httpUrl, 'quota_dave');
    const erin = await registerUser(stack.httpUrl, 'quota_erin');
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) mine.push((await uploaded(dave, 1000 + i)).id);
    await uploaded(erin, 500);

    const seen: Array<{ id: string; size: number }> = [];
    let after: string | null = null;
    do {
      const page: Uploads = await ok<Uploads, { limit: number; after: string | null }>(stack.httpUrl, UPLOADS, { limit: 2, after }, dave.accessToken);
      expect(page.uploads.media.length).toBeLessThanOrEqual(2);
      seen.push(...page.uploads.media);
      after = page.uploads.nextCursor;
    } while (after);
    expect(seen.map((m) => m.id)).toEqual([...mine].reverse());
    expect(seen.map((m) => m.size)).toEqual([1004, 1003, 1002, 1001, 1000]);

    for (const [variables, field] of [
      [{ after: 'not a cursor' }, 'after'],
      [{ after: Buffer.from(JSON.stringify(['2026-12-08T00:00:00.000Z', "x' OR 1=1"])).toString('base64url') }, 'after'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
    ] as const) {
      const res = await request(stack.httpUrl, UPLOADS, variables, dave.accessToken);
      expect([res.errors?.[0]?.extensions?.code, res.errors?.[0]?.extensions?.field], JSON.stringify(variables)).toEqual(['BAD_USER_INPUT', field]);
    }
    const anonymous = await request(stack.httpUrl, USAGE, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
