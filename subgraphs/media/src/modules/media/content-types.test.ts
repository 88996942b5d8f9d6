import { describe, expect, it } from 'vitest';
import { ContentMismatch, contentCheck, essence, servedInline, UPLOAD_CONTENT_TYPES } from './content-types.js';
import { LinkFault, MEDIA_URL_PERIOD_SECONDS, MediaUrlSigner } from './signed-url.js';
import { byteRange, contentDisposition, fileName } from './transfer.js';

/** Feeds `bytes` in pieces of `piece` bytes; resolves to the refusal message, or undefined when accepted. */
function verdict(type: string, bytes: Buffer, piece = bytes.length || 1): string | undefined {
  const check = contentCheck(type)!;
  try {
    for (let at = 0; at < bytes.length; at += piece) check.feed(bytes.subarray(at, at + piece));
    check.end();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ContentMismatch);
    return (err as Error).message;
  }
}

const b = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const avif = (major: string, compatible: string[] = []) => {
  const box = b([0, 0, 0, 16 + 4 * compatible.length], 'ftyp', major, [0, 0, 0, 0], ...compatible);
  return Buffer.concat([box, Buffer.alloc(40)]);
};

describe('content checks', () => {
  const good: Record<string, Buffer> = {
    'image/png': b([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a], 'rest'),
    'image/jpeg': b([0xff, 0xd8, 0xff, 0xdb], 'rest'),
    'image/gif': b('GIF89a', 'rest'),
    'image/webp': b('RIFF', [1, 2, 3, 4], 'WEBPVP8 '),
    'image/avif': avif('avif'),
    'audio/mpeg': b('ID3', [4, 0, 0, 0, 0xff]),
    'audio/ogg': b('OggS', [0, 2, 0xff]),
    'audio/wav': b('RIFF', [1, 2, 3, 0], 'WAVEfmt ', [0xff]),
    'audio/webm': b([0x1a, 0x45, 0xdf, 0xa3, 0, 0xff]),
    'audio/mp4': b([0, 0, 0, 0x18], 'ftypM4A ', [0, 0, 0, 0], 'isom', [0xff]),
    'video/mp4': b([0, 0, 0, 0x18], 'ftypisom', [0, 0, 2, 0], 'mp41', [0xff]),
    'video/webm': b([0x1a, 0x45, 0xdf, 0xa3, 0, 0xfe]),
    'video/quicktime': b([0, 0, 0, 0x14], 'ftypqt  ', [0, 0, 0, 0], [0xff]),
    'application/pdf': b('%PDF-1.7\n'),
    'text/plain': Buffer.from('héllo ✓ 𝄞\n'),
    'application/octet-stream': b([0, 1, 2, 255]),
  };

  it('accepts each type by its own bytes, however the chunks split them', () => {
    expect(Object.keys(good).sort()).toEqual([...UPLOAD_CONTENT_TYPES].sort());
    for (const [type, bytes] of Object.entries(good)) for (const piece of [1, 2, 3, 1000]) expect([type, piece, verdict(type, bytes, piece)]).toEqual([type, piece, undefined]);
  });

  it("refuses every type's bytes declared as another (octet-stream takes anything)", () => {
    for (const [declared] of Object.entries(good)) {
      for (const [actual, bytes] of Object.entries(good)) {
        if (declared === actual || declared === 'application/octet-stream') continue;
        // These samples are ASCII (and control characters), which is valid text whatever else it is.
        if (declared === 'text/plain' && ['application/pdf', 'image/gif', 'image/webp'].includes(actual)) continue;
        // One container, several types: an MP4 box is audio/mp4, video/mp4 or QuickTime as declared, a WebM header audio or video.
        const family = (t: string) => (['audio/mp4', 'video/mp4', 'video/quicktime'].includes(t) ? 'mp4' : ['audio/webm', 'video/webm'].includes(t) ? 'webm' : t);
        if (family(declared) === family(actual)) continue;
        expect([declared, actual, verdict(declared, bytes)]).toEqual([declared, actual, expect.stringContaining(declared)]);
      }
    }
  });

  it('tells AVIF from MP4 by the ftyp brands', () => {
    expect(verdict('video/mp4', avif('avif'))).toMatch(/MP4/);
    expect(verdict('image/avif', good['video/mp4']!)).toMatch(/AVIF/);
    expect(verdict('audio/mpeg', b([0xff, 0xfb, 0x90]))).toBeUndefined();
    expect(verdict('audio/mpeg', b([0xff, 0xd8, 0xff]))).toMatch(/MPEG/);
  });

  it('finds AVIF by a compatible brand too, and refuses a short or foreign ftyp box', () => {
    expect(verdict('image/avif', avif('mif1', ['miaf', 'avif']))).toBeUndefined();
    expect(verdict('image/avif', avif('mp42', ['isom']))).toMatch(/AVIF/);
    expect(verdict('image/avif', b([0, 0, 0, 8], 'ftypavif'))).toMatch(/AVIF/);
  });

  it('refuses text split inside a character only if it never completes', () => {
    const snowman = Buffer.from('☃');
    expect(verdict('text/plain', snowman, 1)).toBeUndefined();
    expect(verdict('text/plain', snowman.subarray(0, 2))).toMatch(/UTF-8/);
    expect(verdict('text/plain', b('a', [0], 'b'))).toMatch(/UTF-8/);
  });

  it('reads the type of a Content-Type header, and shows only images, audio and video in the page', () => {
    expect(essence(' Image/PNG ; charset=binary')).toBe('image/png');
    expect(essence(undefined)).toBeUndefined();
    expect(essence(';')).toBeUndefined();
    expect(contentCheck('text/html')).toBeUndefined();
    expect(contentCheck('image/svg+xml')).toBeUndefined();
    expect(UPLOAD_CONTENT_TYPES.filter((t) => !servedInline(t))).toEqual(['application/pdf', 'text/plain', 'application/octet-stream']);
  });
});

