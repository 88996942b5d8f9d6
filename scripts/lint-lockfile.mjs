#!/usr/bin/env node
// `npm run lint:lockfile`: the lockfile may only pull packages from the npm
// registry, over https, each pinned by a sha512 integrity hash.
//
// Two checks, because this project's npm config sets
// `omit-lockfile-registry-resolved`: npm leaves out `resolved` for packages
// from the configured registry (and fetches them from it, checking
// `integrity`), but always writes it for anything else — a git URL, a tarball
// on another host, plain http. So:
//   1. lockfile-lint checks every `resolved` that is present: host npm, https,
//      sha512, name matching the URL. It skips entries without `resolved`,
//      which here are all registry packages, so on its own it would pass
//      vacuously for them;
//   2. this script checks what lockfile-lint cannot: every package that is
//      not one of our workspaces carries a sha512 `integrity`, and an entry
//      without `resolved` is a registry package (a version, not a URL or path).
//
//   node scripts/lint-lockfile.mjs [--path package-lock.json]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const path = args.includes('--path') ? args[args.indexOf('--path') + 1] : 'package-lock.json';

const require = createRequire(import.meta.url);
const bin = require.resolve('lockfile-lint/bin/lockfile-lint.js');
const lint = spawnSync(
  process.execPath,
  [bin, '--path', path, '--type', 'npm', '--allowed-hosts', 'npm', '--validate-https', '--validate-integrity', '--validate-package-names', '--empty-hostname', 'false', '--format', 'plain'],
  { encoding: 'utf8' },
);
process.stdout.write(lint.stdout);
process.stderr.write(lint.stderr);

const lock = JSON.parse(readFileSync(path, 'utf8'));
const problems = [];
if (lock.lockfileVersion < 2 || !lock.packages) problems.push(`lockfileVersion ${lock.lockfileVersion}: expected 2 or 3 (a "packages" map)`);
const packages = lock.packages ?? {};
// Our own workspaces: the folder entries and the node_modules links to them.
const workspaces = new Set(Object.entries(packages).filter(([, v]) => v.link).map(([, v]) => v.resolved));
for (const [key, entry] of Object.entries(packages)) {
  if (key === '' || workspaces.has(key)) continue;
  if (entry.link) {
    if (!key.startsWith('node_modules/') || /^(\/|[a-z]+:)/i.test(entry.resolved ?? '') || (entry.resolved ?? '').includes('..')) problems.push(`${key}: link to ${entry.resolved} is not a workspace of this repository`);
    continue;
  }
  if (!key.includes('node_modules/')) {
    problems.push(`${key}: a package outside node_modules that is not a workspace`);
    continue;
  }
  if (!entry.integrity) problems.push(`${key}: no integrity hash`);
  else if (!entry.integrity.split(/\s+/).every((h) => h.startsWith('sha512-'))) problems.push(`${key}: integrity is not sha512 (${entry.integrity.slice(0, 20)}…)`);
  if (!entry.resolved && !/^\d+\.\d+\.\d+/.test(entry.version ?? '')) problems.push(`${key}: no resolved URL and version "${entry.version}" is not a registry version`);
}
for (const p of problems) console.error(`lockfile: ${p}`);
if (lint.status !== 0 || problems.length) {
  console.error(`lint:lockfile: FAILED (${problems.length} problem(s) beyond lockfile-lint's${lint.status !== 0 ? ', and lockfile-lint failed' : ''})`);
  process.exit(1);
}
console.log(`lint:lockfile: ok (${Object.keys(packages).length - 1} entries: registry-only, https, sha512)`);
