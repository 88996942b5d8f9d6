import type { PrismaClient } from './generated/prisma/client.js';
import type { AuthService } from './modules/auth/auth.service.js';
import type { UsersService } from './modules/users/users.service.js';

/** Per-request context of the users subgraph. */
export interface UsersContext {
  /** The caller as asserted by the router; null for an anonymous caller. */
  userId: string | null;
  prisma: PrismaClient;
  /** Per request (its loader batches lookups by id). */
  users: UsersService;
  /** Shared by all requests. */
  auth: AuthService;
}
