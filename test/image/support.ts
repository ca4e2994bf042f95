import { startEmulator, RunningEmulator } from "../../emulator";
import type { Scenario } from "../../emulator/scenario/types";
import { smallScenario } from "../../emulator/scenario/small";
import { createEcsAdvisorQueries } from "../../provider/advisor";
import { readAliyunCredentials } from "../../provider/aliyun/credentials";
import { createEcsImageApi } from "../../provider/aliyun/images";
import { createEcsInstanceApi } from "../../provider/aliyun/instances";
import type { RunnerImageDeps } from "../../provider/image/context";
import { RunnerImageProvider } from "../../provider/image/runnerImageProvider";
import { FAST_RETRY, virtualClock } from "../provider/support/harness";

/** RunnerImage's provider against an emulator on its manual clock, through the real ECS SDK. */
export interface ImageHarness {
  readonly emu: RunningEmulator;
  readonly provider: RunnerImageProvider;
  readonly logs: string[];
  props(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** What the emulator still holds: instances, custom images, snapshots. */
  leftovers(): { instances: string[]; images: string[]; snapshots: string[] };
  close(): Promise<void>;
}

export async function startImageHarness(options: { scenario?: Scenario; env?: Record<string, string>; deps?: Partial<RunnerImageDeps> } = {}): Promise<ImageHarness> {
  const scenario = options.scenario ?? smallScenario();
  const emu = await startEmulator({ scenario, clock: "manual" });
  const env = { ...emu.env, ...(options.env ?? {}) };
  const logs: string[] = [];
  let suffix = 0;
  const provider = new RunnerImageProvider({
    ecs: (regionId) => createEcsInstanceApi({ regionId, env, retry: FAST_RETRY }),
    images: (regionId) => createEcsImageApi({ regionId, env, retry: FAST_RETRY }),
    advisorQueries: (regionId) => createEcsAdvisorQueries({ regionId, env, retry: FAST_RETRY }),
    clock: virtualClock(emu),
    randomSuffix: () => `b${String(++suffix).padStart(4, "0")}`,
    log: (line) => logs.push(line),
    requireCredentials: () => readAliyunCredentials(env),
    pollMs: 1_000,
    releaseTimeoutMs: 5 * 60_000,
    ...options.deps,
  });
  const vSwitchIds = Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId]));
  return {
    emu,
    provider,
    logs,
    props: (overrides = {}) => ({
      arch: "arm64",
      region: "cn-hangzhou",
      vSwitchIds,
      securityGroupId: scenario.securityGroups[0].securityGroupId,
      baseImageId: scenario.images.find((i) => i.architecture === "arm64")!.imageId,
      namePrefix: "openresty",
      __provider: "serialized-provider-text",
      ...overrides,
    }),
    leftovers: () => {
      const state = emu.admin.state();
      return {
        instances: state.instances.map((i) => `${i.instanceId}:${i.status}`),
        images: state.images.filter((i) => i.imageOwnerAlias === "self").map((i) => i.imageId),
        snapshots: state.snapshots.map((s) => s.snapshotId),
      };
    },
    close: () => emu.close(),
  };
}
