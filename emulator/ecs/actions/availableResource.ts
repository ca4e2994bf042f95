import { EcsCall, EcsResponseBody, requireRegion, requireZone } from "../call";
import { ecsError } from "../errors";
import type { OfferingState, StatusCategory } from "../../state/world";

const DESTINATIONS = ["Zone", "IoOptimized", "InstanceType", "Network", "ddh", "SystemDisk", "DataDisk"] as const;

/**
 * DescribeAvailableResource for instance types and zones. Spot post-paid (the product's case) reports stock from
 * the offerings: Status Available/SoldOut and StatusCategory from the remaining spot stock, or the scenario's fixed
 * StatusCategory. NoSpot and PrePaid report every offering as Available/WithStock: on-demand stock is not modelled.
 */
export function describeAvailableResource(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const region = requireRegion(call);
  const destination = p.require("DestinationResource");
  if (!(DESTINATIONS as readonly string[]).includes(destination)) {
    throw ecsError("Invalid.DestinationResource", `The specified DestinationResource "${destination}" is not valid; use one of ${DESTINATIONS.join(", ")}.`);
  }
  if (destination !== "InstanceType" && destination !== "Zone") {
    throw ecsError("Invalid.DestinationResource", `DestinationResource "${destination}" is not modelled by this endpoint; use InstanceType or Zone.`);
  }
  const chargeType = p.oneOf("InstanceChargeType", ["PostPaid", "PrePaid"], "PostPaid", "Invalid.InstanceChargeType");
  const spotStrategy = p.oneOf("SpotStrategy", ["NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"], "NoSpot", "Invalid.SpotStrategy");
  const spot = chargeType === "PostPaid" && spotStrategy !== "NoSpot";
  const zoneId = p.get("ZoneId");
  if (zoneId !== undefined) requireZone(region, zoneId);
  const instanceType = p.get("InstanceType");
  const cores = p.int("Cores");
  const memory = p.number("Memory");

  const categoryOf = (o: OfferingState): StatusCategory => (spot ? call.world.statusCategory(o) : "WithStock");
  const zones = region.zones
    .filter((z) => zoneId === undefined || z.zoneId === zoneId)
    .map((zone) => {
      const offerings = [...call.world.offerings.values()].filter(
        (o) =>
          o.offering.regionId === region.regionId &&
          o.offering.zoneId === zone.zoneId &&
          (instanceType === undefined || o.offering.instanceTypeId === instanceType) &&
          (cores === undefined || o.instanceType.cpuCoreCount === cores) &&
          (memory === undefined || o.instanceType.memorySize === memory),
      );
      const categories = offerings.map(categoryOf);
      const zoneCategory = bestCategory(categories);
      const supported =
        destination === "Zone"
          ? offerings.length > 0
            ? [{ Value: zone.zoneId, Status: statusOf(zoneCategory), StatusCategory: zoneCategory }]
            : []
          : offerings
              .sort((a, b) => a.offering.instanceTypeId.localeCompare(b.offering.instanceTypeId))
              .map((o) => {
                const category = categoryOf(o);
                return { Value: o.offering.instanceTypeId, Status: statusOf(category), StatusCategory: category };
              });
      return {
        ZoneId: zone.zoneId,
        RegionId: region.regionId,
        Status: statusOf(zoneCategory),
        StatusCategory: zoneCategory,
        AvailableResources: {
          AvailableResource: supported.length > 0 ? [{ Type: destination, SupportedResources: { SupportedResource: supported } }] : [],
        },
      };
    })
    // A zone that sells nothing matching the filters is left out, as the real API leaves it out.
    .filter((z) => z.AvailableResources.AvailableResource.length > 0);
  return { AvailableZones: { AvailableZone: zones } };
}

function statusOf(category: StatusCategory): "Available" | "SoldOut" {
  return category === "WithStock" || category === "ClosedWithStock" ? "Available" : "SoldOut";
}

/** A zone is as available as its best offering. */
function bestCategory(categories: readonly StatusCategory[]): StatusCategory {
  const order: StatusCategory[] = ["WithStock", "ClosedWithStock", "WithoutStock", "ClosedWithoutStock"];
  for (const c of order) if (categories.includes(c)) return c;
  return "ClosedWithoutStock";
}
