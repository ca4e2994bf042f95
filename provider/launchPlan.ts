import type { Advice } from "./advisor";

/** One launch attempt: a (type, zone) pair and the price terms to ask for. */
export interface LaunchCandidate {
  readonly instanceTypeId: string;
  readonly zoneId: string;
  readonly vSwitchId: string;
  readonly cpuCoreCount: number;
  readonly memorySize: number;
  /** Latest observed spot price; undefined for fallback zones without a price row. */
  readonly spotPrice?: number;
  /** Our limit for SpotWithPriceLimit: 1.2 x the latest price, capped at pay-as-you-go. */
  readonly priceLimit: number;
  readonly originPrice: number;
  /** Why it is on the list: ranked by the advisor, another zone with stock, or the preset fallback zones. */
  readonly source: "ranked" | "available" | "preset";
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
