// Group commit against the real database: sends submitted together are
// written by one statement, each answered on its own (seq, or its typed
// refusal), and a statement that fails is retried send by send so only the
// bad send fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { topics } from '@storm/bus';
import { startKit, type Kit } from '../../test-kit.js';
import { MessagesService } from './messages.service.js';
import { sendStatement } from './send-statement.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const ARCHIVE = `mutation Archive($id: ID!) { archiveConversation(id: $id) { id } }`;

let kit: Kit;

beforeAll(async () => {
  kit = await startKit();
});
afterAll(async () => {
  await kit?.close();
});

async function conversation(owner: string, others: string[], kind: 'GROUP' | 'CHANNEL' = 'GROUP'): Promise<string> {
  const response = await kit.gql(owner, CREATE, { input: { kind, title: 'batch', memberIds: others } });
  expect(response.errors).toBeUndefined();
  return response.data!.createConversation.id;
}

/** The settled outcome of a send: its seq and id, or its error code. */
async function settle(promise: Promise<{ id: string; seq: number }>): Promise<{ id?: string; seq?: number; code?: string }> {
  try {
    const { id, seq } = await promise;
    return { id, seq };
  } catch (err) {
    return { code: err instanceof GraphQLError ? String(err.extensions.code) : `unexpected: ${String(err)}` };
  }
}

async function seqsOf(conversationId: string) {
  const [messages, outbox, row] = await Promise.all([
    kit.prisma.message.findMany({ where: { conversationId }, select: { seq: true }, orderBy: { seq: 'asc' } }),
    kit.events(conversationId).then((events) => events.filter((e) => e.subject.endsWith('.message.added'))),
    kit.prisma.conversation.findUnique({ where: { id: conversationId }, select: { lastSeq: true } }),
  ]);
  return {
    messages: messages.map((m) => m.seq),
    // Outbox ids follow seq within a conversation (the relay publishes in id order, and events() lists in that order).
    outbox: outbox.map((o) => (o.payload as { seq: number }).seq),
    lastSeq: row?.lastSeq,
  };
}

