import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstError, startKit, type Kit } from '../../test-kit.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const SEND = `mutation Send($id: ID!, $body: String!) { sendMessage(input: { conversationId: $id, body: $body }) { seq } }`;
const REACT = `mutation React($id: ID!, $emoji: String!) { addReaction(messageId: $id, emoji: $emoji) { id } }`;

let kit: Kit;

beforeAll(async () => {
  kit = await startKit({
    rateLimits: { send: { burst: 5, perSecond: 0.1 }, react: { burst: 3, perSecond: 0.1 }, create: { burst: 2, perSecond: 0.1 } },
  });
});
afterAll(async () => {
  await kit?.close();
});

describe('rate limits (per user, token buckets)', () => {
  it('refuse sends beyond the burst with RATE_LIMITED and retryAfter, writing nothing; other users are not affected', async () => {
    const me = kit.newUser();
    const you = kit.newUser();
    const id = (await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [you] } })).data!.createConversation.id;
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => kit.gql(me, SEND, { id, body: `m${i}` })));
    const refused = responses.filter((r) => r.errors);
    expect(responses.length - refused.length).toBe(5);
    for (const response of refused) {
      expect(firstError(response)).toEqual({ code: 'RATE_LIMITED' });
      expect(response.errors![0].extensions!.retryAfter).toBeGreaterThanOrEqual(1);
      expect(response.errors![0].extensions!.retryAfter).toBeLessThanOrEqual(10);
    }
    expect(await kit.prisma.message.count({ where: { conversationId: id } })).toBe(5);
    expect((await kit.gql(you, SEND, { id, body: 'mine' })).errors).toBeUndefined();
  });

  it('limit reactions and conversation creation separately', async () => {
    const me = kit.newUser();
    const id = (await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [] } })).data!.createConversation.id;
    await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [] } });
    expect(firstError(await kit.gql(me, CREATE, { input: { kind: 'GROUP', memberIds: [] } }))).toEqual({ code: 'RATE_LIMITED' });
    expect((await kit.gql(me, SEND, { id, body: 'x' })).errors).toBeUndefined();
    const messageId = (await kit.prisma.message.findFirst({ where: { conversationId: id } }))!.id;
    for (const emoji of ['👍', '🎉', '🔥']) expect((await kit.gql(me, REACT, { id: messageId, emoji })).errors).toBeUndefined();
    expect(firstError(await kit.gql(me, REACT, { id: messageId, emoji: '😀' }))).toEqual({ code: 'RATE_LIMITED' });
    expect(await kit.prisma.reaction.count({ where: { messageId } })).toBe(3);
  });
});
