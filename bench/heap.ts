// `npm run bench -- heap <file.heapsnapshot> [--per N] [--top 40]`: what a V8
// heap snapshot holds, by kind and constructor (count and shallow bytes,
// and bytes per subscriber with --per N), so the per-subscriber figures in
// docs/performance.md come from a command, not by eye. Take the snapshot of
// a bench server with NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2 on the
// bench and `kill -USR2 <pid>` while its subscribers are idle.
import { readFile } from 'node:fs/promises';
import { flag } from './stats.js';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const STRINGS = new Set(['string', 'concatenated string', 'sliced string']);

export async function heap(args: string[]): Promise<void> {
  const file = args[0];
  if (!file || file.startsWith('--')) throw new Error('usage: npm run bench -- heap <file.heapsnapshot> [--per N] [--top 40]');
  const per = Number(flag(args, 'per', '1'));
  const top = Number(flag(args, 'top', '40'));
  if (!(per >= 1) || !(top >= 1)) throw new Error('--per and --top take positive numbers');
  const snap = JSON.parse(await readFile(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const groups = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const kind = types[snap.nodes[i + type]!]!;
    // Strings by kind only (their names are their contents); a rope is a `concatenated string`.
    const key = STRINGS.has(kind) || kind === 'code' || kind === 'number' ? kind : `${kind} ${snap.strings[snap.nodes[i + name]!]}`;
    const bytes = snap.nodes[i + size]!;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += bytes;
    groups.set(key, group);
    total += bytes;
  }
  console.log(`${file}: ${(total / 2 ** 20).toFixed(1)} MB in ${(snap.nodes.length / fields.length).toLocaleString('en-US')} objects${per > 1 ? `, ${(total / per).toFixed(0)} B per ${per.toLocaleString('en-US')}` : ''}`);
  console.log(`${'count'.padStart(9)} ${'KB'.padStart(9)}${per > 1 ? ' B per'.padStart(8) : ''}  kind and constructor`);
  for (const [key, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
    console.log(`${String(g.count).padStart(9)} ${(g.bytes / 1024).toFixed(0).padStart(9)}${per > 1 ? (g.bytes / per).toFixed(0).padStart(8) : ''}  ${key.slice(0, 90)}`);
  }
}
