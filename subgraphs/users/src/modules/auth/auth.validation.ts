import { assertStorableText, badInput } from '@storm/common';
import { z } from 'zod';
import type { LoginInput, RegisterInput } from '../../generated/graphql.js';

export const HANDLE_PATTERN = /^[a-z0-9_]{3,32}$/;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;
export const DISPLAY_NAME_MAX = 64;
/** RFC 5321 limits a forward path to 254 characters; the column is varchar(254). */
export const EMAIL_MAX = 254;

const emailSchema = z.email();

/** Length in Unicode code points, as PostgreSQL's varchar(n) counts. */
const codePoints = (s: string) => [...s].length;

export interface ValidRegistration {
  handle: string;
  email: string;
  password: string;
  displayName: string;
}

/** Trimmed, lowercased email, or null when it is not an address. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email.length === 0 || email.length > EMAIL_MAX) return null;
  return emailSchema.safeParse(email).success ? email : null;
}

/**
 * Checks a registration before anything is written; throws BAD_USER_INPUT
 * naming the first bad field. The handle is taken as given (no silent
 * lowercasing): what the user typed is what others will see.
 */
export function validateRegistration(input: RegisterInput): ValidRegistration {
  const handle = input.handle;
  if (!HANDLE_PATTERN.test(handle)) {
    throw badInput('Handle must be 3–32 characters of a–z, 0–9 and _', 'handle');
  }
  const email = normalizeEmail(input.email);
  if (!email) throw badInput('Email is not a valid address', 'email');
  validateNewPassword(input.password, 'password');
  let displayName = handle;
  if (input.displayName !== null && input.displayName !== undefined) {
    displayName = input.displayName.normalize('NFC').trim();
    const n = codePoints(displayName);
    if (n < 1 || n > DISPLAY_NAME_MAX) {
      throw badInput(`Display name must be 1–${DISPLAY_NAME_MAX} characters`, 'displayName');
    }
    // Control characters (newlines, NUL, bidi overrides are Cf and allowed by
    // design for RTL names; C0/C1 controls are not) would corrupt how clients
    // render a name; PostgreSQL also rejects NUL outright.
    if (/\p{Cc}/u.test(displayName)) {
      throw badInput('Display name must not contain control characters', 'displayName');
    }
    assertStorableText(displayName, 'displayName');
  }
  return { handle, email, password: input.password, displayName };
}

/**
 * A new password, by register's rule (PASSWORD_MIN–PASSWORD_MAX code points,
 * storable as sent); BAD_USER_INPUT on `field` otherwise.
 */
export function validateNewPassword(password: string, field: string): string {
  const length = codePoints(password);
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) throw badInput(`Password must be ${PASSWORD_MIN}–${PASSWORD_MAX} characters`, field);
  // Hashed as UTF-8, two passwords differing only in an unpaired surrogate would be one.
  assertStorableText(password, field);
  return password;
}

/** Login input as far as it can be checked without revealing anything about accounts. */
export function validateLogin(input: LoginInput): { email: string | null; password: string } {
  // An overlong password cannot belong to any account (register caps it), and
  // hashing megabytes would be a cheap way to burn our CPU.
  if (codePoints(input.password) > PASSWORD_MAX) {
    throw badInput(`Password must be at most ${PASSWORD_MAX} characters`, 'password');
  }
  return { email: normalizeEmail(input.email), password: input.password };
}
