import type { RamRequest } from "../ram/evaluate";
import { ramResourceFor, vpcArn } from "../ram/resources";
import { isoSeconds } from "../format";
import type { EcsCall } from "./call";

/** Where a call came from, for the global condition keys. */
export interface CallOrigin {
  readonly sourceIp: string;
}

/**
 * The RAM checks one ECS call needs, built the way the ECS authorization table describes them:
 * - "All Resources" (`*`): RunInstances and the Describe calls with no resource-level data (DescribeRegions,
 *   DescribeZones, DescribeInstanceTypes, DescribeAvailableResource, DescribeSpotPriceHistory, DescribeSpotAdvice);
 * - `instance/*` of the region: DescribeInstances (tag filters become acs:RequestTag/<key>);
 * - one check per instance ARN: DeleteInstance(s), GetInstanceConsoleOutput (with the instance's acs:ResourceTag);
 * - `image/*`, `securitygroup/*` of the region: DescribeImages, DescribeSecurityGroups;
 * - DescribeVSwitches is a VPC action: vpc:DescribeVSwitches on `acs:vpc:<region>:<account>:vswitch/*`.
 * Every check carries acs:CurrentTime (emulated clock), acs:SourceIp, acs:SecureTransport and acs:AccessId.
 */
export function ramRequestsFor(call: EcsCall, origin: CallOrigin): RamRequest[] {
  const { world, params } = call;
  const account = world.scenario.accountId;
  const region = params.get("RegionId") ?? firstRegion(call);
  const base: Record<string, string | string[]> = {
    "acs:CurrentTime": isoSeconds(call.now),
    "acs:SourceIp": origin.sourceIp,
    "acs:SecureTransport": "false",
    "acs:AccessId": call.accessKey.accessKeyId,
  };
  // The resource of each check comes from the one table in ../ram/resources.ts; only the context is built here.
  // ECS 2014-05-26's DescribeVSwitches is authorized as the VPC service's action.
  const action = call.action === "DescribeVSwitches" ? "vpc:DescribeVSwitches" : `ecs:${call.action}`;
  const where = { regionId: region, accountId: account };
  switch (call.action) {
    case "RunInstances":
      return [{ action, resource: ramResourceFor(action, where), context: { ...base, ...runInstancesContext(call, account) } }];
    case "DescribeInstances":
      return [{ action, resource: ramResourceFor(action, where), context: { ...base, ...requestTags(call) } }];
    case "DeleteInstance":
    case "DeleteInstances":
    case "GetInstanceConsoleOutput": {
      const ids = call.action === "DeleteInstances" ? [...new Set(params.list("InstanceId", 100))] : [params.get("InstanceId") ?? "*"];
      return ids.map((id) => {
        const instance = world.instances.get(id);
        const resourceTags: Record<string, string> = {};
        for (const tag of instance?.tags ?? []) resourceTags[`acs:ResourceTag/${tag.key}`] = tag.value;
        const resource = ramResourceFor(action, { regionId: instance?.regionId ?? region, accountId: account, instanceId: id });
        return { action, resource, context: { ...base, ...resourceTags } };
      });
    }
    case "StopInstance": {
      const id = params.get("InstanceId") ?? "*";
      const instance = world.instances.get(id);
      const resource = ramResourceFor(action, { regionId: instance?.regionId ?? region, accountId: account, instanceId: id });
      return [{ action, resource, context: { ...base, ...resourceTags(instance?.tags) } }];
    }
    case "CreateImage": {
      // The instance it reads (with its tags) and the image it makes (with the request's tags): both must pass.
      const id = params.get("InstanceId") ?? "*";
      const instance = world.instances.get(id);
      const tags = requestTags(call);
      return [
        { action, resource: ramResourceFor(action, { ...where, instanceId: id }), context: { ...base, ...tags, ...resourceTags(instance?.tags) } },
        { action, resource: ramResourceFor(action, where), context: { ...base, ...tags } },
      ];
    }
    case "DeleteImage": {
      const id = params.get("ImageId") ?? "*";
      const image = world.customImages.get(id);
      return [{ action, resource: ramResourceFor(action, { ...where, imageId: id }), context: { ...base, ...resourceTags(image?.tags) } }];
    }
    case "DeleteSnapshot": {
      const id = params.get("SnapshotId") ?? "*";
      const snapshot = world.snapshots.get(id);
      const resource = ramResourceFor(action, { regionId: snapshot?.regionId ?? region, accountId: account, snapshotId: id });
      return [{ action, resource, context: { ...base, ...resourceTags(snapshot?.tags) } }];
    }
    default:
      return [{ action, resource: ramResourceFor(action, where), context: base }];
  }
}

/** acs:ResourceTag/<key> for the tags of the resource a call acts on. */
function resourceTags(tags: readonly { readonly key: string; readonly value: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) out[`acs:ResourceTag/${tag.key}`] = tag.value;
  return out;
}

function firstRegion(call: EcsCall): string {
  return call.world.scenario.regions[0]?.regionId ?? "*";
}

/** acs:RequestTag/<key> from Tag.N (several values for a key repeated in filters). */
function requestTags(call: EcsCall): Record<string, string | string[]> {
  const tags: Record<string, string[]> = {};
  for (const t of call.params.objectList("Tag", 20)) {
    if (!t.Key) continue;
    (tags[`acs:RequestTag/${t.Key}`] ??= []).push(t.Value ?? "");
  }
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(tags)) out[k] = v.length === 1 ? v[0] : v;
  return out;
}

function runInstancesContext(call: EcsCall, account: string): Record<string, string | string[]> {
  const p = call.params;
  const context: Record<string, string | string[]> = { ...requestTags(call) };
  const vSwitch = p.get("VSwitchId") ? call.world.vSwitches.get(p.get("VSwitchId")!) : undefined;
  if (vSwitch) context["vpc:VPC"] = vpcArn(vSwitch.regionId, account, vSwitch.vpcId);
  const typeId = p.get("InstanceType");
  if (typeId) {
    context["ecs:InstanceType"] = typeId;
    const family = call.world.instanceTypes.get(typeId)?.instanceTypeFamily ?? typeId.split(".").slice(0, 2).join(".");
    context["ecs:InstanceTypeFamily"] = family;
  }
  context["ecs:SecurityHardeningMode"] = p.get("HttpTokens") === "required" ? "true" : "false";
  context["ecs:AssociatePublicIpAddress"] = Number(p.get("InternetMaxBandwidthOut") ?? "0") > 0 ? "true" : "false";
  context["ecs:NotSpecifySecurityGroupId"] = p.has("SecurityGroupId") || p.list("SecurityGroupIds").length > 0 ? "false" : "true";
  return context;
}
