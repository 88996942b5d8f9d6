// The frames the router writes straight to the TCP socket, read back by ws's
// own client-side frame parser: each length encoding of RFC 6455 §5.2.
import { Writable } from 'node:stream';
import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import { flat, textFrame } from './wire.js';

// ws exports its frame parser (a Writable) without typings for it.
const Receiver = (ws as unknown as { Receiver: new (options: { isServer: boolean }) => Writable }).Receiver;

function decode(bytes: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    const messages: string[] = [];
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) reject(new Error('binary frame'));
      messages.push(data.toString());
    });
    receiver.on('error', reject);
    receiver.write(bytes, () => resolve(messages));
  });
}

describe('textFrame', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 200_000])('frames %i bytes of text so a client reads them back whole', async (length) => {
    const text = 'x'.repeat(length);
    const frame = textFrame(text);
    expect(frame.length).toBe(length + (length < 126 ? 2 : length < 65_536 ? 4 : 10));
    expect(await decode(frame)).toEqual([text]);
  });

  it('counts UTF-8 bytes, not characters, and frames back to back read as separate messages', async () => {
    const a = '{"body":"héllo 👋"}';
    const b = 'ü'.repeat(70); // 140 bytes: the 16-bit length
    expect(await decode(Buffer.concat([textFrame(a), textFrame(b), textFrame(a)]))).toEqual([a, b, a]);
  });
});

describe('flat', () => {
  it('copies a connection id and a subscription head without changing a character', () => {
    const heads = ['1', 'a-b_c', 'é✓', '😀 subscription', '\ud800 lone surrogate'].map((id) => `{"id":${JSON.stringify(id)},"type":"next","payload":`);
    for (const text of [crypto.randomUUID(), ...heads, '']) expect(flat(text)).toBe(text);
  });
});
