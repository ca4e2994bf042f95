import type { Advice, OnDemandOption } from "./advisor";

/** One launch attempt: a (type, zone) pair and the price terms to ask for. */
export interface LaunchCandidate {
  readonly instanceTypeId: string;
  readonly zoneId: string;
  readonly vSwitchId: string;
  readonly cpuCoreCount: number;
  readonly memorySize: number;
  /** Latest observed spot price; undefined for fallback zones without a price row. */
  readonly spotPrice?: number;
  /** DescribeSpotAdvice's band (upper bound) for the pair, when known. */
  readonly interruptionRate?: number;
  /** Our limit for SpotWithPriceLimit: 1.2 x the latest price, capped at pay-as-you-go. */
  readonly priceLimit: number;
  readonly originPrice: number;
  /**
   * Why it is on the list: ranked by the advisor, another zone with stock, the preset fallback zones, or a
   * pay-as-you-go option (on-demand fallback).
   */
  readonly source: "ranked" | "available" | "preset" | "on-demand";
}

export interface PlanOptions {
  readonly vSwitchIds: Readonly<Record<string, string>>;
  readonly fallbackZones: readonly string[];
  readonly maxAttempts: number;
  /** How many of the cheapest types get extra zones from DescribeAvailableResource. */
  readonly typesWithExtraZones?: number;
}

/**
 * The order in which to try launching (DESIGN: advisor's ranked candidates first, then other zones where
 * DescribeAvailableResource says the best types have stock, then the preset zones), only where a vSwitch
 * exists, each (type, zone) once, at most maxAttempts. Pure: the provider only walks the list.
 */
export function planLaunches(advice: Advice, options: PlanOptions): LaunchCandidate[] {
  const plan: LaunchCandidate[] = [];
  const seen = new Set<string>();
  const add = (c: LaunchCandidate) => {
    const key = `${c.instanceTypeId}@${c.zoneId}`;
    if (seen.has(key) || plan.length >= options.maxAttempts) return;
    seen.add(key);
    plan.push(c);
  };

  for (const c of advice.candidates) {
    const vSwitchId = options.vSwitchIds[c.zoneId];
    if (!vSwitchId) continue;
    add({
      instanceTypeId: c.instanceTypeId, zoneId: c.zoneId, vSwitchId, cpuCoreCount: c.cpuCoreCount, memorySize: c.memorySize,
      spotPrice: c.spotPrice, priceLimit: c.priceLimit, originPrice: c.originPrice, source: "ranked",
      ...(c.interruptionRate !== undefined ? { interruptionRate: c.interruptionRate } : {}),
    });
  }

  // Best (highest) limit seen per type: a zone without a price row is tried at the type's worst known price;
  // if that zone is dearer, RunInstances says so and we move on.
  const bestTypes: string[] = [];
  const limitByType = new Map<string, (typeof advice.candidates)[number]>();
  for (const c of advice.candidates) {
    if (!limitByType.has(c.instanceTypeId)) bestTypes.push(c.instanceTypeId);
    const known = limitByType.get(c.instanceTypeId);
    if (!known || c.priceLimit > known.priceLimit) limitByType.set(c.instanceTypeId, c);
  }
  const extraFor = (type: string, zones: readonly string[], source: "available" | "preset") => {
    const ref = limitByType.get(type);
    if (!ref) return;
    for (const zoneId of zones) {
      const vSwitchId = options.vSwitchIds[zoneId];
      if (!vSwitchId) continue;
      add({
        instanceTypeId: type, zoneId, vSwitchId, cpuCoreCount: ref.cpuCoreCount, memorySize: ref.memorySize,
        priceLimit: ref.priceLimit, originPrice: ref.originPrice, source,
      });
    }
  };
  for (const type of bestTypes.slice(0, options.typesWithExtraZones ?? 3)) {
    extraFor(type, advice.availableZones[type] ?? [], "available");
  }
  if (bestTypes[0]) extraFor(bestTypes[0], options.fallbackZones, "preset");
  return plan;
}

/**
 * The pay-as-you-go fallback: the advisor's on-demand options where a vSwitch exists, cheapest per vCPU first, none
 * dearer than `maxHourlyPrice`, each (type, zone) once, at most maxAttempts.
 */
export function planOnDemand(
  options: readonly OnDemandOption[],
  limits: { readonly vSwitchIds: Readonly<Record<string, string>>; readonly maxAttempts: number; readonly maxHourlyPrice?: number },
): LaunchCandidate[] {
  const plan: LaunchCandidate[] = [];
  const seen = new Set<string>();
  for (const o of options) {
    const vSwitchId = limits.vSwitchIds[o.zoneId];
    const key = `${o.instanceTypeId}@${o.zoneId}`;
    if (!vSwitchId || seen.has(key) || (limits.maxHourlyPrice !== undefined && o.originPrice > limits.maxHourlyPrice)) continue;
    seen.add(key);
    plan.push({
      instanceTypeId: o.instanceTypeId, zoneId: o.zoneId, vSwitchId, cpuCoreCount: o.cpuCoreCount, memorySize: o.memorySize,
      priceLimit: o.originPrice, originPrice: o.originPrice, source: "on-demand",
    });
    if (plan.length >= limits.maxAttempts) break;
  }
  return plan;
}
