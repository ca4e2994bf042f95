import * as assert from "node:assert/strict";
import { cnHangzhouCatalog } from "../../emulator/scenario/catalogData";
import { smallScenario, withAccessKey, withOffering, withTiming } from "../../emulator/scenario/small";
import type { Scenario } from "../../emulator/scenario/types";
import { validateScenario } from "../../emulator/scenario/validate";

/** The price at minute 0: the last point at or before it. */
function latestPrice(s: Scenario, typeId: string, zoneId: string): number {
  const offering = s.offerings.find((o) => o.instanceTypeId === typeId && o.zoneId === zoneId);
  assert.ok(offering && "points" in offering.spotPrice);
  return offering.spotPrice.points.filter((p) => p.minutes <= 0).at(-1)?.price ?? NaN;
}

/** The advisor's order: price per vCPU, then fewer vCPUs, then zone order, then type id. */
function ranked(s: Scenario, arch: "X86" | "ARM", memPerVcpu: number, at = 0): string[] {
  const types = new Map(s.instanceTypes.map((t) => [t.instanceTypeId, t]));
  return s.offerings
    .map((o) => {
      const t = types.get(o.instanceTypeId)!;
      const points = "points" in o.spotPrice ? o.spotPrice.points : [];
      const price = points.filter((p) => p.minutes <= at).at(-1)!.price;
      return { id: `${o.instanceTypeId}@${o.zoneId.slice(-1)}`, t, zone: o.zoneId, perVcpu: price / t.cpuCoreCount };
    })
    .filter((c) => c.t.cpuArchitecture === arch && c.t.memorySize === c.t.cpuCoreCount * memPerVcpu)
    .sort((a, b) => a.perVcpu - b.perVcpu || a.t.cpuCoreCount - b.t.cpuCoreCount || a.zone.localeCompare(b.zone) || a.id.localeCompare(b.id))
    .map((c) => c.id);
}

