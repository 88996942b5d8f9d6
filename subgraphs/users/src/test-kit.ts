// Test harness of the users subgraph: a real PostgreSQL database per test
// file, the real service on port 0, and a client that signs identities like
// the router does. Not part of the service.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKeys, loadSigningKeys, loadVerifyKey, type SigningKeys } from '@storm/auth';
import { IDENTITY_HEADER, identityKey, signIdentity, type RunningService } from '@storm/common';
import { adapterFor } from '@storm/db';
import { createTestDatabase } from '@storm/db/testing';
import type { CryptoKey } from 'jose';
import { PrismaClient } from './generated/prisma/client.js';
import type { PresenceStore } from '@storm/presence';
import type { LimiterStore } from '@storm/limiter';
import type { TokenSettings } from './modules/auth/auth.service.js';
import type { ThrottleSettings } from './modules/auth/throttle.js';
import { createStaticAvatarCheck } from './modules/profile/avatars.js';
import { startUsersService } from './server.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string; [k: string]: unknown } }>;
}

export interface UsersHarness {
  service: RunningService;
  prisma: PrismaClient;
  /** SQL statements the service's client ran since the last reset. */
  queries: string[];
  signingKeys: SigningKeys;
  verifyKey: CryptoKey;
  tokens: TokenSettings;
  identityKey: Uint8Array;
  /** The media the service believes exist (the media subgraph is not running): `avatars.add(id, { ownerId, contentType })`. */
  avatars: ReturnType<typeof createStaticAvatarCheck>;
  /** POST /graphql as the router would, for `userId` (null = anonymous). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    opts?: { userId?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  throttle?: Partial<ThrottleSettings>;
  limiter?: LimiterStore;
  presence?: PresenceStore;
  /** @default silent */
  logError?: (message: string, err: unknown) => void;
}

export async function startUsersHarness(tokens: Partial<TokenSettings> = {}, options: HarnessOptions = {}): Promise<UsersHarness> {
  const db = await createTestDatabase();
  const keyDir = mkdtempSync(join(tmpdir(), 'storm-users-keys-'));
  const prisma = new PrismaClient({
    adapter: adapterFor(db.target, { poolSize: 5 }),
    log: [{ emit: 'event', level: 'query' }],
  });
  const queries: string[] = [];
  prisma.$on('query', (e) => queries.push(e.query));
  const pems = devKeys(keyDir);
  const signingKeys = await loadSigningKeys(pems);
  const key = identityKey('test-identity-secret-of-at-least-32-characters');
  const settings: TokenSettings = { issuer: 'storm', audience: 'storm', accessTtlSeconds: 900, refreshTtlSeconds: 3600, ...tokens };
  const avatars = createStaticAvatarCheck();
  const service = await startUsersService({
    prisma,
    identityKey: key,
    avatars,
    host: '127.0.0.1',
    port: 0,
    development: false,
    signingKeys,
    tokens: settings,
    ...options,
    logError: options.logError ?? (() => {}),
  });

  return {
    service,
    prisma,
    queries,
    signingKeys,
    verifyKey: await loadVerifyKey(pems.publicKeyPem),
    tokens: settings,
    identityKey: key,
    avatars,
    async gql(query, variables, opts = {}) {
      const identity = await signIdentity({ userId: opts.userId ?? null }, key);
      const res = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: identity, ...opts.headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    async close() {
      await service.dispose();
      await prisma.$disconnect();
      await db.drop();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}
