// Upload and download of media bytes through the router, over the real
// PostgreSQL and NATS and a real folder: what is uploaded downloads byte for
// byte from the link the API hands out, to whoever may see it; every bad
// upload gets a typed error and leaves no row and no file (docs/media.md).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import fc from 'fast-check';
import sharp from 'sharp';
import { identityKey } from '@storm/common';
import { MediaUrlSigner } from '@storm/media/modules/media/signed-url';
import { jpegOf, pngOf } from '@storm/media/modules/media/image-fixtures';
import { FileStorage } from '@storm/media/modules/media/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, request, wsClient } from './testkit/client.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { startReplica, startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

const MAX_BYTES = 64 * 1024;
// Per user: alice uploads about 30 files in this suite; the rate-limit test fills one burst.
const BURST = 50;
const MEDIA = 'query MediaById($id: ID!) { media(id: $id) { id size contentType url } }';
const SET_AVATAR = 'mutation SetAvatar($id: ID) { updateProfile(input: { avatarMediaId: $id }) { id } }';
const USER_AVATAR = 'query UserAvatar($id: ID!) { user(id: $id) { avatar { id url } } }';
const ATTACH = 'mutation Attach($messageId: ID!, $mediaIds: [ID!]!) { attachMedia(messageId: $messageId, mediaIds: $mediaIds) { id } }';
const HISTORY = 'query History($id: ID!) { conversation(id: $id) { messages { id attachments { id contentType url } } } }';

type Uploaded = { id: string; contentType: string; size: number; width: number | null; height: number | null; url: string; createdAt: string };
type Refusal = { errors: Array<{ message: string; extensions: { code: string; field?: string; reason?: string; retryAfter?: number; maxBytes?: number } }> };

let stack: TestStack;
let origin: string;
let db: pg.Client;
let storage: FileStorage;
let alice: TestUser;
let bob: TestUser;
let eve: TestUser;

const png = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size - 8)]);
const jpeg = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size - 4)]);

async function upload(body: NonNullable<RequestInit['body']> | Buffer, init: { type?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.type) headers['content-type'] = init.type;
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const streamed = typeof (body as ReadableStream).getReader === 'function';
  return fetch(`${origin}/media`, { method: 'POST', body: body as RequestInit['body'], headers, ...(streamed ? { duplex: 'half' } : {}) } as RequestInit);
}

async function uploaded(body: Buffer, type: string, token: string): Promise<Uploaded> {
  const res = await upload(body, { type, token });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Uploaded;
}

/** Polls `condition` (released in the background, best effort) for up to 5 s. */
async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Rows, stored files and half-written files: what a refused upload must not change. */
async function kept(): Promise<{ rows: number; files: string[]; pending: string[] }> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM media.media');
  return { rows: rows[0]!.n, files: await storage.keys(), pending: await storage.pending() };
}

beforeAll(async () => {
  stack = await startTestStack({ bus: 'nats', media: { maxUploadBytes: MAX_BYTES, uploadLimit: { burst: BURST, perSecond: 0.001 } } });
  origin = new URL(stack.httpUrl).origin;
  db = new pg.Client({ connectionString: stack.db.url });
  await db.connect();
  storage = new FileStorage(stack.mediaDir);
  [alice, bob, eve] = await Promise.all(['alice', 'bob', 'eve'].map((n) => registerUser(stack.httpUrl, n)));
});
afterAll(async () => {
  await db?.end();
  await stack?.dispose();
});

