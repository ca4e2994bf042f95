import { ZoneTypeAvailability } from "./types";
import { zoneComparator } from "./zones";

/** Stock states that can launch now; ClosedWithStock is low stock that will not be replenished, but it is stock. */
const STOCKED_CATEGORIES = new Set(["WithStock", "ClosedWithStock"]);

/**
 * Whether a (type, zone) entry can launch a spot instance now. The Go tool ignores Status and StatusCategory
 * and so recommends sold-out zones; here both the entry and, when reported, its zone must be Available with stock.
 */
export function hasSpotStock(entry: ZoneTypeAvailability): boolean {
  if (entry.status !== "Available" || !STOCKED_CATEGORIES.has(entry.statusCategory)) return false;
  if (entry.zoneStatus !== undefined && entry.zoneStatus !== "Available") return false;
  if (entry.zoneStatusCategory !== undefined && !STOCKED_CATEGORIES.has(entry.zoneStatusCategory)) return false;
  return true;
}

/** Where each type has spot stock, split into the allowed zones and the rest. */
export interface StockIndex {
  /** Allowed zones with stock, in zone preference order. */
  stockedZones(instanceTypeId: string): readonly string[];
  /** Zones with stock that the request does not allow. */
  zonesOutsideRequest(instanceTypeId: string): readonly string[];
  /**
   * Allowed zones that sell the type at all, spot stock or not (listed by DescribeAvailableResource in any
   * state): where a pay-as-you-go launch may be tried.
   */
  offeredZones(instanceTypeId: string): readonly string[];
}

export function indexStock(entries: readonly ZoneTypeAvailability[], allowedZones?: readonly string[]): StockIndex {
  const allowed = allowedZones ? new Set(allowedZones) : undefined;
  const inside = new Map<string, Set<string>>();
  const outside = new Map<string, Set<string>>();
  const offered = new Map<string, Set<string>>();
  for (const entry of entries) {
    if (!allowed || allowed.has(entry.zoneId)) {
      let zones = offered.get(entry.instanceTypeId);
      if (!zones) offered.set(entry.instanceTypeId, (zones = new Set()));
      zones.add(entry.zoneId);
    }
    if (!hasSpotStock(entry)) continue;
    const target = !allowed || allowed.has(entry.zoneId) ? inside : outside;
    let zones = target.get(entry.instanceTypeId);
    if (!zones) target.set(entry.instanceTypeId, (zones = new Set()));
    zones.add(entry.zoneId);
  }
  const order = zoneComparator(allowedZones);
  const sorted = (map: Map<string, Set<string>>, id: string) => [...(map.get(id) ?? [])].sort(order);
  return {
    stockedZones: (id) => sorted(inside, id),
    zonesOutsideRequest: (id) => sorted(outside, id),
    offeredZones: (id) => sorted(offered, id),
  };
}
