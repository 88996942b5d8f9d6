import { askPeer, badInput, unavailable, type PeerOptions } from '@storm/common';

/**
 * Files sent with a message (`sendMessage(input: { attachmentIds })`). The
 * media subgraph owns media and attachments and this service never reads its
 * tables, so the real implementation asks it over HTTP, as the sender; the
 * service's own tests inject another one.
 */
export interface MediaAttachments {
  /**
   * Attaches `mediaIds` to the message about to be written as `messageId` in
   * `conversationId`, before it is written, so its first delivery shows them.
   * Rejects BAD_USER_INPUT (field `attachmentIds`) when they are not all the
   * sender's own media, UNAVAILABLE when the media service cannot answer.
   */
  attachToNew(messageId: string, conversationId: string, mediaIds: string[], asUserId: string): Promise<void>;
  /**
   * Undoes attachToNew for a message that will never be written (its send was
   * refused). Best effort: rows left behind show nothing to anyone.
   */
  releaseNew(messageId: string, asUserId: string): Promise<void>;
}

export interface HttpMediaAttachmentsOptions {
  /** The media subgraph's GraphQL endpoint (MEDIA_URL); a function when it is known only after startup. */
  url: string | (() => string);
  /** Signs the `x-storm-identity` header the media subgraph requires. */
  identityKey: Uint8Array;
  /** @default 5000 */
  timeoutMs?: number;
}

const ATTACH = 'mutation StormConversationsAttach($m: ID!, $c: ID!, $ids: [ID!]!) { attachToNewMessage(messageId: $m, conversationId: $c, mediaIds: $ids) }';
const RELEASE = 'mutation StormConversationsRelease($m: ID!) { releaseNewMessage(messageId: $m) }';

/** Asks media's `attachToNewMessage` (not in the public API) as the sender. */
export function createHttpMediaAttachments(options: HttpMediaAttachmentsOptions): MediaAttachments {
  const peer: PeerOptions = { ...options, unavailableMessage: 'The attachments cannot be stored right now; retry later (nothing was sent)' };
  return {
    async attachToNew(messageId, conversationId, mediaIds, asUserId) {
      const body = await askPeer<{ attachToNewMessage?: boolean }>(peer, ATTACH, { m: messageId, c: conversationId, ids: mediaIds }, asUserId);
      if (body.data?.attachToNewMessage === true && !body.errors?.length) return;
      const code = String(body.errors?.[0]?.extensions?.code);
      // Someone else's media and unknown ids read the same, as in media's own API.
      if (code === 'NOT_FOUND') throw badInput('No media with these ids exists for you: attach media you uploaded', 'attachmentIds');
      if (code === 'BAD_USER_INPUT') throw badInput(`attachmentIds: ${(body.errors![0] as { message?: string }).message ?? 'not accepted'}`, 'attachmentIds');
      throw unavailable(peer.unavailableMessage, new Error(`attachToNewMessage failed: ${JSON.stringify(body).slice(0, 500)}`));
    },
    async releaseNew(messageId, asUserId) {
      const body = await askPeer<{ releaseNewMessage?: number }>(peer, RELEASE, { m: messageId }, asUserId);
      if (typeof body.data?.releaseNewMessage !== 'number' || body.errors?.length) throw new Error(`releaseNewMessage failed: ${JSON.stringify(body).slice(0, 500)}`);
    },
  };
}
