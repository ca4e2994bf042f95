import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { Octokit } from "@octokit/rest";
import { startEmulator } from "../../emulator";
import { EMULATOR_GITHUB_ORG, EMULATOR_GITHUB_REPO, GUIDE_SECURITY_GROUP_ID, guideVSwitchId, UBUNTU_2204_ARM64 } from "../../emulator/scenario/common";
import { smallScenario } from "../../emulator/scenario/small";
import { ecsClient } from "./fixtures";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("emulator: the bundled scenarios end to end", () => {
  it("small: advise, launch the cheapest ARM64 pair with a JIT runner, see it online, release it", async () => {
    const emu = await startEmulator({ scenario: smallScenario(), clock: "manual" });
    try {
      const ecs = ecsClient(emu, { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret });
      const gh = new Octokit({ auth: emu.githubToken, baseUrl: emu.githubApiUrl, log: quiet });
      const types = (await ecs.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({ cpuArchitecture: "ARM", minimumCpuCoreCount: 8, maximumCpuCoreCount: 8 }))).body!;
      const oneToTwo = types.instanceTypes!.instanceType!.filter((t) => t.memorySize === 2 * t.cpuCoreCount!).map((t) => t.instanceTypeId!);
      assert.deepEqual(oneToTwo, ["ecs.c8y.2xlarge"]);
      const history = (
        await ecs.describeSpotPriceHistory(new $Ecs.DescribeSpotPriceHistoryRequest({ regionId: "cn-hangzhou", networkType: "vpc", instanceType: oneToTwo[0], startTime: "2025-12-31T23:00:00Z" }))
      ).body!.spotPrices!.spotPriceType!;
      const latest = new Map<string, number>();
      for (const row of history) latest.set(row.zoneId!, row.spotPrice!);
      const [zone, price] = [...latest].sort((a, b) => a[1] - b[1])[0];
      assert.deepEqual([zone, price], ["cn-hangzhou-j", 0.2]);

      const { data } = await gh.actions.generateRunnerJitconfigForRepo({
        owner: EMULATOR_GITHUB_REPO.split("/")[0], repo: EMULATOR_GITHUB_REPO.split("/")[1], name: "openresty-arm64-1", runner_group_id: 1, labels: ["openresty-arm64-1"],
      });
      const run = await ecs.runInstances(
        new $Ecs.RunInstancesRequest({
          regionId: "cn-hangzhou", zoneId: zone, vSwitchId: guideVSwitchId(zone.slice(-1)), securityGroupId: GUIDE_SECURITY_GROUP_ID, imageId: UBUNTU_2204_ARM64,
          instanceType: oneToTwo[0], spotStrategy: "SpotWithPriceLimit", spotPriceLimit: Math.ceil(price * 1.2 * 1000) / 1000, spotDuration: 0, clientToken: "gha-1-1-arm64-a",
          autoReleaseTime: "2026-01-01T03:00:00Z", httpTokens: "required", userData: Buffer.from(`#!/bin/bash\n./run.sh --jitconfig ${data.encoded_jit_config}\n`).toString("base64"),
          tag: [new $Ecs.RunInstancesRequestTag({ key: "spot-runner-prefix", value: "openresty" })],
        }),
      );
      const instanceId = run.body!.instanceIdSets!.instanceIdSet![0];
      emu.clock.advance(6_000);
      assert.equal((await gh.actions.getSelfHostedRunnerForRepo({ owner: "dianplus", repo: "openresty", runner_id: data.runner.id })).data.status, "online");
      await ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: "cn-hangzhou", instanceId: [instanceId], force: true }));
      emu.clock.advance(1_000);
      assert.equal((await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou" }))).body!.totalCount, 0);
      assert.equal((await gh.actions.getSelfHostedRunnerForRepo({ owner: "dianplus", repo: "openresty", runner_id: data.runner.id })).data.status, "offline");
      assert.equal((await gh.actions.listSelfHostedRunnersForOrg({ org: EMULATOR_GITHUB_ORG })).status, 200);
    } finally {
      await emu.close();
    }
  });

  it("cn-hangzhou (default): ARM64 sells only in zones b, j and k, and a launch there works with the bundled network", async () => {
    const emu = await startEmulator({ clock: "manual" });
    try {
      const ecs = ecsClient(emu, { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret });
      const available = (
        await ecs.describeAvailableResource(
          new $Ecs.DescribeAvailableResourceRequest({ regionId: "cn-hangzhou", destinationResource: "Zone", instanceType: "ecs.c8y.2xlarge", instanceChargeType: "PostPaid", spotStrategy: "SpotAsPriceGo" }),
        )
      ).body!;
      const zones = available.availableZones!.availableZone!.map((z) => z.zoneId!);
      assert.ok(zones.length > 0 && zones.every((z) => ["cn-hangzhou-b", "cn-hangzhou-j", "cn-hangzhou-k"].includes(z)), zones.join(","));
      const zone = zones[0];
      const run = await ecs.runInstances(
        new $Ecs.RunInstancesRequest({
          regionId: "cn-hangzhou", zoneId: zone, vSwitchId: guideVSwitchId(zone.slice(-1)), securityGroupId: GUIDE_SECURITY_GROUP_ID, imageId: UBUNTU_2204_ARM64,
          instanceType: "ecs.c8y.2xlarge", spotStrategy: "SpotAsPriceGo",
        }),
      );
      assert.equal(run.body!.instanceIdSets!.instanceIdSet!.length, 1);
    } finally {
      await emu.close();
    }
  });
});
