import * as assert from "node:assert/strict";
import fc from "fast-check";
import { advise, createEcsAdvisorQueries, defaultAdviceRequest } from "../../provider/advisor";
import { bandUpperBound, expectedBilledMinutes, expectedCostPerVcpu, interruptionChance } from "../../provider/advisor/interruptionModel";
import { startEmulator } from "../../emulator";
import { smallScenario, withOffering } from "../../emulator/scenario/small";

describe("interruption-aware ranking", () => {
  describe("the expected-cost model (docs/advisor.md)", () => {
    it("reads DescribeSpotAdvice's bands as their upper bound", () => {
      assert.deepEqual(["0-3%", "3-5%", "5-10%", "10-100%", ">20%", "12%", "", "high"].map(bandUpperBound), [0.03, 0.05, 0.1, 1, 1, 0.12, undefined, undefined]);
    });

    it("a job that ends inside the protection period cannot be interrupted: its cost is its length", () => {
      const shape = { jobMinutes: 20, protectedMinutes: 60 };
      assert.equal(interruptionChance(1, shape), 0);
      assert.equal(expectedBilledMinutes(undefined, shape), 23);
    });

    it("without protection: one attempt fails with 1-(1-r)^hours, each failure costs half its exposure", () => {
      const shape = { jobMinutes: 57, protectedMinutes: 0 }; // one exposed hour with the 3 start minutes
      assert.ok(Math.abs(interruptionChance(0.1, shape) - 0.1) < 1e-12);
      // 60 + (0.1 / 0.9) x 30
      assert.ok(Math.abs(expectedBilledMinutes(0.1, shape)! - (60 + (0.1 / 0.9) * 30)) < 1e-9);
      assert.equal(expectedBilledMinutes(undefined, shape), undefined, "exposed with no band: unknown, not zero risk");
    });

    it("costs more the likelier an interruption (property)", () => {
      fc.assert(fc.property(fc.double({ min: 0, max: 0.98, noNaN: true }), fc.double({ min: 0, max: 0.98, noNaN: true }), fc.integer({ min: 1, max: 600 }),
        (a, b, minutes) => {
          const shape = { jobMinutes: minutes, protectedMinutes: 0 };
          const [low, high] = a <= b ? [a, b] : [b, a];
          assert.ok(expectedCostPerVcpu(0.03, low, shape)! <= expectedCostPerVcpu(0.03, high, shape)! + 1e-12);
        }));
    });
  });

  describe("through the emulator: DescribeSpotAdvice, read alongside the prices", () => {
    // smallScenario's cheapest ARM 1:2 pair is c8y.2xlarge@j (0.025/vCPU), then c8y.4xlarge@b (0.025, more vCPUs).
    // Here j is reclaimed often (15% an hour: band 10-100%) and b rarely (1%: band 0-3%).
    const scenario = () => withOffering(withOffering(smallScenario(),
      { zoneId: "cn-hangzhou-j", instanceTypeId: "ecs.c8y.2xlarge", interruptionRate: 15 }),
      { zoneId: "cn-hangzhou-b", instanceTypeId: "ecs.c8y.4xlarge", interruptionRate: 1 });
    const run = async (patch: Record<string, unknown>) => {
      const emu = await startEmulator({ scenario: scenario(), clock: "manual" });
      try {
        emu.clock.advance(5 * 60_000);
        const queries = createEcsAdvisorQueries({ regionId: "cn-hangzhou", env: emu.env });
        const advice = await advise({ ...defaultAdviceRequest("arm64"), ...patch }, { queries, now: () => emu.clock.now() });
        return { advice, adviceCalls: emu.admin.calls().filter((c) => c.action === "DescribeSpotAdvice") };
      } finally {
        await emu.close();
      }
    };

    it("without protection, the default strategy prefers the rarely reclaimed pair; lowest-price the cheapest", async () => {
      const expected = await run({ spotDuration: 0 });
      assert.equal(`${expected.advice.candidates[0].instanceTypeId}@${expected.advice.candidates[0].zoneId}`, "ecs.c8y.4xlarge@cn-hangzhou-b");
      assert.equal(expected.advice.candidates[0].interruptionRate, 0.03);
      assert.ok(expected.advice.explanation.some((l) => /Ranked by expected cost per completed 20-minute job: 23 minutes/.test(l)), expected.advice.explanation.join("\n"));
      const cheapest = await run({ spotDuration: 0, strategy: "lowest-price" });
      assert.equal(`${cheapest.advice.candidates[0].instanceTypeId}@${cheapest.advice.candidates[0].zoneId}`, "ecs.c8y.2xlarge@cn-hangzhou-j");
      assert.equal(cheapest.advice.candidates[0].interruptionRate, 1, "the band is shown in both strategies");
      // Ten types a call at most, as the API allows; both c8y types in one call.
      assert.ok(expected.adviceCalls.length >= 1 && expected.adviceCalls.every((c) => Object.keys(c.params).filter((k) => k.startsWith("InstanceTypes")).length <= 10));
    });

    it("with the default hour of protection a 20-minute job cannot be interrupted: the order is the price's", async () => {
      const { advice } = await run({});
      assert.equal(`${advice.candidates[0].instanceTypeId}@${advice.candidates[0].zoneId}`, "ecs.c8y.2xlarge@cn-hangzhou-j");
      assert.ok(advice.explanation.some((l) => /ends inside the 60-minute protection period/.test(l)));
    });
  });
});
