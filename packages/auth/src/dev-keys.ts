import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicKeyPemOf } from './keys.js';

// Development-only key material. Separately started dev processes (router,
// users subgraph, `npm start`) must agree on the JWT key pair and the identity
// secret without anyone configuring them, so the first process to need one
// creates it under <repo>/.storm/dev-keys (gitignored) and the rest read it.
// Never used in production: there, a missing key is a configuration error
// raised by the service's env.ts.

const PRIVATE_KEY_FILE = 'jwt-ed25519.pem';
const IDENTITY_SECRET_FILE = 'identity-secret';

/**
 * The repository root: the nearest directory above `start` whose package.json
 * declares `workspaces`. Throws when there is none (e.g. an installed copy),
 * in which case callers must pass an explicit directory.
 */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
        if (parsed.workspaces) return dir;
      } catch {
        // An unreadable package.json is not the root; keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json with "workspaces" above ${start}`);
    dir = parent;
  }
}

/** Default folder for development keys: `<repo>/.storm/dev-keys`. */
export function defaultDevKeysDir(): string {
  return join(findRepoRoot(), '.storm', 'dev-keys');
}

/**
 * Writes `content` to `path` unless the file already exists, atomically: the
 * content goes to a private temp file that is then hard-linked into place, so a
 * concurrent reader never sees half a file and exactly one of two racing
 * writers wins (link fails with EEXIST for the loser, who then reads the winner's).
 */
function createOnce(path: string, make: () => string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, make(), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readFileSync(path, 'utf8');
}

/** A development Ed25519 key pair, generated once and persisted in `dir`. */
export function devKeys(dir: string = defaultDevKeysDir()): { privateKeyPem: string; publicKeyPem: string } {
  const privateKeyPem = createOnce(join(dir, PRIVATE_KEY_FILE), () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  return { privateKeyPem, publicKeyPem: publicKeyPemOf(privateKeyPem) };
}

/** A development identity secret (48 random bytes, base64url: 64 chars), generated once and persisted in `dir`. */
export function devIdentitySecret(dir: string = defaultDevKeysDir()): string {
  return createOnce(join(dir, IDENTITY_SECRET_FILE), () => randomBytes(48).toString('base64url')).trim();
}
