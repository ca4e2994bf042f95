/**
 * What RAM authorizes each ECS call against, for the emulator to build its RamRequest the way the real
 * service does (ECS "RAM authorization" table):
 * - RunInstances: "All Resources", i.e. "*", scoped only by conditions;
 * - DeleteInstance(s), GetInstanceConsoleOutput: the instance's ARN (one request per instance);
 * - DescribeInstances: `instance/*` of the region (or one instance's ARN when asked about it);
 * - StopInstance: the instance's ARN; DeleteImage: the image's; DeleteSnapshot: the snapshot's; CreateImage: the
 *   source instance's ARN and `image/*` of the region (assumed: the stricter reading, docs/emulator.md);
 * - DescribeImages, DescribeSecurityGroups: `image/*`, `securitygroup/*` of the region (their optional
 *   resource types); vpc:DescribeVSwitches: `vswitch/*` of the region;
 * - everything else: "*" (RunInstances is "All Resources"; the catalogue reads publish no authorization data).
 *   That includes ecs:DescribeSpotAdvice: its API page says "No authorization for this operation" (no resource
 *   type), so RAM authorizes it on "*" like DescribeSpotPriceHistory, and a policy allows it with Resource "*".
 * emulator/ecs/ramRequests.ts takes every resource from here.
 *
 * Context keys the emulator fills: acs:CurrentTime (ISO 8601 UTC), acs:SourceIp, and per call
 * acs:RequestTag/<key> (RunInstances' Tag.N), acs:ResourceTag/<key> (the target instance's tags),
 * vpc:VPC (the launch VPC's ARN, from the vSwitch).
 */

export const instanceArn = (regionId: string, accountId: string, instanceId: string): string =>
  `acs:ecs:${regionId}:${accountId}:instance/${instanceId}`;

export const vpcArn = (regionId: string, accountId: string, vpcId: string): string =>
  `acs:vpc:${regionId}:${accountId}:vpc/${vpcId}`;

export const imageArn = (regionId: string, accountId: string, imageId: string): string =>
  `acs:ecs:${regionId}:${accountId}:image/${imageId}`;

export const snapshotArn = (regionId: string, accountId: string, snapshotId: string): string =>
  `acs:ecs:${regionId}:${accountId}:snapshot/${snapshotId}`;

// StopInstance acts on one instance like DeleteInstance; CreateImage reads one (and makes an image: see below).
const INSTANCE_ACTIONS = new Set(["ecs:deleteinstance", "ecs:deleteinstances", "ecs:getinstanceconsoleoutput", "ecs:stopinstance"]);

/**
 * The resource string for one authorization check. For instance-level actions pass the instance id; a
 * DeleteInstances call with several ids is one check per instance.
 */
export function ramResourceFor(
  action: string,
  where: { readonly regionId: string; readonly accountId: string; readonly instanceId?: string; readonly imageId?: string; readonly snapshotId?: string },
): string {
  const name = action.toLowerCase();
  if (INSTANCE_ACTIONS.has(name)) {
    if (!where.instanceId) throw new Error(`${action} is authorized per instance: pass the instance id`);
    return instanceArn(where.regionId, where.accountId, where.instanceId);
  }
  if (name === "ecs:describeinstances") {
    return instanceArn(where.regionId, where.accountId, where.instanceId ?? "*");
  }
  if (name === "ecs:describeimages") return `acs:ecs:${where.regionId}:${where.accountId}:image/*`;
  // DeleteImage: the image's ARN (its API page's "*Image"); DeleteSnapshot: the snapshot's ("*Snapshot").
  if (name === "ecs:deleteimage") return imageArn(where.regionId, where.accountId, where.imageId ?? "*");
  if (name === "ecs:deletesnapshot") return snapshotArn(where.regionId, where.accountId, where.snapshotId ?? "*");
  // CreateImage is checked twice (emulator/ecs/ramRequests.ts): on the source instance's ARN and on the new image,
  // `image/*` of the region, which is what this returns without an instance id.
  if (name === "ecs:createimage") {
    return where.instanceId ? instanceArn(where.regionId, where.accountId, where.instanceId) : `acs:ecs:${where.regionId}:${where.accountId}:image/*`;
  }
  if (name === "ecs:describesecuritygroups") return `acs:ecs:${where.regionId}:${where.accountId}:securitygroup/*`;
  if (name === "vpc:describevswitches") return `acs:vpc:${where.regionId}:${where.accountId}:vswitch/*`;
  // RunInstances and the catalogue reads, DescribeSpotAdvice among them: "All Resources".
  return "*";
}
