import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKit, type Kit } from '../../test-kit.js';

const CREATE = 'mutation ($input: CreateConversationInput!) { createConversation(input: $input) { id } }';
const MARK = 'mutation ($id: ID!, $seq: Int!) { markRead(conversationId: $id, seq: $seq) { id } }';
const SEND = 'mutation ($input: SendMessageInput!) { sendMessage(input: $input) { seq } }';
const LIST = '{ conversations { id myRole lastReadSeq lastSeq } }';

let kit: Kit;
beforeAll(async () => {
  kit = await startKit({ logQueries: true, relay: false, rateLimits: false });
});
afterAll(async () => {
  await kit?.close();
});

describe('conversations { myRole lastReadSeq }', () => {
  it("reads the caller's memberships with the list: one statement for the whole sidebar, the same answers", async () => {
    const [me, other] = [kit.newUser(), kit.newUser()];
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await kit.gql(other, CREATE, { input: { kind: 'GROUP', title: `g${i}`, memberIds: [me] } });
      ids.push(created.data!.createConversation.id);
      await kit.gql(other, SEND, { input: { conversationId: ids[i], body: 'a' } });
      await kit.gql(other, SEND, { input: { conversationId: ids[i], body: 'b' } });
    }
    await kit.gql(me, MARK, { id: ids[2], seq: 1 });
    kit.queries.length = 0;
    const listed = await kit.gql<{ conversations: Array<{ id: string; myRole: string; lastReadSeq: number; lastSeq: number }> }>(me, LIST);
    expect(listed.errors).toBeUndefined();
    expect(kit.queries.filter((q) => !/^(BEGIN|COMMIT|DEALLOCATE)/i.test(q.trim()))).toHaveLength(1);
    const byId = new Map(listed.data!.conversations.map((c) => [c.id, c]));
    for (const id of ids) expect(byId.get(id)).toMatchObject({ myRole: 'MEMBER', lastSeq: 2, lastReadSeq: id === ids[2] ? 1 : 0 });
    // The owner's view of the same conversations: their own role and position, not mine.
    const theirs = await kit.gql<{ conversations: Array<{ id: string; myRole: string; lastReadSeq: number }> }>(other, LIST);
    expect(theirs.data!.conversations.filter((c) => ids.includes(c.id)).every((c) => c.myRole === 'OWNER')).toBe(true);
  });
});
