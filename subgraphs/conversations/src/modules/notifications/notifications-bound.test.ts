// The per-user bound under concurrency: notifying sends in DIFFERENT
// conversations do not queue on a conversation row lock, so without a lock
// per recipient each transaction's prune sees only the committed rows (READ
// COMMITTED) and a burst leaves the recipient with more than the bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKit, type Kit } from '../../test-kit.js';
import { MAX_NOTIFICATIONS_PER_USER } from './notifications.service.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const SEND = `mutation Send($id: ID!, $body: String!) { sendMessage(input: { conversationId: $id, body: $body }) { id } }`;

/** Concurrent senders per burst: more than the kit's pool (20), so transactions overlap at every step. */
const SENDERS = 40;
const BURSTS = 3;

let kit: Kit;

beforeAll(async () => {
  // Presence absent: everyone counts as offline, so every DM and mention notifies.
  kit = await startKit({ rateLimits: false, relay: false });
});
afterAll(async () => {
  await kit?.close();
});

async function ok(userId: string, query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await kit.gql(userId, query, variables);
  expect(response.errors).toBeUndefined();
  return response.data;
}
const create = async (owner: string, kind: 'DIRECT' | 'GROUP', memberIds: string[]) =>
  (await ok(owner, CREATE, { input: { kind, memberIds } })).createConversation.id as string;
const send = async (userId: string, id: string, body: string) => (await ok(userId, SEND, { id, body })).sendMessage.id as string;
const stored = async (userId: string) => kit.prisma.notification.count({ where: { userId } });

/** Fills `userId` to the bound with notifications an hour old (older than anything sent later). */
async function fill(userId: string, conversationId: string, authorId: string, seqBase = 100_000): Promise<void> {
  await kit.prisma.$executeRaw`
    WITH msgs AS (
      INSERT INTO conversations.messages (id, conversation_id, seq, author_id, body)
      SELECT gen_random_uuid(), ${conversationId}::uuid, ${seqBase} + g, ${authorId}::uuid, 'seed' FROM generate_series(1, ${MAX_NOTIFICATIONS_PER_USER}) g
      RETURNING id, seq
    )
    INSERT INTO conversations.notifications (id, user_id, kind, conversation_id, message_id, created_at)
    SELECT gen_random_uuid(), ${userId}::uuid, 'MENTION', ${conversationId}::uuid, id, now() - interval '1 hour' + seq * interval '1 millisecond' FROM msgs`;
  expect(await stored(userId)).toBe(MAX_NOTIFICATIONS_PER_USER);
}

describe(`at most ${MAX_NOTIFICATIONS_PER_USER} notifications per user, under concurrency`, () => {
  it('concurrent direct messages from many senders to a full recipient keep exactly the newest bound', async () => {
    const recipient = kit.newUser();
    const senders = Array.from({ length: SENDERS }, () => kit.newUser());
    const dms = await Promise.all(senders.map((sender) => create(sender, 'DIRECT', [recipient])));
    await fill(recipient, dms[0]!, senders[0]!);
    const sent: string[] = [];
    for (let burst = 0; burst < BURSTS; burst++) {
      sent.push(...(await Promise.all(senders.map((sender, i) => send(sender, dms[i]!, `burst ${burst} from ${i}`)))));
      expect(await stored(recipient)).toBeLessThanOrEqual(MAX_NOTIFICATIONS_PER_USER);
    }
    expect(await stored(recipient)).toBe(MAX_NOTIFICATIONS_PER_USER);
    // What was evicted is the seed, never a new notification.
    const kept = await kit.prisma.notification.count({ where: { userId: recipient, messageId: { in: sent } } });
    expect(kept).toBe(sent.length);
  });

  it('concurrent sends each mentioning the same two full users, named in either order: no deadlock, both bounded', async () => {
    const hb = `b${kit.newUser().slice(0, 8)}`;
    const hc = `c${kit.newUser().slice(0, 8)}`;
    const b = kit.newUser(hb);
    const c = kit.newUser(hc);
    const senders = Array.from({ length: SENDERS }, () => kit.newUser());
    const groups = await Promise.all(senders.map((sender) => create(sender, 'GROUP', [b, c])));
    await fill(b, groups[0]!, senders[0]!);
    await fill(c, groups[0]!, senders[0]!, 200_000);
    for (let burst = 0; burst < BURSTS; burst++) {
      await Promise.all(senders.map((sender, i) => send(sender, groups[i]!, i % 2 === 0 ? `@${hb} @${hc} ${burst}` : `@${hc} @${hb} ${burst}`)));
    }
    expect(await stored(b)).toBe(MAX_NOTIFICATIONS_PER_USER);
    expect(await stored(c)).toBe(MAX_NOTIFICATIONS_PER_USER);
  });
});
