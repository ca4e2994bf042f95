import { EcsCall, EcsResponseBody, requireRegion } from "../call";
import { ecsError, missingParameter } from "../errors";
import { InstanceRecord, statusAt } from "../../state/instance";
import { requireInstance } from "./describeInstances";

/** DeleteInstance: one instance, no RegionId (the region is implied by the endpoint; here, by the instance). */
export function deleteInstance(call: EcsCall): EcsResponseBody {
  const instance = requireInstance(call.world, call.params.require("InstanceId"), call.now);
  release(call, [instance], "DryRunOperation");
  return {};
}

/** DeleteInstances: InstanceId.1..100 in one region; every id is checked before any is released. */
export function deleteInstances(call: EcsCall): EcsResponseBody {
  const region = requireRegion(call);
  const ids = call.params.list("InstanceId", 100);
  if (ids.length === 0) throw missingParameter("InstanceId.1");
  const instances = [...new Set(ids)].map((id) => requireInstance(call.world, id, call.now, region.regionId));
  // The DeleteInstances page documents DRYRUN.SUCCESS for a passing dry run.
  release(call, instances, "DRYRUN.SUCCESS");
  return {};
}

/**
 * Status rules: still Pending -> IncorrectInstanceStatus.Initializing; Starting/Running without Force ->
 * IncorrectInstanceStatus; Stopping (already being released) is accepted again with Force, as a no-op.
 */
function release(call: EcsCall, instances: readonly InstanceRecord[], dryRunCode: string): void {
  const force = call.params.bool("Force");
  for (const instance of instances) {
    const status = statusAt(instance, call.world.timing, call.now);
    if (status === "Pending") {
      throw ecsError("IncorrectInstanceStatus.Initializing", `The instance ${instance.instanceId} is still being created (Pending); delete it once it is Running.`);
    }
    // A stopped instance is released without Force, as the API allows (DeleteInstance: "Stopped" needs no Force).
    if (!force && status !== "Stopped") {
      throw ecsError(
        "IncorrectInstanceStatus",
        `The current status of the resource does not support this operation: ${instance.instanceId} is ${status}; release it with Force=true or stop it first.`,
      );
    }
  }
  if (call.params.bool("DryRun")) throw ecsError(dryRunCode);
  for (const instance of instances) {
    call.world.requestRelease(instance, call.now);
  }
}
