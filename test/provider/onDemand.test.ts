import * as assert from "node:assert/strict";
import type { Scenario } from "../../emulator/scenario/types";
import { smallScenario } from "../../emulator/scenario/small";
import { NoSpotCapacityError } from "../../provider/advisor";
import { NoInstanceLaunchedError } from "../../provider/errors";
import { TAG_KEYS } from "../../provider/tags";
import { Harness, startHarness } from "./support/harness";

/**
 * The on-demand fallback (issue: spot resilience): when no spot candidate can be launched and onDemandFallback is
 * set, the cheapest acceptable type pay-as-you-go, with the same TTL, tags and cleanup; `chargeType` says which.
 */
type Attempt = { instanceTypeId: string; zoneId: string; chargeType: string; outcome: string; code?: string };
const summary = (attempts: Attempt[]) => attempts.map((a) => `${a.instanceTypeId.replace("ecs.", "")}@${a.zoneId.slice(-1)} ${a.chargeType} ${a.code ?? a.outcome}`);

/** smallScenario with no spot stock for any ARM type anywhere (what DescribeAvailableResource says too). */
function armSoldOut(): Scenario {
  const s = smallScenario();
  return { ...s, offerings: s.offerings.map((o) => (/c8y|g8y/.test(o.instanceTypeId) ? { ...o, spotStock: 0 } : o)) };
}

describe("SpotRunner on-demand fallback", function () {
  let h: Harness;
  afterEach(async () => h?.close());

  it("launches pay-as-you-go when every spot candidate is refused, with TTL and tags, and says so in chargeType", async () => {
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, match: { SpotStrategy: "SpotWithPriceLimit" }, times: -1 });
    const { id, outs } = await h.provider.create(h.props({ onDemandFallback: true, maxLaunchAttempts: 2 }));
    assert.equal(outs.chargeType, "on-demand");
    // smallScenario pay-as-you-go per vCPU: c8y.4xlarge 2.135/16 = 0.1334 beats c8y.2xlarge 1.068/8 = 0.1335; zone b first.
    assert.deepEqual(summary(outs.attempts), [
      "c8y.2xlarge@j spot OperationDenied.NoStock", "c8y.4xlarge@b spot OperationDenied.NoStock", "c8y.4xlarge@b on-demand launched",
    ]);
    assert.equal(outs.spotPrice, 0);
    assert.equal(outs.priceLimit, undefined);
    assert.equal(outs.hourlyCost, 2.135);
    const instance = h.emu.admin.state().instances.find((i) => i.instanceId === id)!;
    assert.equal(instance.spotStrategy, "NoSpot");
    assert.ok(instance.autoReleaseTime, "a pay-as-you-go runner carries the same cloud-side TTL");
    assert.equal(instance.tags[TAG_KEYS.runnerName], outs.runnerName);
    await h.provider.delete(id, outs);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("launches pay-as-you-go when the advisor finds no spot capacity at all", async () => {
    h = await startHarness({ scenario: armSoldOut() });
    const { outs } = await h.provider.create(h.props({ onDemandFallback: true }));
    assert.equal(outs.chargeType, "on-demand");
    assert.equal(outs.instanceType, "ecs.c8y.4xlarge");
    assert.equal(outs.currency, "CNY");
    assert.ok(outs.attempts.every((a: Attempt) => a.chargeType === "on-demand"));
  });

  it("without the fallback, the same sold-out region fails before any launch, and says how to allow it", async () => {
    h = await startHarness({ scenario: armSoldOut() });
    await assert.rejects(h.provider.create(h.props()), NoSpotCapacityError);
    h.emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, times: -1 });
    await h.close();
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, times: -1 });
    await assert.rejects(h.provider.create(h.props({ maxLaunchAttempts: 2 })),
      (err: unknown) => err instanceof NoInstanceLaunchedError && /set onDemandFallback/.test(err.message));
    assert.equal(h.emu.admin.calls().filter((c) => c.action === "RunInstances" && c.params.SpotStrategy === "NoSpot").length, 0);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("never pays more than onDemandMaxHourlyPrice: no option under it, nothing launched, nothing left", async () => {
    h = await startHarness({ scenario: armSoldOut() });
    await assert.rejects(h.provider.create(h.props({ onDemandFallback: true, onDemandMaxHourlyPrice: 0.5 })),
      (err: unknown) => err instanceof NoInstanceLaunchedError && /raise onDemandMaxHourlyPrice/.test(err.message));
    assert.equal(h.emu.admin.calls().filter((c) => c.action === "RunInstances").length, 0);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("a pay-as-you-go launch whose answer is lost is recovered by its ClientToken, one instance", async () => {
    h = await startHarness({ scenario: armSoldOut() });
    h.emu.admin.addFault({ action: "RunInstances", effect: "afterCommit", match: { SpotStrategy: "NoSpot" }, times: 1 });
    const { outs } = await h.provider.create(h.props({ onDemandFallback: true }));
    assert.equal(outs.chargeType, "on-demand");
    assert.equal(h.emu.admin.state().launched, 1);
  });
});
