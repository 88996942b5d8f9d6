import { HANDLE } from '../../user-directory.js';

/** Most distinct handles looked up per message; later ones are not mentions. */
export const MAX_MENTIONS = 50;

/**
 * `@handle` tokens of a body, lower-cased, distinct, in order of appearance.
 * An `@` inside a word (an e-mail address: bob@example.com) does not start a
 * mention, and the handle must be a whole word of 3–32 characters of
 * [A-Za-z0-9_] (handles are stored lower-case; matching ignores case).
 */
export function parseMentionHandles(body: string): string[] {
  if (!body.includes('@')) return [];
  const found = new Set<string>();
  for (const match of body.matchAll(/(?<![\p{L}\p{N}_@.])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_@])/gu)) {
    const handle = match[1]!.toLowerCase();
    if (HANDLE.test(handle)) found.add(handle);
    if (found.size === MAX_MENTIONS) break;
  }
  return [...found];
}
