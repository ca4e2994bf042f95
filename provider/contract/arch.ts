import { SpotRunnerError } from "../errors";

/**
 * Architectures, once: the spellings users type, and how each API spells them (ECS instance types and images,
 * the Go advisor's JSON). Everything that turns text into an architecture goes through here.
 */
export type Arch = "amd64" | "arm64";

const ARCH_ALIASES: Readonly<Record<string, Arch>> = {
  amd64: "amd64",
  x86_64: "amd64",
  "x86-64": "amd64",
  x64: "amd64",
  x86: "amd64",
  arm64: "arm64",
  aarch64: "arm64",
  arm: "arm64",
};

export const ARCH_EXPECTED = "amd64 (or x86_64, x64, x86) or arm64 (or aarch64, arm)";

/** The architecture a spelling names (Docker's, uname's, the Go tool's), or undefined. */
export function parseArch(value: string): Arch | undefined {
  return ARCH_ALIASES[String(value).trim().toLowerCase()];
}

/** Accepts the usual spellings; anything else is an error naming the value. */
export function normalizeArch(value: string): Arch {
  const arch = parseArch(value);
  if (!arch) throw new UnknownArchitectureError(`unknown architecture "${value}": use ${ARCH_EXPECTED}`);
  return arch;
}

export class UnknownArchitectureError extends SpotRunnerError {
  override name = "UnknownArchitectureError";
}

/** The architecture of an image (DescribeImages' Architecture: x86_64, i386, arm64); undefined when unknown. */
export function archOfImage(architecture: string): Arch | undefined {
  if (/arm|aarch/i.test(architecture)) return "arm64";
  if (/x86|amd64|i386/i.test(architecture)) return "amd64";
  return undefined;
}

/** How DescribeImages spells an architecture. */
export function imageArchitectureOf(arch: Arch): "x86_64" | "arm64" {
  return arch === "amd64" ? "x86_64" : "arm64";
}

/** DescribeInstanceTypes' CpuArchitecture value for an architecture. */
export function cpuArchitectureOf(arch: Arch): "X86" | "ARM" {
  return arch === "amd64" ? "X86" : "ARM";
}

/** The architecture of a CpuArchitecture value; undefined for values we do not launch (none known today). */
export function archOfCpuArchitecture(cpuArchitecture: string): Arch | undefined {
  const value = cpuArchitecture.trim().toUpperCase();
  if (value === "X86") return "amd64";
  if (value === "ARM") return "arm64";
  return undefined;
}

/** How the Go spot-instance-advisor spells an architecture in its JSON output. */
export function goArchName(arch: Arch): "x86_64" | "arm64" {
  return arch === "amd64" ? "x86_64" : "arm64";
}
