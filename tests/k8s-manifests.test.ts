// The Kubernetes base (k8s/base) against the services' own settings: every
// subgraph-to-subgraph call a service is configured for (the <peer>_URL it
// reads) must be let through by a NetworkPolicy, as must the router's calls
// to every subgraph, since policies deny what they do not name. Until
// 2026-12-08 users' avatar check to media was blocked in the cluster, with
// every test green: nothing read the manifests.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadUsersEnv } from '@storm/users/env';
import { loadConversationsEnv } from '@storm/conversations/env';
import { loadMediaEnv } from '@storm/media/env';

const BASE = fileURLToPath(new URL('../k8s/base/', import.meta.url));
const SUBGRAPHS = { users: 4001, conversations: 4002, media: 4003 } as const;
type Subgraph = keyof typeof SUBGRAPHS;

type Labels = Record<string, string>;
interface Policy {
  kind: 'NetworkPolicy';
  metadata: { name: string };
  spec: { podSelector: { matchLabels: Labels }; ingress?: Array<{ from?: Array<{ podSelector?: { matchLabels: Labels } }>; ports?: Array<{ port: number }> }> };
}
interface Deployment {
  kind: 'Deployment';
  metadata: { name: string };
  spec: { template: { metadata: { labels: Labels } } };
}

const docs = readdirSync(BASE)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(readFileSync(BASE + f, 'utf8')).map((d) => d.toJS() as { kind: string }))
  .filter(Boolean);
const policies = docs.filter((d): d is Policy => d.kind === 'NetworkPolicy');
const podLabels = new Map(docs.filter((d): d is Deployment => d.kind === 'Deployment').map((d) => [d.metadata.name, d.spec.template.metadata.labels]));

const selects = (selector: Labels, labels: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Whether some policy admits `caller`'s pods to `callee`'s pods on `port`. */
function admitted(caller: string, callee: string, port: number): boolean {
  const from = podLabels.get(caller)!;
  const to = podLabels.get(callee)!;
  return policies.some(
    (p) =>
      selects(p.spec.podSelector.matchLabels, to) &&
      (p.spec.ingress ?? []).some((rule) => (rule.from ?? []).some((f) => f.podSelector && selects(f.podSelector.matchLabels, from)) && (rule.ports ?? []).some((r) => r.port === port)),
  );
}

/** The peers each subgraph is configured to call: the <peer>Url its settings read. */
function peersOf(service: Subgraph): Subgraph[] {
  const env = { NODE_ENV: 'test', DATABASE_URL: 'postgres://u@h/db', IDENTITY_SECRET: 's'.repeat(32) };
  const settings = { users: loadUsersEnv, conversations: loadConversationsEnv, media: loadMediaEnv }[service](env) as unknown as Record<string, unknown>;
  return (Object.keys(SUBGRAPHS) as Subgraph[]).filter((peer) => peer !== service && typeof settings[`${peer}Url`] === 'string');
}

describe('k8s/base NetworkPolicies', () => {
  it('has a Deployment for the router and each subgraph', () => {
    expect([...podLabels.keys()].sort()).toEqual(['conversations', 'media', 'router', 'users']);
  });

  it('lets the router reach every subgraph', () => {
    for (const [subgraph, port] of Object.entries(SUBGRAPHS)) expect([subgraph, admitted('router', subgraph, port)]).toEqual([subgraph, true]);
  });

  it('lets each subgraph reach the peers its settings name, and only those', () => {
    const calls = (Object.keys(SUBGRAPHS) as Subgraph[]).flatMap((caller) => peersOf(caller).map((callee) => `${caller} → ${callee}`));
    // The service graph as configured today (a change to it shows here first).
    expect(calls.sort()).toEqual(['conversations → media', 'conversations → users', 'media → conversations', 'media → users', 'users → media']);
    for (const caller of Object.keys(SUBGRAPHS) as Subgraph[]) {
      for (const callee of Object.keys(SUBGRAPHS) as Subgraph[]) {
        if (caller === callee) continue;
        const configured = peersOf(caller).includes(callee);
        expect([`${caller} → ${callee}`, admitted(caller, callee, SUBGRAPHS[callee])]).toEqual([`${caller} → ${callee}`, configured]);
      }
    }
  });
});
