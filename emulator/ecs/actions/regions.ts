import { EcsCall, EcsResponseBody, requireRegion } from "../call";

/** DescribeRegions: every region of the scenario. */
export function describeRegions(call: EcsCall): EcsResponseBody {
  return {
    Regions: {
      Region: call.world.scenario.regions.map((r) => ({
        RegionId: r.regionId,
        LocalName: r.localName,
        RegionEndpoint: `ecs.${r.regionId}.aliyuncs.com`,
        Status: "available",
      })),
    },
  };
}

/** DescribeZones: the region's zones, with the types each one sells and the disk categories they take. */
export function describeZones(call: EcsCall): EcsResponseBody {
  const region = requireRegion(call);
  const verbose = call.params.bool("Verbose", true);
  const zones = region.zones.map((zone) => {
    const types = [...call.world.offerings.values()]
      .filter((o) => o.offering.regionId === region.regionId && o.offering.zoneId === zone.zoneId)
      .map((o) => o.instanceType);
    const diskCategories = [...new Set(types.flatMap((t) => t.systemDiskCategories ?? DEFAULT_DISK_CATEGORIES))].sort();
    const typeIds = types.map((t) => t.instanceTypeId).sort();
    return {
      ZoneId: zone.zoneId,
      LocalName: zone.localName,
      ZoneType: "AvailabilityZone",
      AvailableResourceCreation: { ResourceTypes: ["VSwitch", "IoOptimized", "Instance", "Disk"] },
      AvailableVolumeCategories: { VolumeCategories: diskCategories },
      AvailableDiskCategories: { DiskCategories: diskCategories },
      AvailableInstanceTypes: { InstanceTypes: typeIds },
      AvailableDedicatedHostTypes: { DedicatedHostType: [] },
      DedicatedHostGenerations: { DedicatedHostGeneration: [] },
      ...(verbose
        ? {
            AvailableResources: {
              ResourcesInfo: [
                {
                  IoOptimized: true,
                  InstanceTypes: { supportedInstanceType: typeIds },
                  InstanceTypeFamilies: { supportedInstanceTypeFamily: [...new Set(types.map((t) => t.instanceTypeFamily))].sort() },
                  InstanceGenerations: { supportedInstanceGeneration: ["ecs-5", "ecs-6", "ecs-7", "ecs-8"] },
                  NetworkTypes: { supportedNetworkCategory: ["vpc"] },
                  SystemDiskCategories: { supportedSystemDiskCategory: diskCategories },
                  DataDiskCategories: { supportedDataDiskCategory: diskCategories },
                },
              ],
            },
          }
        : {}),
    };
  });
  return { Zones: { Zone: zones } };
}

export const DEFAULT_DISK_CATEGORIES: readonly string[] = ["cloud_essd", "cloud_ssd", "cloud_efficiency"];
