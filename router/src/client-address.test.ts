import { describe, expect, it } from 'vitest';
import { ClientAddress } from './client-address.js';

describe('ClientAddress', () => {
  it('without trusted proxies is the socket peer, whatever X-Forwarded-For claims', () => {
    const none = ClientAddress.parse('');
    expect(none.of('198.51.100.4', '203.0.113.9')).toBe('198.51.100.4');
    expect(none.of(undefined, '203.0.113.9')).toBeUndefined();
  });

  it('behind trusted proxies is the right-most hop that is not one of them', () => {
    const proxies = ClientAddress.parse('10.0.0.0/8, 127.0.0.1, fd00::/8');
    // client → proxy 10.1.1.1 → proxy 10.2.2.2 (the socket peer)
    expect(proxies.of('10.2.2.2', '203.0.113.9, 10.1.1.1')).toBe('203.0.113.9');
    // A client cannot push a fake address in front: only the hop its proxy appended counts.
    expect(proxies.of('10.2.2.2', '1.2.3.4, 203.0.113.9')).toBe('203.0.113.9');
    expect(proxies.of('::ffff:127.0.0.1', '2001:db8::1')).toBe('2001:db8::1');
    expect(proxies.of('fd00::5', ['203.0.113.9', '10.9.9.9'])).toBe('203.0.113.9');
    // Every hop trusted: the left-most is as far as anyone can see.
    expect(proxies.of('10.2.2.2', '10.3.3.3, 10.1.1.1')).toBe('10.3.3.3');
  });

  it('ignores the header from a peer that is not a trusted proxy, and a malformed hop ends the chain', () => {
    const proxies = ClientAddress.parse('10.0.0.0/8');
    expect(proxies.of('198.51.100.4', '203.0.113.9')).toBe('198.51.100.4');
    expect(proxies.of('10.2.2.2', undefined)).toBe('10.2.2.2');
    expect(proxies.of('10.2.2.2', 'not-an-ip')).toBe('10.2.2.2');
    expect(proxies.of('10.2.2.2', 'garbage, 10.1.1.1')).toBe('10.1.1.1');
  });

  it('refuses entries that are not addresses or CIDR ranges, naming them', () => {
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.1/8/2', 'fd00::/129', '10.0.0.0/x']) {
      expect(() => ClientAddress.parse(bad), bad).toThrow(bad);
    }
  });
});
