import { badInput, isUuid } from '@storm/common';

/**
 * The inbox cursor: every conversation's position, compact and opaque.
 * Version byte 1, then per conversation its UUID (16 bytes) and its seq as
 * an unsigned LEB128 varint; base64url. About 23 characters a conversation.
 */
const VERSION = 1;

export function encodeCursor(positions: ReadonlyMap<string, number>): string {
  const bytes: number[] = [VERSION];
  for (const [id, seq] of [...positions.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!isUuid(id)) continue;
    const hex = id.replace(/-/g, '');
    for (let i = 0; i < 32; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
    let v = Math.max(0, Math.floor(seq));
    do {
      let byte = v & 0x7f;
      v = Math.floor(v / 128);
      if (v > 0) byte |= 0x80;
      bytes.push(byte);
    } while (v > 0);
  }
  return Buffer.from(bytes).toString('base64url');
}

/** Throws BAD_USER_INPUT (field `cursor`) for anything this function did not write. */
export function decodeCursor(cursor: string): Map<string, number> {
  const invalid = () => badInput('cursor is not an inbox cursor', 'cursor');
  if (cursor.length > 1_000_000 || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw invalid();
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes[0] !== VERSION) throw invalid();
  const positions = new Map<string, number>();
  let i = 1;
  while (i < bytes.length) {
    if (i + 16 > bytes.length) throw invalid();
    const hex = bytes.subarray(i, i + 16).toString('hex');
    i += 16;
    let seq = 0;
    let scale = 1;
    for (;;) {
      if (i >= bytes.length || scale > 2 ** 35) throw invalid();
      const byte = bytes[i++]!;
      seq += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) break;
    }
    positions.set(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, seq);
  }
  return positions;
}
