import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstError, startKit, type Kit } from '../../test-kit.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const SEND = `mutation Send($id: ID!, $body: String!) { sendMessage(input: { conversationId: $id, body: $body }) { id seq } }`;
const DELETE = `mutation Delete($id: ID!) { deleteMessage(id: $id) { id } }`;
const MARK = `mutation Mark($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id unreadCount mentionCount } }`;
const STATE = `query State { unreadTotal mentionTotal conversations { id unreadCount mentionCount } }`;

let kit: Kit;

beforeAll(async () => {
  kit = await startKit();
});
afterAll(async () => {
  await kit?.close();
});

const handle = (name: string) => `${name}_${randomBytes(3).toString('hex')}`;

async function create(owner: string, memberIds: string[], kind = 'GROUP'): Promise<string> {
  const response = await kit.gql(owner, CREATE, { input: { kind, memberIds } });
  expect(response.errors).toBeUndefined();
  return response.data!.createConversation.id;
}

async function send(userId: string, id: string, body: string): Promise<{ id: string; seq: number }> {
  const response = await kit.gql(userId, SEND, { id, body });
  expect(response.errors).toBeUndefined();
  return response.data!.sendMessage;
}

async function state(userId: string) {
  const response = await kit.gql(userId, STATE);
  expect(response.errors).toBeUndefined();
  const data = response.data!;
  return {
    unreadTotal: data.unreadTotal as number,
    mentionTotal: data.mentionTotal as number,
    byId: Object.fromEntries((data.conversations as Array<{ id: string; unreadCount: number; mentionCount: number }>).map((c) => [c.id, [c.unreadCount, c.mentionCount]])),
  };
}

describe('unreadCount, mentionCount, unreadTotal', () => {
  it('count others’ unread, non-deleted messages (and those mentioning me) per conversation and in total', async () => {
    const hMe = handle('reader');
    const me = kit.newUser(hMe);
    const you = kit.newUser();
    const a = await create(me, [you]);
    const b = await create(you, [me], 'DIRECT');
    await send(me, a, `my own @${hMe}`); // 1: mine: never unread, never a mention of me
    await send(you, a, `hi @${hMe}`); // 2
    const deleted = await send(you, a, `also @${hMe}`); // 3
    await send(you, a, 'plain'); // 4
    await send(you, b, `direct @${hMe}`); // b:1
    await kit.gql(you, DELETE, { id: deleted.id });

    expect(await state(me)).toEqual({ unreadTotal: 3, mentionTotal: 2, byId: { [a]: [2, 1], [b]: [1, 1] } });
    const marked = await kit.gql(me, MARK, { id: a, seq: 2 });
    expect(marked.data!.markRead).toEqual({ id: a, unreadCount: 1, mentionCount: 0 });
    expect(await state(me)).toEqual({ unreadTotal: 2, mentionTotal: 1, byId: { [a]: [1, 0], [b]: [1, 1] } });
    const nobody = kit.newUser();
    expect(await state(nobody)).toEqual({ unreadTotal: 0, mentionTotal: 0, byId: {} });
    expect(firstError(await kit.gql(null, `{ unreadTotal }`))).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('is exact after 5 concurrent senders x 20 messages and 10 concurrent deletes', async () => {
    const hReader = handle('busy');
    const reader = kit.newUser(hReader);
    const senders = Array.from({ length: 5 }, () => kit.newUser());
    const id = await create(senders[0]!, [reader, ...senders.slice(1)]);
    const sent = (
      await Promise.all(
        senders.map(async (sender, s) => {
          const mine: Array<{ id: string; seq: number; mention: boolean }> = [];
          for (let i = 0; i < 20; i++) {
            const mention = i % 4 === 0;
            const message = await send(sender, id, mention ? `@${hReader} look ${s}.${i}` : `message ${s}.${i}`);
            mine.push({ ...message, mention });
          }
          return mine;
        }),
      )
    ).flat();
    expect((await state(reader)).byId[id]).toEqual([100, 25]);

    const doomed = [...sent.filter((m) => m.mention).slice(0, 4), ...sent.filter((m) => !m.mention).slice(0, 6)];
    const deletes = await Promise.all(
      doomed.map(async (m) => {
        const row = await kit.prisma.message.findUnique({ where: { id: m.id }, select: { authorId: true } });
        return kit.gql(row!.authorId, DELETE, { id: m.id });
      }),
    );
    for (const response of deletes) expect(response.errors).toBeUndefined();
    expect((await state(reader)).byId[id]).toEqual([90, 21]);
  });

  it('markRead under 20 concurrent calls ends at the highest seq, with one read.updated per actual move', async () => {
    const me = kit.newUser();
    const you = kit.newUser();
    const id = await create(you, [me]);
    for (let i = 0; i < 20; i++) await send(you, id, `m${i}`);
    const seqs = Array.from({ length: 20 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    const responses = await Promise.all(seqs.map((seq) => kit.gql(me, MARK, { id, seq })));
    for (const response of responses) expect(response.errors).toBeUndefined();
    const membership = await kit.prisma.membership.findUnique({ where: { conversationId_userId: { conversationId: id, userId: me } } });
    expect(membership!.lastReadSeq).toBe(20);
    expect((await state(me)).byId[id]).toEqual([0, 0]);

    const events = await kit.events(`${kit.busPrefix}.user.${me}.read.updated`);
    const positions = events.map((e) => (e.payload as { lastReadSeq: number }).lastReadSeq);
    expect(positions.length).toBeGreaterThanOrEqual(1);
    expect(new Set(positions).size).toBe(positions.length);
    expect(Math.max(...positions)).toBe(20);
    expect(events.at(-1)!.payload).toMatchObject({ conversationId: id, userId: me, lastReadSeq: expect.any(Number), committedAt: expect.any(String) });
    // A markRead that does not move the position announces nothing.
    await kit.gql(me, MARK, { id, seq: 5 });
    expect(await kit.events(`${kit.busPrefix}.user.${me}.read.updated`)).toHaveLength(events.length);
  });
});
