// The test kit's stack, plus the router → subgraph identity key, so a test
// can play a compromised-network attacker who forges (or, with the real key,
// signs) identities for direct subgraph requests.
import { identityKey } from '@storm/common';
import type { RouterLimits } from '@storm/router/server';
import { startTestStack, type TestStack } from '../testkit/stack.js';

export interface SecurityStack extends TestStack {
  /** The key the router signs identities with (what subgraphs trust). */
  identityKey: Uint8Array;
}

export async function startSecurityStack(options: { routerLimits?: Partial<RouterLimits> } = {}): Promise<SecurityStack> {
  const stack = await startTestStack({ routerLimits: options.routerLimits });
  return { ...stack, identityKey: identityKey(stack.secrets.identitySecret) };
}
