import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterFor } from './client.js';
import { REPO_ROOT } from './paths.js';
import type { DbTarget } from './target.js';
import { createTestDatabase, createTestPglite } from './testing.js';

// The generated clients come from `npm run generate` (which `npm test` runs first).
const clientPath = join(REPO_ROOT, 'subgraphs/users/src/generated/prisma/client.ts');

describe.skipIf(!existsSync(clientPath))('adapterFor with a generated client', () => {
  async function roundTrip(target: DbTarget) {
    const { PrismaClient } = await import(clientPath);
    const prisma = new PrismaClient({ adapter: adapterFor(target, { poolSize: 2 }) });
    try {
      await prisma.user.create({ data: { handle: 'ada', email: 'ada@example.com', displayName: 'Ada', passwordHash: 'x' } });
      const dup = await prisma.user
        .create({ data: { handle: 'ada', email: 'other@example.com', displayName: 'Ada', passwordHash: 'x' } })
        .catch((e: { code?: string }) => e.code);
      return { count: await prisma.user.count(), dup };
    } finally {
      await prisma.$disconnect();
    }
  }

  it('queries PostgreSQL', async () => {
    const db = await createTestDatabase();
    try {
      expect(await roundTrip(db.target)).toEqual({ count: 1, dup: 'P2002' });
    } finally {
      await db.drop();
    }
  });

  it('queries PGlite', async () => {
    const t = await createTestPglite();
    try {
      expect(await roundTrip(t.target)).toEqual({ count: 1, dup: 'P2002' });
    } finally {
      await t.close();
    }
  });
});
