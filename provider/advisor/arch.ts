import { Arch } from "./types";

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

/** Accepts the usual spellings (Docker's, uname's, the Go tool's); anything else is an error naming the value. */
export function normalizeArch(value: string): Arch {
  const arch = ARCH_ALIASES[String(value).trim().toLowerCase()];
  if (!arch) {
    throw new Error(`unknown architecture "${value}": use amd64 (or x86_64, x64, x86) or arm64 (or aarch64, arm)`);
  }
  return arch;
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
