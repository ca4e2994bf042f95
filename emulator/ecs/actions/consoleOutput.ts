import { EcsCall, EcsResponseBody, requireRegion } from "../call";
import { isoSeconds } from "../../format";
import { bootLog } from "../../state/bootLog";
import { requireInstance } from "./describeInstances";

/** GetInstanceConsoleOutput: the serial console so far, Base64, with the time of its last line. */
export function getInstanceConsoleOutput(call: EcsCall): EcsResponseBody {
  const region = requireRegion(call);
  const instance = requireInstance(call.world, call.params.require("InstanceId"), call.now, region.regionId);
  const log = bootLog(instance, call.world.timing, call.now);
  return {
    InstanceId: instance.instanceId,
    ConsoleOutput: Buffer.from(log.text).toString("base64"),
    LastUpdateTime: isoSeconds(log.lastUpdate),
  };
}