describe("the small test scenario", () => {
  const s = smallScenario();

  it("is valid, deterministic and explicit: zones b/j/k, 8 types, point histories, unlimited stock", () => {
    validateScenario(s);
    assert.deepEqual(smallScenario(), s);
    assert.equal(s.startTime, "2026-01-01T00:00:00Z");
    assert.deepEqual(s.regions[0].zones.map((z) => z.zoneId), ["cn-hangzhou-b", "cn-hangzhou-j", "cn-hangzhou-k"]);
    assert.deepEqual(s.vSwitches.map((v) => [v.zoneId, v.cidrBlock]), [
      ["cn-hangzhou-b", "172.16.1.0/24"],
      ["cn-hangzhou-j", "172.16.5.0/24"],
      ["cn-hangzhou-k", "172.16.6.0/24"],
    ]);
    assert.equal(s.instanceTypes.length, 8);
    assert.ok(s.offerings.every((o) => "points" in o.spotPrice && o.spotStock === undefined));
    assert.deepEqual(s.timing, { pendingMs: 1000, startingMs: 2000, runnerOnlineMs: 3000, releaseMs: 1000, reclaimNoticeMs: 300000, listingDelayMs: 500, bakeMs: 4000, stopMs: 1000, imageCreateMs: 3000 });
  });

  it("uses real shapes and prices from the cn-hangzhou catalog", () => {
    const catalog = new Map(cnHangzhouCatalog.instanceTypes.map((t) => [t.id, t]));
    for (const t of s.instanceTypes) {
      const real = catalog.get(t.instanceTypeId);
      assert.ok(real, `${t.instanceTypeId} is not in the catalog`);
      assert.deepEqual(
        [t.instanceTypeFamily, t.cpuCoreCount, t.memorySize, t.cpuArchitecture, t.onDemandPrice],
        [real.family, real.vcpu, real.memoryGiB, real.arch, real.onDemand],
      );
    }
    const ratios = new Set(s.instanceTypes.map((t) => t.memorySize / t.cpuCoreCount));
    assert.deepEqual([...ratios].sort(), [1, 2, 4]);
  });

  it("has hourly points over the last three hours", () => {
    for (const o of s.offerings) {
      assert.ok("points" in o.spotPrice);
      assert.deepEqual(o.spotPrice.points.map((p) => p.minutes), [-180, -120, -60, 0]);
    }
  });

  it("ranks as its header comment documents", () => {
    assert.equal(ranked(s, "X86", 1)[0], "ecs.u1-c1m1.2xlarge@k");
    assert.equal(ranked(s, "X86", 2)[0], "ecs.c7.4xlarge@b");
    assert.deepEqual(ranked(s, "ARM", 2).slice(0, 2), ["ecs.c8y.2xlarge@j", "ecs.c8y.4xlarge@b"]);
    assert.deepEqual(ranked(s, "X86", 4), ["ecs.g7.2xlarge@b", "ecs.g7.2xlarge@j", "ecs.g7.2xlarge@k"]);
    assert.equal(latestPrice(s, "ecs.c8y.2xlarge", "cn-hangzhou-j") / 8, latestPrice(s, "ecs.c8y.4xlarge", "cn-hangzhou-b") / 16);
    const eightVcpu = ranked(s, "X86", 2).filter((id) => /\.2xlarge@/.test(id));
    assert.deepEqual(eightVcpu.slice(0, 2), ["ecs.c7.2xlarge@b", "ecs.c6.2xlarge@b"]);
  });

  it("ranks differently three hours ago, so only the latest price gives the documented order", () => {
    assert.equal(ranked(s, "X86", 2, -180)[0], "ecs.c7.2xlarge@j");
    assert.equal(ranked(s, "X86", 1, -180)[0], "ecs.u1-c1m1.2xlarge@j");
  });

  describe("helpers", () => {
    it("withOffering changes one offering and leaves the input alone", () => {
      const soldOut = withOffering(s, { zoneId: "cn-hangzhou-j", instanceTypeId: "ecs.c8y.2xlarge", spotStock: 0 });
      const changed = soldOut.offerings.filter((o) => o.spotStock === 0);
      assert.deepEqual(changed.map((o) => [o.instanceTypeId, o.zoneId, o.regionId]), [["ecs.c8y.2xlarge", "cn-hangzhou-j", "cn-hangzhou"]]);
      assert.equal(soldOut.offerings.length, s.offerings.length);
      assert.deepEqual(s, smallScenario());
      validateScenario(soldOut);
    });

    it("withOffering adds an offering when the pair has none, given a price", () => {
      const added = withOffering(s, { zoneId: "cn-hangzhou-j", instanceTypeId: "ecs.c6.2xlarge", spotPrice: { model: { ratio: 0.15 } } });
      assert.equal(added.offerings.length, s.offerings.length + 1);
      validateScenario(added);
      assert.throws(
        () => withOffering(s, { zoneId: "cn-hangzhou-k", instanceTypeId: "ecs.c6.2xlarge", spotStock: 0 }),
        /no offering of ecs\.c6\.2xlarge in cn-hangzhou-k to change; give a spotPrice to add one/,
      );
    });

    it("withAccessKey adds a key or replaces the one with the same id", () => {
      const policy = { Version: "1", Statement: [{ Effect: "Allow", Action: "ecs:Describe*", Resource: "*" }] };
      const ci = withAccessKey(s, { accessKeyId: "LTAI5tEmulatorCiKey00001", accessKeySecret: "secret", policies: [policy] });
      assert.deepEqual(ci.accessKeys.map((k) => k.accessKeyId), [s.accessKeys[0].accessKeyId, "LTAI5tEmulatorCiKey00001"]);
      const disabled = withAccessKey(s, { ...s.accessKeys[0], disabled: true });
      assert.deepEqual(disabled.accessKeys, [{ ...s.accessKeys[0], disabled: true }]);
      validateScenario(ci);
      validateScenario(disabled);
    });

    it("withTiming changes only the given values", () => {
      const slow = withTiming(s, { runnerOnlineMs: 60_000 });
      assert.deepEqual(slow.timing, { ...s.timing, runnerOnlineMs: 60_000 });
      assert.equal(s.timing?.runnerOnlineMs, 3000);
    });
  });
});
