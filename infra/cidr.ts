/**
 * IPv4 CIDR arithmetic and the vSwitch address plan: pure functions, no Pulumi.
 *
 * Aliyun's limits (VPC and vSwitch API docs): a VPC's CIDR lies inside 10.0.0.0/8, 172.16.0.0/12 or
 * 192.168.0.0/16 with a mask of 8 to 28; a vSwitch's CIDR lies inside its VPC's with a mask of 16 to 29, and
 * the vSwitches of one VPC must not overlap.
 */

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit integer (host bits zero). */
  readonly network: number;
  /** Prefix length, 0..32. */
  readonly prefix: number;
}

/** A string that is not an IPv4 address or CIDR, or one with host bits set. */
export class InvalidCidrError extends Error {
  override name = "InvalidCidrError";
}

export const VPC_PRIVATE_RANGES: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
export const VPC_MASK = { min: 8, max: 28 } as const;
export const VSWITCH_MASK = { min: 16, max: 29 } as const;

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Strict dotted quad ("10.0.0.1"); leading zeros are refused because some tools read them as octal. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** The number of addresses in a block of this prefix length. */
export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/**
 * Parses "a.b.c.d/n". With `allowBareAddress`, "a.b.c.d" means a single host (/32). Host bits must be zero:
 * "172.16.1.5/24" is refused with the network the user probably meant, rather than silently rounded.
 */
export function parseIpv4Cidr(text: string, options: { allowBareAddress?: boolean } = {}): Ipv4Cidr {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  if (slash < 0) {
    const address = parseIpv4(trimmed);
    if (address !== undefined && options.allowBareAddress) return { network: address, prefix: 32 };
    throw new InvalidCidrError(`"${text}" is not an IPv4 CIDR such as 172.16.0.0/16`);
  }
  const address = parseIpv4(trimmed.slice(0, slash));
  const prefixText = trimmed.slice(slash + 1);
  if (address === undefined || !/^(0|[1-9][0-9]?)$/.test(prefixText) || Number(prefixText) > 32) {
    throw new InvalidCidrError(`"${text}" is not an IPv4 CIDR such as 172.16.0.0/16`);
  }
  const prefix = Number(prefixText);
  const network = address - (address % blockSize(prefix));
  if (network !== address) {
    throw new InvalidCidrError(
      `"${text}" has host bits set; did you mean ${formatCidr({ network, prefix })}?`,
    );
  }
  return { network, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

export function lastAddress(cidr: Ipv4Cidr): number {
  return cidr.network + blockSize(cidr.prefix) - 1;
}

/** True when every address of `inner` is in `outer` (a block contains itself). */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.network >= outer.network && lastAddress(inner) <= lastAddress(outer);
}

/** True when the two blocks share at least one address. Aligned blocks either nest or are disjoint. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/** What is wrong with a VPC CIDR, as sentences; [] when Aliyun would accept it. */
export function vpcCidrProblems(text: string): string[] {
  let cidr: Ipv4Cidr;
  try {
    cidr = parseIpv4Cidr(text);
  } catch (err) {
    return [(err as Error).message];
  }
  const problems: string[] = [];
  if (cidr.prefix < VPC_MASK.min || cidr.prefix > VPC_MASK.max) {
    problems.push(`"${text}" has a /${cidr.prefix} mask; a VPC mask must be /${VPC_MASK.min} to /${VPC_MASK.max}`);
  }
  if (!VPC_PRIVATE_RANGES.some((range) => cidrContains(parseIpv4Cidr(range), cidr))) {
    problems.push(`"${text}" is not inside ${VPC_PRIVATE_RANGES.join(", ")}, the ranges a VPC can use`);
  }
  return problems;
}

/** One vSwitch of the plan: the zone it serves and its CIDR. */
export interface VSwitchCidr {
  readonly zoneId: string;
  readonly cidr: string;
}

/** A problem with one vSwitch CIDR; `zoneId` says which. */
export interface VSwitchCidrProblem {
  readonly zoneId: string;
  readonly message: string;
}

/**
 * Checks a vSwitch plan against its VPC: each CIDR parses, has a /16../29 mask, lies inside the VPC, and
 * overlaps no other vSwitch's. Returns every problem found (the VPC CIDR itself is assumed valid).
 */
export function vSwitchCidrProblems(vpcCidrText: string, plan: readonly VSwitchCidr[]): VSwitchCidrProblem[] {
  const vpc = parseIpv4Cidr(vpcCidrText);
  const problems: VSwitchCidrProblem[] = [];
  const parsed: { zoneId: string; text: string; cidr: Ipv4Cidr }[] = [];
  for (const { zoneId, cidr: text } of plan) {
    let cidr: Ipv4Cidr;
    try {
      cidr = parseIpv4Cidr(text);
    } catch (err) {
      problems.push({ zoneId, message: (err as Error).message });
      continue;
    }
    if (cidr.prefix < VSWITCH_MASK.min || cidr.prefix > VSWITCH_MASK.max) {
      problems.push({
        zoneId,
        message: `"${text}" has a /${cidr.prefix} mask; a vSwitch mask must be /${VSWITCH_MASK.min} to /${VSWITCH_MASK.max}`,
      });
    }
    if (!cidrContains(vpc, cidr)) {
      problems.push({ zoneId, message: `"${text}" is outside the VPC CIDR ${vpcCidrText}` });
    }
    for (const other of parsed) {
      if (cidrsOverlap(other.cidr, cidr)) {
        problems.push({ zoneId, message: `"${text}" overlaps "${other.text}" of zone ${other.zoneId}` });
      }
    }
    parsed.push({ zoneId, text, cidr });
  }
  return problems;
}

/**
 * How many vSwitches of the given mask fit in the VPC when the first block is left free (see
 * deriveVSwitchCidrs). 0 when the mask is not longer than the VPC's.
 */
export function derivableVSwitchCount(vpcCidrText: string, mask: number): number {
  const vpc = parseIpv4Cidr(vpcCidrText);
  if (mask <= vpc.prefix) return 0;
  return blockSize(vpc.prefix) / blockSize(mask) - 1;
}

/**
 * Derives one CIDR per zone: consecutive blocks of `mask` bits in the VPC, starting at the second block. The
 * first block stays free on purpose: it reproduces the guide's layout (172.16.0.0/16 -> 172.16.1.0/24 for
 * the first zone, 172.16.2.0/24 for the second, ...) and leaves room for a later non-runner vSwitch.
 * Throws RangeError when the zones do not fit.
 */
export function deriveVSwitchCidrs(vpcCidrText: string, zoneIds: readonly string[], mask: number): VSwitchCidr[] {
  const vpc = parseIpv4Cidr(vpcCidrText);
  if (!Number.isInteger(mask) || mask < VSWITCH_MASK.min || mask > VSWITCH_MASK.max) {
    throw new RangeError(`a vSwitch mask must be /${VSWITCH_MASK.min} to /${VSWITCH_MASK.max}, not /${mask}`);
  }
  const room = derivableVSwitchCount(vpcCidrText, mask);
  if (zoneIds.length > room) {
    throw new RangeError(
      `${vpcCidrText} has room for ${room} /${mask} vSwitches after its first block, not ${zoneIds.length}`,
    );
  }
  return zoneIds.map((zoneId, index) => ({
    zoneId,
    cidr: formatCidr({ network: vpc.network + (index + 1) * blockSize(mask), prefix: mask }),
  }));
}
