import { EcsCall, EcsResponseBody, pageByToken, requireRegion } from "../call";
import { ecsError } from "../errors";
import { wildcardMatch } from "../params";
import { isoMinutes } from "../../format";
import { InstanceRecord, listedAt, statusAt } from "../../state/instance";
import type { World } from "../../state/world";

/**
 * DescribeInstances: filters by ids (a JSON array string), name (`*` wildcards), tags, status, zone and more;
 * MaxResults/NextToken paging (default 10; below 10 counts as 10, above 100 as 100), or the deprecated
 * PageNumber/PageSize. Instances are listed oldest first, once the listing delay has passed. Unknown ids simply
 * match nothing.
 */
export function describeInstances(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const region = requireRegion(call);
  const ids = p.jsonStringArray("InstanceIds", 100, "InvalidInstanceIds.Malformed");
  const name = p.get("InstanceName");
  const status = p.get("Status");
  const tagFilters = p.objectList("Tag", 20).map((t) => ({ key: t.Key ?? "", value: t.Value }));
  const eq = (param: string) => p.get(param);
  const lockReason = eq("LockReason");

  const matching = [...call.world.instances.values()]
    // Eventually consistent: an instance created within the listing delay is not listed yet.
    .filter((i) => i.regionId === region.regionId && listedAt(i, call.world.timing, call.now))
    .filter(
      (i) =>
        (ids === undefined || ids.includes(i.instanceId)) &&
        (name === undefined || wildcardMatch(name, i.instanceName)) &&
        (status === undefined || statusAt(i, call.world.timing, call.now) === status) &&
        (eq("ZoneId") === undefined || i.zoneId === eq("ZoneId")) &&
        (eq("VpcId") === undefined || i.vSwitch.vpcId === eq("VpcId")) &&
        (eq("VSwitchId") === undefined || i.vSwitch.vSwitchId === eq("VSwitchId")) &&
        (eq("SecurityGroupId") === undefined || i.securityGroupIds.includes(eq("SecurityGroupId")!)) &&
        (eq("InstanceType") === undefined || i.instanceType.instanceTypeId === eq("InstanceType")) &&
        (eq("InstanceTypeFamily") === undefined || i.instanceType.instanceTypeFamily === eq("InstanceTypeFamily")) &&
        (eq("InstanceChargeType") === undefined || i.instanceChargeType === eq("InstanceChargeType")) &&
        (eq("ImageId") === undefined || i.image.imageId === eq("ImageId")) &&
        (lockReason === undefined || locksOf(i, call.now).some((l) => l.LockReason === lockReason)) &&
        tagFilters.every((f) => i.tags.some((t) => t.key === f.key && (f.value === undefined || t.value === f.value))),
    )
    .sort((a, b) => a.createdAt - b.createdAt || a.instanceId.localeCompare(b.instanceId));

  const render = (i: InstanceRecord) => instanceItem(i, call.world, call.now);
  if (p.has("PageNumber") || p.has("PageSize")) {
    const pageNumber = p.int("PageNumber", { min: 1, fallback: 1 }) ?? 1;
    const pageSize = p.int("PageSize", { min: 1, max: 100, fallback: 10 }) ?? 10;
    const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return { TotalCount: matching.length, PageNumber: pageNumber, PageSize: pageSize, NextToken: "", Instances: { Instance: page.map(render) } };
  }
  // The SDK model: "below 10 ... the default value is 10; greater than 100 ... the default value is 100".
  const { page, nextToken, maxResults } = pageByToken(matching, p, { fallback: 10, max: 100, min: 10, clampToMax: true });
  return { TotalCount: matching.length, PageNumber: 1, PageSize: maxResults, NextToken: nextToken, Instances: { Instance: page.map(render) } };
}

function locksOf(i: InstanceRecord, now: number): { LockReason: string; LockMsg: string }[] {
  return i.reclaimNoticeAt !== undefined && now >= i.reclaimNoticeAt
    ? [{ LockReason: "Recycling", LockMsg: "The spot instance is to be released because of market price or stock changes." }]
    : [];
}

