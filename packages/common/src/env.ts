import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Parses a service's settings from the environment with one zod object, and
 * throws ConfigError listing every bad or missing setting by name. This is
 * the only place a service reads `process.env` (see each service's env.ts).
 */
export function parseEnv<T extends z.ZodType>(service: string, schema: T, source: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = issue.path.length ? source[String(issue.path[0])] : undefined;
    return value === undefined ? `${name}: ${issue.message} (not set)` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(service, problems);
}

/** Runs a start-up function, printing a ConfigError's list and exiting 1 on bad settings. */
export async function runOrExit(main: () => Promise<unknown>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
    } else {
      console.error(err);
    }
    process.exit(1);
  }
}

/** Reusable zod pieces for settings. */
export const envPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const envBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const envNodeEnv = z.enum(['development', 'production', 'test']).default('development');
/** Bind address: loopback unless told otherwise. */
export const envHost = z.string().min(1).default('127.0.0.1');
export const envPostgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');
