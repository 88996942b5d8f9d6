/**
 * NATS subject rules, shared by every adapter so that a subject valid on one
 * bus is valid on all of them: tokens separated by `.`, none empty, no
 * whitespace; a subscription may use `*` (exactly one token) anywhere and `>`
 * (one or more tokens) as its last token.
 */
import { BusError } from './errors.js';

const WHITESPACE = /\s/;

function tokens(subject: string, what: string): string[] {
  if (typeof subject !== 'string' || subject.length === 0) throw new BusError(`${what} must be a non-empty string`);
  if (WHITESPACE.test(subject)) throw new BusError(`${what} must not contain whitespace: ${JSON.stringify(subject)}`);
  const parts = subject.split('.');
  if (parts.some((t) => t.length === 0)) throw new BusError(`${what} has an empty token: ${JSON.stringify(subject)}`);
  return parts;
}

function assertUnderPrefix(subject: string, prefix: string | undefined, what: string): void {
  // A subject outside the prefix would escape the deployment's namespace (and,
  // on NATS, its stream), so it is a programming error, not a runtime one.
  if (prefix !== undefined && !subject.startsWith(`${prefix}.`)) {
    throw new BusError(`${what} must start with "${prefix}.": ${JSON.stringify(subject)}`);
  }
}

/** Throws BusError unless `subject` is a concrete (wildcard-free) subject under `prefix`. */
export function assertPublishSubject(subject: string, prefix?: string): void {
  const parts = tokens(subject, 'publish subject');
  if (parts.some((t) => t === '*' || t === '>')) {
    throw new BusError(`publish subject must not contain wildcards: ${JSON.stringify(subject)}`);
  }
  assertUnderPrefix(subject, prefix, 'publish subject');
}

/** Throws BusError unless `pattern` is a valid subscription subject under `prefix`. */
export function assertSubscribeSubject(pattern: string, prefix?: string): void {
  const parts = tokens(pattern, 'subscribe subject');
  const full = parts.indexOf('>');
  if (full !== -1 && full !== parts.length - 1) {
    throw new BusError(`">" may only be the last token: ${JSON.stringify(pattern)}`);
  }
  assertUnderPrefix(pattern, prefix, 'subscribe subject');
}

export function hasWildcard(pattern: string): boolean {
  return pattern.split('.').some((t) => t === '*' || t === '>');
}

/** Compiles a subscription subject into a predicate over concrete subjects (NATS semantics). */
export function subjectMatcher(pattern: string): (subject: string) => boolean {
  if (!hasWildcard(pattern)) return (subject) => subject === pattern;
  const want = pattern.split('.');
  const tail = want[want.length - 1] === '>';
  const fixed = tail ? want.length - 1 : want.length;
  return (subject) => {
    const got = subject.split('.');
    if (tail ? got.length <= fixed : got.length !== fixed) return false;
    for (let i = 0; i < fixed; i++) {
      if (want[i] !== '*' && want[i] !== got[i]) return false;
    }
    return true;
  };
}
