import { assertStorableText, badInput, isUuid } from '@storm/common';
import type { UpdateProfileInput } from '../../generated/graphql.js';
import { DISPLAY_NAME_MAX } from '../auth/auth.validation.js';

export const STATUS_TEXT_MAX = 140;
export const SEARCH_LIMIT_MAX = 50;
const HANDLE_PREFIX = /^[a-z0-9_]{1,32}$/;

/** Length in Unicode code points, as PostgreSQL's varchar(n) counts. */
const codePoints = (s: string) => [...s].length;

export interface ProfileChanges {
  displayName?: string;
  statusText?: string | null;
  avatarMediaId?: string | null;
}

/**
 * Checks an updateProfile input before anything is written; throws
 * BAD_USER_INPUT naming the first bad field. Absent = unchanged.
 */
export function validateProfile(input: UpdateProfileInput): ProfileChanges {
  const changes: ProfileChanges = {};
  if (input.displayName !== undefined) {
    if (input.displayName === null) throw badInput('Display name cannot be null', 'displayName');
    const displayName = input.displayName.normalize('NFC').trim();
    const n = codePoints(displayName);
    if (n < 1 || n > DISPLAY_NAME_MAX) throw badInput(`Display name must be 1–${DISPLAY_NAME_MAX} characters`, 'displayName');
    // Same rule as at registration: controls would corrupt how clients render a name.
    if (/\p{Cc}/u.test(displayName)) throw badInput('Display name must not contain control characters', 'displayName');
    assertStorableText(displayName, 'displayName');
    changes.displayName = displayName;
  }
  if (input.statusText !== undefined) {
    const statusText = input.statusText === null ? '' : input.statusText.normalize('NFC').trim();
    if (codePoints(statusText) > STATUS_TEXT_MAX) throw badInput(`Status text must be at most ${STATUS_TEXT_MAX} characters`, 'statusText');
    // One line: a status is shown inline next to a name.
    if (/\p{Cc}/u.test(statusText)) throw badInput('Status text must be one line without control characters', 'statusText');
    assertStorableText(statusText, 'statusText');
    changes.statusText = statusText === '' ? null : statusText;
  }
  if (input.avatarMediaId !== undefined) {
    if (input.avatarMediaId !== null && !isUuid(input.avatarMediaId)) throw badInput('Avatar must be a media id (UUID)', 'avatarMediaId');
    changes.avatarMediaId = input.avatarMediaId?.toLowerCase() ?? null;
  }
  return changes;
}

/**
 * The search prefix as stored handles spell it (lowercase; one leading "@"
 * dropped, as people type handles), or BAD_USER_INPUT: a character no handle
 * can contain (such as `%` or `'`) never reaches SQL.
 */
export function validateHandleSearch(handlePrefix: string, limit: number | null | undefined): { prefix: string; limit: number } {
  const prefix = handlePrefix.trim().toLowerCase().replace(/^@/, '');
  if (!HANDLE_PREFIX.test(prefix)) throw badInput('Handle prefix must be 1–32 characters of a–z, 0–9 and _', 'handlePrefix');
  const n = limit ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > SEARCH_LIMIT_MAX) throw badInput(`Limit must be 1–${SEARCH_LIMIT_MAX}`, 'limit');
  return { prefix, limit: n };
}

/** `_` (a handle character) and the other LIKE metacharacters, matched literally with ESCAPE '\'. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&');
}