describe('upload and download', () => {
  it('a PNG downloads byte for byte from its link, and as an avatar other users load it too', async () => {
    const bytes = png(5000);
    const media = await uploaded(bytes, 'image/png', alice.accessToken);
    expect(media).toMatchObject({ contentType: 'image/png', size: 5000 });
    expect(media.url).toMatch(new RegExp(`^/media/${media.id}\\?exp=\\d+&sig=[\\w-]{43}$`));
    // The row and the file, nothing else.
    const { rows } = await db.query('SELECT owner_id, content_type, size, storage_key FROM media.media WHERE id = $1', [media.id]);
    expect(rows).toEqual([{ owner_id: alice.id, content_type: 'image/png', size: 5000, storage_key: `${media.id.slice(0, 2)}/${media.id}` }]);
    expect(await readFile(join(stack.mediaDir, rows[0].storage_key))).toEqual(bytes);

    const res = await fetch(origin + media.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    expect(Object.fromEntries(['content-type', 'content-length', 'content-disposition', 'x-content-type-options', 'etag'].map((h) => [h, res.headers.get(h)]))).toEqual({
      'content-type': 'image/png',
      'content-length': '5000',
      'content-disposition': `inline; filename="${media.id}"; filename*=UTF-8''${media.id}`,
      'x-content-type-options': 'nosniff',
      etag: `"${media.id}"`,
    });
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/);
    expect((await fetch(origin + media.url, { headers: { 'if-none-match': `"${media.id}"` } })).status).toBe(304);
    // Parts of it, as a resumed download or a media player asks.
    const part = await fetch(origin + media.url, { headers: { range: 'bytes=100-199' } });
    expect([part.status, part.headers.get('content-range'), part.headers.get('content-length')]).toEqual([206, 'bytes 100-199/5000', '100']);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    const tail = await fetch(origin + media.url, { headers: { range: 'bytes=-10' } });
    expect([tail.status, Buffer.from(await tail.arrayBuffer())]).toEqual([206, bytes.subarray(4990)]);
    const outside = await fetch(origin + media.url, { headers: { range: 'bytes=5000-' } });
    expect([outside.status, outside.headers.get('content-range'), ((await outside.json()) as Refusal).errors[0]!.extensions.code]).toEqual([416, 'bytes */5000', 'BAD_USER_INPUT']);
    const otherBytes = await fetch(origin + media.url, { headers: { range: 'bytes=0-9', 'if-range': '"something else"' } });
    expect([otherBytes.status, (await otherBytes.arrayBuffer()).byteLength]).toEqual([200, 5000]);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const head = await fetch(origin + media.url, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([200, '5000', 0]);

    // The API hands out the same kind of link, to whoever may see the media.
    const byId = await ok<{ media: { url: string; size: number } }, { id: string }>(stack.httpUrl, MEDIA, { id: media.id }, alice.accessToken);
    expect(byId.media.size).toBe(5000);
    await ok(stack.httpUrl, SET_AVATAR, { id: media.id }, alice.accessToken);
    const seen = await ok<{ user: { avatar: { id: string; url: string } } }, { id: string }>(stack.httpUrl, USER_AVATAR, { id: alice.id }, bob.accessToken);
    expect(seen.user.avatar.id).toBe(media.id);
    expect(Buffer.from(await (await fetch(origin + seen.user.avatar.url)).arrayBuffer())).toEqual(bytes);
    await ok(stack.httpUrl, SET_AVATAR, { id: null }, alice.accessToken);
  });

  it('images carry their displayed size (a phone photo turned by its EXIF orientation), other files none', async () => {
    const frank = await registerUser(stack.httpUrl, 'frank');
    const photo = await uploaded(jpegOf(4032, 3024, { orientation: 6, padding: 30_000 }), 'image/jpeg', frank.accessToken);
    expect(photo).toMatchObject({ width: 3024, height: 4032 });
    const screenshot = await uploaded(pngOf(1280, 720), 'image/png', frank.accessToken);
    expect(screenshot).toMatchObject({ width: 1280, height: 720 });
    const notes = await uploaded(Buffer.from('just text'), 'text/plain', frank.accessToken);
    expect(notes).toMatchObject({ width: null, height: null });
    const noise = await uploaded(png(3000), 'image/png', frank.accessToken);
    expect(noise).toMatchObject({ width: null, height: null });
    const sizes = await ok<{ media: { width: number | null; height: number | null } }, { id: string }>(stack.httpUrl, 'query ($id: ID!) { media(id: $id) { width height } }', { id: photo.id }, frank.accessToken);
    expect(sizes.media).toEqual({ width: 3024, height: 4032 });
    // The bytes are kept as uploaded: the orientation is the viewer's to apply.
    expect(Buffer.from(await (await fetch(origin + photo.url)).arrayBuffer())).toEqual(jpegOf(4032, 3024, { orientation: 6, padding: 30_000 }));
  });

  it('images get a thumbnail: WebP, in 400 px, turned upright, without metadata; deleting removes it', async () => {
    const grace = await registerUser(stack.httpUrl, 'grace');
    // A phone photo: stored 1600 × 1200 with EXIF orientation 6 (shown 1200 × 1600), and a GPS-bearing EXIF block.
    const photoBytes = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 200, g: 60, b: 20 } } })
      .jpeg()
      .withExif({ IFD0: { Make: 'StormPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(photoBytes).metadata()).exif).toBeDefined();
    const photo = (await uploaded(photoBytes, 'image/jpeg', grace.accessToken)) as Uploaded & { thumbnailUrl: string | null };
    expect(photo).toMatchObject({ width: 1200, height: 1600 });
    expect(photo.thumbnailUrl).toBe(`${photo.url}&variant=thumbnail`);
    const thumb = await fetch(origin + photo.thumbnailUrl!);
    expect([thumb.status, thumb.headers.get('content-type'), thumb.headers.get('content-disposition')]).toEqual([200, 'image/webp', `inline; filename="${photo.id}.webp"; filename*=UTF-8''${photo.id}.webp`]);
    const thumbBytes = Buffer.from(await thumb.arrayBuffer());
    const meta = await sharp(thumbBytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif, meta.orientation]).toEqual(['webp', 300, 400, undefined, undefined]);
    expect(thumbBytes.length).toBeLessThan(photoBytes.length);
    // The original keeps every byte, its EXIF included.
    expect(Buffer.from(await (await fetch(origin + photo.url)).arrayBuffer())).toEqual(photoBytes);
    // Through the API, to whoever may see the media.
    const byId = await ok<{ media: { thumbnailUrl: string | null } }, { id: string }>(stack.httpUrl, 'query ($id: ID!) { media(id: $id) { thumbnailUrl } }', { id: photo.id }, grace.accessToken);
    expect(byId.media.thumbnailUrl).toBe(photo.thumbnailUrl);

    // Small images are not enlarged; bytes that only start like an image, and other files, have none.
    const icon = (await uploaded(await sharp({ create: { width: 64, height: 32, channels: 4, background: '#00ff0080' } }).png().toBuffer(), 'image/png', grace.accessToken)) as Uploaded & { thumbnailUrl: string };
    expect(await sharp(Buffer.from(await (await fetch(origin + icon.thumbnailUrl)).arrayBuffer())).metadata()).toMatchObject({ width: 64, height: 32, hasAlpha: true });
    const noise = (await uploaded(png(3000), 'image/png', grace.accessToken)) as Uploaded & { thumbnailUrl: string | null };
    const text = (await uploaded(Buffer.from('notes'), 'text/plain', grace.accessToken)) as Uploaded & { thumbnailUrl: string | null };
    expect([noise.thumbnailUrl, text.thumbnailUrl]).toEqual([null, null]);
    const none = await fetch(`${origin}${noise.url}&variant=thumbnail`);
    expect([none.status, ((await none.json()) as Refusal).errors[0]!.extensions.code]).toEqual([404, 'NOT_FOUND']);
    const bad = await fetch(`${origin}${photo.url}&variant=huge`);
    expect([bad.status, ((await bad.json()) as Refusal).errors[0]!.extensions]).toEqual([400, { code: 'BAD_USER_INPUT', field: 'variant' }]);

    const key = `${photo.id.slice(0, 2)}/${photo.id}`;
    expect(await storage.keys()).toContain(`${key}.thumb`);
    await ok(stack.httpUrl, 'mutation ($id: ID!) { deleteMedia(id: $id) }', { id: photo.id }, grace.accessToken);
    expect((await storage.keys()).filter((k) => k.startsWith(key))).toEqual([]);
    expect((await fetch(origin + photo.thumbnailUrl!)).status).toBe(404);
  });

  it('keeps the file name given at upload (without any folder) and downloads under it; a bad name keeps nothing', async () => {
    const res = await fetch(`${origin}/media?filename=${encodeURIComponent('C:\\Users\\me\\Quarterly report ✓ "final".pdf')}`, {
      method: 'POST',
      body: Buffer.from('%PDF-1.7\n'),
      headers: { 'content-type': 'application/pdf', authorization: `Bearer ${alice.accessToken}` },
    });
    const media = (await res.json()) as Uploaded & { filename: string };
    expect([res.status, media.filename]).toEqual([201, 'Quarterly report ✓ "final".pdf']);
    const byId = await ok<{ media: { filename: string } }, { id: string }>(stack.httpUrl, 'query MediaName($id: ID!) { media(id: $id) { filename } }' as never, { id: media.id }, alice.accessToken);
    expect(byId.media.filename).toBe('Quarterly report ✓ "final".pdf');
    const download = await fetch(origin + media.url);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="Quarterly report _ _final_.pdf"; filename*=UTF-8''Quarterly%20report%20%E2%9C%93%20%22final%22.pdf`);

    const before = await kept();
    for (const [name, bad] of [['empty', ''], ['a folder', 'docs/'], ['a control character', 'a\u0007b.txt'], ['too long', `${'x'.repeat(256)}.txt`]] as const) {
      const refused = await fetch(`${origin}/media?filename=${encodeURIComponent(bad)}`, { method: 'POST', body: png(100), headers: { 'content-type': 'image/png', authorization: `Bearer ${alice.accessToken}` } });
      const body = (await refused.json()) as Refusal;
      expect([name, refused.status, body.errors[0]!.extensions.code, body.errors[0]!.extensions.field]).toEqual([name, 400, 'BAD_USER_INPUT', 'filename']);
    }
    expect(await kept()).toEqual(before);
  });

  it('a voice message (audio/ogg) plays inline and seeks by range', async () => {
    const voice = Buffer.concat([Buffer.from('OggS'), randomBytes(4000)]);
    const media = await uploaded(voice, 'audio/ogg', alice.accessToken);
    const res = await fetch(origin + media.url, { headers: { range: 'bytes=2000-' } });
    expect([res.status, res.headers.get('content-type'), res.headers.get('content-disposition')]).toEqual([206, 'audio/ogg', `inline; filename="${media.id}"; filename*=UTF-8''${media.id}`]);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(voice.subarray(2000));
    // The same bytes are not a video, whatever they are called.
    const wrong = await upload(voice, { type: 'video/mp4', token: alice.accessToken });
    expect([wrong.status, ((await wrong.json()) as Refusal).errors[0]!.extensions.field]).toEqual([400, 'body']);
  });

  it('an attached file reaches the members as a download; a non-member gets no link', async () => {
    const notes = Buffer.from('meeting notes: ünïcödé ✓\n');
    const media = await uploaded(notes, 'text/plain; charset=utf-8', alice.accessToken);
    expect(media.contentType).toBe('text/plain');
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'files', memberIds: [bob.id] } }, alice.accessToken);
    const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'notes attached' } }, alice.accessToken);
    await ok(stack.httpUrl, ATTACH, { messageId: sendMessage.id, mediaIds: [media.id] }, alice.accessToken);

    const history = await ok<{ conversation: { messages: Array<{ id: string; attachments: Array<{ id: string; url: string }> }> } }, { id: string }>(stack.httpUrl, HISTORY, { id: createConversation.id }, bob.accessToken);
    const [attachment] = history.conversation.messages.find((m) => m.id === sendMessage.id)!.attachments;
    expect(attachment!.id).toBe(media.id);
    const res = await fetch(origin + attachment!.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    // Not an image: saved, never shown in the page.
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${media.id}"; filename*=UTF-8''${media.id}`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(notes);

    const denied = await request(stack.httpUrl, MEDIA, { id: media.id }, eve.accessToken);
    expect(denied.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(denied)).not.toContain('sig=');
  });

  it("answers `Expect: 100-continue` (curl's way with large files) before the body is sent", async () => {
    const bytes = png(MAX_BYTES - 1);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${origin}/media`, {
        method: 'POST',
        headers: { 'content-type': 'image/png', 'content-length': String(bytes.length), expect: '100-continue', authorization: `Bearer ${alice.accessToken}` },
      });
      req.on('continue', () => req.end(bytes));
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk)).on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
    });
    expect([status, (JSON.parse(body) as Uploaded).size]).toEqual([201, bytes.length]);
  });

  it('live: members subscribed to conversationEvents get MESSAGE_EDITED with the attachment once it is attached, and can download it', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'live files', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const client = wsClient(stack.wsUrl, bob.accessToken);
    try {
      const LIVE = 'subscription LiveAttachments($conversationId: ID!) { conversationEvents(conversationId: $conversationId) { kind seq message { id editedAt attachments { id contentType url } } } }';
      type Event = { conversationEvents: { kind: string; seq: number; message: { id: string; editedAt: string | null; attachments: Array<{ id: string; contentType: string; url: string }> } } };
      const live = new Recorder<Event>(client, LIVE as never, { conversationId });
      await stack.subscriptionsOpen(1);
      const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'photo coming' } }, alice.accessToken);
      const bytes = png(3000);
      const media = await uploaded(bytes, 'image/png', alice.accessToken);
      await ok(stack.httpUrl, ATTACH, { messageId: sendMessage.id, mediaIds: [media.id] }, alice.accessToken);
      const [added, edited] = (await live.waitFor(2)).map((e) => e.data!.conversationEvents);
      expect(added).toMatchObject({ kind: 'MESSAGE_ADDED', seq: 1, message: { id: sendMessage.id, attachments: [] } });
      // Not a text edit: editedAt stays null.
      expect(edited).toMatchObject({ kind: 'MESSAGE_EDITED', seq: 1, message: { id: sendMessage.id, editedAt: null, attachments: [{ id: media.id, contentType: 'image/png' }] } });
      expect(Buffer.from(await (await fetch(origin + edited!.message.attachments[0]!.url)).arrayBuffer())).toEqual(bytes);
      // Attaching it again attaches nothing twice, and tells the clients again (a retry after UNAVAILABLE must reach them).
      await ok(stack.httpUrl, ATTACH, { messageId: sendMessage.id, mediaIds: [media.id] }, alice.accessToken);
      const [, , again] = (await live.waitFor(3)).map((e) => e.data!.conversationEvents);
      expect(again!.message.attachments.map((a) => a.id)).toEqual([media.id]);
      live.unsubscribe();
    } finally {
      await client.dispose();
    }
    // The announcement is the media service's to make: it is not in the public API.
    const direct = await request(stack.httpUrl, 'mutation { announceMessageChange(id: "00000000-0000-4000-8000-000000000000") }' as never, {}, alice.accessToken);
    expect(direct.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('sendMessage with attachmentIds: the message is delivered with its files from the first event; bad ids send nothing', async () => {
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'send with files', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const SEND = 'mutation SendWithFiles($input: SendMessageInput!) { sendMessage(input: $input) { id seq attachments { id contentType } } }';
    const LIVE = 'subscription AddedWithFiles($conversationId: ID!) { messageAdded(conversationId: $conversationId) { id seq attachments { id url } } }';
    type Added = { messageAdded: { id: string; seq: number; attachments: Array<{ id: string; url: string }> } };
    const client = wsClient(stack.wsUrl, bob.accessToken);
    try {
      const live = new Recorder<Added>(client, LIVE as never, { conversationId });
      await stack.subscriptionsOpen(1);
      const photo = png(2000);
      const notes = Buffer.from('agenda\n');
      const [a, b] = [await uploaded(photo, 'image/png', alice.accessToken), await uploaded(notes, 'text/plain', alice.accessToken)];
      const sent = await ok<{ sendMessage: { id: string; seq: number; attachments: Array<{ id: string; contentType: string }> } }, unknown>(
        stack.httpUrl,
        SEND as never,
        { input: { conversationId, body: 'two files', attachmentIds: [a!.id, b!.id] } },
        alice.accessToken,
      );
      expect(sent.sendMessage.attachments).toEqual([{ id: a!.id, contentType: 'image/png' }, { id: b!.id, contentType: 'text/plain' }]);
      const [event] = (await live.waitFor(1)).map((e) => e.data!.messageAdded);
      expect([event!.id, event!.attachments.map((x) => x.id)]).toEqual([sent.sendMessage.id, [a!.id, b!.id]]);
      expect(Buffer.from(await (await fetch(origin + event!.attachments[0]!.url)).arrayBuffer())).toEqual(photo);

      // Someone else's media, a malformed id, too many ids: refused, and nothing is sent.
      const bobs = await uploaded(png(100), 'image/png', bob.accessToken);
      const refusals: Array<[string, unknown[]]> = [
        ["bob's media", [bobs.id]],
        ['a malformed id', ['not-an-id']],
        ['eleven ids', Array.from({ length: 11 }, () => a!.id)],
      ];
      for (const [name, attachmentIds] of refusals) {
        const res = await request(stack.httpUrl, SEND as never, { input: { conversationId, body: `refused: ${name}`, attachmentIds } }, alice.accessToken);
        expect([name, res.errors?.[0]?.extensions?.code, res.errors?.[0]?.extensions?.field]).toEqual([name, 'BAD_USER_INPUT', 'attachmentIds']);
      }
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM conversations.messages WHERE conversation_id = $1', [conversationId]);
      expect(rows[0]!.n).toBe(1);
      // Files need no text; text-less messages without files are still refused.
      const photoOnly = await ok<{ sendMessage: { seq: number; attachments: Array<{ id: string }> } }, unknown>(stack.httpUrl, SEND as never, { input: { conversationId, body: ' ', attachmentIds: [a!.id] } }, alice.accessToken);
      expect(photoOnly.sendMessage).toEqual(expect.objectContaining({ seq: 2, attachments: [{ id: a!.id, contentType: 'image/png' }] }));
      expect((await request(stack.httpUrl, SEND as never, { input: { conversationId, body: ' ' } }, alice.accessToken)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
      await live.waitFor(2);
      // A non-member's send with their own files is NOT_FOUND, and the files stay theirs alone.
      const eves = await uploaded(png(100), 'image/png', eve.accessToken);
      const denied = await request(stack.httpUrl, SEND as never, { input: { conversationId, body: 'sneaky', attachmentIds: [eves.id] } }, eve.accessToken);
      expect(denied.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect((await request(stack.httpUrl, MEDIA, { id: eves.id }, bob.accessToken)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      // The attachment rows media prepared for the refused send are released: no row points at a message that does not exist.
      const phantoms = async (mediaId: string) =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM media.attachments a WHERE a.media_id = $1 AND NOT EXISTS (SELECT 1 FROM conversations.messages m WHERE m.id = a.message_id)', [mediaId])).rows[0]!.n;
      await eventually(async () => (await phantoms(eves.id)) === 0, 'the refused send’s attachments released');
      // A retry of a clientMsgId answers with the first message; the retry's own attachment rows go too.
      const first = await ok<{ sendMessage: { id: string } }, unknown>(stack.httpUrl, SEND as never, { input: { conversationId, body: 'once', clientMsgId: 'files-1', attachmentIds: [a!.id] } }, alice.accessToken);
      const retry = await ok<{ sendMessage: { id: string; attachments: Array<{ id: string }> } }, unknown>(stack.httpUrl, SEND as never, { input: { conversationId, body: 'once', clientMsgId: 'files-1', attachmentIds: [b!.id] } }, alice.accessToken);
      expect([retry.sendMessage.id, retry.sendMessage.attachments.map((x) => x.id)]).toEqual([first.sendMessage.id, [a!.id]]);
      await eventually(async () => (await phantoms(b!.id)) === 0, 'the retry’s attachments released');
      await new Promise((r) => setTimeout(r, 200));
      expect(live.events).toHaveLength(3);
      live.unsubscribe();
    } finally {
      await client.dispose();
    }
  });

  it('deleteMedia: the owner deletes a file that is their avatar and attached to a message; it is gone everywhere, live clients are told', async () => {
    const DELETE_MEDIA = 'mutation DeleteMedia($id: ID!) { deleteMedia(id: $id) }';
    const bytes = png(1500);
    const media = await uploaded(bytes, 'image/png', alice.accessToken);
    await ok(stack.httpUrl, SET_AVATAR, { id: media.id }, alice.accessToken);
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'to delete', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'oops, wrong photo', attachmentIds: [media.id] } as never }, alice.accessToken);
    const client = wsClient(stack.wsUrl, bob.accessToken);
    try {
      const LIVE = 'subscription LiveDeletes($conversationId: ID!) { conversationEvents(conversationId: $conversationId) { kind message { id attachments { id } } } }';
      type Event = { conversationEvents: { kind: string; message: { id: string; attachments: Array<{ id: string }> } } };
      const live = new Recorder<Event>(client, LIVE as never, { conversationId });
      await stack.subscriptionsOpen(1);
      // Nobody but the owner can delete it, and a malformed id is refused before anything.
      expect((await request(stack.httpUrl, DELETE_MEDIA as never, { id: media.id }, bob.accessToken)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect((await request(stack.httpUrl, DELETE_MEDIA as never, { id: 'nope' }, alice.accessToken)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
      expect((await fetch(origin + media.url)).status).toBe(200);

      expect(await ok(stack.httpUrl, DELETE_MEDIA as never, { id: media.id }, alice.accessToken)).toEqual({ deleteMedia: media.id });
      const [edited] = (await live.waitFor(1)).map((e) => e.data!.conversationEvents);
      expect(edited).toEqual({ kind: 'MESSAGE_EDITED', message: { id: sendMessage.id, attachments: [] } });
      live.unsubscribe();
    } finally {
      await client.dispose();
    }
    // Gone: the row, the file, the link, the avatar (null, not an error), the attachment.
    expect((await db.query('SELECT 1 FROM media.media WHERE id = $1', [media.id])).rows).toEqual([]);
    expect((await db.query('SELECT 1 FROM media.attachments WHERE media_id = $1', [media.id])).rows).toEqual([]);
    expect(await storage.keys()).not.toContain(`${media.id.slice(0, 2)}/${media.id}`);
    expect((await fetch(origin + media.url)).status).toBe(404);
    const profile = await request(stack.httpUrl, USER_AVATAR, { id: alice.id }, bob.accessToken);
    expect([profile.errors, (profile.data as { user: { avatar: unknown } }).user.avatar]).toEqual([undefined, null]);
    const history = await ok<{ conversation: { messages: Array<{ id: string; attachments: unknown[] }> } }, { id: string }>(stack.httpUrl, HISTORY, { id: conversationId }, bob.accessToken);
    expect(history.conversation.messages.find((m) => m.id === sendMessage.id)!.attachments).toEqual([]);
    expect((await request(stack.httpUrl, 'mutation DeleteMedia($id: ID!) { deleteMedia(id: $id) }' as never, { id: media.id }, alice.accessToken)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // forgetAvatar, like the other calls between subgraphs, is not in the public API.
    expect((await request(stack.httpUrl, `mutation { forgetAvatar(mediaId: "${media.id}") }` as never, {}, alice.accessToken)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses links that are forged, for another media, expired or malformed', async () => {
    const a = await uploaded(png(100), 'image/png', alice.accessToken);
    const b = await uploaded(png(100), 'image/png', alice.accessToken);
    const link = new URL(a.url, origin);
    const sig = link.searchParams.get('sig')!;
    const exp = link.searchParams.get('exp')!;
    const signer = new MediaUrlSigner(identityKey(stack.secrets.identitySecret));
    const cases: Array<[string, number, string | undefined]> = [
      [`/media/${a.id}?exp=${exp}&sig=${(sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)}`, 403, 'forged'],
      [`/media/${b.id}?exp=${exp}&sig=${sig}`, 403, 'forged'],
      [`/media/${a.id}?exp=${Number(exp) + 3600}&sig=${sig}`, 403, 'forged'],
      [signer.url(a.id, Date.now() - 3 * 3600_000), 403, 'expired'],
      [`/media/${a.id}`, 403, 'malformed'],
      [`/media/${a.id}?exp=soon&sig=${sig}`, 403, 'malformed'],
      // A valid signature of an id nobody uploaded; an id that is not one.
      [signer.url('00000000-0000-4000-8000-000000000000'), 404, undefined],
      [`/media/not-a-uuid?exp=${exp}&sig=${sig}`, 404, undefined],
      [`/media/%E0%A4%A?exp=${exp}&sig=${sig}`, 404, undefined],
    ];
    for (const [path, status, reason] of cases) {
      const res = await fetch(origin + path);
      const body = (await res.json()) as Refusal;
      expect([path, res.status, body.errors[0]!.extensions.code, body.errors[0]!.extensions.reason]).toEqual([path, status, status === 403 ? 'FORBIDDEN' : 'NOT_FOUND', reason]);
    }
    expect((await fetch(origin + a.url)).status).toBe(200);
    // The link is the permission: a stale token sent along (a client's default header) changes nothing.
    expect((await fetch(origin + a.url, { headers: { authorization: 'Bearer expired.or.forged' } })).status).toBe(200);
    // Other methods are refused at the router, never turned into a download or an upload.
    for (const [method, path] of [['PUT', a.url], ['DELETE', a.url], ['OPTIONS', a.url], ['POST', a.url], ['GET', '/media'], ['DELETE', '/media']] as const) {
      const res = await fetch(origin + path, { method, headers: { authorization: `Bearer ${alice.accessToken}` } });
      const body = await res.text();
      expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, 405, path === '/media' ? 'POST' : 'GET, HEAD']);
      expect(body).not.toContain('PNG');
    }
  });
});

describe('bad uploads', () => {
  it('each gets a typed error and keeps nothing', async () => {
    const before = await kept();
    const chunked = (bytes: Buffer) =>
      new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 16 * 1024) controller.enqueue(bytes.subarray(at, at + 16 * 1024));
          controller.close();
        },
      });
    const cases: Array<[string, () => Promise<Response>, number, string, string?]> = [
      ['no token', () => upload(png(100), { type: 'image/png' }), 401, 'UNAUTHENTICATED'],
      ['a bad token', () => upload(png(100), { type: 'image/png', token: 'not-a-token' }), 401, 'UNAUTHENTICATED'],
      ['no content type', () => upload(png(100), { token: alice.accessToken }), 400, 'BAD_USER_INPUT', 'contentType'],
      ['HTML', () => upload(Buffer.from('<script>alert(1)</script>'), { type: 'text/html', token: alice.accessToken }), 415, 'BAD_USER_INPUT', 'contentType'],
      ['SVG', () => upload(Buffer.from('<svg onload="alert(1)"/>'), { type: 'image/svg+xml', token: alice.accessToken }), 415, 'BAD_USER_INPUT', 'contentType'],
      ['a JPEG declared as PNG', () => upload(jpeg(500), { type: 'image/png', token: alice.accessToken }), 400, 'BAD_USER_INPUT', 'body'],
      ['a PNG declared as a PDF', () => upload(png(500), { type: 'application/pdf', token: alice.accessToken }), 400, 'BAD_USER_INPUT', 'body'],
      ['text that is not UTF-8', () => upload(Buffer.from([0x68, 0x69, 0xc3, 0x28]), { type: 'text/plain', token: alice.accessToken }), 400, 'BAD_USER_INPUT', 'body'],
      ['text with a NUL', () => upload(Buffer.from('a\u0000b'), { type: 'text/plain', token: alice.accessToken }), 400, 'BAD_USER_INPUT', 'body'],
      ['an empty body', () => upload(Buffer.alloc(0), { type: 'image/png', token: alice.accessToken }), 400, 'BAD_USER_INPUT', 'body'],
      ['a compressed body', () => upload(png(100), { type: 'image/png', token: alice.accessToken, headers: { 'content-encoding': 'gzip' } }), 415, 'BAD_USER_INPUT', 'contentEncoding'],
      ['too large, by its length', () => upload(png(MAX_BYTES + 1), { type: 'image/png', token: alice.accessToken }), 413, 'PAYLOAD_TOO_LARGE'],
      ['too large, found while streaming', () => upload(chunked(png(MAX_BYTES * 3)), { type: 'image/png', token: alice.accessToken }), 413, 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [name, send, status, code, field] of cases) {
      const res = await send();
      const body = (await res.json()) as Refusal;
      expect([name, res.status, body.errors[0]!.extensions.code, body.errors[0]!.extensions.field]).toEqual([name, status, code, field]);
      expect(body.errors[0]!.message.length).toBeGreaterThan(10);
    }
    expect(await kept()).toEqual(before);
    // The largest accepted size still goes through, and the API answers as before.
    const max = await uploaded(png(MAX_BYTES), 'image/png', alice.accessToken);
    expect(max.size).toBe(MAX_BYTES);
  });

  it('400 random uploads: each is stored byte for byte or refused with a typed 4xx, and rows and files stay one to one', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const signatures: Record<string, number[]> = {
      'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      'image/jpeg': [0xff, 0xd8, 0xff],
      'image/gif': [...Buffer.from('GIF89a')],
      'application/pdf': [...Buffer.from('%PDF-')],
      'audio/ogg': [...Buffer.from('OggS')],
      'video/webm': [0x1a, 0x45, 0xdf, 0xa3],
    };
    const type = fc.oneof(
      fc.constantFrom('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'audio/mpeg', 'audio/ogg', 'video/mp4', 'video/webm', 'application/pdf', 'text/plain', 'application/octet-stream'),
      fc.constantFrom('IMAGE/PNG; x=y', 'text/plain;charset=utf-8', 'text/html', 'image/svg+xml', 'application/json', ';', 'image/', '*/*', 'multipart/form-data; boundary=x'),
      fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 40 }),
    );
    const bodyFor = (declared: string) =>
      fc.oneof(
        fc.uint8Array({ minLength: 0, maxLength: 3000 }).map((b) => Buffer.from(b)),
        fc.string({ maxLength: 500 }).map((t) => Buffer.from(t)),
        fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.concat([Buffer.from(signatures[declared] ?? []), Buffer.from(b)])),
        fc.constant(Buffer.alloc(MAX_BYTES + 1 + (declared.length % 7), 7)),
      );
    const inputs = fc.sample(fc.tuple(type, fc.boolean()).chain(([t, gzip]) => fc.tuple(fc.constant(t), bodyFor(t.split(';')[0]!.trim().toLowerCase()), fc.constant(gzip && t.length % 5 === 0))), { numRuns: 400, seed });
    const uploaders = await Promise.all(Array.from({ length: Math.ceil(inputs.length / BURST) + 1 }, (_, i) => registerUser(stack.httpUrl, `fuzz${i}`)));
    const stored: Array<{ id: string; bytes: Buffer }> = [];
    const before = await kept();
    for (const [i, [declared, bytes, gzip]] of inputs.entries()) {
      const res = await upload(bytes, { type: declared, token: uploaders[Math.floor(i / BURST)]!.accessToken, headers: gzip ? { 'content-encoding': 'gzip' } : {} });
      const answer = (await res.json()) as Uploaded & Partial<Refusal>;
      const what = `seed ${seed}, input ${i}: ${JSON.stringify(declared)}, ${bytes.length} bytes → ${res.status} ${JSON.stringify(answer).slice(0, 200)}`;
      if (res.status === 201) stored.push({ id: answer.id, bytes });
      else {
        expect([400, 413, 415, 429], what).toContain(res.status);
        expect(['BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED'], what).toContain(answer.errors?.[0]?.extensions.code);
      }
    }
    const after = await kept();
    expect(after.rows - before.rows).toBe(stored.length);
    expect(after.files.length - before.files.length).toBe(stored.length);
    expect(after.pending).toEqual([]);
    for (const { id, bytes } of stored) expect(await readFile(join(stack.mediaDir, id.slice(0, 2), id))).toEqual(bytes);
    // Some of each kind happened, or the sample tested nothing.
    expect(stored.length).toBeGreaterThan(20);
    expect(inputs.length - stored.length).toBeGreaterThan(20);
  }, 120_000);

  it('a client that goes away mid-upload leaves no row and no file', async () => {
    const before = await kept();
    await new Promise<void>((resolve) => {
      const req = http.request(`${origin}/media`, { method: 'POST', headers: { 'content-type': 'image/png', 'content-length': String(MAX_BYTES), authorization: `Bearer ${alice.accessToken}` } });
      req.on('error', () => resolve());
      req.write(png(20_000), () => setTimeout(() => req.destroy(), 200));
    });
    // The router aborts its upload to media; media removes the half-written file.
    const deadline = Date.now() + 5_000;
    while ((await storage.pending()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await kept()).toEqual(before);
  });

  it('with the media service down, uploads and downloads are UNAVAILABLE (503) and the router keeps serving GraphQL', async () => {
    const good = await uploaded(png(100), 'image/png', alice.accessToken);
    // A router whose media service is a port nothing listens on (port 1: refused at once).
    const replica = await startReplica(stack, { subgraphs: { media: 'http://127.0.0.1:1/graphql' } });
    try {
      const at = new URL(replica.router.url).origin;
      const before = await kept();
      const up = await fetch(`${at}/media`, { method: 'POST', body: png(100), headers: { 'content-type': 'image/png', authorization: `Bearer ${alice.accessToken}` } });
      const down = await fetch(at + good.url);
      for (const res of [up, down]) expect([res.status, ((await res.json()) as Refusal).errors[0]!.extensions.code]).toEqual([503, 'UNAVAILABLE']);
      expect(await kept()).toEqual(before);
      expect((await ok<{ me: { id: string } }, Record<string, never>>(replica.router.url, 'query { me { id } }', {}, alice.accessToken)).me.id).toBe(alice.id);
    } finally {
      await replica.dispose();
    }
  });

  it('uploads are rate limited per user with a retry-after hint; the refused one keeps nothing', async () => {
    const dave = await registerUser(stack.httpUrl, 'dave');
    for (let i = 0; i < BURST; i++) await uploaded(png(64), 'image/png', dave.accessToken);
    const before = await kept();
    const res = await upload(png(64), { type: 'image/png', token: dave.accessToken });
    const body = (await res.json()) as Refusal;
    expect([res.status, body.errors[0]!.extensions.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(body.errors[0]!.extensions.retryAfter).toBe(Number(res.headers.get('retry-after')));
    expect(await kept()).toEqual(before);
    // Another user is not affected.
    await uploaded(png(64), 'image/png', bob.accessToken);
  });
});
