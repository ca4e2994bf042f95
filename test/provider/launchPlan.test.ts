import * as assert from "node:assert/strict";
import type { Advice, SpotCandidate } from "../../provider/advisor";
import { planLaunches } from "../../provider/launchPlan";

function candidate(type: string, zone: string, spotPrice: number, priceLimit = Math.ceil(spotPrice * 1200) / 1000): SpotCandidate {
  return {
    instanceTypeId: type, zoneId: zone, family: type.split(".").slice(0, 2).join("."), arch: "arm64", cpuCoreCount: 8,
    memorySize: 16, ratio: 2, spotPrice, originPrice: 1.068, pricePerCore: spotPrice / 8, discount: 10 * spotPrice / 1.068,
    possibility: 0, priceLimit, priceTimestamp: "2026-01-01T00:00:00Z",
  };
}

function adviceOf(candidates: SpotCandidate[], availableZones: Record<string, string[]>): Advice {
  return {
    request: { regionId: "cn-hangzhou", arch: "arm64", minCpu: 8, maxCpu: 64, minMemGiB: 16, maxMemGiB: 128, ratios: [2] },
    ratioUsed: 2, candidates, availableZones, explanation: [], currency: "CNY", apiCalls: 3,
  };
}

const vSwitchIds = { "cn-hangzhou-b": "vsw-b", "cn-hangzhou-j": "vsw-j", "cn-hangzhou-k": "vsw-k" };

describe("planLaunches", () => {
  it("tries ranked candidates first, then other zones with stock, then the preset zones", () => {
    const advice = adviceOf(
      [candidate("ecs.c8y.2xlarge", "cn-hangzhou-k", 0.2), candidate("ecs.c8y.2xlarge", "cn-hangzhou-b", 0.21), candidate("ecs.c8y.4xlarge", "cn-hangzhou-k", 0.44)],
      { "ecs.c8y.2xlarge": ["cn-hangzhou-b", "cn-hangzhou-j", "cn-hangzhou-k"], "ecs.c8y.4xlarge": ["cn-hangzhou-k"] },
    );
    const plan = planLaunches(advice, { vSwitchIds, fallbackZones: ["cn-hangzhou-b", "cn-hangzhou-j", "cn-hangzhou-k"], maxAttempts: 10 });
    assert.deepEqual(plan.map((c) => [c.instanceTypeId, c.zoneId, c.source]), [
      ["ecs.c8y.2xlarge", "cn-hangzhou-k", "ranked"],
      ["ecs.c8y.2xlarge", "cn-hangzhou-b", "ranked"],
      ["ecs.c8y.4xlarge", "cn-hangzhou-k", "ranked"],
      ["ecs.c8y.2xlarge", "cn-hangzhou-j", "available"],
    ]);
    // A zone without a price row is bid at the type's highest known limit.
    assert.equal(plan[3].priceLimit, Math.max(plan[0].priceLimit, plan[1].priceLimit));
    assert.equal(plan[3].spotPrice, undefined);
  });

  it("skips zones without a vSwitch and stops at maxAttempts", () => {
    const advice = adviceOf(
      [candidate("ecs.c8y.2xlarge", "cn-hangzhou-h", 0.1), candidate("ecs.c8y.2xlarge", "cn-hangzhou-k", 0.2), candidate("ecs.c8y.4xlarge", "cn-hangzhou-k", 0.44)],
      {},
    );
    const plan = planLaunches(advice, { vSwitchIds, fallbackZones: ["cn-hangzhou-j"], maxAttempts: 2 });
    assert.deepEqual(plan.map((c) => `${c.instanceTypeId}@${c.zoneId}`), ["ecs.c8y.2xlarge@cn-hangzhou-k", "ecs.c8y.4xlarge@cn-hangzhou-k"]);
  });

  it("adds the preset zones for the cheapest type when nothing else lists them", () => {
    const advice = adviceOf([candidate("ecs.c8y.2xlarge", "cn-hangzhou-k", 0.2)], { "ecs.c8y.2xlarge": ["cn-hangzhou-k"] });
    const plan = planLaunches(advice, { vSwitchIds, fallbackZones: ["cn-hangzhou-b", "cn-hangzhou-k"], maxAttempts: 8 });
    assert.deepEqual(plan.map((c) => [c.zoneId, c.source, c.vSwitchId]), [
      ["cn-hangzhou-k", "ranked", "vsw-k"],
      ["cn-hangzhou-b", "preset", "vsw-b"],
    ]);
  });
});
