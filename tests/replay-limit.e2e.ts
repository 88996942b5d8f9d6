// REPLAY_LIMIT: a resume replays at most that many messages (or logged
// events); asking for more is an explicit RESYNC_REQUIRED on subscribe, never
// a partial stream (router/SUBSCRIPTIONS.md, Resync).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, Recorder, wsClient } from './testkit/client.js';
import { ConversationEventsResumable, Inbox, RenameLive } from './testkit/live-operations.js';
import { CreateConversation, MessageAdded, SendMessage } from './testkit/operations.js';
import { startTestStack, type TestStack } from './testkit/stack.js';
import { registerUser, type TestUser } from './testkit/users.js';

/** The router's replay limit in this suite: small, so a test can go past it. */
const REPLAY_LIMIT = 3;

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }>;

describe('REPLAY_LIMIT', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    stack = await startTestStack({ routerLimits: { replayLimit: REPLAY_LIMIT } });
    [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerUser(stack.httpUrl, n)));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  const conversation = async (member = bob) =>
    (await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', title: 'long', memberIds: [member.id] } }, alice.accessToken)).createConversation.id;
  const send = (conversationId: string, body: string) => ok(stack.httpUrl, SendMessage, { input: { conversationId, body } }, alice.accessToken);
  const sendMany = async (conversationId: string, count: number) => {
    for (let i = 0; i < count; i++) await send(conversationId, `m${i}`);
  };

  it('messageAdded: replays exactly REPLAY_LIMIT messages, and one more behind is RESYNC_REQUIRED with lastSeq', async () => {
    const conversationId = await conversation();
    await sendMany(conversationId, REPLAY_LIMIT + 2);
    const client = wsClient(stack.wsUrl, bob.accessToken);

    const atLimit = new Recorder(client, MessageAdded, { conversationId, after: 2 });
    expect((await atLimit.waitFor(REPLAY_LIMIT)).map((e) => e.data!.messageAdded.seq)).toEqual([3, 4, 5]);

    const beyond = new Recorder(client, MessageAdded, { conversationId, after: 1 });
    const errors = (await beyond.waitForError()) as Errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toMatchObject({ code: 'RESYNC_REQUIRED' });
    // Where the subscriber stands: the `after` it asked for.
    expect(errors[0]!.extensions).toEqual({ code: 'RESYNC_REQUIRED', lastSeq: 1 });
    expect(beyond.events).toEqual([]);
    // The limit is per subscribe, not per socket: the other subscription still goes on.
    await send(conversationId, 'live');
    expect((await atLimit.waitFor(REPLAY_LIMIT + 1))[REPLAY_LIMIT]!.data!.messageAdded.seq).toBe(6);
    await client.dispose();
  });

  it('conversationEvents: replays exactly REPLAY_LIMIT logged events, and one more behind is RESYNC_REQUIRED with lastSeq and lastEvent', async () => {
    const conversationId = await conversation();
    await sendMany(conversationId, 2);
    for (let i = 1; i <= REPLAY_LIMIT + 2; i++) await ok(stack.httpUrl, RenameLive, { id: conversationId, title: `title ${i}` }, alice.accessToken);
    const client = wsClient(stack.wsUrl, bob.accessToken);

    // `after: 2`, the conversation's lastSeq: only logged events to replay.
    const atLimit = new Recorder(client, ConversationEventsResumable, { conversationId, after: 2, afterEvent: 2 });
    const replay = (await atLimit.waitFor(REPLAY_LIMIT)).map((e) => e.data!.conversationEvents);
    expect(replay.map((e) => [e.kind, e.position, e.conversation?.title])).toEqual([
      ['CONVERSATION_UPDATED', 3, 'title 5'],
      ['CONVERSATION_UPDATED', 4, 'title 5'],
      ['CONVERSATION_UPDATED', 5, 'title 5'],
    ]);

    // One message behind (well within the limit), one event too many.
    const beyond = new Recorder(client, ConversationEventsResumable, { conversationId, after: 1, afterEvent: 1 });
    const errors = (await beyond.waitForError()) as Errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toMatchObject({ code: 'RESYNC_REQUIRED' });
    // Where the subscriber stands: its own `after` and `afterEvent` (resuming from the head's lastSeq would skip message 2).
    expect(errors[0]!.extensions).toEqual({ code: 'RESYNC_REQUIRED', lastSeq: 1, lastEvent: 1 });
    expect(beyond.events).toEqual([]);

    // Messages follow messageAdded's rule: `after` more than REPLAY_LIMIT behind is a resync too.
    await sendMany(conversationId, REPLAY_LIMIT);
    const messagesBeyond = new Recorder(client, ConversationEventsResumable, { conversationId, after: 0 });
    // Without afterEvent the events stream would start at the head: lastEvent is that (the conversation's 5 renames).
    expect(((await messagesBeyond.waitForError()) as Errors)[0]!.extensions).toEqual({ code: 'RESYNC_REQUIRED', lastSeq: 0, lastEvent: REPLAY_LIMIT + 2 });
    expect(messagesBeyond.events).toEqual([]);
    await client.dispose();
  });

  it('inbox: a cursor with one conversation more than REPLAY_LIMIT behind is RESYNC_REQUIRED on subscribe, with nothing from the others first', async () => {
    // A reader of this test alone: its inbox is these two conversations (one stream each).
    const reader = await registerUser(stack.httpUrl, 'reader');
    const near = await conversation(reader);
    const far = await conversation(reader);
    const client = wsClient(stack.wsUrl, reader.accessToken);
    const inbox = new Recorder(client, Inbox, {});
    await stack.subscriptionsOpen(2);
    await send(near, 'n1');
    await send(far, 'f1');
    const cursor = (await inbox.waitFor(2))[1]!.data!.inbox.cursor;
    await client.dispose();

    await send(near, 'n2');
    await sendMany(far, REPLAY_LIMIT + 1);
    const again = wsClient(stack.wsUrl, reader.accessToken);
    const resumed = new Recorder(again, Inbox, { cursor });
    const errors = (await resumed.waitForError()) as Errors;
    expect(errors).toHaveLength(1);
    // Which conversation to reload, and a cursor with it moved to its head.
    expect(errors[0]!.extensions).toMatchObject({ code: 'RESYNC_REQUIRED', conversationIds: [far] });
    const next = errors[0]!.extensions!.cursor as string;
    expect(typeof next).toBe('string');
    await new Promise((r) => setTimeout(r, 200));
    expect(resumed.events).toEqual([]);
    await again.dispose();

    // Resuming with it (after reloading `far`'s history): what `near` missed, then live from both, nothing of `far` replayed.
    const third = wsClient(stack.wsUrl, reader.accessToken);
    const resumedAgain = new Recorder(third, Inbox, { cursor: next });
    expect((await resumedAgain.waitFor(1)).map((e) => e.data!.inbox.message.body)).toEqual(['n2']);
    await stack.subscriptionsOpen(2);
    await send(far, 'f-live');
    expect((await resumedAgain.waitFor(2)).map((e) => e.data!.inbox.message.body)).toEqual(['n2', 'f-live']);
    await third.dispose();
  });
});
