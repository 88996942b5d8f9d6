// A shared conversationEvents group resolves each live event once, as its
// first subscriber. If that subscriber was removed and the bus lost the
// removal (Redis pub/sub keeps nothing), the resolution fails: the router
// then ends that subscriber with FORBIDDEN, as the audit would, and resolves
// as the next one, so the members who remain get the event instead of a
// resync. The periodic audit is off here: only this path can tell.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { ConversationEventsResumable, RemoveMember } from './testkit/live-operations.js';
import { CreateConversation, EditMessage, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

describe('a removal the bus lost', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let losing = false;
  const lost: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      bus: 'redis',
      routerLimits: { membershipAuditMs: 0 },
      losePublish: (subject) => {
        const lose = losing && (subject.endsWith('.member.removed') || subject.endsWith('.membership'));
        if (lose) lost.push(subject);
        return lose;
      },
    });
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('ends the removed first subscriber and resolves the event as the next, for the members who remain', async () => {
    const url = stack.httpUrl;
    const { createConversation } = await ok(url, CreateConversation, { input: { kind: 'GROUP', title: 'removal lost', memberIds: [bob.id, carol.id] } }, alice.accessToken);
    const conversationId = createConversation.id;
    const message = (await ok(url, SendMessage, { input: { conversationId, body: 'hello' } }, alice.accessToken)).sendMessage;

    // Carol subscribes first: the group resolves live events as her.
    const carolClient = wsClient(stack.wsUrl, carol.accessToken);
    const carolEvents = new Recorder(carolClient, ConversationEventsResumable, { conversationId });
    await stack.subscriptionsOpen(1);
    const bobClient = wsClient(stack.wsUrl, bob.accessToken);
    const bobEvents = new Recorder(bobClient, ConversationEventsResumable, { conversationId });
    await stack.subscriptionsOpen(2);

    losing = true;
    await ok(url, RemoveMember, { conversationId, userId: carol.id }, alice.accessToken);
    await new Promise((r) => setTimeout(r, 500)); // the outbox publishes (and loses) the removal
    losing = false;
    expect(lost.some((s) => s.endsWith('.member.removed'))).toBe(true);

    await ok(url, EditMessage, { id: message.id, body: 'hello, edited' }, alice.accessToken);
    // Bob gets the removal (read from the event log) and the edit, not a resync.
    const seen = (await bobEvents.waitFor(2)).map((e) => [e.data!.conversationEvents.kind, e.data!.conversationEvents.user?.id ?? e.data!.conversationEvents.message?.body]);
    expect(seen).toEqual([
      ['MEMBER_REMOVED', carol.id],
      ['MESSAGE_EDITED', 'hello, edited'],
    ]);
    // Carol is told she is no longer a member, and gets nothing of the edit.
    expect(await carolEvents.waitForError()).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
    expect(carolEvents.events.some((e) => e.data?.conversationEvents.kind === 'MESSAGE_EDITED')).toBe(false);

    bobEvents.unsubscribe();
    await Promise.all([bobClient.dispose(), carolClient.dispose()]);
  }, 30_000);
});
