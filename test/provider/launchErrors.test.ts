import * as assert from "node:assert/strict";
import { startEmulator } from "../../emulator";
import { smallScenario } from "../../emulator/scenario/small";
import { createEcsInstanceApi } from "../../provider/aliyun/instances";
import { AliyunApiError } from "../../provider/errors";
import { FAST_RETRY, Harness, startHarness } from "./support/harness";

/**
 * RunInstances errors classified as the real API names them (RunInstances error list; see docs/emulator.md):
 * a refusal of one type or zone moves to the next candidate, an account-wide one stops, IdempotentProcessing is
 * asked again with the same ClientToken, and every try computes its own AutoReleaseTime.
 *
 * smallScenario's ARM 1:2 plan: c8y.2xlarge@j, c8y.4xlarge@b, c8y.2xlarge@b, c8y.4xlarge@j, ...
 */
type Attempt = { instanceTypeId: string; zoneId: string; outcome: string; code?: string };
const summary = (attempts: Attempt[]) => attempts.map((a) => `${a.instanceTypeId.replace("ecs.c8y.", "")}@${a.zoneId.slice(-1)} ${a.code ?? a.outcome}`);
const runInstancesCalls = (h: Harness) => h.emu.admin.calls().filter((c) => c.action === "RunInstances");

describe("SpotRunner launch: RunInstances errors as the real API names them", function () {
  let h: Harness;
  afterEach(async () => h?.close());

  const perCandidate: [code: string, status: number][] = [
    ["OperationDenied.FlavorNotSupported", 403],
    ["OperationDenied", 403],
    ["InvalidInstanceType.ValueUnauthorized", 403],
    ["CategoryNotSupported", 403],
    ["InvalidDiskCategory.NotSupported", 400],
    ["InvalidInstanceType.NotSupportDiskCategory", 400],
    ["IoOptimized.NotSupported", 400],
    ["QuotaExceed.ElasticQuota", 403],
    ["QuotaExceeded.PrivateIpAddress", 403],
    ["QuotaExceed.DiskCapacity", 403],
  ];
  for (const [code, status] of perCandidate) {
    it(`${code}: this candidate is refused, the next one launches`, async () => {
      h = await startHarness();
      h.emu.admin.addFault({ action: "RunInstances", code, status, times: 1 });
      const { outs } = await h.provider.create(h.props());
      assert.deepEqual(summary(outs.attempts).slice(0, 2), [`2xlarge@j ${code}`, "4xlarge@b launched"]);
      assert.equal(h.emu.admin.state().instances.length, 1);
    });
  }

  it("account-wide refusals stop at once with what to do, leaving nothing", async () => {
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", code: "InvalidAccountStatus.NotEnoughBalance", status: 403, times: -1 });
    await assert.rejects(h.provider.create(h.props()), (err: unknown) =>
      err instanceof AliyunApiError && err.kind === "account" && /resolve it in the Aliyun console/.test(err.message));
    assert.equal(runInstancesCalls(h).length, 1, "no other candidate is tried");
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("a zone-wide refusal skips the zone's other candidates; a type-wide one the type's", async () => {
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, match: { InstanceType: "ecs.c8y.2xlarge", ZoneId: "cn-hangzhou-j" } });
    // The vSwitch in b is out of addresses: c8y.2xlarge@b must not be tried after c8y.4xlarge@b failed.
    h.emu.admin.addFault({ action: "RunInstances", code: "QuotaExceeded.PrivateIpAddress", status: 403, match: { ZoneId: "cn-hangzhou-b" }, times: -1 });
    const { outs } = await h.provider.create(h.props());
    assert.deepEqual(summary(outs.attempts), ["2xlarge@j OperationDenied.NoStock", "4xlarge@b QuotaExceeded.PrivateIpAddress", "4xlarge@j launched"]);
    assert.ok(!runInstancesCalls(h).some((c) => c.params.ZoneId === "cn-hangzhou-b" && c.params.InstanceType === "ecs.c8y.2xlarge"));

    await h.close();
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", code: "QuotaExceed.ElasticQuota", status: 403, match: { InstanceType: "ecs.c8y.2xlarge" }, times: -1 });
    const second = await h.provider.create(h.props());
    assert.ok(!runInstancesCalls(h).slice(1).some((c) => c.params.InstanceType === "ecs.c8y.2xlarge"), "c8y.2xlarge is not tried again");
    assert.equal(second.outs.instanceType, "ecs.c8y.4xlarge");
  });

  it("FlavorNotSupported with requireSpotDuration false: the same type again without a protection period, new token", async () => {
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.FlavorNotSupported", status: 403, match: { SpotDuration: "1" }, times: -1 });
    const { outs } = await h.provider.create(h.props({ requireSpotDuration: false }));
    assert.deepEqual(summary(outs.attempts), ["2xlarge@j OperationDenied.FlavorNotSupported", "2xlarge@j launched"]);
    const [first, second] = runInstancesCalls(h);
    assert.deepEqual([first.params.SpotDuration, second.params.SpotDuration], ["1", "0"]);
    assert.notEqual(first.params.ClientToken, second.params.ClientToken);
  });

  it("FlavorNotSupported by default (requireSpotDuration): the type is skipped, never launched unprotected", async () => {
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.FlavorNotSupported", status: 403, match: { InstanceType: "ecs.c8y.2xlarge" }, times: -1 });
    const { outs } = await h.provider.create(h.props());
    assert.equal(outs.instanceType, "ecs.c8y.4xlarge");
    assert.ok(runInstancesCalls(h).every((c) => c.params.SpotDuration === "1"));
  });

  it("IdempotentProcessing: asked again with the same ClientToken, one instance", async () => {
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", code: "IdempotentProcessing", status: 403, times: 2 });
    const { outs } = await h.provider.create(h.props());
    const calls = runInstancesCalls(h);
    assert.equal(calls.length, 3);
    assert.equal(new Set(calls.map((c) => c.params.ClientToken)).size, 1);
    assert.deepEqual(summary(outs.attempts), ["2xlarge@j launched"]);
    assert.equal(h.emu.admin.state().launched, 1);
  });
});

