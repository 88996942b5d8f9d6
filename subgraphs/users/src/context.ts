import type { PrismaClient } from './generated/prisma/client.js';
import type { AuthService } from './modules/auth/auth.service.js';
import type { PresenceService } from './modules/presence/presence.service.js';
import type { ProfileService } from './modules/profile/profile.service.js';
import type { UsersService } from './modules/users/users.service.js';

/** Per-request context of the users subgraph. */
export interface UsersContext {
  /** The caller as asserted by the router; null for an anonymous caller. */
  userId: string | null;
  /**
   * The client's address (IPv6 as its /64) as forwarded by the router in
   * `x-storm-client-ip`, trusted only because the request carries the
   * router's signed identity; null when absent or malformed.
   */
  clientAddress: string | null;
  prisma: PrismaClient;
  /** Per request (its loader batches lookups by id). */
  users: UsersService;
  /** Shared by all requests. */
  auth: AuthService;
  /** Shared by all requests. */
  profiles: ProfileService;
  /** Per request (batches User.presence into one store read). */
  presence: PresenceService;
  /** New per-request services (their loaders empty): each mutation field starts with nothing cached (schema.ts). */
  freshLoaders(): Pick<UsersContext, 'users' | 'presence'>;
}