describe('download links', () => {
  const id = '0b7e2d0c-5a52-4c55-9a8e-0f3f9c1e2d3a';
  const signer = new MediaUrlSigner(new TextEncoder().encode('a'.repeat(32)));
  const parts = (url: string) => {
    const u = new URL(url, 'http://x');
    return [u.searchParams.get('exp'), u.searchParams.get('sig')] as const;
  };
  const hour = MEDIA_URL_PERIOD_SECONDS * 1000;
  const start = Date.UTC(2026, 11, 7, 10);

  it('stays the same within an hour and is valid for one to two hours from when it was given', () => {
    expect(signer.url(id, start)).toBe(signer.url(id, start + hour - 1));
    expect(signer.url(id, start + hour)).not.toBe(signer.url(id, start));
    const [exp, sig] = parts(signer.url(id, start + hour - 1));
    expect(signer.check(id, exp, sig, start + 2 * hour - 1)).toBeUndefined();
    expect(signer.check(id, exp, sig, start + 2 * hour)).toBe(LinkFault.Expired);
    expect(signer.check(id.toUpperCase(), exp, sig, start)).toBeUndefined();
  });

  it('is bound to its id, its expiry and its key', () => {
    const [exp, sig] = parts(signer.url(id, start));
    expect(signer.check('0b7e2d0c-5a52-4c55-9a8e-0f3f9c1e2d3b', exp, sig, start)).toBe(LinkFault.Forged);
    expect(signer.check(id, String(Number(exp) + 1), sig, start)).toBe(LinkFault.Forged);
    expect(new MediaUrlSigner(new TextEncoder().encode('b'.repeat(32))).check(id, exp, sig, start)).toBe(LinkFault.Forged);
    for (const [e, s] of [[null, sig], [exp, null], ['1e9', sig], [exp, sig!.slice(1)], [exp, `${sig!.slice(1)}=`]] as const) expect(signer.check(id, e, s, start)).toBe(LinkFault.Malformed);
  });
});

describe('byte ranges', () => {
  it('serves one range of a file, clamped to it; refuses one outside it; ignores what it does not serve in part', () => {
    const cases: Array<[string | undefined, ReturnType<typeof byteRange>]> = [
      ['bytes=0-9', { start: 0, end: 9 }],
      ['bytes=90-', { start: 90, end: 99 }],
      ['bytes=-5', { start: 95, end: 99 }],
      ['bytes=-500', { start: 0, end: 99 }],
      ['bytes=50-5000', { start: 50, end: 99 }],
      [' bytes=99-99 ', { start: 99, end: 99 }],
      ['bytes=100-', 'unsatisfiable'],
      ['bytes=-0', 'unsatisfiable'],
      ['bytes=9-3', undefined],
      ['bytes=0-1,5-6', undefined],
      ['items=0-1', undefined],
      ['bytes=-', undefined],
      ['bytes=a-b', undefined],
      [undefined, undefined],
    ];
    for (const [header, expected] of cases) expect([header, byteRange(header, 100)]).toEqual([header, expected]);
  });
});

describe('file names', () => {
  it('keeps a name, never a path, and says what is wrong with a bad one', () => {
    expect(fileName(null)).toBeUndefined();
    expect(fileName('  notes.txt ')).toBe('notes.txt');
    expect(fileName('../../etc/passwd')).toBe('passwd');
    expect(fileName('C:\\Users\\me\\photo.jpg')).toBe('photo.jpg');
    expect(fileName('日本語 ✓.png')).toBe('日本語 ✓.png');
    expect(fileName('x'.repeat(255))).toBe('x'.repeat(255));
    for (const bad of ['', ' ', '..', 'docs/', 'a\nb', 'a\u0000b', 'x'.repeat(256), '\ud800.png']) expect([bad, typeof fileName(bad)]).toEqual([bad, 'object']);
  });

  it('saves under the name in every browser (RFC 6266: an ASCII stand-in and the UTF-8 name)', () => {
    expect(contentDisposition('attachment', "it's (1).pdf")).toBe(`attachment; filename="it's (1).pdf"; filename*=UTF-8''it%27s%20%281%29.pdf`);
    expect(contentDisposition('inline', 'ünï "q" \\ 50%.png')).toBe(`inline; filename="_n_ _q_ _ 50_.png"; filename*=UTF-8''%C3%BCn%C3%AF%20%22q%22%20%5C%2050%25.png`);
  });
});
