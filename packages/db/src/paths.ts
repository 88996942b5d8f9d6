import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/db/src/paths.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Default folder holding `<service>/schema.prisma` and `<service>/migrations/`. */
export const DEFAULT_PRISMA_ROOT = fileURLToPath(new URL('../../../prisma/', import.meta.url));
