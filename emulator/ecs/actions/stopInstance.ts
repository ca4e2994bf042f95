import { EcsCall, EcsResponseBody } from "../call";
import { ecsError } from "../errors";
import { statusAt } from "../../state/instance";
import { requireInstance } from "./describeInstances";

/**
 * StopInstance (no RegionId in SDK 7.x): only a Running instance can be stopped; it is Stopping for timing.stopMs,
 * then Stopped until it is released. Any other status, an instance already stopping or stopped included, is 403
 * IncorrectInstanceStatus: a client retrying a stop whose answer was lost must read the status, not count on a
 * second success.
 */
export function stopInstance(call: EcsCall): EcsResponseBody {
  const world = call.world;
  const instance = requireInstance(world, call.params.require("InstanceId"), call.now);
  const status = statusAt(instance, world.timing, call.now);
  if (status !== "Running") {
    throw ecsError("IncorrectInstanceStatus", `The current status of the resource does not support this operation: ${instance.instanceId} is ${status}; only a Running instance can be stopped.`);
  }
  if (call.params.bool("DryRun")) throw ecsError("DryRunOperation");
  instance.stopRequestedAt = call.now;
  return {};
}
