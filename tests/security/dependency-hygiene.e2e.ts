// Dependency hygiene (issue 3, item 7): the lockfile policy catches what it
// claims to, and the audit never reports a clean bill it did not check.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'storm-hygiene-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = (script: string, args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', script), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('lint:lockfile', () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const registryKey = Object.keys(lock.packages).find((k) => k.startsWith('node_modules/') && !lock.packages[k]!.link && lock.packages[k]!.integrity)!;
  const name = registryKey.slice('node_modules/'.length);
  const tampered = (label: string, change: (entry: Record<string, unknown>) => void) => {
    const copy = structuredClone(lock);
    change(copy.packages[registryKey]!);
    const path = join(dir, `${label}.json`);
    writeFileSync(path, JSON.stringify(copy));
    return path;
  };

  it('passes the real lockfile', () => {
    const r = node('lint-lockfile.mjs', ['--path', join(root, 'package-lock.json')]);
    expect(r.out).toContain('lint:lockfile: ok');
    expect(r.status).toBe(0);
  });

  it.each([
    ['another host', (e: Record<string, unknown>) => (e.resolved = `https://evil.example/${name}/-/x-1.0.0.tgz`)],
    ['plain http', (e: Record<string, unknown>) => (e.resolved = `http://evil.example/${name}/-/x-1.0.0.tgz`)],
    ['a git source', (e: Record<string, unknown>) => (e.resolved = 'git+ssh://git@git.example/evil/pkg.git#abcdef')],
    ['no integrity', (e: Record<string, unknown>) => delete e.integrity],
    ['a sha1 integrity', (e: Record<string, unknown>) => (e.integrity = 'sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=')],
    ['a non-registry version without resolved', (e: Record<string, unknown>) => (e.version = 'github:evil/pkg')],
  ])('fails a lockfile with %s', (label, change) => {
    const r = node('lint-lockfile.mjs', ['--path', tampered(label.replace(/\W+/g, '-'), change)]);
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('FAILED');
  });
});

describe('npm run audit', () => {
  const fakeNpm = (label: string, report: unknown, exitCode: number) => {
    const path = join(dir, `npm-${label}.mjs`);
    writeFileSync(path, `#!${process.execPath}\nprocess.stdout.write(${JSON.stringify(JSON.stringify(report))});\nprocess.exit(${exitCode});\n`);
    chmodSync(path, 0o755);
    return { AUDIT_NPM_BIN: path };
  };
  const counts = (c: Partial<Record<'info' | 'low' | 'moderate' | 'high' | 'critical', number>>) => {
    const all = { info: 0, low: 0, moderate: 0, high: 0, critical: 0, ...c };
    return { ...all, total: Object.values(all).reduce((a, b) => a + b, 0) };
  };

  it('says UNAVAILABLE and exits 3 when the advisory service cannot be reached (0 with --allow-unavailable)', () => {
    const env = fakeNpm('down', { message: '405 Method Not Allowed - POST …/advisories/bulk', statusCode: 405 }, 1);
    const r = node('audit.mjs', [], env);
    expect(r.out).toContain('dependency audit: UNAVAILABLE (no advisory service reachable)');
    expect(r.out).not.toMatch(/\b0 vulnerabilities/);
    expect(r.status).toBe(3);
    const allowed = node('audit.mjs', ['--allow-unavailable'], env);
    expect(allowed.out).toContain('UNAVAILABLE');
    expect(allowed.status).toBe(0);
    const garbage = node('audit.mjs', [], fakeNpm('garbage', 'not a report', 0));
    expect(garbage.status).toBe(3);
  });

  it('refuses --offline, which reports 0 vulnerabilities without checking anything', () => {
    const r = node('audit.mjs', ['--', '--offline']);
    expect(r.status).toBe(2);
    expect(r.out).not.toMatch(/0 vulnerabilities/);
  });

  it('reports findings and fails at or above --level', () => {
    const report = {
      auditReportVersion: 2,
      vulnerabilities: { leftpad: { severity: 'high', range: '<1.2.0', via: [{ title: 'Prototype pollution' }], fixAvailable: true } },
      metadata: { vulnerabilities: counts({ high: 1 }), dependencies: { total: 900 } },
    };
    const env = fakeNpm('vulnerable', report, 1);
    const r = node('audit.mjs', [], env);
    expect(r.status).toBe(1);
    expect(r.out).toContain('1 vulnerabilities in 900 dependencies');
    expect(r.out).toContain('leftpad <1.2.0 — Prototype pollution (fix available)');
    expect(node('audit.mjs', ['--level=critical'], env).status).toBe(0);
    const clean = node('audit.mjs', [], fakeNpm('clean', { ...report, vulnerabilities: {}, metadata: { vulnerabilities: counts({}), dependencies: { total: 900 } } }, 0));
    expect(clean.status).toBe(0);
    expect(clean.out).toContain('dependency audit: 0 vulnerabilities in 900 dependencies');
  });

  it('run for real here: either a real report or UNAVAILABLE, never a clean bill for nothing', () => {
    const r = node('audit.mjs', []);
    if (r.out.includes('UNAVAILABLE')) expect(r.status).toBe(3);
    else expect(r.out).toMatch(/dependency audit: \d+ vulnerabilities in [1-9]\d* dependencies/);
  });
});
