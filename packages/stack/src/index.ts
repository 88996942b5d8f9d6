/**
 * The whole of STORM in one process: the three subgraphs and the router,
 * wired together. `npm start` runs it over embedded PGlite and the memory
 * bus; the end-to-end tests run it over the real PostgreSQL and each bus.
 * In production every service runs alone instead (its own src/index.ts).
 */
import { identityKey, type RunningService } from '@storm/common';
import { adapterFor, migrate, type DbTarget } from '@storm/db';
import { loadSigningKeys, publicKeyPemOf, loadVerifyKey, verifyAccessToken } from '@storm/auth';
import { topics, type Bus } from '@storm/bus';
import { busPresenceAnnouncer, createPresenceStore, type PresenceStore } from '@storm/presence';
import type { LimiterStore } from '@storm/limiter';
import type { ThrottleSettings } from '@storm/users/modules/auth/throttle';
import type { RateLimitSettings } from '@storm/conversations/rate-limit';
import { startUsersService } from '@storm/users/server';
import { createHttpAvatarCheck } from '@storm/users/modules/profile/avatars';
import { PrismaClient as UsersPrisma } from '@storm/users/generated/prisma/client';
import { startConversationsService, type ConversationsRunningService } from '@storm/conversations/server';
import { createHttpUserDirectory } from '@storm/conversations/user-directory';
import { createHttpMediaAttachments } from '@storm/conversations/media-attachments';
import { PrismaClient as ConversationsPrisma } from '@storm/conversations/generated/prisma/client';
import { startMediaService, type MediaServiceDeps } from '@storm/media/server';
import { createHttpPeers } from '@storm/media/peers';
import { PrismaClient as MediaPrisma } from '@storm/media/generated/prisma/client';
import { defaultRouterLimits } from '@storm/router/env';
import { startRouter, type RouterLimits, type RunningRouter } from '@storm/router/server';

export interface StackOptions {
  db: DbTarget;
  /** Apply pending migrations first. @default true */
  migrate?: boolean;
  /** Shared by every service of the stack; the caller owns it (disposes it). */
  bus: Bus;
  busPrefix: string;
  /** Signs router → subgraph identity assertions (at least 32 chars). */
  identitySecret: string;
  /** Ed25519 private key (PKCS8 PEM) the users service signs access tokens with. */
  jwtPrivateKeyPem: string;
  jwt?: { issuer?: string; audience?: string; accessTtlSeconds?: number; refreshTtlSeconds?: number; refreshReuseGraceSeconds?: number };
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 = any free port (tests). */
  ports: { router: number; users: number; conversations: number; media: number };
  development: boolean;
  routerLimits?: Partial<RouterLimits>;
  /** Where the supergraph comes from (router/supergraph.graphql). */
  supergraphSdl: string;
  /**
   * Online / away / offline, written by the router, read by users. Given: the
   * caller owns it (e.g. Redis, shared with other replicas). Unset: an
   * in-memory store for this process, disposed with the stack.
   */
  presence?: PresenceStore;
  /** Login / registration throttling of the users service. @default its defaults */
  throttle?: Partial<ThrottleSettings>;
  /** Per-user rate limits of the conversations service; false = none (load generators). @default its defaults */
  rateLimits?: RateLimitSettings | false;
  /** The media service's storage (mediaStorageFromEnv): where uploads go, their size and rate limits. */
  media: MediaStorageOptions;
  /** The conversations service's outbox relay. @default its defaults */
  outbox?: { pollIntervalMs?: number; batchSize?: number };
  /**
   * Where the users service's login counters and the conversations
   * service's rate limit buckets live. Given: the caller owns it (e.g.
   * `createRedisLimiter`, shared with other replicas). Unset: each service
   * keeps its own in memory.
   */
  limiter?: LimiterStore;
  log?: (message: string) => void;
}

export type MediaStorageOptions = Pick<MediaServiceDeps, 'storageDir' | 'maxUploadBytes' | 'uploadLimit' | 'quotaBytes'>;

export interface Stack {
  router: RunningRouter;
  users: RunningService;
  conversations: ConversationsRunningService;
  media: RunningService;
  /** http://host:port/graphql and ws://host:port/graphql */
  httpUrl: string;
  wsUrl: string;
  /** Stops the router, then the subgraphs, then disconnects the database clients. */
  dispose(): Promise<void>;
}

