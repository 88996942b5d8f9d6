// Who sees a media, through the router over the real PostgreSQL and NATS:
// its owner; any signed-in user when it is the owner's avatar; the members of
// a conversation it is attached to a message of. Nobody else, not even by
// pointing their own avatar at it or attaching it themselves.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { IDENTITY_HEADER, identityKey, signIdentity } from '@storm/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, request, wsClient } from './testkit/client.js';
import { LeaveConversation } from './testkit/chat-operations.js';
import { CreateConversation, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

type MediaShape = { id: string; size: number; contentType: string; url: string };
const USER_AVATAR = 'query UserAvatar($id: ID!) { user(id: $id) { id avatar { id size contentType url } } }';
const MEDIA = 'query MediaById($id: ID!) { media(id: $id) { id size contentType url } }';
const SET_AVATAR = 'mutation SetAvatar($id: ID) { updateProfile(input: { avatarMediaId: $id }) { id } }';
const ATTACH = 'mutation Attach($messageId: ID!, $mediaIds: [ID!]!) { attachMedia(messageId: $messageId, mediaIds: $mediaIds) { id body author { id } attachments { id size url } } }';
const HISTORY = 'query History($id: ID!) { conversation(id: $id) { messages { id body attachments { id size contentType url } } } }';
const DELETE = 'mutation Delete($id: ID!) { deleteMessage(id: $id) { id deletedAt } }';
const MEDIA_ENTITIES = 'query MediaEntities($r: [_Any!]!) { _entities(representations: $r) { ... on Media { id size } } }';
const MESSAGE_ENTITIES = 'query MessageEntities($r: [_Any!]!) { _entities(representations: $r) { ... on Message { id attachments { id } } } }';

let stack: TestStack;
let db: pg.Client;
let alice: TestUser;
let bob: TestUser;
let eve: TestUser;

/** A download link of `id` (its signature is checked where it is used, in media-upload.e2e.ts). */
const linkTo = (id: string) => expect.stringMatching(new RegExp(`^/media/${id}\\?exp=\\d+&sig=[\\w-]{43}$`));

/** A media row as an upload leaves it, without the bytes (these tests are about who sees the row). */
async function mediaOf(owner: TestUser, size: number, contentType = 'image/png'): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO media.media (id, owner_id, content_type, size, storage_key) VALUES (gen_random_uuid(), $1, $4, $2, $3) RETURNING id`,
    [owner.id, size, `k/${randomUUID()}`, contentType],
  );
  return rows[0]!.id;
}

const code = (res: { errors?: Array<{ extensions?: { code?: string; field?: string } }> }) => res.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  stack = await startTestStack({ bus: 'nats' });
  db = new pg.Client({ connectionString: stack.db.url });
  await db.connect();
  [alice, bob, eve] = await Promise.all(['alice', 'bob', 'eve'].map((n) => registerUser(stack.httpUrl, n)));
});
afterAll(async () => {
  await db?.end();
  await stack?.dispose();
});

describe('avatars', () => {
  it("user B reads user A's avatar; it stops being public when A unsets it", async () => {
    const avatar = await mediaOf(alice, 1111);
    const privateOne = await mediaOf(alice, 2222);
    await ok(stack.httpUrl, SET_AVATAR, { id: avatar }, alice.accessToken);

    const seen = await ok<{ user: { avatar: MediaShape | null } }, { id: string }>(stack.httpUrl, USER_AVATAR, { id: alice.id }, bob.accessToken);
    expect(seen.user.avatar).toEqual({ id: avatar, size: 1111, contentType: 'image/png', url: linkTo(avatar) });
    expect((await ok<{ media: MediaShape }, { id: string }>(stack.httpUrl, MEDIA, { id: avatar }, bob.accessToken)).media.size).toBe(1111);
    // Her other media stays hers.
    expect(code(await request(stack.httpUrl, MEDIA, { id: privateOne }, bob.accessToken))).toBe('NOT_FOUND');
    // Anonymous callers see no avatar.
    expect(code(await request(stack.httpUrl, MEDIA, { id: avatar }))).toBe('UNAUTHENTICATED');

    await ok(stack.httpUrl, SET_AVATAR, { id: null }, alice.accessToken);
    const gone = await request(stack.httpUrl, MEDIA, { id: avatar }, bob.accessToken);
    expect(code(gone)).toBe('NOT_FOUND');
    expect(JSON.stringify(gone)).not.toContain('1111');
    expect((await ok<{ media: MediaShape }, { id: string }>(stack.httpUrl, MEDIA, { id: avatar }, alice.accessToken)).media.id).toBe(avatar);
  });

  it('live messages carry the author\'s avatar to every member, from one shared resolution (an avatar is not @viewer)', async () => {
    const avatar = await mediaOf(alice, 3333);
    await ok(stack.httpUrl, SET_AVATAR, { id: avatar }, alice.accessToken);
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'faces', memberIds: [bob.id, eve.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const LIVE = 'subscription Faces($c: ID!) { messageAdded(conversationId: $c) { body author { id avatar { id size } } } }';
    const groups = stack.router.engine.groupCount;
    const clients = [bob, eve].map((u) => wsClient(stack.wsUrl, u.accessToken));
    const live = clients.map((c) => new Recorder<{ messageAdded: { body: string; author: { id: string; avatar: { id: string; size: number } | null } } }>(c, LIVE, { c: conversationId }));
    await stack.subscriptionsOpen(2);
    expect(stack.router.engine.groupCount).toBe(groups + 1);
    await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'hello' } }, alice.accessToken);
    for (const recorder of live) {
      const [event] = await recorder.waitFor(1);
      expect(event!.data!.messageAdded).toEqual({ body: 'hello', author: { id: alice.id, avatar: { id: avatar, size: 3333 } } });
    }
    for (const c of clients) await c.dispose();
    await ok(stack.httpUrl, SET_AVATAR, { id: null }, alice.accessToken);
  });

  it("an avatar must be an image of one's own: someone else's media, unknown ids and non-images are refused, nothing written", async () => {
    const alicesPrivate = await mediaOf(alice, 3333);
    const alicesPublic = await mediaOf(alice, 3334);
    await ok(stack.httpUrl, SET_AVATAR, { id: alicesPublic }, alice.accessToken);
    const evesPdf = await mediaOf(eve, 3335, 'application/pdf');
    const evesSvg = await mediaOf(eve, 3336, 'image/svg+xml');
    const evesPhoto = await mediaOf(eve, 3337, 'image/jpeg');
    try {
      const refusals: Array<[string, RegExp]> = [
        // Media eve cannot see reads exactly like an id that does not exist.
        [alicesPrivate, /^No media with this id exists for you$/],
        [randomUUID(), /^No media with this id exists for you$/],
        // Alice's avatar is public, but it is still hers.
        [alicesPublic, /media you uploaded/],
        [evesPdf, /must be an image/],
        [evesSvg, /must be an image/],
      ];
      for (const [id, message] of refusals) {
        const res = await request(stack.httpUrl, 'mutation ($id: ID) { updateProfile(input: { displayName: "Eve Changed", avatarMediaId: $id }) { id } }', { id }, eve.accessToken);
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'avatarMediaId' });
        expect(res.errors?.[0]?.message).toMatch(message);
        expect(JSON.stringify(res)).not.toMatch(/333[3-6]/);
      }
      expect((await db.query('SELECT display_name, avatar_media_id FROM users.users WHERE id = $1', [eve.id])).rows).toEqual([
        { display_name: eve.displayName, avatar_media_id: null },
      ]);

      await ok(stack.httpUrl, SET_AVATAR, { id: evesPhoto.toUpperCase() }, eve.accessToken);
      const seen = await ok<{ user: { avatar: { id: string; owner: { id: string; handle: string } } | null } }, { id: string }>(
        stack.httpUrl,
        'query ($id: ID!) { user(id: $id) { avatar { id owner { id handle } } } }',
        { id: eve.id },
        bob.accessToken,
      );
      expect(seen.user.avatar).toEqual({ id: evesPhoto, owner: { id: eve.id, handle: eve.handle } });
    } finally {
      await ok(stack.httpUrl, SET_AVATAR, { id: null }, eve.accessToken);
      await ok(stack.httpUrl, SET_AVATAR, { id: null }, alice.accessToken);
    }
  });
});

describe('attachments', () => {
  it('members read an attachment, a non-member cannot, and a member who leaves stops seeing it', async () => {
    const photo = await mediaOf(alice, 4444);
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'photos', memberIds: [bob.id] } }, alice.accessToken);
    const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'look' } }, alice.accessToken);

    // Before attaching, bob cannot see alice's photo.
    expect(code(await request(stack.httpUrl, MEDIA, { id: photo }, bob.accessToken))).toBe('NOT_FOUND');
    const attached = await ok<{ attachMedia: { id: string; body: string; author: { id: string }; attachments: Array<{ id: string; size: number }> } }, { messageId: string; mediaIds: string[] }>(
      stack.httpUrl,
      ATTACH,
      { messageId: sendMessage.id, mediaIds: [photo] },
      alice.accessToken,
    );
    expect(attached.attachMedia).toMatchObject({ id: sendMessage.id, body: 'look', author: { id: alice.id }, attachments: [{ id: photo, size: 4444 }] });

    // Bob (member) sees it in the history and by id.
    const history = await ok<{ conversation: { messages: Array<{ id: string; attachments: MediaShape[] }> } }, { id: string }>(stack.httpUrl, HISTORY, { id: createConversation.id }, bob.accessToken);
    expect(history.conversation.messages.find((m) => m.id === sendMessage.id)!.attachments).toEqual([{ id: photo, size: 4444, contentType: 'image/png', url: linkTo(photo) }]);
    expect((await ok<{ media: MediaShape }, { id: string }>(stack.httpUrl, MEDIA, { id: photo }, bob.accessToken)).media.id).toBe(photo);

    // Eve (not a member) cannot read it, by id or through the message.
    const denied = await request(stack.httpUrl, MEDIA, { id: photo }, eve.accessToken);
    expect(code(denied)).toBe('NOT_FOUND');
    expect(JSON.stringify(denied)).not.toContain('4444');
    expect(code(await request(stack.httpUrl, HISTORY, { id: createConversation.id }, eve.accessToken))).toBe('NOT_FOUND');

    // Bob leaves: at once he no longer sees it.
    await ok(stack.httpUrl, LeaveConversation, { id: createConversation.id }, bob.accessToken);
    expect(code(await request(stack.httpUrl, MEDIA, { id: photo }, bob.accessToken))).toBe('NOT_FOUND');
  });

  it("a deleted message shows no attachments, like its reactions and mentions", async () => {
    const photo = await mediaOf(alice, 5555);
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'gone', memberIds: [bob.id] } }, alice.accessToken);
    const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'soon gone' } }, alice.accessToken);
    await ok(stack.httpUrl, ATTACH, { messageId: sendMessage.id, mediaIds: [photo] }, alice.accessToken);
    const before = await ok<{ conversation: { messages: Array<{ id: string; attachments: MediaShape[] }> } }, { id: string }>(stack.httpUrl, HISTORY, { id: createConversation.id }, bob.accessToken);
    expect(before.conversation.messages[0]!.attachments.map((m) => m.id)).toEqual([photo]);
    await ok(stack.httpUrl, 'mutation Delete($id: ID!) { deleteMessage(id: $id) { id } }', { id: sendMessage.id }, alice.accessToken);
    const after = await ok<{ conversation: { messages: Array<{ id: string; attachments: MediaShape[] }> } }, { id: string }>(stack.httpUrl, HISTORY, { id: createConversation.id }, bob.accessToken);
    expect(after.conversation.messages[0]!.attachments).toEqual([]);
  });

  it("deleting a message hides its attachments from everyone but the uploader: by id, as entities and on the message", async () => {
    const photo = await mediaOf(alice, 8181);
    const shared = await mediaOf(alice, 8282);
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'tombstones', memberIds: [bob.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const { sendMessage: doomed } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'regret' } }, alice.accessToken);
    const { sendMessage: kept } = await ok(stack.httpUrl, SendMessage, { input: { conversationId, body: 'keeper' } }, alice.accessToken);
    await ok(stack.httpUrl, ATTACH, { messageId: doomed.id, mediaIds: [photo, shared] }, alice.accessToken);
    // `shared` is attached to a second message, which stays.
    await ok(stack.httpUrl, ATTACH, { messageId: kept.id, mediaIds: [shared] }, alice.accessToken);

    /** `_entities` on the media subgraph, signed as `viewer` the way the router signs. */
    const mediaSubgraph = async (viewer: TestUser, query: string, r: unknown[]) =>
      fetch(stack.media.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signIdentity({ userId: viewer.id }, identityKey(stack.secrets.identitySecret)) },
        body: JSON.stringify({ query, variables: { r } }),
      });
    /** Media references, as users' `User.avatar` makes the router ask them. */
    const entities = async (viewer: TestUser, ids: string[]) => {
      const res = await mediaSubgraph(viewer, MEDIA_ENTITIES, ids.map((id) => ({ __typename: 'Media', id })));
      const text = await res.text();
      const body = JSON.parse(text) as { data?: { _entities: Array<{ id: string; size: number } | null> }; errors?: Array<{ path?: Array<string | number>; extensions?: { code?: string } }> };
      return { text, found: body.data?._entities ?? [], refused: (body.errors ?? []).map((e) => [e.path?.[1], e.extensions?.code]) };
    };
    const attachmentsOf = async (viewer: TestUser) => {
      const res = await ok<{ conversation: { messages: Array<{ id: string; attachments: MediaShape[] }> } }, { id: string }>(stack.httpUrl, HISTORY, { id: conversationId }, viewer.accessToken);
      return Object.fromEntries(res.conversation.messages.map((m) => [m.id, m.attachments.map((a) => a.id)]));
    };

    // Before the delete, bob (member) sees both, every way.
    expect((await ok<{ media: MediaShape }, { id: string }>(stack.httpUrl, MEDIA, { id: photo }, bob.accessToken)).media.size).toBe(8181);
    expect(await attachmentsOf(bob)).toEqual({ [doomed.id]: [photo, shared], [kept.id]: [shared] });
    expect((await entities(bob, [photo, shared])).found).toEqual([{ id: photo, size: 8181 }, { id: shared, size: 8282 }]);

    const { deleteMessage } = await ok<{ deleteMessage: { id: string; deletedAt: string | null } }, { id: string }>(stack.httpUrl, DELETE, { id: doomed.id }, alice.accessToken);
    expect(deleteMessage.deletedAt).not.toBeNull();

    // Bob: the photo only the deleted message carried is gone, exactly like an unknown id.
    const gone = await request(stack.httpUrl, MEDIA, { id: photo }, bob.accessToken);
    expect(code(gone)).toBe('NOT_FOUND');
    expect(JSON.stringify(gone)).not.toContain('8181');
    expect(code(await request(stack.httpUrl, MEDIA, { id: randomUUID() }, bob.accessToken))).toBe('NOT_FOUND');
    const asEntities = await entities(bob, [photo, shared]);
    expect(asEntities.found).toEqual([null, { id: shared, size: 8282 }]);
    expect(asEntities.refused).toEqual([[0, 'NOT_FOUND']]);
    expect(asEntities.text).not.toContain('8181');
    expect(await attachmentsOf(bob)).toEqual({ [doomed.id]: [], [kept.id]: [shared] });
    // A Message representation without the `@requires`d deletedAt (not the router's way) does not count as "not deleted".
    const bare = await (await mediaSubgraph(bob, MESSAGE_ENTITIES, [doomed, kept].map((m) => ({ __typename: 'Message', id: m.id })))).json();
    expect(bare).toEqual({ data: { _entities: [{ id: doomed.id, attachments: [] }, { id: kept.id, attachments: [{ id: shared }] }] } });
    // The media attached to a message that stays is still visible through it.
    expect((await ok<{ media: MediaShape }, { id: string }>(stack.httpUrl, MEDIA, { id: shared }, bob.accessToken)).media.size).toBe(8282);

    // Alice, the uploader, still sees her media by id and as entities; the tombstone shows no attachments to anyone.
    expect((await ok<{ media: MediaShape }, { id: string }>(stack.httpUrl, MEDIA, { id: photo }, alice.accessToken)).media).toEqual({ id: photo, size: 8181, contentType: 'image/png', url: linkTo(photo) });
    expect((await entities(alice, [photo])).found).toEqual([{ id: photo, size: 8181 }]);
    expect(await attachmentsOf(alice)).toEqual({ [doomed.id]: [], [kept.id]: [shared] });

    // Attaching to the tombstone would show the media again: refused, and nothing is attached.
    const late = await mediaOf(alice, 8383);
    expect(code(await request(stack.httpUrl, ATTACH, { messageId: doomed.id, mediaIds: [late] }, alice.accessToken))).toBe('CONFLICT');
    expect(code(await request(stack.httpUrl, ATTACH, { messageId: doomed.id, mediaIds: [late] }, bob.accessToken))).toBe('FORBIDDEN');
    expect((await db.query('SELECT 1 FROM media.attachments WHERE media_id = $1', [late])).rows).toEqual([]);
    expect(code(await request(stack.httpUrl, MEDIA, { id: late }, bob.accessToken))).toBe('NOT_FOUND');
  });

  it('only the author attaches, only their own media; refusals attach nothing', async () => {
    const alicesPhoto = await mediaOf(alice, 5555);
    const bobsPhoto = await mediaOf(bob, 6666);
    const evesPhoto = await mediaOf(eve, 7777);
    const { createConversation } = await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [bob.id] } }, alice.accessToken);
    const { sendMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'mine' } }, alice.accessToken);
    const { sendMessage: bobsMessage } = await ok(stack.httpUrl, SendMessage, { input: { conversationId: createConversation.id, body: 'his' } }, bob.accessToken);
    const attach = (messageId: string, mediaIds: string[], user: TestUser) => request(stack.httpUrl, ATTACH, { messageId, mediaIds }, user.accessToken);

    // Bob (member, not the author) cannot attach to alice's message.
    expect(code(await attach(sendMessage.id, [bobsPhoto], bob))).toBe('FORBIDDEN');
    // Eve (not a member) cannot, and cannot tell the message exists.
    expect(code(await attach(sendMessage.id, [evesPhoto], eve))).toBe('NOT_FOUND');
    // Bob cannot attach alice's media to his own message (it would show it to the conversation).
    expect(code(await attach(bobsMessage.id, [alicesPhoto], bob))).toBe('NOT_FOUND');
    expect(code(await attach(bobsMessage.id, [bobsPhoto, alicesPhoto], bob))).toBe('NOT_FOUND');
    const malformed = await attach('nope', [bobsPhoto], bob);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'messageId' });
    expect((await attach(bobsMessage.id, [], bob)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mediaIds' });
    const { rows } = await db.query('SELECT * FROM media.attachments WHERE conversation_id = $1', [createConversation.id]);
    expect(rows).toEqual([]);
    // Alice's photo is still hers alone.
    expect(code(await request(stack.httpUrl, MEDIA, { id: alicesPhoto }, bob.accessToken))).toBe('NOT_FOUND');
  });
});

describe('while the media service is down', () => {
  // Last in the file: it stops this stack's media service.
  it('setting an avatar is UNAVAILABLE and writes nothing; other profile changes still work', async () => {
    const photo = await mediaOf(bob, 8888);
    await stack.media.dispose();
    const res = await request(stack.httpUrl, 'mutation ($id: ID) { updateProfile(input: { statusText: "away", avatarMediaId: $id }) { id } }', { id: photo }, bob.accessToken);
    expect(code(res)).toBe('UNAVAILABLE');
    expect((await db.query('SELECT status_text, avatar_media_id FROM users.users WHERE id = $1', [bob.id])).rows).toEqual([{ status_text: null, avatar_media_id: null }]);
    await ok(stack.httpUrl, 'mutation { updateProfile(input: { statusText: "away" }) { id } }', undefined, bob.accessToken);
  });
});
