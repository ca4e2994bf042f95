import * as assert from "node:assert/strict";
import { cnHangzhouCatalog } from "../../emulator/scenario/catalogData";
import { buildCnHangzhouScenario } from "../../emulator/scenario/cnHangzhou";
import type { Scenario, ScenarioInstanceType } from "../../emulator/scenario/types";
import { validateScenario } from "../../emulator/scenario/validate";

const zones = (...letters: string[]): string[] => letters.map((l) => `cn-hangzhou-${l}`);
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

describe("the cn-hangzhou scenario and its catalog", () => {
  const scenario: Scenario = buildCnHangzhouScenario();
  const typeById = new Map(scenario.instanceTypes.map((t) => [t.instanceTypeId, t]));
  const zonesOf = (typeId: string): string[] =>
    scenario.offerings.filter((o) => o.instanceTypeId === typeId).map((o) => o.zoneId).sort();
  const ratioOf = (typeId: string, zoneId: string): number => {
    const offering = scenario.offerings.find((o) => o.instanceTypeId === typeId && o.zoneId === zoneId);
    assert.ok(offering && "model" in offering.spotPrice, `no model offering for ${typeId} in ${zoneId}`);
    return offering.spotPrice.model.ratio;
  };

  it("is valid", () => {
    validateScenario(scenario);
  });

  it("is deterministic: two builds are deep-equal and share no arrays", () => {
    const again = buildCnHangzhouScenario();
    assert.deepEqual(again, scenario);
    assert.notEqual(again.offerings, scenario.offerings);
    assert.notEqual(again.instanceTypes, scenario.instanceTypes);
  });

  describe("instance types", () => {
    it("holds the 209 real types in 22 families, 173 X86 and 36 ARM, with unique ids", () => {
      assert.equal(scenario.instanceTypes.length, 209);
      assert.equal(typeById.size, 209);
      assert.equal(new Set(scenario.instanceTypes.map((t) => t.instanceTypeFamily)).size, 22);
      assert.equal(scenario.instanceTypes.filter((t) => t.cpuArchitecture === "X86").length, 173);
      assert.equal(scenario.instanceTypes.filter((t) => t.cpuArchitecture === "ARM").length, 36);
    });

    it("keeps the shapes the data README insists on", () => {
      const shape = (id: string): [number, number, string] => {
        const t = typeById.get(id) as ScenarioInstanceType;
        return [t.cpuCoreCount, t.memorySize, t.cpuArchitecture];
      };
      assert.deepEqual(shape("ecs.c6.2xlarge"), [8, 16, "X86"]); // c6 is 1:2, not "8c8g"
      assert.deepEqual(shape("ecs.u1-c1m1.2xlarge"), [8, 8, "X86"]);
      assert.deepEqual(shape("ecs.ic5.16xlarge"), [64, 64, "X86"]);
      assert.deepEqual(shape("ecs.c8y.2xlarge"), [8, 16, "ARM"]);
      assert.deepEqual(shape("ecs.c8i.48xlarge"), [192, 512, "X86"]);
      assert.equal(typeById.has("ecs.c6.16xlarge"), false);
      assert.equal([...typeById.keys()].some((id) => /^ecs\.[cgr]8r\./.test(id)), false, "no c8r/g8r/r8r type exists");
    });

    it("names each type's family as DescribeInstanceTypes does", () => {
      assert.equal(typeById.get("ecs.u1-c1m4.xlarge")?.instanceTypeFamily, "ecs.u1");
      assert.equal(typeById.get("ecs.e-c1m1.large")?.instanceTypeFamily, "ecs.e");
      assert.equal(typeById.get("ecs.e-c1m1.large")?.instanceFamilyLevel, "EntryLevel");
      assert.equal(typeById.get("ecs.g7.xlarge")?.instanceFamilyLevel, "EnterpriseLevel");
    });

    it("prices every type above 0 with at most 3 decimals; 172 observed, 37 estimated", () => {
      for (const t of scenario.instanceTypes) {
        assert.ok(t.onDemandPrice > 0, t.instanceTypeId);
        assert.equal(round3(t.onDemandPrice), t.onDemandPrice, t.instanceTypeId);
      }
      const basis = cnHangzhouCatalog.instanceTypes.map((t) => t.onDemandBasis);
      assert.equal(basis.filter((b) => b === "observed").length, 172);
      assert.equal(basis.filter((b) => b === "estimated").length, 37);
    });

    it("uses the public list prices where they exist (price per vCPU linear within a family)", () => {
      assert.equal(typeById.get("ecs.c7.2xlarge")?.onDemandPrice, 1.631);
      assert.equal(typeById.get("ecs.c8y.2xlarge")?.onDemandPrice, 1.068);
      assert.equal(typeById.get("ecs.g6.4xlarge")?.onDemandPrice, 4);
      // Estimates follow the data README: c9i at the c8i rate, Yitian 32xlarge at its family's rate.
      assert.equal(typeById.get("ecs.c9i.2xlarge")?.onDemandPrice, typeById.get("ecs.c8i.2xlarge")?.onDemandPrice);
      assert.equal(typeById.get("ecs.g8y.32xlarge")?.onDemandPrice, 25.6);
    });
  });

  describe("offerings", () => {
    it("offers ARM types only in b, j and k", () => {
      for (const t of scenario.instanceTypes.filter((x) => x.cpuArchitecture === "ARM")) {
        for (const z of zonesOf(t.instanceTypeId)) assert.ok(zones("b", "j", "k").includes(z), `${t.instanceTypeId} in ${z}`);
      }
    });

    it("offers the 8th-generation families only in b, j and k, as observed", () => {
      const gen8 = scenario.instanceTypes.filter((t) => /^ecs\.[a-z]+8[a-z]*$/.test(t.instanceTypeFamily));
      assert.equal(new Set(gen8.map((t) => t.instanceTypeFamily)).size, 7);
      for (const t of gen8) {
        for (const z of zonesOf(t.instanceTypeId)) assert.ok(zones("b", "j", "k").includes(z), `${t.instanceTypeId} in ${z}`);
      }
      assert.deepEqual(zonesOf("ecs.c8y.2xlarge"), zones("b", "j", "k"));
      assert.deepEqual(zonesOf("ecs.g8a.4xlarge"), zones("b", "j", "k"));
    });

    it("offers c7, g7 and r7 in b, i, j and k, as observed", () => {
      for (const id of ["ecs.c7.2xlarge", "ecs.g7.8xlarge", "ecs.r7.large"]) assert.deepEqual(zonesOf(id), zones("b", "i", "j", "k"));
    });

    it("does not sell what the data says is not sold: ic5 and the ticket-only Yitian 32xlarge", () => {
      for (const id of ["ecs.ic5.2xlarge", "ecs.c8y.32xlarge", "ecs.g8y.32xlarge", "ecs.r8y.32xlarge"]) {
        assert.deepEqual(zonesOf(id), [], id);
      }
    });

    it("has one offering per (zone, type), in zones of the region only", () => {
      const regionZones = new Set(scenario.regions[0].zones.map((z) => z.zoneId));
      assert.deepEqual([...regionZones].sort(), zones("b", "e", "f", "g", "h", "i", "j", "k"));
      const pairs = scenario.offerings.map((o) => `${o.instanceTypeId}@${o.zoneId}`);
      assert.equal(new Set(pairs).size, pairs.length);
      for (const o of scenario.offerings) assert.ok(regionZones.has(o.zoneId), o.zoneId);
    });

    it("prices spot by a model ratio in (0, 1] for every offering", () => {
      for (const o of scenario.offerings) {
        assert.ok("model" in o.spotPrice, `${o.instanceTypeId}@${o.zoneId}`);
        const { ratio } = o.spotPrice.model;
        assert.ok(ratio > 0 && ratio <= 1, `${o.instanceTypeId}@${o.zoneId}: ${ratio}`);
      }
    });

    it("reproduces the observed spot prices to 3 decimals (2024-10-09 snapshot)", () => {
      const observed: [string, string, number][] = [
        ["ecs.c7.2xlarge", "cn-hangzhou-b", 0.31],
        ["ecs.c8y.2xlarge", "cn-hangzhou-b", 0.203],
        ["ecs.c8y.2xlarge", "cn-hangzhou-j", 0.235],
        ["ecs.r7.32xlarge", "cn-hangzhou-k", 9.803],
        ["ecs.g8i.12xlarge", "cn-hangzhou-b", 12.558], // a scarce pair, at the pay-as-you-go price
      ];
      for (const [id, zone, price] of observed) {
        assert.equal(round3(ratioOf(id, zone) * (typeById.get(id)?.onDemandPrice ?? NaN)), price, `${id}@${zone}`);
      }
    });

    it("looks like the observed market: median ratio about 0.19-0.21, about 95% at or below 0.30", () => {
      const ratios = scenario.offerings.map((o) => ("model" in o.spotPrice ? o.spotPrice.model.ratio : NaN)).sort((a, b) => a - b);
      const median = ratios[Math.floor(ratios.length / 2)];
      assert.ok(median >= 0.185 && median <= 0.21, `median ${median}`);
      const cheapShare = ratios.filter((r) => r <= 0.3).length / ratios.length;
      assert.ok(cheapShare >= 0.92 && cheapShare <= 0.99, `share at or below 0.30: ${cheapShare}`);
    });

    it("sells out a few pairs, and only a few", () => {
      const soldOut = scenario.offerings.filter((o) => o.spotStock === 0);
      assert.ok(soldOut.length >= 5 && soldOut.length <= scenario.offerings.length * 0.05, `${soldOut.length} sold out`);
      assert.ok(scenario.offerings.every((o) => o.spotStock === undefined || o.spotStock === 0));
    });
  });

  describe("the rest of the account", () => {
    it("has the guide's VPC and its six vSwitches with their CIDRs", () => {
      assert.deepEqual(
        scenario.vpcs.map((v) => [v.vpcName, v.cidrBlock, v.regionId]),
        [["openresty-ci-runners", "172.16.0.0/16", "cn-hangzhou"]],
      );
      assert.deepEqual(
        scenario.vSwitches.map((v) => [v.vSwitchName, v.zoneId, v.cidrBlock, v.vpcId]),
        ["b", "g", "h", "i", "j", "k"].map((letter, i) => [
          `openresty-ci-switch-${letter}`,
          `cn-hangzhou-${letter}`,
          `172.16.${i + 1}.0/24`,
          scenario.vpcs[0].vpcId,
        ]),
      );
      for (const v of scenario.vSwitches) assert.match(v.vSwitchId, /^vsw-emu[a-z0-9]+$/);
      assert.deepEqual(scenario.securityGroups.map((g) => [g.securityGroupName, g.vpcId]), [["openresty-ci-sg", scenario.vpcs[0].vpcId]]);
    });

    it("has Alibaba Cloud Linux 3 and Ubuntu 22.04 for both architectures", () => {
      const images = scenario.images.map((i) => [i.imageId, i.architecture]);
      assert.deepEqual(images.slice(0, 2), [
        ["aliyun_3_x64_20G_alibase_20241216.vhd", "x86_64"],
        ["aliyun_3_arm64_20G_alibase_20241216.vhd", "arm64"],
      ]);
      assert.deepEqual(scenario.images.filter((i) => /^Ubuntu 22\.04/.test(i.osName)).map((i) => i.architecture), ["x86_64", "arm64"]);
    });

    it("has the account's own key (no policies) and the dianplus/openresty GitHub side", () => {
      assert.equal(scenario.accountId, "1234567890123456");
      assert.deepEqual(scenario.accessKeys.map((k) => [k.accessKeyId, k.policies]), [["LTAI5tEmulatorRootKey0001", undefined]]);
      assert.ok(scenario.accessKeys[0].accessKeySecret.length > 0);
      assert.deepEqual(scenario.github.tokens.map((t) => t.token), ["ghp_emulator0000000000000000000000000000"]);
      assert.deepEqual(scenario.github.repos, ["dianplus/openresty"]);
      assert.deepEqual(scenario.github.orgs, ["dianplus"]);
      assert.equal(scenario.timing, undefined, "timing is left to the emulator's defaults");
    });
  });

  describe("the committed catalog file", () => {
    it("says where its data came from", () => {
      assert.ok(cnHangzhouCatalog.provenance.length > 0);
      assert.match(cnHangzhouCatalog.provenance.join(" "), /estimated/);
    });

    it("keeps observed ratios only for zones the type is offered in", () => {
      for (const t of cnHangzhouCatalog.instanceTypes) {
        for (const z of Object.keys(t.spotRatioByZone ?? {})) assert.ok(t.zones.includes(z), `${t.id}: ${z}`);
        assert.equal(t.zonesBasis === "not-offered", t.zones.length === 0, t.id);
        assert.equal(t.zonesBasis === "observed", t.spotRatioByZone !== undefined, t.id);
      }
    });

    it("is frozen, so one build cannot change the next", () => {
      assert.ok(Object.isFrozen(cnHangzhouCatalog.instanceTypes[0]));
      assert.ok(Object.isFrozen(cnHangzhouCatalog.instanceTypes[0].zones));
    });
  });
});
