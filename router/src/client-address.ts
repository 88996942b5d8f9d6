import { BlockList, isIP } from 'node:net';

/**
 * Who the client is when the router sits behind proxies (an ingress, a load
 * balancer). The address is what the users subgraph throttles login and
 * registration by, so it must not be forgeable: `X-Forwarded-For` is read
 * only when the socket's peer is a trusted proxy, from the right (the hop
 * nearest the router), skipping trusted proxies; the first address that is
 * not one is the client. With no trusted proxies (the default) the socket's
 * peer is the client and the header is ignored, as before this setting.
 */
export class ClientAddress {
  private constructor(private readonly trusted: BlockList | undefined) {}

  /**
   * `spec`: comma-separated addresses and CIDR ranges (`10.0.0.0/8`,
   * `fd00::/8`, `127.0.0.1`); empty = none. Throws naming the bad entry.
   */
  static parse(spec: string): ClientAddress {
    const entries = spec.split(',').map((s) => s.trim()).filter(Boolean);
    if (entries.length === 0) return new ClientAddress(undefined);
    const list = new BlockList();
    for (const entry of entries) {
      const [address, bits, extra] = entry.split('/');
      const family = isIP(address ?? '');
      if (family === 0 || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR range`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) {
        list.addAddress(address!, type);
        continue;
      }
      const prefix = Number(bits);
      if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) throw new Error(`"${entry}" has a bad prefix length`);
      list.addSubnet(address!, prefix, type);
    }
    return new ClientAddress(list);
  }

  /** The client's address for a request from `peer` carrying `forwardedFor`. */
  of(peer: string | undefined, forwardedFor: string | string[] | undefined): string | undefined {
    if (!this.trusted || !peer || !this.isTrusted(peer) || forwardedFor === undefined) return peer;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((s) => s.trim());
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      // A malformed entry ends the trusted chain: what lies left of it cannot be vouched for.
      if (isIP(hop) === 0) return i === hops.length - 1 ? peer : hops[i + 1];
      if (!this.isTrusted(hop)) return hop;
    }
    // Every hop is a proxy we trust: the left-most is as far as anyone can see.
    return hops[0] || peer;
  }

  private isTrusted(address: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const plain = mapped ? mapped[1]! : address;
    const family = isIP(plain);
    return family !== 0 && this.trusted!.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}
