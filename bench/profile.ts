// `npm run bench -- profile <file.cpuprofile> [more …]`: summarises V8 CPU
// profiles written by BENCH_CPU_PROFILE or BENCH_WINDOW_PROFILE, so the
// shares quoted in docs/performance.md come from a command, not by eye:
// idle and GC share of the profile, then per package its self time (native
// frames count for the nearest package up the stack) and its inclusive time
// (any frame of it on the stack).
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SPECIAL = new Set(['(idle)', '(garbage collector)', '(program)']);

/** `pg`, `@prisma/client`, `storm:router/src`, or undefined for Node's own and native frames. */
function packageOf(url: string): string | undefined {
  if (url.includes('/node_modules/')) {
    const parts = url.split('/node_modules/').pop()!.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('file://') || url.startsWith('/')) {
    const path = url.replace(/^file:\/\//, '');
    const rel = path.includes('/subgraphs/') ? path.slice(path.indexOf('/subgraphs/') + 1) : path.includes('/router/') ? path.slice(path.indexOf('/router/') + 1) : path.includes('/packages/') ? path.slice(path.indexOf('/packages/') + 1) : undefined;
    return rel ? `storm:${rel.split('/').slice(0, 2).join('/')}` : undefined;
  }
  return undefined;
}

export async function profile(args: string[]): Promise<void> {
  if (args.length === 0) throw new Error('usage: npm run bench -- profile <file.cpuprofile> [more …]');
  for (const file of args) {
    const p = JSON.parse(await readFile(file, 'utf8')) as Profile;
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
    const total = p.timeDeltas.reduce((a, b) => a + b, 0);
    const perSample = total / p.samples.length;
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + perSample);
    for (const id of p.samples) {
      const leaf = nodes.get(id)!;
      if (SPECIAL.has(leaf.callFrame.functionName)) {
        add(self, leaf.callFrame.functionName);
        continue;
      }
      let nearest: string | undefined;
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const pkg = packageOf(nodes.get(at)!.callFrame.url);
        if (!pkg) continue;
        nearest ??= pkg;
        if (!seen.has(pkg)) add(inclusive, pkg), seen.add(pkg);
      }
      add(self, nearest ?? '(node internals)');
    }
    const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
    console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s profiled`);
    console.log(`  idle ${pct(self.get('(idle)') ?? 0)}, garbage collector ${pct(self.get('(garbage collector)') ?? 0)}`);
    const top = (map: Map<string, number>) => [...map].filter(([k]) => !SPECIAL.has(k)).sort((a, b) => b[1] - a[1]).slice(0, 15);
    console.log('  self time by package:');
    for (const [k, v] of top(self)) console.log(`    ${pct(v)}  ${k}`);
    console.log('  inclusive time by package:');
    for (const [k, v] of top(inclusive)) console.log(`    ${pct(v)}  ${k}`);
  }
}
