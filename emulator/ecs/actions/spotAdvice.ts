import { EcsCall, EcsResponseBody } from "../call";
import { ecsError, invalidParameter } from "../errors";
import { HOUR_MS } from "../../format";
import { interruptRateDesc } from "../../state/interruptions";
import type { OfferingState } from "../../state/world";

/** "Average ... in the last 30 days". */
const ADVICE_WINDOW_MS = 30 * 24 * HOUR_MS;
const MAX_INSTANCE_TYPES = 10;

/**
 * DescribeSpotAdvice: per zone of the region (or ZoneId), the spot offerings matching either InstanceTypes.N (up to
 * 10) or the shape filters (Cores, Memory, MinCores, MinMemory, narrowed by InstanceTypeFamily or
 * InstanceFamilyLevel), each with its interruption rate and band and its average discount over the last 30 days.
 *
 * - InterruptionRate: the offering's rate (percent); InterruptRateDesc its band ("0-3%", "3-5%", "5-10%", "10-100%").
 * - AverageSpotDiscount: the 30-day average spot price as a whole percentage of the pay-as-you-go price (1-100),
 *   from the offering's own price history, sampled hourly: 20 means the average was 0.2 x pay-as-you-go.
 * - Resources are sorted by AverageSpotDiscount (the documentation: "sorted by the historical average discount"),
 *   then by type. A zone with nothing matching is listed with its ZoneId alone, as the documented example shows.
 *
 * Both InstanceTypes.N and a shape filter, or neither, answer 403 InvalidParam.TypeAndCpuMem.Conflict (the API's
 * table gives that code for both situations); an unknown region 404 Invalid.RegionId (this API's own code).
 */
export function describeSpotAdvice(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const regionId = p.require("RegionId");
  const region = call.world.regions.get(regionId);
  if (!region) throw ecsError("Invalid.RegionId", `The specified RegionId "${regionId}" does not exist.`);

  const types = p.list("InstanceTypes");
  if (types.length > MAX_INSTANCE_TYPES) throw invalidParameter("InstanceTypes", `at most ${MAX_INSTANCE_TYPES} instance types per call, got ${types.length}`);
  const cores = p.int("Cores", { min: 1 });
  const memory = p.number("Memory");
  const minCores = p.int("MinCores", { min: 1 });
  const minMemory = p.number("MinMemory");
  const byShape = [cores, memory, minCores, minMemory].some((v) => v !== undefined);
  if (types.length > 0 && byShape) {
    throw ecsError("InvalidParam.TypeAndCpuMem.Conflict", "The specified 'InstanceType' and 'Cores','Memory' are not blank at the same time.");
  }
  if (types.length === 0 && !byShape) {
    throw ecsError("InvalidParam.TypeAndCpuMem.Conflict", "Specify InstanceTypes.N, or Cores and Memory (or MinCores and MinMemory).");
  }
  const family = p.get("InstanceTypeFamily");
  const level = p.get("InstanceFamilyLevel");
  const gpuAmount = p.int("GpuAmount", { min: 0 });
  const gpuSpec = p.get("GpuSpec");
  const zoneId = p.get("ZoneId");
  const wanted = new Set(types);

  const matches = (o: OfferingState) => {
    const t = o.instanceType;
    return (
      (wanted.size === 0 || wanted.has(t.instanceTypeId)) &&
      (cores === undefined || t.cpuCoreCount === cores) &&
      (memory === undefined || t.memorySize === memory) &&
      (minCores === undefined || t.cpuCoreCount >= minCores) &&
      (minMemory === undefined || t.memorySize >= minMemory) &&
      (family === undefined || t.instanceTypeFamily === family) &&
      (level === undefined || (t.instanceFamilyLevel ?? "EnterpriseLevel") === level) &&
      // The scenario has no GPU types: asking for GPUs matches nothing.
      (gpuSpec === undefined && (gpuAmount === undefined || gpuAmount === 0))
    );
  };

  const zones = region.zones
    .filter((z) => zoneId === undefined || z.zoneId === zoneId)
    .map((zone) => {
      const resources = [...call.world.offerings.values()]
        .filter((o) => o.offering.regionId === region.regionId && o.offering.zoneId === zone.zoneId && matches(o))
        .map((o) => ({
          InstanceType: o.offering.instanceTypeId,
          InterruptionRate: o.interruptionRate,
          InterruptRateDesc: interruptRateDesc(o.interruptionRate),
          AverageSpotDiscount: averageDiscount(o, call.now),
        }))
        .sort((a, b) => a.AverageSpotDiscount - b.AverageSpotDiscount || a.InstanceType.localeCompare(b.InstanceType));
      return resources.length > 0 ? { ZoneId: zone.zoneId, AvailableSpotResources: { AvailableSpotResource: resources } } : { ZoneId: zone.zoneId };
    });
  return { RegionId: region.regionId, AvailableSpotZones: { AvailableSpotZone: zones } };
}

/** The 30-day average spot price as a whole percentage of the pay-as-you-go price, 1-100, from hourly samples. */
function averageDiscount(o: OfferingState, now: number): number {
  const hours = ADVICE_WINDOW_MS / HOUR_MS;
  let sum = 0;
  for (let i = 1; i <= hours; i++) sum += o.prices.priceAt(now - i * HOUR_MS);
  const percent = Math.round(((sum / hours) / o.instanceType.onDemandPrice) * 100);
  return Math.min(100, Math.max(1, percent));
}