/** One instance as DescribeInstances shows it (Memory in MiB, times to the minute, tags as TagKey/TagValue). */
export function instanceItem(i: InstanceRecord, world: World, now: number): Record<string, unknown> {
  const status = statusAt(i, world.timing, now);
  const started = now >= i.runningAt;
  const t = i.instanceType;
  return {
    InstanceId: i.instanceId,
    InstanceName: i.instanceName,
    Description: i.description,
    HostName: i.hostName,
    ImageId: i.image.imageId,
    OSName: i.image.osName,
    OSNameEn: i.image.osName,
    OSType: i.image.osType,
    InstanceType: t.instanceTypeId,
    InstanceTypeFamily: t.instanceTypeFamily,
    Cpu: t.cpuCoreCount,
    Memory: Math.round(t.memorySize * 1024),
    GPUAmount: 0,
    GPUSpec: "",
    CpuOptions: { CoreCount: Math.max(1, t.cpuArchitecture === "ARM" ? t.cpuCoreCount : Math.floor(t.cpuCoreCount / 2)), ThreadsPerCore: t.cpuArchitecture === "ARM" ? 1 : 2, Numa: "" },
    Status: status,
    RegionId: i.regionId,
    ZoneId: i.zoneId,
    CreationTime: isoMinutes(i.createdAt),
    StartTime: started ? isoMinutes(i.runningAt) : "",
    ExpiredTime: "2099-12-31T15:59Z",
    AutoReleaseTime: i.autoReleaseAt === undefined ? "" : isoMinutes(i.autoReleaseAt),
    InstanceChargeType: i.instanceChargeType,
    InternetChargeType: "PayByTraffic",
    InternetMaxBandwidthOut: i.internetMaxBandwidthOut,
    InternetMaxBandwidthIn: i.internetMaxBandwidthOut > 0 ? 200 : -1,
    InstanceNetworkType: "vpc",
    IoOptimized: true,
    SpotStrategy: i.spotStrategy,
    SpotPriceLimit: i.spotPriceLimit ?? 0,
    SpotDuration: i.spotDuration,
    SpotInterruptionBehavior: i.spotInterruptionBehavior,
    StoppedMode: "Not-applicable",
    DeletionProtection: false,
    Recyclable: false,
    DeviceAvailable: true,
    CreditSpecification: "",
    KeyPairName: "",
    ResourceGroupId: "",
    SerialNumber: i.serialNumber,
    VlanId: "",
    DeploymentSetId: "",
    ClusterId: "",
    HpcClusterId: "",
    LocalStorageAmount: 0,
    LocalStorageCapacity: 0,
    VpcAttributes: {
      VpcId: i.vSwitch.vpcId,
      VSwitchId: i.vSwitch.vSwitchId,
      PrivateIpAddress: { IpAddress: [i.privateIp] },
      NatIpAddress: "",
    },
    PublicIpAddress: { IpAddress: i.publicIp ? [i.publicIp] : [] },
    InnerIpAddress: { IpAddress: [] },
    RdmaIpAddress: { IpAddress: [] },
    EipAddress: { AllocationId: "", IpAddress: "", Bandwidth: 0, InternetChargeType: "", IsSupportUnassociate: false },
    SecurityGroupIds: { SecurityGroupId: [...i.securityGroupIds] },
    NetworkInterfaces: {
      NetworkInterface: [
        {
          NetworkInterfaceId: i.networkInterfaceId,
          MacAddress: i.macAddress,
          PrimaryIpAddress: i.privateIp,
          Type: "Primary",
          PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: i.privateIp, Primary: true }] },
        },
      ],
    },
    OperationLocks: { LockReason: locksOf(i, now) },
    Tags: { Tag: i.tags.map((tag) => ({ TagKey: tag.key, TagValue: tag.value })) },
    MetadataOptions: { HttpEndpoint: i.httpEndpoint, HttpTokens: i.httpTokens, HttpPutResponseHopLimit: 1, InstanceMetadataTags: "disabled" },
    HibernationOptions: { Configured: false },
    SecurityOptions: { EnableSecureBoot: false },
    ImageOptions: { LoginAsNonRoot: false, CurrentOSNVMeSupported: true },
    AdditionalInfo: { EnableHighDensityMode: false },
  };
}

/** An instance that exists now (not gone) in the region, or InvalidInstanceId.NotFound. */
export function requireInstance(world: World, instanceId: string, now: number, regionId?: string): InstanceRecord {
  const instance = world.instances.get(instanceId);
  if (!instance || (regionId !== undefined && instance.regionId !== regionId) || statusAt(instance, world.timing, now) === undefined) {
    throw ecsError("InvalidInstanceId.NotFound", `The specified InstanceId "${instanceId}" does not exist${regionId ? ` in ${regionId}` : ""}.`);
  }
  return instance;
}
