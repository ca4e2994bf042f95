import { EcsCall, EcsResponseBody, pageByNumber, pageByToken, requireRegion } from "../call";
import { isoSeconds } from "../../format";

/** DescribeVSwitches (ECS 2014-05-26, deprecated in favour of VPC's, still served): PageNumber/PageSize, max 50. */
export function describeVSwitches(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const region = requireRegion(call);
  const vpcId = p.get("VpcId");
  const vSwitchId = p.get("VSwitchId");
  const zoneId = p.get("ZoneId");
  const isDefault = p.get("IsDefault");
  const matching = call.world.scenario.vSwitches.filter(
    (v) =>
      v.regionId === region.regionId &&
      (vpcId === undefined || v.vpcId === vpcId) &&
      (vSwitchId === undefined || v.vSwitchId === vSwitchId) &&
      (zoneId === undefined || v.zoneId === zoneId) &&
      (isDefault === undefined || isDefault === "false"),
  );
  const { page, pageNumber, pageSize } = pageByNumber(matching, p, { size: 10, max: 50 });
  const used = (id: string) => [...call.world.instances.values()].filter((i) => i.vSwitch.vSwitchId === id).length;
  return {
    TotalCount: matching.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    VSwitches: {
      VSwitch: page.map((v) => ({
        VSwitchId: v.vSwitchId,
        VSwitchName: v.vSwitchName,
        VpcId: v.vpcId,
        ZoneId: v.zoneId,
        CidrBlock: v.cidrBlock,
        Status: "Available",
        AvailableIpAddressCount: Math.max(0, 2 ** (32 - Number(v.cidrBlock.split("/")[1] ?? 24)) - 4 - used(v.vSwitchId)),
        IsDefault: false,
        Description: "",
        ResourceGroupId: "",
        CreationTime: isoSeconds(call.world.startMs),
      })),
    },
  };
}

/** DescribeSecurityGroups: by id, ids (JSON array), name, VPC; MaxResults/NextToken or PageNumber/PageSize. */
export function describeSecurityGroups(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const region = requireRegion(call);
  const ids = new Set([...(p.jsonStringArray("SecurityGroupIds", 100) ?? []), ...(p.get("SecurityGroupId") ? [p.get("SecurityGroupId")!] : [])]);
  const vpcId = p.get("VpcId");
  const name = p.get("SecurityGroupName");
  const fuzzy = p.bool("FuzzyQuery");
  const matching = call.world.scenario.securityGroups.filter(
    (g) =>
      g.regionId === region.regionId &&
      (ids.size === 0 || ids.has(g.securityGroupId)) &&
      (vpcId === undefined || g.vpcId === vpcId) &&
      (name === undefined || (fuzzy ? g.securityGroupName.includes(name) : g.securityGroupName === name)),
  );
  const ecsCount = (id: string) => [...call.world.instances.values()].filter((i) => i.securityGroupIds.includes(id)).length;
  const item = (g: (typeof matching)[number]) => ({
    SecurityGroupId: g.securityGroupId,
    SecurityGroupName: g.securityGroupName,
    SecurityGroupType: "normal",
    VpcId: g.vpcId,
    Description: "",
    ResourceGroupId: "",
    ServiceManaged: false,
    EcsCount: ecsCount(g.securityGroupId),
    AvailableInstanceAmount: 2000 - ecsCount(g.securityGroupId),
    RuleCount: 0,
    GroupToGroupRuleCount: 0,
    CreationTime: isoSeconds(call.world.startMs),
    Tags: { Tag: [] },
  });
  if (p.has("MaxResults") || p.has("NextToken")) {
    const { page, nextToken } = pageByToken(matching, p, { fallback: 10, max: 100 });
    return { RegionId: region.regionId, TotalCount: matching.length, NextToken: nextToken, SecurityGroups: { SecurityGroup: page.map(item) } };
  }
  const { page, pageNumber, pageSize } = pageByNumber(matching, p, { size: 10, max: 50 });
  return { RegionId: region.regionId, TotalCount: matching.length, PageNumber: pageNumber, PageSize: pageSize, SecurityGroups: { SecurityGroup: page.map(item) } };
}