describe("RunInstances: AutoReleaseTime is computed for each try", () => {
  it("a retried launch asks again from the time of the retry", async () => {
    const emu = await startEmulator({ scenario: smallScenario(), clock: "manual" });
    try {
      emu.admin.addFault({ action: "RunInstances", code: "InternalError", status: 500, times: 1 });
      const ecs = createEcsInstanceApi({ regionId: "cn-hangzhou", env: emu.env, retry: FAST_RETRY });
      const scenario = smallScenario();
      let tries = 0;
      const launched = await ecs.runInstance({
        zoneId: "cn-hangzhou-j", vSwitchId: scenario.vSwitches.find((v) => v.zoneId === "cn-hangzhou-j")!.vSwitchId,
        securityGroupId: scenario.securityGroups[0].securityGroupId,
        imageId: scenario.images.find((i) => i.architecture === "arm64")!.imageId,
        instanceType: "ecs.c8y.2xlarge", instanceName: "retry-test", spot: { strategy: "SpotAsPriceGo", duration: 1 },
        internetMaxBandwidthOut: 0, systemDisk: { category: "cloud_essd", sizeGiB: 40 }, userDataBase64: "",
        clientToken: "sr-retry-test", tags: { "managed-by": "spot-runner" },
        // Each try is a minute later (as if the first had hung): each must ask from its own time.
        autoReleaseTime: () => new Date(Date.UTC(2026, 0, 1, 1, ++tries)).toISOString().replace(/\.\d{3}Z$/, "Z"),
      });
      const sent = emu.admin.calls().filter((c) => c.action === "RunInstances").map((c) => c.params.AutoReleaseTime);
      assert.deepEqual(sent, ["2026-01-01T01:01:00Z", "2026-01-01T01:02:00Z"]);
      assert.equal(launched.autoReleaseTime, "2026-01-01T01:02:00Z");
    } finally {
      await emu.close();
    }
  });
});
