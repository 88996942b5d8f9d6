// `npm run dist`: compiles every workspace's src/ to plain JavaScript in a
// sibling dist/, so production runs on `node` alone, not on a TypeScript
// loader (tsx compiles each file on start, needs a writable cache, and hooks
// every later `require`: @apollo/utils.createhash requires 'crypto' per request).
//
// dist/ mirrors src/ file by file at the same depth, so what a module reads
// relative to import.meta.url (router/supergraph.graphql, prisma/, the .graphql
// files under modules/) is found from either. Workspace imports (@storm/common)
// reach dist/ through the `storm-dist` export condition of each package.json:
//   node --conditions=storm-dist router/dist/index.js
// Without that flag (tsx, vitest, tsc) the same imports reach src/.
//
// Only transpiles (esbuild, no bundling, no type check: `npm run build` is the
// type check). Unit tests are left out; everything else in src/ is copied.
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
/** The export condition that selects dist/; the runtime sets it with --conditions. */
const CONDITION = 'storm-dist';

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

async function workspaces() {
  const dirs = [];
  for (const pattern of manifest.workspaces) {
    const names = pattern.endsWith('/*') ? (await readdir(join(root, pattern.slice(0, -2)), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => join(pattern.slice(0, -2), d.name)) : [pattern];
    for (const name of names) {
      const pkg = JSON.parse(await readFile(join(root, name, 'package.json'), 'utf8').catch(() => 'null'));
      // Only packages that point the condition at dist/ are compiled (tests/ is not shipped).
      if (pkg?.exports?.['.']?.[CONDITION]) dirs.push(name);
    }
  }
  return dirs;
}

const started = performance.now();
let files = 0;
for (const workspace of await workspaces()) {
  const src = join(root, workspace, 'src');
  const out = join(root, workspace, 'dist');
  // Written over in place, never wiped first: a process already running from
  // dist/ (npm start while npm test rebuilds) keeps the modules it loaded.
  const produced = new Set();
  const entryPoints = [];
  for await (const file of walk(src)) {
    if (/\.(test|suite)\.ts$/.test(file)) continue;
    const target = join(out, relative(src, file));
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
      entryPoints.push(file);
      const js = target.replace(/\.ts$/, '.js');
      produced.add(js).add(`${js}.map`);
    } else {
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file, target);
      produced.add(target);
    }
  }
  await build({
    entryPoints,
    outdir: out,
    outbase: src,
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  // What a deleted or renamed source left behind.
  if (existsSync(out)) for await (const file of walk(out)) if (!produced.has(file)) await rm(file);
  files += entryPoints.length;
}
console.log(`dist: ${files} modules compiled in ${Math.round(performance.now() - started)} ms (run with node --conditions=${CONDITION})`);
