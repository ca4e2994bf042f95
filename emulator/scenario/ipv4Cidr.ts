/** IPv4 CIDR blocks as the scenario validator needs them: parse, contain, overlap. */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses "a.b.c.d/n". Returns a reason string instead of throwing, so the validator can report it under the
 * right JSON path. Host bits must be zero: the VPC API rejects "172.16.1.5/24", and so do we.
 */
export function parseIpv4Cidr(text: string): Ipv4Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return `"${text}" is not an IPv4 CIDR block like 172.16.0.0/16`;
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o) => o > 255)) return `"${text}" has an octet above 255`;
  if (prefixLength > 32) return `"${text}" has a prefix length above 32`;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const network = (address & mask(prefixLength)) >>> 0;
  if (network !== address) {
    return `"${text}" has host bits set; the block starts at ${formatIpv4(network)}/${prefixLength}`;
  }
  return { network, prefixLength };
}

/** True when every address of `inner` is inside `outer`. */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefixLength >= outer.prefixLength && ((inner.network & mask(outer.prefixLength)) >>> 0) === outer.network;
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

function mask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (~0 << (32 - prefixLength)) >>> 0;
}

function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
