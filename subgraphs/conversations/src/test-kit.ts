// Shared by this subgraph's integration tests: a migrated throwaway database,
// the service on a free port, and a client that signs identities like the
// router does. Not part of the service.
import { randomUUID } from 'node:crypto';
import { createMemoryBus, type Bus } from '@storm/bus';
import { adapterFor } from '@storm/db';
import { createTestDatabase, type TestDatabase } from '@storm/db/testing';
import { IDENTITY_HEADER, identityKey, signIdentity } from '@storm/common';
import { PrismaClient } from './generated/prisma/client.js';
import { startConversationsService, type ConversationsRunningService, type ConversationsServiceDeps } from './server.js';
import { createStaticUserDirectory, type UserDirectory } from './user-directory.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; field?: string } & Record<string, unknown> }>;
}

/** An event the service wrote: published by the relay, or still in the outbox. */
export interface KitEvent {
  subject: string;
  msgId: string;
  payload: unknown;
  published: boolean;
}

export interface Kit {
  db: TestDatabase;
  prisma: PrismaClient;
  bus: Bus;
  busPrefix: string;
  /** SQL statements the service ran (with `logQueries`); clear it with `queries.length = 0`. */
  queries: string[];
  key: Uint8Array;
  users: ReturnType<typeof createStaticUserDirectory>;
  service: ConversationsRunningService;
  /**
   * Every event written on a subject containing `subjectContains`: those the
   * relay published (which it deletes from the outbox), in publish order,
   * then those still in the outbox, in id order.
   */
  events(subjectContains: string): Promise<KitEvent[]>;
  /** A new user id the directory knows (with `handle`, found by it too). */
  newUser(handle?: string): string;
  /** POST /graphql as `userId` (null: anonymous; undefined header: see `raw`). */
  gql<T = Record<string, any>>(userId: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  raw(headers: Record<string, string>, body: unknown): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

export async function startKit(
  options: {
    bus?: Bus;
    userDirectory?: UserDirectory;
    relay?: ConversationsServiceDeps['relay'];
    rateLimits?: ConversationsServiceDeps['rateLimits'];
    /** The caller owns it (disposes it after close()). */
    rateLimitStore?: ConversationsServiceDeps['rateLimitStore'];
    /** Record the SQL the service runs in `queries`. */
    logQueries?: boolean;
  } = {},
): Promise<Kit> {
  const db = await createTestDatabase();
  const prisma = new PrismaClient({ adapter: adapterFor(db.target, { poolSize: 20 }), ...(options.logQueries ? { log: [{ emit: 'event' as const, level: 'query' as const }] } : {}) });
  const queries: string[] = [];
  if (options.logQueries) (prisma as unknown as { $on(event: 'query', cb: (e: { query: string }) => void): void }).$on('query', (e) => queries.push(e.query));
  const busPrefix = `convtest_${randomUUID().slice(0, 8)}`;
  const inner = options.bus ?? createMemoryBus();
  const published: KitEvent[] = [];
  // What the service publishes is recorded once the bus accepted it.
  const bus: Bus = {
    kind: inner.kind,
    async publish(subject, payload, publishOptions) {
      await inner.publish(subject, payload, publishOptions);
      published.push({ subject, msgId: publishOptions?.msgId ?? '', payload, published: true });
    },
    subscribe: (subject, handler) => inner.subscribe(subject, handler),
    ping: () => inner.ping(),
    onReconnect: (listener) => inner.onReconnect(listener),
    dispose: () => inner.dispose(),
  };
  const key = identityKey('conversations-test-identity-secret-0123456789');
  const users = createStaticUserDirectory();
  const service = await startConversationsService({
    prisma,
    bus,
    busPrefix,
    identityKey: key,
    userDirectory: options.userDirectory ?? users,
    host: '127.0.0.1',
    port: 0,
    development: false,
    relay: options.relay ?? { pollIntervalMs: 50 },
    rateLimits: options.rateLimits,
    rateLimitStore: options.rateLimitStore,
  });
  const raw = async (headers: Record<string, string>, body: unknown): Promise<GraphQLResponse> => {
    const response = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, ...((await response.json()) as object) };
  };
  return {
    db,
    prisma,
    bus,
    busPrefix,
    queries,
    key,
    users,
    service,
    async events(subjectContains) {
      const rows = await prisma.outboxEvent.findMany({ where: { subject: { contains: subjectContains } }, orderBy: { id: 'asc' } });
      // A row the relay published is deleted when its batch commits: until then it is in both.
      const sent = new Set(published.map((e) => e.msgId));
      return [
        ...published.filter((e) => e.subject.includes(subjectContains)),
        ...rows.filter((row) => !sent.has(row.msgId)).map((row) => ({ subject: row.subject, msgId: row.msgId, payload: row.payload, published: false })),
      ];
    },
    newUser(handle) {
      const id = randomUUID();
      if (handle) users.addHandle(id, handle);
      else users.add(id);
      return id;
    },
    async gql(userId, query, variables) {
      return raw({ [IDENTITY_HEADER]: await signIdentity({ userId }, key) }, { query, variables }) as Promise<GraphQLResponse<any>>;
    },
    raw,
    async close() {
      await service.dispose();
      await bus.dispose();
      await prisma.$disconnect();
      await db.drop();
    },
  };
}

/** The error code (and field) of the first error, for terse assertions. */
export function firstError(response: GraphQLResponse): { code?: string; field?: string } | undefined {
  const error = response.errors?.[0];
  return error && { code: error.extensions?.code, ...(error.extensions?.field ? { field: error.extensions.field } : {}) };
}
