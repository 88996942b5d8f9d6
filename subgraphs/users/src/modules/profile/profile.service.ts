import { isUuid, notFound } from '@storm/common';
import type { PrismaClient, User } from '../../generated/prisma/client.js';
import type { UpdateProfileInput } from '../../generated/graphql.js';
import type { AvatarCheck } from './avatars.js';
import { escapeLike, validateHandleSearch, validateProfile } from './profile.validation.js';

/** Profiles: the caller's own display name, status and avatar, and handle search. */
export class ProfileService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly avatars: AvatarCheck,
  ) {}

  /**
   * Applies a validated update to `userId`'s own profile (nothing is written
   * on bad input). A new avatar must be an image the caller uploaded, which
   * the media service answers before anything is written.
   */
  async update(userId: string, input: UpdateProfileInput): Promise<User> {
    const changes = validateProfile(input);
    if (changes.avatarMediaId) await this.avatars.assertUsable(changes.avatarMediaId, userId);
    const found = await this.prisma.user.updateMany({ where: { id: userId }, data: changes });
    // The router vouched for this id, but the account may have been deleted since the token was issued.
    if (found.count === 0) throw notFound('User not found');
    return this.prisma.user.findUniqueOrThrow({ where: { id: userId } });
  }

  /** Unsets `userId`'s avatar if it is `mediaId` (the media is being deleted); true when it was. */
  async forgetAvatar(userId: string, mediaId: string): Promise<boolean> {
    // Not a uuid: not anyone's avatar (and not something to hand to a uuid column).
    if (!isUuid(mediaId)) return false;
    const { count } = await this.prisma.user.updateMany({ where: { id: userId, avatarMediaId: mediaId.toLowerCase() }, data: { avatarMediaId: null } });
    return count > 0;
  }

  /**
   * Users whose handle starts with the prefix, ordered by handle bytes.
   * The range predicates with the pattern operators (~>=~, ~<~) and the
   * ORDER BY … USING ~<~ match users_handle_prefix_idx (varchar_pattern_ops)
   * whatever the database collation, also in a generic prepared plan where
   * the LIKE pattern is unknown: an index range scan that stops at `limit`.
   */
  async searchByHandle(handlePrefix: string, limitArg: number | null | undefined): Promise<User[]> {
    const { prefix, limit } = validateHandleSearch(handlePrefix, limitArg);
    // Every handle with this prefix sorts below the prefix with its last character incremented.
    const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    const pattern = `${escapeLike(prefix)}%`;
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT id::text AS id FROM "users"."users"
      WHERE handle ~>=~ ${prefix} AND handle ~<~ ${upper} AND handle LIKE ${pattern} ESCAPE '\\'
      ORDER BY handle USING ~<~
      LIMIT ${limit}`;
    if (rows.length === 0) return [];
    const users = await this.prisma.user.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
    const byId = new Map(users.map((u) => [u.id, u]));
    return rows.flatMap((r) => byId.get(r.id) ?? []);
  }
}
