import Ecs, * as $Ecs from "@alicloud/ecs20140526";
import { createEcsClient } from "../../provider/aliyun/ecsClient";
import type { AdviceRequest } from "../../provider/advisor";

/**
 * The original Go spot-instance-advisor's call sequence (v1.2, the newest; /work/shared/reference/ecs-api-and-
 * advisor.md section 1.3), made against the same API, for the benchmark's baseline: every call serial; every page
 * of DescribeInstanceTypes at 100 a page with no filter; one DescribeAvailableResource; then one
 * DescribeSpotPriceHistory per type that passes its filters (CPU, memory, architecture, family as a substring of
 * the type id; no ratio, no stock status), over its default 7-day resolution, every page. It does not rank here:
 * the point is how long its calls take, not what it would answer.
 */
export async function goAdvisorCallSequence(request: AdviceRequest, env: NodeJS.ProcessEnv, nowMs: number): Promise<{ calls: number }> {
  const ecs: Ecs = createEcsClient({ regionId: request.regionId, env });
  let calls = 0;
  const types: $Ecs.DescribeInstanceTypesResponseBodyInstanceTypesInstanceType[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 100; page++) {
    calls += 1;
    const res = await ecs.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    types.push(...(res.body?.instanceTypes?.instanceType ?? []));
    nextToken = res.body?.nextToken || undefined;
    if (!nextToken) break;
  }
  calls += 1;
  const available = await ecs.describeAvailableResource(new $Ecs.DescribeAvailableResourceRequest({
    regionId: request.regionId, destinationResource: "InstanceType", instanceChargeType: "PostPaid", spotStrategy: "SpotWithPriceLimit",
  }));
  const offered = new Set<string>();
  for (const zone of available.body?.availableZones?.availableZone ?? []) {
    for (const s of zone.availableResources?.availableResource?.[0]?.supportedResources?.supportedResource ?? []) if (s.value) offered.add(s.value);
  }
  const arch = request.arch === "amd64" ? "X86" : "ARM";
  const families = request.families ?? [];
  const filtered = types.filter((t) => t.instanceTypeId && offered.has(t.instanceTypeId)
    && (t.cpuCoreCount ?? 0) >= request.minCpu && (t.cpuCoreCount ?? 0) <= request.maxCpu
    && (t.memorySize ?? 0) >= request.minMemGiB && (t.memorySize ?? 0) <= request.maxMemGiB
    && t.cpuArchitecture === arch
    && (families.length === 0 || families.some((f) => t.instanceTypeId!.includes(f))));
  const end = new Date(nowMs - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const start = new Date(nowMs - 60_000 - 7 * 24 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  for (const t of filtered) {
    let offset = 0;
    for (let page = 0; page < 100; page++) {
      calls += 1;
      const res = await ecs.describeSpotPriceHistory(new $Ecs.DescribeSpotPriceHistoryRequest({
        regionId: request.regionId, networkType: "vpc", instanceType: t.instanceTypeId, ioOptimized: "optimized",
        startTime: start, endTime: end, ...(offset ? { offset } : {}),
      }));
      const next = Number(res.body?.nextOffset ?? 0);
      if (!next || next <= offset || (res.body?.spotPrices?.spotPriceType ?? []).length === 0) break;
      offset = next;
    }
  }
  return { calls };
}
