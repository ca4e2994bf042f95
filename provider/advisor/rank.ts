import { compareText, ratioOf } from "./catalog";
import { priceLimitFor } from "./priceLimit";
import { ZonePrice } from "./prices";
import { expectedCostPerVcpu, JobShape } from "./interruptionModel";
import { Arch, InstanceTypeInfo, RankingStrategy, SpotCandidate } from "./types";
import { zoneComparator } from "./zones";

/** One (type, zone) offer with every number the provider and the CLI show. */
export function buildCandidate(type: InstanceTypeInfo, arch: Arch, price: ZonePrice, priceLimitFactor: number): SpotCandidate {
  return {
    instanceTypeId: type.instanceTypeId,
    zoneId: price.zoneId,
    family: type.family.trim(),
    arch,
    cpuCoreCount: type.cpuCoreCount,
    memorySize: type.memorySize,
    ratio: ratioOf(type),
    spotPrice: price.spotPrice,
    originPrice: price.originPrice,
    pricePerCore: pricePerCoreOf(price.spotPrice, type.cpuCoreCount),
    discount: (10 * price.spotPrice) / price.originPrice,
    possibility: price.possibility,
    priceLimit: priceLimitFor(price.spotPrice, price.originPrice, priceLimitFactor),
    priceTimestamp: price.timestamp,
  };
}

/**
 * Price per vCPU-hour, rounded to 12 significant digits: 0.3 / 3 is 0.09999999999999999 in floating point,
 * and without the rounding a 3-vCPU type would beat a 1-vCPU type at the same real price per vCPU.
 */
export function pricePerCoreOf(spotPrice: number, cpuCoreCount: number): number {
  return Number((spotPrice / cpuCoreCount).toPrecision(12));
}

/**
 * A total order, so the same offers always come out in the same order (the Go tool's unstable sort over a
 * map does not): price per vCPU; then fewer vCPUs (a smaller instance wastes less when the job is small and
 * is likelier to be in stock); then the zone preference; then type id.
 */
export function compareCandidates(zoneOrder: (a: string, b: string) => number) {
  return (a: SpotCandidate, b: SpotCandidate): number =>
    a.pricePerCore - b.pricePerCore ||
    a.cpuCoreCount - b.cpuCoreCount ||
    zoneOrder(a.zoneId, b.zoneId) ||
    compareText(a.instanceTypeId, b.instanceTypeId);
}

/**
 * Ranked by the strategy: "lowest-price" by compareCandidates alone; "expected-cost" (the default) by the expected
 * cost per vCPU of a completed job first (pairs whose cost is unknown after those whose cost is known), then the
 * same order, so equal expected costs fall back to the price order.
 */
export function rankCandidates(candidates: readonly SpotCandidate[], preferredZones?: readonly string[], strategy: RankingStrategy = "expected-cost"): SpotCandidate[] {
  const byPrice = compareCandidates(zoneComparator(preferredZones));
  if (strategy === "lowest-price") return [...candidates].sort(byPrice);
  const cost = (c: SpotCandidate) => c.expectedCostPerVcpu ?? Number.POSITIVE_INFINITY;
  return [...candidates].sort((a, b) => (cost(a) === cost(b) ? 0 : cost(a) - cost(b)) || byPrice(a, b));
}

/** The candidate with its interruption band and expected cost (see interruptionModel.ts). */
export function withInterruptionCost(candidate: SpotCandidate, rate: number | undefined, shape: JobShape): SpotCandidate {
  const cost = expectedCostPerVcpu(candidate.pricePerCore, rate, shape);
  return { ...candidate, ...(rate !== undefined ? { interruptionRate: rate } : {}), ...(cost !== undefined ? { expectedCostPerVcpu: cost } : {}) };
}
