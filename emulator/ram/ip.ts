import { BlockList, isIP } from "node:net";

/** A policy's IpAddress value: an address or a CIDR, IPv4 or IPv6. */
export interface IpRange {
  readonly address: string;
  readonly prefix?: number;
  readonly family: 4 | 6;
}

/** Parses "198.51.100.7", "203.0.113.0/24" or "2001:db8::/32"; undefined when it is neither. */
export function parseIpRange(text: string): IpRange | undefined {
  const [address = "", prefixText, extra] = text.trim().split("/");
  if (extra !== undefined) return undefined;
  const family = isIP(address);
  if (family !== 4 && family !== 6) return undefined;
  if (prefixText === undefined) return { address, family };
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > (family === 4 ? 32 : 128)) return undefined;
  return { address, prefix, family };
}

/** True when `ip` (a single address) lies in `range`. Addresses of different families never match. */
export function ipInRange(ip: string, range: IpRange): boolean {
  const family = isIP(ip.trim());
  if (family !== range.family) return false;
  const list = new BlockList();
  const type = family === 4 ? "ipv4" : "ipv6";
  if (range.prefix === undefined) list.addAddress(range.address, type);
  else list.addSubnet(range.address, range.prefix, type);
  return list.check(ip.trim(), type);
}
