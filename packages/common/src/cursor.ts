/**
 * Opaque page cursors (`nextCursor` / `after`): the JSON of a page's last
 * key, e.g. `[createdAt, id]`, in base64url. Clients pass them back as they
 * got them; each list checks the items of the key it decodes.
 */
export function encodePageCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key a cursor of `encodePageCursor` holds: an array of `length` items
 * whose types the caller still checks; undefined for anything else (not a
 * string, longer than `maxLength`, not base64url JSON, another shape).
 */
export function decodePageCursor(value: unknown, length: number, maxLength = 500): unknown[] | undefined {
  if (typeof value !== 'string' || value.length > maxLength) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return Array.isArray(decoded) && decoded.length === length ? decoded : undefined;
}