/** The router's limits when none are given: the defaults of its settings (router/src/env.ts). */
export const DEFAULT_ROUTER_LIMITS: RouterLimits = defaultRouterLimits();

export async function startStack(options: StackOptions): Promise<Stack> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  if (options.migrate !== false) {
    const { applied } = await migrate(options.db);
    if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
  }
  const key = identityKey(options.identitySecret);
  const tokens = {
    issuer: options.jwt?.issuer ?? 'storm',
    audience: options.jwt?.audience ?? 'storm',
    accessTtlSeconds: options.jwt?.accessTtlSeconds ?? 900,
    refreshTtlSeconds: options.jwt?.refreshTtlSeconds ?? 30 * 24 * 3600,
    refreshReuseGraceSeconds: options.jwt?.refreshReuseGraceSeconds ?? 0,
  };
  const signingKeys = await loadSigningKeys({ privateKeyPem: options.jwtPrivateKeyPem });
  const verifyKey = await loadVerifyKey(publicKeyPemOf(options.jwtPrivateKeyPem));

  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => console.error('stack dispose failed', err));
    cleanups.length = 0;
  };
  try {
    const usersPrisma = new UsersPrisma({ adapter: adapterFor(options.db) });
    const conversationsPrisma = new ConversationsPrisma({ adapter: adapterFor(options.db) });
    const mediaPrisma = new MediaPrisma({ adapter: adapterFor(options.db) });
    cleanups.push(() => usersPrisma.$disconnect(), () => conversationsPrisma.$disconnect(), () => mediaPrisma.$disconnect());
    const limits = { ...DEFAULT_ROUTER_LIMITS, ...options.routerLimits };
    let presence = options.presence;
    if (!presence) {
      const own = await createPresenceStore({ memory: true, heartbeatIntervalMs: limits.wsKeepAliveMs });
      cleanups.push(() => own.dispose());
      presence = own;
    }

    // Media starts after users and conversations (it asks both), so they learn
    // media's URL (port 0 in tests) once it is up; before that no request
    // reaches them through the router, which starts last.
    let mediaUrl: string | undefined;
    const mediaUrlOnceStarted = () => {
      if (!mediaUrl) throw new Error('the media service is not started yet');
      return mediaUrl;
    };
    const users = await startUsersService({
      prisma: usersPrisma,
      identityKey: key,
      avatars: createHttpAvatarCheck({ url: mediaUrlOnceStarted, identityKey: key }),
      host,
      port: options.ports.users,
      development: options.development,
      signingKeys,
      tokens,
      presence,
      announcePresence: busPresenceAnnouncer(options.bus, topics(options.busPrefix)),
      throttle: options.throttle,
      limiter: options.limiter,
    });
    cleanups.push(() => users.dispose());
    const conversations = await startConversationsService({
      prisma: conversationsPrisma,
      bus: options.bus,
      busPrefix: options.busPrefix,
      identityKey: key,
      userDirectory: createHttpUserDirectory({ url: users.url, identityKey: key }),
      mediaAttachments: createHttpMediaAttachments({ url: mediaUrlOnceStarted, identityKey: key }),
      host,
      port: options.ports.conversations,
      development: options.development,
      rateLimits: options.rateLimits,
      rateLimitStore: options.limiter,
      relay: options.outbox ?? {},
      presence,
    });
    cleanups.push(() => conversations.dispose());
    const media = await startMediaService({
      prisma: mediaPrisma,
      identityKey: key,
      host,
      port: options.ports.media,
      development: options.development,
      peers: createHttpPeers({ usersUrl: users.url, conversationsUrl: conversations.url, identityKey: key }),
      ...options.media,
    });
    cleanups.push(() => media.dispose());
    mediaUrl = media.url;

    const router = await startRouter({
      supergraphSdl: options.supergraphSdl,
      subgraphs: { users: users.url, conversations: conversations.url, media: media.url },
      bus: options.bus,
      busPrefix: options.busPrefix,
      identityKey: key,
      verifyAccessToken: (token) => verifyAccessToken(token, verifyKey, { issuer: tokens.issuer, audience: tokens.audience }),
      host,
      port: options.ports.router,
      development: options.development,
      limits,
      presence,
    });
    cleanups.push(() => router.dispose());

    return {
      router,
      users,
      conversations,
      media,
      httpUrl: router.url,
      wsUrl: router.url.replace(/^http/, 'ws'),
      dispose: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
