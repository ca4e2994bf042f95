import type { ScenarioInstanceType } from "../../scenario/types";
import { EcsCall, EcsResponseBody, pageByToken } from "../call";

const MAX_PAGE = 1600;
const DEFAULT_PAGE = 100;

/**
 * DescribeInstanceTypes: the catalogue, filtered, paged with MaxResults/NextToken. MaxResults may be up to 1600 (the
 * SDK model); when it is omitted a page holds 100, as the API documents since 2023-11-15 ("without NextToken only
 * the first page of at most 100"), which is the worse of the two published defaults for a client that does not
 * page. No RegionId parameter in SDK 7.x; one sent anyway is ignored.
 */
export function describeInstanceTypes(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const ids = new Set(p.list("InstanceTypes", 10));
  const families = new Set([...p.list("InstanceTypeFamilies", 10), ...(p.get("InstanceTypeFamily") ? [p.get("InstanceTypeFamily")!] : [])]);
  const archs = new Set([...p.list("CpuArchitectures", 10), ...(p.get("CpuArchitecture") ? [p.get("CpuArchitecture")!] : [])]);
  const models = new Set([...p.list("PhysicalProcessorModels", 10), ...(p.get("PhysicalProcessorModel") ? [p.get("PhysicalProcessorModel")!] : [])]);
  const level = p.get("InstanceFamilyLevel");
  const minCpu = p.int("MinimumCpuCoreCount");
  const maxCpu = p.int("MaximumCpuCoreCount");
  const minMem = p.number("MinimumMemorySize");
  const maxMem = p.number("MaximumMemorySize");

  const matching = call.world.scenario.instanceTypes.filter(
    (t) =>
      (ids.size === 0 || ids.has(t.instanceTypeId)) &&
      (families.size === 0 || families.has(t.instanceTypeFamily)) &&
      (archs.size === 0 || archs.has(t.cpuArchitecture)) &&
      (models.size === 0 || (t.physicalProcessorModel !== undefined && models.has(t.physicalProcessorModel))) &&
      (level === undefined || (t.instanceFamilyLevel ?? "EnterpriseLevel") === level) &&
      (minCpu === undefined || t.cpuCoreCount >= minCpu) &&
      (maxCpu === undefined || t.cpuCoreCount <= maxCpu) &&
      (minMem === undefined || t.memorySize >= minMem) &&
      (maxMem === undefined || t.memorySize <= maxMem),
  );
  const { page, nextToken } = pageByToken(matching, p, { fallback: DEFAULT_PAGE, max: MAX_PAGE });
  return { NextToken: nextToken, InstanceTypes: { InstanceType: page.map(instanceTypeItem) } };
}

function instanceTypeItem(t: ScenarioInstanceType): Record<string, unknown> {
  const arm = t.cpuArchitecture === "ARM";
  const threadsPerCore = arm || t.cpuCoreCount < 2 ? 1 : 2;
  return {
    InstanceTypeId: t.instanceTypeId,
    InstanceTypeFamily: t.instanceTypeFamily,
    CpuCoreCount: t.cpuCoreCount,
    MemorySize: t.memorySize,
    CpuArchitecture: t.cpuArchitecture,
    InstanceFamilyLevel: t.instanceFamilyLevel ?? "EnterpriseLevel",
    InstanceCategory: "General-purpose",
    PhysicalProcessorModel: t.physicalProcessorModel ?? "",
    CpuOptions: {
      Core: Math.max(1, Math.floor(t.cpuCoreCount / threadsPerCore)),
      ThreadsPerCore: threadsPerCore,
      HyperThreadingAdjustable: !arm,
      SupportedTopologyTypes: { SupportedTopologyType: ["ContinuousCoreToHTMapping"] },
    },
    GPUAmount: 0,
    GPUSpec: "",
    GPUMemorySize: 0,
    LocalStorageCategory: "",
    LocalStorageAmount: 0,
    EniQuantity: Math.min(8, Math.max(2, Math.ceil(t.cpuCoreCount / 2))),
    EniPrivateIpAddressQuantity: 6,
    EniIpv6AddressQuantity: 1,
    EniTrunkSupported: true,
    EniTotalQuantity: 16,
    InstanceBandwidthRx: 1_024_000 * Math.max(1, t.cpuCoreCount / 2),
    InstanceBandwidthTx: 1_024_000 * Math.max(1, t.cpuCoreCount / 2),
    InstancePpsRx: 300_000 * Math.max(1, t.cpuCoreCount / 2),
    InstancePpsTx: 300_000 * Math.max(1, t.cpuCoreCount / 2),
    NvmeSupport: "required",
    SupportedBootModes: { SupportedBootMode: arm ? ["UEFI"] : ["BIOS", "UEFI"] },
  };
}
