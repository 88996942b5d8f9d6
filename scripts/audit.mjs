#!/usr/bin/env node
// `npm run audit`: the dependency vulnerability scan, honest about what it
// could check. `npm audit` needs the registry's advisory service; when that
// cannot be reached this prints UNAVAILABLE and exits 3 — never a "0
// vulnerabilities" for a scan that did not happen. (`npm audit --offline`
// reports 0 vulnerabilities whatever the lockfile holds, so it is refused.)
//
//   node scripts/audit.mjs [--level=info|low|moderate|high|critical] [--allow-unavailable] [-- <npm audit args>]
//
// Exit codes: 0 nothing at or above --level (default: low, i.e. any finding
// fails); 1 vulnerabilities at or above --level; 2 usage error; 3 no advisory
// service reachable (0 with --allow-unavailable, still printing UNAVAILABLE).
import { spawnSync } from 'node:child_process';

export const EXIT = { ok: 0, vulnerable: 1, usage: 2, unavailable: 3 };
const LEVELS = ['info', 'low', 'moderate', 'high', 'critical'];

const args = process.argv.slice(2);
const passthrough = args.includes('--') ? args.slice(args.indexOf('--') + 1) : [];
const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
let level = 'low';
let allowUnavailable = false;
for (const arg of own) {
  if (arg === '--allow-unavailable') allowUnavailable = true;
  else if (arg.startsWith('--level=') && LEVELS.includes(arg.slice(8))) level = arg.slice(8);
  else usage(`unknown option ${arg}`);
}
if (passthrough.some((a) => /^--(offline|dry-run)(=|$)/.test(a))) usage('--offline and --dry-run audit nothing: refused');

// --offline=false overrides an `offline` set in npmrc or the environment.
// AUDIT_NPM_BIN: tests substitute an npm that prints a canned report.
const npm = process.env.AUDIT_NPM_BIN || (process.platform === 'win32' ? 'npm.cmd' : 'npm');
const run = spawnSync(npm, ['audit', '--json', '--offline=false', ...passthrough], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });

let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
const checked = report?.auditReportVersion === 2 && counts && typeof counts.total === 'number' && report.metadata.dependencies?.total > 0;

if (!checked) {
  const why = report?.message ?? report?.error?.summary ?? run.error?.message ?? (run.stderr || '').trim().split('\n').filter((l) => !/^npm warn Unknown user config/.test(l)).pop() ?? 'no report';
  console.log('dependency audit: UNAVAILABLE (no advisory service reachable)');
  console.log(`  npm audit said: ${String(why).slice(0, 300)}`);
  console.log('  nothing was checked; rerun where the npm registry advisory endpoint answers.');
  process.exit(allowUnavailable ? EXIT.ok : EXIT.unavailable);
}

const failing = LEVELS.slice(LEVELS.indexOf(level));
const summary = LEVELS.map((l) => `${l} ${counts[l] ?? 0}`).join(', ');
console.log(`dependency audit: ${counts.total} vulnerabilities in ${report.metadata.dependencies.total} dependencies (${summary})`);
for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
  const titles = (v.via ?? []).filter((x) => typeof x === 'object').map((x) => x.title);
  console.log(`  ${v.severity.padEnd(8)} ${name}${v.range ? ` ${v.range}` : ''}${titles.length ? ` — ${[...new Set(titles)].join('; ')}` : ''}${v.fixAvailable ? ' (fix available)' : ''}`);
}
const bad = failing.reduce((n, l) => n + (counts[l] ?? 0), 0);
process.exit(bad > 0 ? EXIT.vulnerable : EXIT.ok);

function usage(message) {
  console.error(`audit: ${message}\nusage: node scripts/audit.mjs [--level=${LEVELS.join('|')}] [--allow-unavailable] [-- <npm audit args>]`);
  process.exit(EXIT.usage);
}
