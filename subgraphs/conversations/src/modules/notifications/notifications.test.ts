import { randomUUID } from 'node:crypto';
import { createMemoryBus } from '@storm/bus';
import { adapterFor } from '@storm/db';
import { createTestDatabase, type TestDatabase } from '@storm/db/testing';
import { IDENTITY_HEADER, identityKey, signIdentity } from '@storm/common';
import { createMemoryPresence } from '@storm/presence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../generated/prisma/client.js';
import { startConversationsService, type ConversationsRunningService } from '../../server.js';
import { createStaticUserDirectory } from '../../user-directory.js';
import { MAX_NOTIFICATIONS_PER_USER } from './notifications.service.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const SEND = `mutation Send($id: ID!, $body: String!) { sendMessage(input: { conversationId: $id, body: $body }) { id } }`;
const DELETE = `mutation Delete($id: ID!) { deleteMessage(id: $id) { id } }`;
const LIST = `query List($limit: Int, $after: String) {
  notifications(limit: $limit, after: $after) { notifications { id kind readAt conversation { id } message { id body deletedAt } } nextCursor }
}`;
const COUNT = `{ unreadNotificationCount }`;
const MARK = `mutation Mark($ids: [ID!], $all: Boolean) { markNotificationsRead(ids: $ids, all: $all) }`;

let db: TestDatabase;
let prisma: PrismaClient;
let service: ConversationsRunningService;
const presence = createMemoryPresence();
const users = createStaticUserDirectory();
const key = identityKey('conversations-test-identity-secret-0123456789');
const bus = createMemoryBus();

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = new PrismaClient({ adapter: adapterFor(db.target, { poolSize: 10 }) });
  service = await startConversationsService({
    prisma, bus, busPrefix: `notif_${randomUUID().slice(0, 8)}`, identityKey: key, userDirectory: users,
    port: 0, development: false, relay: false, rateLimits: false, presence,
  });
});
afterAll(async () => {
  await service?.dispose();
  await bus.dispose();
  await presence.dispose();
  await prisma?.$disconnect();
  await db?.drop();
});

