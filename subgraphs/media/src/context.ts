import { GraphQLError } from 'graphql';
import type { IncomingMessage } from 'node:http';
import { ErrorCode, IDENTITY_HEADER, verifyIdentity } from '@storm/common';
import type { PrismaClient } from './generated/prisma/client.js';
import { createAttachmentsLoader, createMediaLoader, MediaService, type AttachmentsLoader, type MediaLoader } from './modules/media/media.service.js';
import type { Peers } from './peers.js';
import type { MediaUrlSigner } from './modules/media/signed-url.js';
import type { FileStorage } from './modules/media/storage.js';

/** What every media resolver receives. */
export interface MediaContext {
  /** The caller as asserted by the router; null for an anonymous caller. */
  userId: string | null;
  prisma: PrismaClient;
  media: MediaService;
  /** Per-request batching loader for `Media` references (what `userId` may see). */
  mediaLoader: MediaLoader;
  /** Per-request batching loader for `Message.attachments` (what `userId` may see). */
  attachmentsLoader: AttachmentsLoader;
  /** Signs the download links `Media.url` hands out. */
  urls: MediaUrlSigner;
  /** Bytes each user's files may take (MEDIA_QUOTA_BYTES); null = no quota. */
  quotaBytes: number | null;
  /** New, empty loaders for this caller (each mutation field starts with nothing cached: schema.ts). */
  freshLoaders(): Pick<MediaContext, 'mediaLoader' | 'attachmentsLoader'>;
}

/**
 * Builds the context of one /graphql request. A request without a valid
 * router-signed identity is refused before anything executes: this is what
 * keeps the subgraph unusable around the router.
 */
export async function createMediaContext(req: IncomingMessage, deps: { prisma: PrismaClient; identityKey: Uint8Array; peers?: Peers; urls: MediaUrlSigner; storage?: FileStorage; quotaBytes: number | false }): Promise<MediaContext> {
  const header = req.headers[IDENTITY_HEADER];
  if (typeof header !== 'string' || header.length === 0) throw refused('Missing identity assertion');
  let userId: string | null;
  try {
    ({ userId } = await verifyIdentity(header, deps.identityKey));
  } catch {
    throw refused('Invalid identity assertion');
  }
  const media = new MediaService(deps.prisma, deps.peers, deps.storage);
  const freshLoaders = () => ({ mediaLoader: createMediaLoader(media, userId), attachmentsLoader: createAttachmentsLoader(media, userId) });
  return { userId, prisma: deps.prisma, media, ...freshLoaders(), freshLoaders, urls: deps.urls, quotaBytes: deps.quotaBytes === false ? null : deps.quotaBytes };
}

function refused(message: string): GraphQLError {
  // Apollo Server turns extensions.http into the response status and strips it from the body.
  return new GraphQLError(message, { extensions: { code: ErrorCode.Unauthenticated, http: { status: 401 } } });
}
