import { archOfCpuArchitecture, cpuArchitectureOf } from "../contract/arch";
import { AdviceRequest, InstanceTypeInfo, InstanceTypesQuery } from "./types";

/** InstanceTypeFamilies.N takes at most 10 values. */
const MAX_API_FAMILIES = 10;

/**
 * What to ask DescribeInstanceTypes for: the architecture always; with families (up to 10), every type of those
 * families, so a family that does not exist in the region can be named; without families, only the vCPU and
 * memory range, which for the guide's amd64 request is one page instead of two. `shapeByApi` says the range
 * was applied by the API, so the explanation does not claim to know the types outside it.
 */
export function catalogQueryFor(request: AdviceRequest): { readonly query: InstanceTypesQuery; readonly shapeByApi: boolean } {
  const families = request.families ?? [];
  const base = { regionId: request.regionId, cpuArchitecture: cpuArchitectureOf(request.arch) };
  if (families.length > MAX_API_FAMILIES) return { query: base, shapeByApi: false };
  if (families.length > 0) return { query: { ...base, families }, shapeByApi: false };
  const range = { minCpu: request.minCpu, maxCpu: request.maxCpu, minMemGiB: request.minMemGiB, maxMemGiB: request.maxMemGiB };
  return { query: { ...base, ...range }, shapeByApi: true };
}

/**
 * The catalog narrowed step by step, each step kept so the explanation can say what removed what:
 * architecture, then families, then vCPUs, then memory. Ratios are applied later, one preference at a time.
 */
export interface CatalogFunnel {
  /** Every usable type of the requested architecture, by id. */
  readonly inArch: readonly InstanceTypeInfo[];
  readonly inFamilies: readonly InstanceTypeInfo[];
  readonly inCpuRange: readonly InstanceTypeInfo[];
  /** Types that satisfy every shape filter except the ratio. */
  readonly inShape: readonly InstanceTypeInfo[];
  /** Requested families with no type of this architecture in the region's catalog. */
  readonly unknownFamilies: readonly string[];
}

export function filterCatalog(types: readonly InstanceTypeInfo[], request: AdviceRequest): CatalogFunnel {
  const inArch = uniqueById(types)
    .filter((t) => isInArch(t, request))
    .sort((a, b) => compareText(a.instanceTypeId, b.instanceTypeId));
  const inFamilies = inArch.filter((t) => isInFamilies(t, request));
  const inCpuRange = inFamilies.filter((t) => isInCpuRange(t, request));
  const inShape = inCpuRange.filter((t) => isInMemoryRange(t, request));
  const known = new Set(inArch.map((t) => t.family.trim()));
  const unknownFamilies = (request.families ?? []).filter((f) => !known.has(f));
  return { inArch, inFamilies, inCpuRange, inShape, unknownFamilies };
}

/** Every shape filter but the ratio; the same test as the funnel's, for one type (used while pages arrive). */
export function matchesShape(type: InstanceTypeInfo, request: AdviceRequest): boolean {
  return isInArch(type, request) && isInFamilies(type, request) && isInCpuRange(type, request) && isInMemoryRange(type, request);
}

function isInArch(t: InstanceTypeInfo, request: AdviceRequest): boolean {
  return t.cpuCoreCount > 0 && t.memorySize > 0 && archOfCpuArchitecture(t.cpuArchitecture) === request.arch;
}

/** Exact match on InstanceTypeFamily: the Go tool's substring match on the type id lets "ecs.c8" pick c8y, c8i and c8a. */
function isInFamilies(t: InstanceTypeInfo, request: AdviceRequest): boolean {
  const families = request.families ?? [];
  return families.length === 0 || families.includes(t.family.trim());
}

function isInCpuRange(t: InstanceTypeInfo, request: AdviceRequest): boolean {
  return t.cpuCoreCount >= request.minCpu && t.cpuCoreCount <= request.maxCpu;
}

function isInMemoryRange(t: InstanceTypeInfo, request: AdviceRequest): boolean {
  return t.memorySize >= request.minMemGiB && t.memorySize <= request.maxMemGiB;
}

/** GiB per vCPU, computed from the shape (the API has no ratio field and family names do not always tell). */
export function ratioOf(type: Pick<InstanceTypeInfo, "memorySize" | "cpuCoreCount">): number {
  return type.memorySize / type.cpuCoreCount;
}

/** A relative tolerance, so 0.5 GiB steps and float division never make 1:2 miss. */
export function hasRatio(type: Pick<InstanceTypeInfo, "memorySize" | "cpuCoreCount">, ratio: number): boolean {
  return Math.abs(ratioOf(type) - ratio) <= 1e-9 * Math.max(1, ratio);
}

/** "1:2" for 2 GiB per vCPU. */
export function formatRatio(ratio: number): string {
  return `1:${Number(ratio.toPrecision(6))}`;
}

/** Plain code-unit order: locale-independent, so output is identical on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function uniqueById(types: readonly InstanceTypeInfo[]): InstanceTypeInfo[] {
  const byId = new Map<string, InstanceTypeInfo>();
  for (const t of types) if (t.instanceTypeId && !byId.has(t.instanceTypeId)) byId.set(t.instanceTypeId, t);
  return [...byId.values()];
}
