import { badInput, peerEntities, unavailable, type PeerOptions } from '@storm/common';

/** Image types an avatar may have: what every browser renders in an <img>, and no SVG (it can carry script). */
export const AVATAR_CONTENT_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

/**
 * Whether a media may become someone's avatar. The media subgraph owns media
 * and this service never reads its tables, so the real check asks it
 * (createHttpAvatarCheck); the users subgraph's own tests inject another.
 */
export interface AvatarCheck {
  /**
   * Resolves when `mediaId` is an image `userId` uploaded; rejects
   * BAD_USER_INPUT (field `avatarMediaId`) when it is not, UNAVAILABLE when
   * the media service cannot tell.
   */
  assertUsable(mediaId: string, userId: string): Promise<void>;
}

/** What the media service says of a candidate, asked as its would-be owner (null: not there for them). */
export interface AvatarCandidate {
  contentType: string;
  ownerId: string;
}

/** The rule, apart from how the candidate was fetched. */
export function assertAvatar(candidate: AvatarCandidate | null, userId: string): void {
  // Media the caller may not see and unknown ids read the same, as in media's own API.
  if (!candidate) throw badInput('No media with this id exists for you', 'avatarMediaId');
  if (candidate.ownerId.toLowerCase() !== userId.toLowerCase()) throw badInput('An avatar must be media you uploaded', 'avatarMediaId');
  if (!AVATAR_CONTENT_TYPES.has(candidate.contentType.toLowerCase())) {
    throw badInput(`An avatar must be an image (${[...AVATAR_CONTENT_TYPES].join(', ')}); this media is ${candidate.contentType}`, 'avatarMediaId');
  }
}

export interface HttpAvatarCheckOptions {
  /** The media subgraph's GraphQL endpoint (MEDIA_URL); a function when it is known only after startup. */
  url: string | (() => string);
  /** Signs the `x-storm-identity` header the media subgraph requires. */
  identityKey: Uint8Array;
  /** @default 5000 */
  timeoutMs?: number;
}

const CANDIDATE = 'query StormUsersAvatarCandidate($r: [_Any!]!) { _entities(representations: $r) { ... on Media { id contentType owner { id } } } }';
/** Per-entity errors of media's `_entities` that mean "not there for this caller". */
const MISSING = new Set(['NOT_FOUND', 'BAD_USER_INPUT']);

/** Asks media's `_entities` for the Media as the caller: media's visibility rules decide what they can name. */
export function createHttpAvatarCheck(options: HttpAvatarCheckOptions): AvatarCheck {
  const peer: PeerOptions = { ...options, unavailableMessage: 'The avatar cannot be checked right now; retry later' };
  return {
    async assertUsable(mediaId, userId) {
      const [media] = await peerEntities<{ contentType?: unknown; owner?: { id?: unknown } | null }>(peer, CANDIDATE, 'Media', [mediaId], userId, MISSING);
      if (!media) return assertAvatar(null, userId);
      if (typeof media.contentType !== 'string' || typeof media.owner?.id !== 'string') {
        throw unavailable(peer.unavailableMessage, new Error(`media answered an entity without contentType or owner: ${JSON.stringify(media).slice(0, 200)}`));
      }
      assertAvatar({ contentType: media.contentType, ownerId: media.owner.id }, userId);
    },
  };
}

/** An in-memory check for the users subgraph's own tests: exactly the media it is given (mutable). */
export function createStaticAvatarCheck(): AvatarCheck & { add(mediaId: string, candidate: AvatarCandidate): void } {
  const known = new Map<string, AvatarCandidate>();
  return {
    add: (mediaId, candidate) => known.set(mediaId.toLowerCase(), candidate),
    async assertUsable(mediaId, userId) {
      assertAvatar(known.get(mediaId.toLowerCase()) ?? null, userId);
    },
  };
}
