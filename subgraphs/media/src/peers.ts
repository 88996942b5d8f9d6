import { askPeer, peerEntities, unavailable, type PeerOptions } from '@storm/common';

/**
 * What the media service must know of data it does not own, asked of the
 * subgraphs that own it over federation's `_entities`, as the caller (so
 * their own rules decide), never read from their tables:
 * - users: which media each user chose as avatar;
 * - conversations: which conversations the caller is a member of; which
 *   messages the caller can read and are not deleted; a message's
 *   conversation, author and deletion.
 * Every method rejects with an UNAVAILABLE GraphQLError when the answer
 * cannot be had: visibility is never guessed.
 */
export interface Peers {
  /** ownerId → the id of the media that user has as avatar (absent: none, or no such user). */
  avatarsOf(userIds: readonly string[], asUserId: string): Promise<Map<string, string>>;
  /** The conversations among `conversationIds` that `asUserId` is a member of. */
  memberOf(conversationIds: readonly string[], asUserId: string): Promise<Set<string>>;
  /**
   * The messages among `messageIds` that `asUserId` can read (a member of
   * their conversation) and that are not deleted. One question answers both:
   * the conversations subgraph resolves a Message reference only for members
   * (NOT_FOUND otherwise) and owns `deletedAt`, so media keeps no copy of
   * either and asks no more often than it asked about membership alone.
   */
  liveMessages(messageIds: readonly string[], asUserId: string): Promise<Set<string>>;
  /** The message as `asUserId` sees it; null when it does not exist or they are not a member. */
  message(messageId: string, asUserId: string): Promise<{ conversationId: string; authorId: string; deleted: boolean } | null>;
  /**
   * Tells the conversations subgraph, as the message's author, that the
   * message's attachments changed, so live clients hear of it
   * (`announceMessageChange`: a MESSAGE_EDITED event). Resolves true once
   * announced, false when conversations refused it because the message can no
   * longer change (deleted, archived, the author left since: nothing to tell);
   * rejects UNAVAILABLE when it could not be told.
   */
  announceChange(messageId: string, asUserId: string): Promise<boolean>;
  /** Has the users subgraph unset `asUserId`'s avatar if it is `mediaId` (users' `forgetAvatar`); rejects UNAVAILABLE when it could not be told. */
  forgetAvatar(mediaId: string, asUserId: string): Promise<void>;
}

export interface HttpPeersOptions {
  usersUrl: string;
  conversationsUrl: string;
  /** Signs the `x-storm-identity` header the subgraphs require. */
  identityKey: Uint8Array;
  /** @default 5000 */
  timeoutMs?: number;
}

/** Per-entity errors that mean "not there for this caller", not "could not tell". */
const MISSING = new Set(['NOT_FOUND', 'BAD_USER_INPUT', 'FORBIDDEN']);

const AVATARS = 'query StormMediaAvatars($r: [_Any!]!) { _entities(representations: $r) { ... on User { id avatar { id } } } }';
const MEMBERSHIPS = 'query StormMediaMemberships($r: [_Any!]!) { _entities(representations: $r) { ... on Conversation { id } } }';
const LIVE_MESSAGES = 'query StormMediaLiveMessages($r: [_Any!]!) { _entities(representations: $r) { ... on Message { id deletedAt } } }';
const FORGET_AVATAR = 'mutation StormMediaForgetAvatar($id: ID!) { forgetAvatar(mediaId: $id) }';
const ANNOUNCE = 'mutation StormMediaAnnounce($id: ID!) { announceMessageChange(id: $id) }';
/** What announceMessageChange refuses with when the message cannot change any more. */
const CANNOT_CHANGE = new Set(['NOT_FOUND', 'FORBIDDEN', 'CONFLICT']);
const MESSAGE = 'query StormMediaMessage($r: [_Any!]!) { _entities(representations: $r) { ... on Message { id conversationId author { id } deletedAt } } }';

export function createHttpPeers(options: HttpPeersOptions): Peers {
  const peer = (url: string): PeerOptions => ({
    url,
    identityKey: options.identityKey,
    timeoutMs: options.timeoutMs,
    unavailableMessage: 'Media visibility cannot be checked right now; retry later',
  });
  const usersPeer = peer(options.usersUrl);
  const conversationsPeer = peer(options.conversationsUrl);
  const entities = <T>(target: PeerOptions, query: string, typename: string, ids: readonly string[], asUserId: string) =>
    peerEntities<T>(target, query, typename, ids, asUserId, MISSING);

  return {
    async avatarsOf(userIds, asUserId) {
      const ids = [...new Set(userIds)];
      const found = new Map<string, string>();
      if (ids.length === 0) return found;
      const users = await entities<{ id?: string; avatar?: { id?: string } | null }>(usersPeer, AVATARS, 'User', ids, asUserId);
      users.forEach((user, i) => {
        if (user?.avatar?.id) found.set(ids[i]!, user.avatar.id.toLowerCase());
      });
      return found;
    },
    async memberOf(conversationIds, asUserId) {
      const ids = [...new Set(conversationIds)];
      if (ids.length === 0) return new Set();
      const conversations = await entities<{ id?: string }>(conversationsPeer, MEMBERSHIPS, 'Conversation', ids, asUserId);
      return new Set(ids.filter((_, i) => typeof conversations[i]?.id === 'string'));
    },
    async liveMessages(messageIds, asUserId) {
      const ids = [...new Set(messageIds)];
      if (ids.length === 0) return new Set();
      const messages = await entities<{ id?: string; deletedAt?: string | null }>(conversationsPeer, LIVE_MESSAGES, 'Message', ids, asUserId);
      // A missing `deletedAt` key is not "not deleted": only an explicit null is.
      return new Set(ids.filter((_, i) => typeof messages[i]?.id === 'string' && messages[i]?.deletedAt === null));
    },
    async message(messageId, asUserId) {
      const [message] = await entities<{ id?: string; conversationId?: string; author?: { id?: string }; deletedAt?: string | null }>(conversationsPeer, MESSAGE, 'Message', [messageId], asUserId);
      if (!message?.conversationId || !message.author?.id) return null;
      // Fails closed like liveMessages: only an explicit null means "not deleted".
      return { conversationId: message.conversationId.toLowerCase(), authorId: message.author.id.toLowerCase(), deleted: message.deletedAt !== null };
    },
    async announceChange(messageId, asUserId) {
      const body = await askPeer<{ announceMessageChange?: boolean }>(conversationsPeer, ANNOUNCE, { id: messageId }, asUserId);
      if (body.data?.announceMessageChange === true && !body.errors?.length) return true;
      if (body.errors?.length && body.errors.every((e) => CANNOT_CHANGE.has(String(e.extensions?.code)))) return false;
      throw unavailable(conversationsPeer.unavailableMessage, new Error(`announceMessageChange failed: ${JSON.stringify(body).slice(0, 500)}`));
    },
    async forgetAvatar(mediaId, asUserId) {
      const body = await askPeer<{ forgetAvatar?: boolean }>(usersPeer, FORGET_AVATAR, { id: mediaId }, asUserId);
      if (typeof body.data?.forgetAvatar !== 'boolean' || body.errors?.length) {
        throw unavailable('The media cannot be deleted right now (the users service cannot be told); retry later', new Error(`forgetAvatar failed: ${JSON.stringify(body).slice(0, 500)}`));
      }
    },
  };
}
