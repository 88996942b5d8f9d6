import { isUuid } from '@storm/common';
import type { PrismaClient, User } from '../../generated/prisma/client.js';
import { BatchLoader } from '../../loader.js';


/**
 * Reads users. One instance per request: lookups by id made while resolving
 * that request (Query.user, Query.me, `_entities`) are batched into one query.
 */
export class UsersService {
  private readonly byIdLoader: BatchLoader<string, User>;

  constructor(private readonly prisma: PrismaClient) {
    this.byIdLoader = new BatchLoader(async (ids) => {
      const rows = await this.prisma.user.findMany({ where: { id: { in: ids } } });
      return new Map(rows.map((u) => [u.id, u]));
    });
  }

  /**
   * The user with this id, or null. An id that is not a UUID cannot exist; it
   * is answered without a query, because PostgreSQL would reject the whole
   * batch for one malformed uuid.
   */
  byId(id: string): Promise<User | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.byIdLoader.load(id.toLowerCase());
  }
}