async function gql(userId: string | null, query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: Array<{ extensions?: { code?: string } }> }> {
  const response = await fetch(service.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signIdentity({ userId }, key) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as any;
}

function user(handle: string): string {
  const id = randomUUID();
  users.addHandle(id, handle);
  return id;
}
const handle = () => `u${randomUUID().slice(0, 8)}`;

async function ok(userId: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await gql(userId, query, variables);
  expect(response.errors).toBeUndefined();
  return response.data;
}
const group = async (owner: string, memberIds: string[]) => (await ok(owner, CREATE, { input: { kind: 'GROUP', memberIds } })).createConversation.id as string;
const send = async (userId: string, id: string, body: string) => (await ok(userId, SEND, { id, body })).sendMessage.id as string;
const list = async (userId: string, variables: Record<string, unknown> = {}) => (await ok(userId, LIST, variables)).notifications;
const count = async (userId: string) => (await ok(userId, COUNT)).unreadNotificationCount as number;

describe('notification creation', () => {
  it('a mention while offline writes one notification and its outbox event; the sender never gets one', async () => {
    const ha = handle();
    const hb = handle();
    const a = user(ha);
    const b = user(hb);
    const conv = await group(a, [b]);
    const messageId = await send(a, conv, `hi @${hb} and me @${ha}`);
    const page = await list(b);
    expect(page.notifications).toHaveLength(1);
    expect(page.notifications[0]).toMatchObject({ kind: 'MENTION', readAt: null, conversation: { id: conv }, message: { id: messageId } });
    expect((await list(a)).notifications).toHaveLength(0);
    const events = await prisma.outboxEvent.findMany({ where: { subject: { endsWith: `user.${b}.notification` } } });
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ notificationId: page.notifications[0].id, userId: b, kind: 'MENTION', conversationId: conv, messageId });
  });

  it('nothing for a mentioned user who is ONLINE (or AWAY)', async () => {
    const hb = handle();
    const a = user(handle());
    const b = user(hb);
    await presence.connected(b, 'conn-1');
    const conv = await group(a, [b]);
    await send(a, conv, `hello @${hb}`);
    expect((await list(b)).notifications).toHaveLength(0);
    await presence.setAway(b, true);
    await send(a, conv, `again @${hb}`);
    expect((await list(b)).notifications).toHaveLength(0);
    await presence.disconnected(b, 'conn-1');
    await send(a, conv, `now @${hb}`);
    expect((await list(b)).notifications).toHaveLength(1);
  });

  it('a direct message to an offline recipient: one DIRECT_MESSAGE, none for the sender; plain group messages: none', async () => {
    const a = user(handle());
    const b = user(handle());
    const c = user(handle());
    const dm = (await ok(a, CREATE, { input: { kind: 'DIRECT', memberIds: [b] } })).createConversation.id;
    await send(a, dm, 'psst');
    const page = await list(b);
    expect(page.notifications.map((n: { kind: string }) => n.kind)).toEqual(['DIRECT_MESSAGE']);
    expect((await list(a)).notifications).toHaveLength(0);
    await send(a, await group(a, [c]), 'no mention here');
    expect((await list(c)).notifications).toHaveLength(0);
  });

  it(`keeps the newest ${MAX_NOTIFICATIONS_PER_USER}: one more evicts the oldest`, async () => {
    const hb = handle();
    const a = user(handle());
    const b = user(hb);
    const conv = await group(a, [b]);
    // Seed a full store directly (older than anything sent from now on).
    await prisma.$executeRaw`
      WITH msgs AS (
        INSERT INTO conversations.messages (id, conversation_id, seq, author_id, body)
        SELECT gen_random_uuid(), ${conv}::uuid, 1000 + g, ${a}::uuid, 'seed' FROM generate_series(1, ${MAX_NOTIFICATIONS_PER_USER}) g
        RETURNING id, seq
      )
      INSERT INTO conversations.notifications (id, user_id, kind, conversation_id, message_id, created_at)
      SELECT gen_random_uuid(), ${b}::uuid, 'MENTION', ${conv}::uuid, id, now() - interval '1 hour' + seq * interval '1 second' FROM msgs`;
    const oldest = await prisma.notification.findFirst({ where: { userId: b }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    expect(await count(b)).toBe(MAX_NOTIFICATIONS_PER_USER);
    const newest = await send(a, conv, `one more @${hb}`);
    expect(await count(b)).toBe(MAX_NOTIFICATIONS_PER_USER);
    expect(await prisma.notification.findUnique({ where: { id: oldest!.id } })).toBeNull();
    expect((await list(b, { limit: 1 })).notifications[0].message.id).toBe(newest);
  });
});

describe('listing, counting, marking', () => {
  it('pages newest first by cursor, counts unread, marks by id or all, only the caller\'s own', async () => {
    const hb = handle();
    const a = user(handle());
    const b = user(hb);
    const stranger = user(handle());
    const conv = await group(a, [b]);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push(await send(a, conv, `n${i} @${hb}`));
    const first = await list(b, { limit: 2 });
    const second = await list(b, { limit: 2, after: first.nextCursor });
    const third = await list(b, { limit: 2, after: second.nextCursor });
    const all = [...first.notifications, ...second.notifications, ...third.notifications];
    expect(all.map((n: { message: { id: string } }) => n.message.id)).toEqual([...sent].reverse());
    expect(third.nextCursor).toBeNull();
    expect(await count(b)).toBe(5);

    // Someone else's ids are ignored, silently; they cannot see b's either.
    expect((await ok(stranger, MARK, { ids: [all[0].id] })).markNotificationsRead).toBe(0);
    expect((await list(stranger)).notifications).toHaveLength(0);
    expect(await count(stranger)).toBe(0);

    expect((await ok(b, MARK, { ids: [all[0].id, all[1].id, all[1].id] })).markNotificationsRead).toBe(2);
    expect((await ok(b, MARK, { ids: [all[0].id] })).markNotificationsRead).toBe(0);
    expect(await count(b)).toBe(3);
    expect((await list(b, { limit: 1 })).notifications[0].readAt).not.toBeNull();
    expect((await ok(b, MARK, { all: true })).markNotificationsRead).toBe(3);
    expect(await count(b)).toBe(0);
  });

  it('a deleted message still lists, as its tombstone', async () => {
    const hb = handle();
    const a = user(handle());
    const b = user(hb);
    const conv = await group(a, [b]);
    const id = await send(a, conv, `bye @${hb}`);
    await ok(a, DELETE, { id });
    const [n] = (await list(b)).notifications;
    expect(n.message).toMatchObject({ id, body: '' });
    expect(n.message.deletedAt).not.toBeNull();
  });

  it('bad input is BAD_USER_INPUT; anonymous is UNAUTHENTICATED', async () => {
    const b = user(handle());
    const code = async (query: string, variables?: Record<string, unknown>, as: string | null = b) => (await gql(as, query, variables)).errors?.[0]?.extensions?.code;
    expect(await code(MARK, { ids: ['nope'] })).toBe('BAD_USER_INPUT');
    expect(await code(MARK, {})).toBe('BAD_USER_INPUT');
    expect(await code(MARK, { ids: [randomUUID()], all: true })).toBe('BAD_USER_INPUT');
    expect(await code(LIST, { limit: 0 })).toBe('BAD_USER_INPUT');
    expect(await code(LIST, { after: 'garbage' })).toBe('BAD_USER_INPUT');
    expect(await code(COUNT, {}, null)).toBe('UNAUTHENTICATED');
  });
});
