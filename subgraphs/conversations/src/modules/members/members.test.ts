import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstError, startKit, type GraphQLResponse, type Kit } from '../../test-kit.js';

const CREATE = `mutation Create($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const GET = `query Get($id: ID!) {
  conversation(id: $id) { id title topic archivedAt myRole memberCount memberships { user { id } role joinedAt } }
}`;
const JOIN = `mutation Join($id: ID!) { joinChannel(id: $id) { id myRole memberCount } }`;
const LEAVE = `mutation Leave($id: ID!) { leaveConversation(id: $id) }`;
const ADD = `mutation Add($id: ID!, $userIds: [ID!]!) { addMembers(conversationId: $id, userIds: $userIds) { id memberCount } }`;
const REMOVE = `mutation Remove($id: ID!, $userId: ID!) { removeMember(conversationId: $id, userId: $userId) { id memberCount } }`;
const ROLE = `mutation Role($id: ID!, $userId: ID!, $role: MemberRole!) {
  changeRole(conversationId: $id, userId: $userId, role: $role) { conversationId user { id } role }
}`;
const UPDATE = `mutation Update($id: ID!, $input: UpdateConversationInput!) { updateConversation(id: $id, input: $input) { id title topic } }`;
const ARCHIVE = `mutation Archive($id: ID!) { archiveConversation(id: $id) { id archivedAt } }`;
const UNARCHIVE = `mutation Unarchive($id: ID!) { unarchiveConversation(id: $id) { id archivedAt } }`;
const SEND = `mutation Send($id: ID!, $body: String!) { sendMessage(input: { conversationId: $id, body: $body }) { id seq } }`;
const CHANNELS = `query Channels($search: String, $limit: Int, $after: String) {
  channels(search: $search, limit: $limit, after: $after) { channels { id title topic memberCount joined } nextCursor }
}`;

let kit: Kit;

beforeAll(async () => {
  kit = await startKit();
});
afterAll(async () => {
  await kit?.close();
});

async function create(owner: string, kind: 'GROUP' | 'CHANNEL' | 'DIRECT', memberIds: string[] = [], title?: string): Promise<string> {
  const response = await kit.gql(owner, CREATE, { input: { kind, memberIds, ...(title ? { title } : {}) } });
  expect(response.errors).toBeUndefined();
  return response.data!.createConversation.id;
}

async function roles(id: string): Promise<Record<string, string>> {
  const rows = await kit.prisma.membership.findMany({ where: { conversationId: id } });
  return Object.fromEntries(rows.map((r) => [r.userId, r.role]));
}

/** Events written about a conversation (on its subjects and its members' user subjects). */
async function events(id: string) {
  const written = (await kit.events(`${kit.busPrefix}.`)).filter((e) => (e.payload as { conversationId?: unknown }).conversationId === id);
  return written.map((e) => ({ subject: e.subject.slice(kit.busPrefix.length + 1), payload: e.payload as Record<string, unknown> }));
}

describe('channels directory', () => {
  it('lists live channels by title case-insensitively, searches, and pages with a cursor', async () => {
    const owner = kit.newUser();
    const reader = kit.newUser();
    const tag = randomUUID().slice(0, 8);
    const titles = [`${tag} Zeta`, `${tag} alpha`, `${tag} Beta 100%`, `${tag} gamma_x`];
    const ids = new Map<string, string>();
    for (const title of titles) ids.set(title, await create(owner, 'CHANNEL', [], title));
    await create(owner, 'GROUP', [], `${tag} a group is not a channel`);
    const archived = await create(owner, 'CHANNEL', [], `${tag} archived`);
    expect((await kit.gql(owner, ARCHIVE, { id: archived })).errors).toBeUndefined();

    const all = await kit.gql(reader, CHANNELS, { search: tag.toUpperCase() });
    expect(all.errors).toBeUndefined();
    expect(all.data!.channels.channels.map((c: { title: string }) => c.title)).toEqual([`${tag} alpha`, `${tag} Beta 100%`, `${tag} gamma_x`, `${tag} Zeta`]);
    expect(all.data!.channels.channels[0]).toMatchObject({ memberCount: 1, joined: false, topic: null });
    expect(all.data!.channels.nextCursor).toBeNull();

    // LIKE wildcards in the search are plain characters.
    const percent = await kit.gql(reader, CHANNELS, { search: `${tag} beta 100%` });
    expect(percent.data!.channels.channels.map((c: { title: string }) => c.title)).toEqual([`${tag} Beta 100%`]);
    expect((await kit.gql(reader, CHANNELS, { search: `${tag}%` })).data!.channels.channels).toEqual([]);
    expect((await kit.gql(reader, CHANNELS, { search: `${tag} _amma` })).data!.channels.channels).toEqual([]);
    expect((await kit.gql(reader, CHANNELS, { search: `'; DROP TABLE conversations; --` })).data!.channels.channels).toEqual([]);

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 4; page++) {
      const response: GraphQLResponse<any> = await kit.gql(reader, CHANNELS, { search: tag, limit: 1, after });
      expect(response.errors).toBeUndefined();
      seen.push(...response.data!.channels.channels.map((c: { title: string }) => c.title));
      after = response.data!.channels.nextCursor;
      if (page < 3) expect(after).toEqual(expect.any(String));
    }
    expect(after).toBeNull();
    expect(seen).toEqual(all.data!.channels.channels.map((c: { title: string }) => c.title));
  });

  it('lists untitled channels last and refuses bad arguments', async () => {
    const owner = kit.newUser();
    const untitled = await create(owner, 'CHANNEL');
    const listed: string[] = [];
    let after: string | null = null;
    do {
      const response: GraphQLResponse<any> = await kit.gql(owner, CHANNELS, { limit: 100, after });
      expect(response.errors).toBeUndefined();
      listed.push(...response.data!.channels.channels.map((c: { id: string }) => c.id));
      after = response.data!.channels.nextCursor;
    } while (after);
    expect(listed).toContain(untitled);
    expect(firstError(await kit.gql(owner, CHANNELS, { limit: 0 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect(firstError(await kit.gql(owner, CHANNELS, { limit: 101 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect(firstError(await kit.gql(owner, CHANNELS, { after: 'garbage' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(firstError(await kit.gql(owner, CHANNELS, { search: 'x'.repeat(201) }))).toEqual({ code: 'BAD_USER_INPUT', field: 'search' });
    expect(firstError(await kit.gql(null, CHANNELS, {}))).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('has the name and trigram indexes', async () => {
    const indexes = await kit.prisma.$queryRaw<Array<{ indexname: string }>>`
      SELECT indexname FROM pg_indexes WHERE schemaname = 'conversations' AND tablename = 'conversations'`;
    expect(indexes.map((i) => i.indexname)).toEqual(expect.arrayContaining(['conversations_channel_name_idx', 'conversations_channel_title_trgm_idx']));
  });
});

describe('joinChannel / leaveConversation', () => {
  it('joins a channel as MEMBER (idempotently) with events on the conversation and the user subject', async () => {
    const owner = kit.newUser();
    const joiner = kit.newUser();
    const id = await create(owner, 'CHANNEL', [], 'open');
    await kit.gql(owner, SEND, { id, body: 'before you came' });
    const joined = await kit.gql(joiner, JOIN, { id });
    expect(joined.errors).toBeUndefined();
    expect(joined.data!.joinChannel).toEqual({ id, myRole: 'MEMBER', memberCount: 2 });
    const again = await kit.gql(joiner, JOIN, { id });
    expect(again.data!.joinChannel).toEqual({ id, myRole: 'MEMBER', memberCount: 2 });
    const written = await events(id);
    const membership = written.filter((e) => !e.subject.includes('message'));
    expect(membership.map((e) => e.subject)).toEqual([`conv.${id}.member.added`, `user.${joiner}.membership`]);
    expect(membership[0].payload).toMatchObject({ event: 'member.added', conversationId: id, userId: joiner, role: 'MEMBER', actorId: joiner, lastSeq: 1 });
    expect(membership[1].payload).toEqual(membership[0].payload);
    expect(new Date(membership[0].payload.committedAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // The joiner reads the history now.
    const read = await kit.gql(joiner, `query($id: ID!) { conversation(id: $id) { messages { body } } }`, { id });
    expect(read.data!.conversation.messages).toEqual([{ body: 'before you came' }]);
  });

  it('answers NOT_FOUND for a group or direct conversation (or nothing) and CONFLICT for an archived channel', async () => {
    const owner = kit.newUser();
    const stranger = kit.newUser();
    const group = await create(owner, 'GROUP');
    const direct = await create(owner, 'DIRECT', [kit.newUser()]);
    for (const id of [group, direct, randomUUID()]) expect(firstError(await kit.gql(stranger, JOIN, { id }))).toEqual({ code: 'NOT_FOUND' });
    expect(firstError(await kit.gql(stranger, JOIN, { id: 'nope' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    const archived = await create(owner, 'CHANNEL', [], 'old');
    await kit.gql(owner, ARCHIVE, { id: archived });
    expect(firstError(await kit.gql(stranger, JOIN, { id: archived }))).toEqual({ code: 'CONFLICT' });
    expect(await kit.prisma.membership.count({ where: { userId: stranger } })).toBe(0);
  });

  it('lets a member leave; the last owner cannot while others remain; the last member leaving archives', async () => {
    const owner = kit.newUser();
    const member = kit.newUser();
    const id = await create(owner, 'GROUP', [member]);
    expect(firstError(await kit.gql(owner, LEAVE, { id }))).toEqual({ code: 'CONFLICT' });
    expect(await roles(id)).toEqual({ [owner]: 'OWNER', [member]: 'MEMBER' });
    const left = await kit.gql(member, LEAVE, { id });
    expect(left.data!.leaveConversation).toBe(id);
    expect(firstError(await kit.gql(member, GET, { id }))).toEqual({ code: 'NOT_FOUND' });
    expect(firstError(await kit.gql(member, LEAVE, { id }))).toEqual({ code: 'NOT_FOUND' });
    const removal = (await events(id)).filter((e) => e.subject.includes('member') || e.subject.includes('membership'));
    expect(removal.map((e) => e.subject)).toEqual([`conv.${id}.member.removed`, `user.${member}.membership`]);
    expect(removal[0].payload).toMatchObject({ event: 'member.removed', userId: member, role: null, lastSeq: 0 });
    // Alone now: leaving is allowed and archives the conversation.
    expect((await kit.gql(owner, LEAVE, { id })).data!.leaveConversation).toBe(id);
    expect((await kit.prisma.conversation.findUnique({ where: { id } }))!.archivedAt).toBeInstanceOf(Date);
  });

  it('refuses to leave a DIRECT conversation', async () => {
    const me = kit.newUser();
    const you = kit.newUser();
    const id = await create(me, 'DIRECT', [you]);
    expect(firstError(await kit.gql(you, LEAVE, { id }))).toEqual({ code: 'CONFLICT' });
    expect(firstError(await kit.gql(me, LEAVE, { id }))).toEqual({ code: 'CONFLICT' });
  });

  it('keeps at least one owner when two owners leave at the same time', async () => {
    for (let round = 0; round < 5; round++) {
      const a = kit.newUser();
      const b = kit.newUser();
      const member = kit.newUser();
      const id = await create(a, 'GROUP', [b, member]);
      expect((await kit.gql(a, ROLE, { id, userId: b, role: 'OWNER' })).errors).toBeUndefined();
      const results = await Promise.all([kit.gql(a, LEAVE, { id }), kit.gql(b, LEAVE, { id })]);
      const codes = results.map((r) => firstError(r)?.code ?? 'OK').sort();
      expect(codes).toEqual(['CONFLICT', 'OK']);
      expect(Object.values(await roles(id)).filter((r) => r === 'OWNER')).toHaveLength(1);
    }
  });
});

describe('addMembers / removeMember / changeRole', () => {
  it('lets admins and owners add members (ignoring those already in); members are FORBIDDEN', async () => {
    const owner = kit.newUser();
    const admin = kit.newUser();
    const member = kit.newUser();
    const id = await create(owner, 'GROUP', [admin, member]);
    await kit.gql(owner, ROLE, { id, userId: admin, role: 'ADMIN' });
    const [x, y, z] = [kit.newUser(), kit.newUser(), kit.newUser()];
    expect(firstError(await kit.gql(member, ADD, { id, userIds: [x] }))).toEqual({ code: 'FORBIDDEN' });
    const added = await kit.gql(admin, ADD, { id, userIds: [x, y, x, member] });
    expect(added.errors).toBeUndefined();
    expect(added.data!.addMembers.memberCount).toBe(5);
    expect((await kit.gql(owner, ADD, { id, userIds: [z] })).data!.addMembers.memberCount).toBe(6);
    const subjects = (await events(id)).filter((e) => e.payload.event === 'member.added').map((e) => e.subject);
    expect(subjects.filter((s) => s.endsWith('member.added'))).toHaveLength(3);
    expect(subjects.filter((s) => s.endsWith('.membership')).sort()).toEqual([x, y, z].map((u) => `user.${u}.membership`).sort());
    // Already all in: nothing written.
    const before = (await events(id)).length;
    await kit.gql(owner, ADD, { id, userIds: [x, y] });
    expect((await events(id)).length).toBe(before);
  });

  it('refuses unknown users, DIRECT and archived conversations, non-members; writes nothing', async () => {
    const owner = kit.newUser();
    const id = await create(owner, 'GROUP');
    const response = await kit.gql(owner, ADD, { id, userIds: [kit.newUser(), randomUUID()] });
    expect(firstError(response)).toEqual({ code: 'BAD_USER_INPUT', field: 'userIds' });
    expect(firstError(await kit.gql(owner, ADD, { id, userIds: ['bad'] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'userIds' });
    expect(firstError(await kit.gql(kit.newUser(), ADD, { id, userIds: [kit.newUser()] }))).toEqual({ code: 'NOT_FOUND' });
    const direct = await create(owner, 'DIRECT', [kit.newUser()]);
    expect(firstError(await kit.gql(owner, ADD, { id: direct, userIds: [kit.newUser()] }))).toEqual({ code: 'CONFLICT' });
    await kit.gql(owner, ARCHIVE, { id });
    expect(firstError(await kit.gql(owner, ADD, { id, userIds: [kit.newUser()] }))).toEqual({ code: 'CONFLICT' });
    expect(await kit.prisma.membership.count({ where: { conversationId: id } })).toBe(1);
    expect((await events(id)).filter((e) => e.subject.includes('member'))).toEqual([]);
  });

  it('enforces who may remove whom', async () => {
    const owner = kit.newUser();
    const owner2 = kit.newUser();
    const admin = kit.newUser();
    const admin2 = kit.newUser();
    const member = kit.newUser();
    const member2 = kit.newUser();
    const id = await create(owner, 'CHANNEL', [owner2, admin, admin2, member, member2], 'moderated');
    await kit.gql(owner, ROLE, { id, userId: owner2, role: 'OWNER' });
    await kit.gql(owner, ROLE, { id, userId: admin, role: 'ADMIN' });
    await kit.gql(owner, ROLE, { id, userId: admin2, role: 'ADMIN' });

    expect(firstError(await kit.gql(member, REMOVE, { id, userId: admin }))).toEqual({ code: 'FORBIDDEN' });
    expect(firstError(await kit.gql(member, REMOVE, { id, userId: member2 }))).toEqual({ code: 'FORBIDDEN' });
    expect(firstError(await kit.gql(admin, REMOVE, { id, userId: owner }))).toEqual({ code: 'FORBIDDEN' });
    expect(firstError(await kit.gql(admin, REMOVE, { id, userId: admin }))).toEqual({ code: 'BAD_USER_INPUT', field: 'userId' });
    expect(firstError(await kit.gql(admin, REMOVE, { id, userId: kit.newUser() }))).toEqual({ code: 'NOT_FOUND' });
    expect(await roles(id)).toHaveProperty(owner);

    expect((await kit.gql(admin, REMOVE, { id, userId: member2 })).data!.removeMember.memberCount).toBe(5);
    expect((await kit.gql(admin, REMOVE, { id, userId: admin2 })).data!.removeMember.memberCount).toBe(4);
    expect((await kit.gql(owner, REMOVE, { id, userId: owner2 })).data!.removeMember.memberCount).toBe(3);
    expect(await roles(id)).toEqual({ [owner]: 'OWNER', [admin]: 'ADMIN', [member]: 'MEMBER' });
    const removed = (await events(id)).filter((e) => e.subject.endsWith('.membership') && e.payload.event === 'member.removed');
    expect(removed.map((e) => e.payload.userId)).toEqual([member2, admin2, owner2]);
    expect(removed.every((e) => e.payload.role === null)).toBe(true);
    // A removed member is out at once.
    expect(firstError(await kit.gql(member2, SEND, { id, body: 'still here?' }))).toEqual({ code: 'NOT_FOUND' });
  });

  it('lets only owners change roles, never leaving no owner', async () => {
    const owner = kit.newUser();
    const admin = kit.newUser();
    const member = kit.newUser();
    const id = await create(owner, 'GROUP', [admin, member]);
    const promoted = await kit.gql(owner, ROLE, { id, userId: admin, role: 'ADMIN' });
    expect(promoted.data!.changeRole).toEqual({ conversationId: id, user: { id: admin }, role: 'ADMIN' });
    expect(firstError(await kit.gql(admin, ROLE, { id, userId: member, role: 'ADMIN' }))).toEqual({ code: 'FORBIDDEN' });
    expect(firstError(await kit.gql(owner, ROLE, { id, userId: owner, role: 'MEMBER' }))).toEqual({ code: 'CONFLICT' });
    expect(firstError(await kit.gql(owner, ROLE, { id, userId: kit.newUser(), role: 'ADMIN' }))).toEqual({ code: 'NOT_FOUND' });
    expect(firstError(await kit.gql(owner, `mutation($id: ID!, $u: ID!) { changeRole(conversationId: $id, userId: $u, role: KING) { role } }`, { id, u: admin }))?.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    // Hand over, then step down.
    await kit.gql(owner, ROLE, { id, userId: member, role: 'OWNER' });
    expect((await kit.gql(owner, ROLE, { id, userId: owner, role: 'MEMBER' })).data!.changeRole.role).toBe('MEMBER');
    expect(await roles(id)).toEqual({ [owner]: 'MEMBER', [admin]: 'ADMIN', [member]: 'OWNER' });
    const changes = (await events(id)).filter((e) => e.subject.endsWith('member.role_changed'));
    expect(changes.map((e) => [e.payload.userId, e.payload.role])).toEqual([
      [admin, 'ADMIN'],
      [member, 'OWNER'],
      [owner, 'MEMBER'],
    ]);
    // The same role again writes nothing.
    const before = (await events(id)).length;
    await kit.gql(member, ROLE, { id, userId: admin, role: 'ADMIN' });
    expect((await events(id)).length).toBe(before);
  });

  it('exposes memberships with roles and join times', async () => {
    const owner = kit.newUser();
    const member = kit.newUser();
    const id = await create(owner, 'GROUP', [member]);
    const response = await kit.gql(member, GET, { id });
    expect(response.errors).toBeUndefined();
    const conversation = response.data!.conversation;
    expect(conversation.myRole).toBe('MEMBER');
    expect(conversation.memberCount).toBe(2);
    expect(conversation.memberships.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role]).sort()).toEqual(
      [
        [owner, 'OWNER'],
        [member, 'MEMBER'],
      ].sort(),
    );
    expect(conversation.memberships[0].joinedAt).toEqual(expect.any(String));
  });
});

describe('updateConversation / archive', () => {
  it('lets admins set title and topic (omitted stays, null clears); members are FORBIDDEN', async () => {
    const owner = kit.newUser();
    const member = kit.newUser();
    const id = await create(owner, 'CHANNEL', [member], 'first');
    const updated = await kit.gql(owner, UPDATE, { id, input: { topic: '  what we discuss  ' } });
    expect(updated.data!.updateConversation).toEqual({ id, title: 'first', topic: 'what we discuss' });
    expect((await kit.gql(owner, UPDATE, { id, input: { title: 'second', topic: null } })).data!.updateConversation).toEqual({ id, title: 'second', topic: null });
    expect(firstError(await kit.gql(member, UPDATE, { id, input: { title: 'mine' } }))).toEqual({ code: 'FORBIDDEN' });
    expect(firstError(await kit.gql(owner, UPDATE, { id, input: { topic: 't'.repeat(251) } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'topic' });
    expect(firstError(await kit.gql(owner, UPDATE, { id, input: { title: 't'.repeat(201) } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'title' });
    const subjects = (await events(id)).map((e) => e.subject);
    expect(subjects).toEqual([`conv.${id}.conversation.updated`, `conv.${id}.conversation.updated`]);
    const direct = await create(owner, 'DIRECT', [member]);
    expect(firstError(await kit.gql(owner, UPDATE, { id: direct, input: { topic: 'x' } }))).toEqual({ code: 'CONFLICT' });
  });

  it('archives (owner only): sends, edits and joins answer CONFLICT until unarchived', async () => {
    const owner = kit.newUser();
    const admin = kit.newUser();
    const id = await create(owner, 'CHANNEL', [admin], 'archivable');
    await kit.gql(owner, ROLE, { id, userId: admin, role: 'ADMIN' });
    const sent = (await kit.gql(owner, SEND, { id, body: 'one' })).data!.sendMessage;
    expect(firstError(await kit.gql(admin, ARCHIVE, { id }))).toEqual({ code: 'FORBIDDEN' });
    const archived = await kit.gql(owner, ARCHIVE, { id });
    expect(archived.data!.archiveConversation.archivedAt).toEqual(expect.any(String));
    const again = await kit.gql(owner, ARCHIVE, { id });
    expect(again.data!.archiveConversation.archivedAt).toBe(archived.data!.archiveConversation.archivedAt);

    expect(firstError(await kit.gql(owner, SEND, { id, body: 'two' }))).toEqual({ code: 'CONFLICT' });
    expect(firstError(await kit.gql(owner, `mutation($id: ID!) { editMessage(id: $id, body: "x") { id } }`, { id: sent.id }))).toEqual({ code: 'CONFLICT' });
    expect(firstError(await kit.gql(owner, UPDATE, { id, input: { topic: 'x' } }))).toEqual({ code: 'CONFLICT' });
    expect((await kit.gql(admin, GET, { id })).data!.conversation.archivedAt).toEqual(expect.any(String));
    expect((await kit.prisma.conversation.findUnique({ where: { id } }))!.lastSeq).toBe(1);

    expect((await kit.gql(owner, UNARCHIVE, { id })).data!.unarchiveConversation.archivedAt).toBeNull();
    expect((await kit.gql(owner, SEND, { id, body: 'two' })).data!.sendMessage.seq).toBe(2);
  });

  it('a send racing an archive either commits before it or is refused: never after', async () => {
    const owner = kit.newUser();
    const id = await create(owner, 'GROUP', [], 'race');
    const sends = Array.from({ length: 20 }, (_, i) => kit.gql(owner, SEND, { id, body: `m${i}` }));
    const archive = kit.gql(owner, ARCHIVE, { id });
    const results = await Promise.all(sends);
    expect((await archive).errors).toBeUndefined();
    const ok = results.filter((r) => !r.errors);
    for (const r of results.filter((r) => r.errors)) expect(firstError(r)).toEqual({ code: 'CONFLICT' });
    // The archive event carries lastSeq read under the row lock: every
    // committed message is at or below it, and seq has no gap.
    const [archivedEvent] = (await events(id)).filter((e) => e.subject.endsWith('conversation.updated'));
    const seqs = (await kit.prisma.message.findMany({ where: { conversationId: id }, orderBy: { seq: 'asc' } })).map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: ok.length }, (_, i) => i + 1));
    expect(archivedEvent.payload.lastSeq).toBe(ok.length);
  });
});
