// startTestStack, but keeping the router → subgraph identity secret, so a test
// can play a compromised-network attacker who forges (or, with the real key,
// signs) identities for direct subgraph requests.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createBus, type Bus } from '@storm/bus';
import { identityKey } from '@storm/common';
import { createTestDatabase, type TestDatabase } from '@storm/db/testing';
import { startStack, type Stack } from '@storm/stack';
import type { RouterLimits } from '@storm/router/server';

export interface SecurityStack extends Stack {
  db: TestDatabase;
  bus: Bus;
  /** The key the router signs identities with (what subgraphs trust). */
  identityKey: Uint8Array;
}

export async function startSecurityStack(options: { routerLimits?: Partial<RouterLimits> } = {}): Promise<SecurityStack> {
  const prefix = `sec_${randomBytes(5).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const db = await createTestDatabase();
  const bus = await createBus({ kind: 'memory', prefix });
  try {
    const stack = await startStack({
      db: db.target,
      migrate: false,
      bus,
      busPrefix: prefix,
      identitySecret: secret,
      jwtPrivateKeyPem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ports: { router: 0, users: 0, conversations: 0, media: 0 },
      development: false,
      routerLimits: options.routerLimits,
      supergraphSdl: await readFile(fileURLToPath(new URL('../../router/supergraph.graphql', import.meta.url)), 'utf8'),
    });
    return {
      ...stack,
      db,
      bus,
      identityKey: identityKey(secret),
      async dispose() {
        await stack.dispose();
        await bus.dispose();
        await db.drop();
      },
    };
  } catch (err) {
    await bus.dispose();
    await db.drop();
    throw err;
  }
}