describe('group commit', () => {
  it('writes 60 concurrent sends over two conversations in one statement, gap-free, and refuses the bad ones in the batch without failing the others', async () => {
    const [a, b, c, stranger] = [kit.newUser(), kit.newUser(), kit.newUser(), kit.newUser()];
    const one = await conversation(a, [b, c]);
    const two = await conversation(b, [a, c]);
    const archived = await conversation(a, [b], 'CHANNEL');
    expect((await kit.gql(a, ARCHIVE, { id: archived })).errors).toBeUndefined();
    const otherRoot = await new MessagesService(kit.prisma, topics(kit.busPrefix), undefined, undefined, undefined, false).send(a, { conversationId: two, body: 'a root elsewhere' });

    // maxInFlight 1: everything submitted in this tick is one batch.
    const service = new MessagesService(kit.prisma, topics(kit.busPrefix), undefined, undefined, undefined, { maxInFlight: 1 });
    const authors = [a, b, c];
    const good = Array.from({ length: 60 }, (_, i) =>
      service.send(authors[i % 3]!, { conversationId: i % 2 === 0 ? one : two, body: `message ${i}`, clientMsgId: i === 7 ? 'seven' : undefined }),
    );
    const bad = {
      stranger: service.send(stranger, { conversationId: one, body: 'not a member' }),
      archived: service.send(a, { conversationId: archived, body: 'too late' }),
      badReply: service.send(a, { conversationId: one, body: 'reply', replyToId: otherRoot.id }),
      unknownReply: service.send(a, { conversationId: one, body: 'reply', replyToId: randomUUID() }),
      // Same author, conversation and clientMsgId as message 7: the first message is the answer.
      retry: service.send(b, { conversationId: two, body: 'message 7 again', clientMsgId: 'seven' }),
    };
    const results = await Promise.all(good.map(settle));
    const refusals = Object.fromEntries(await Promise.all(Object.entries(bad).map(async ([name, p]) => [name, await settle(p)] as const)));

    expect(results.every((r) => r.seq !== undefined)).toBe(true);
    expect(refusals.stranger).toEqual({ code: 'NOT_FOUND' });
    expect(refusals.archived).toEqual({ code: 'CONFLICT' });
    expect(refusals.badReply).toEqual({ code: 'BAD_USER_INPUT' });
    expect(refusals.unknownReply).toEqual({ code: 'BAD_USER_INPUT' });
    expect(refusals.retry).toEqual({ id: results[7]!.id, seq: results[7]!.seq });
    expect(service.groupCommit!.stats.batches).toBeGreaterThanOrEqual(1);
    expect(service.groupCommit!.stats.batchedSends).toBeGreaterThanOrEqual(60);
    expect(service.groupCommit!.stats.fallbacks).toBe(0);

    // Per conversation: seq 1..n in arrival order, one outbox row each, in seq order.
    const inOne = results.filter((_, i) => i % 2 === 0).map((r) => r.seq);
    const inTwo = results.filter((_, i) => i % 2 === 1).map((r) => r.seq);
    expect(inOne).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(inTwo).toEqual(Array.from({ length: 30 }, (_, i) => i + 2)); // seq 1 is the root written first
    expect(await seqsOf(one)).toEqual({ messages: inOne, outbox: inOne, lastSeq: 30 });
    expect(await seqsOf(two)).toEqual({ messages: [1, ...inTwo], outbox: [1, ...inTwo], lastSeq: 31 });
    expect(await seqsOf(archived)).toEqual({ messages: [], outbox: [], lastSeq: 0 });
  });

  it('when the batch statement fails (a concurrent send with the same clientMsgId commits first), writes its sends one by one: only that one is affected, and it returns the first message', async () => {
    const [a, b] = [kit.newUser(), kit.newUser()];
    const one = await conversation(a, [b]);
    const two = await conversation(a, [b]);
    const service = new MessagesService(kit.prisma, topics(kit.busPrefix), undefined, undefined, undefined, { maxInFlight: 1 });

    // Another transaction sends (two, a, 'dup') and stays open, holding two's row lock.
    let started!: () => void;
    let release!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    const released = new Promise<void>((r) => (release = r));
    const firstId = randomUUID();
    const holder = kit.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw(sendStatement(topics(kit.busPrefix), { id: firstId, conversationId: two, authorId: a, body: 'first', clientMsgId: 'dup', replyToId: null }, []));
        started();
        await released;
      },
      { timeout: 30_000 },
    );
    await isStarted;

    const sends = [
      ...Array.from({ length: 10 }, (_, i) => service.send(i % 2 ? a : b, { conversationId: one, body: `m${i}` })),
      service.send(a, { conversationId: two, body: 'retry', clientMsgId: 'dup' }),
      service.send(b, { conversationId: one, body: 'last' }),
    ];
    // The batch is now waiting for two's row lock; the other transaction commits.
    await new Promise((r) => setTimeout(r, 300));
    release();
    await holder;
    const results = await Promise.all(sends.map(settle));

    expect(service.groupCommit!.stats.fallbacks).toBe(1);
    expect(results.slice(0, 10).map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(results[10]).toEqual({ id: firstId, seq: 1 });
    expect(results[11]!.seq).toBe(11);
    expect(await seqsOf(one)).toEqual({ messages: Array.from({ length: 11 }, (_, i) => i + 1), outbox: Array.from({ length: 11 }, (_, i) => i + 1), lastSeq: 11 });
    expect(await seqsOf(two)).toEqual({ messages: [1], outbox: [1], lastSeq: 1 });
  });

  it('two batches over the same conversations in opposite orders neither deadlock nor leave a gap', async () => {
    const [a, b] = [kit.newUser(), kit.newUser()];
    const ids = await Promise.all(Array.from({ length: 6 }, () => conversation(a, [b])));
    // Two statements in flight at once, each touching every conversation, in opposite orders.
    const service = new MessagesService(kit.prisma, topics(kit.busPrefix), undefined, undefined, undefined, { maxInFlight: 2, maxBatch: 30 });
    const rounds = 10;
    const sends: Array<Promise<{ id: string; seq: number }>> = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ids : [...ids].reverse();
      for (const id of order) sends.push(service.send(r % 2 ? a : b, { conversationId: id, body: `r${r}` }));
    }
    const results = await Promise.all(sends.map(settle));
    expect(results.every((r) => r.seq !== undefined)).toBe(true);
    for (const id of ids) {
      const expected = Array.from({ length: rounds }, (_, i) => i + 1);
      expect(await seqsOf(id)).toEqual({ messages: expected, outbox: expected, lastSeq: rounds });
    }
    expect(service.groupCommit!.stats.batches).toBeGreaterThanOrEqual(2);
  });
});
