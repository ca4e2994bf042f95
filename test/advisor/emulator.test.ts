import * as assert from "node:assert/strict";
import { RunningEmulator, startEmulator } from "../../emulator";
import { buildCnHangzhouScenario } from "../../emulator/scenario/cnHangzhou";
import { smallScenario, withAccessKey, withOffering } from "../../emulator/scenario/small";
import type { Scenario } from "../../emulator/scenario/types";
import { Advice, AdviceRequest, advise, createEcsAdvisorQueries, defaultAdviceRequest } from "../../provider/advisor";
import { AliyunApiError } from "../../provider/errors";
import { runAdvise } from "./support/runCli";

/** Retries without real waiting worth the name: tests check that throttling is recovered, not how slowly. */
const FAST_RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 4 };
const HOUR = 3_600_000;
const B = "cn-hangzhou-b";
const J = "cn-hangzhou-j";
const K = "cn-hangzhou-k";
const STOCKED = new Set(["WithStock", "ClosedWithStock"]);

const amd64 = (patch: Partial<AdviceRequest> = {}): AdviceRequest => ({ ...defaultAdviceRequest("amd64"), ...patch });
const arm64 = (patch: Partial<AdviceRequest> = {}): AdviceRequest => ({ ...defaultAdviceRequest("arm64"), ...patch });
const pairs = (advice: Advice) => advice.candidates.map((c) => `${c.instanceTypeId}@${c.zoneId}`);
const text = (advice: Advice) => advice.explanation.join("\n");

describe("advise through the ECS SDK against the emulator", function () {
  let emulator: RunningEmulator;
  const cnHangzhou = buildCnHangzhouScenario();

  before(async () => {
    emulator = await startEmulator({ scenario: smallScenario(), clock: "manual" });
  });
  after(async () => {
    await emulator.close();
  });

  /** A scenario loaded fresh, the clock five minutes past its start (so the minute-0 price rows are history). */
  function load(scenario: Scenario): void {
    emulator.admin.replaceScenario(scenario);
    emulator.clock.advance(5 * 60_000);
  }

  function run(request: AdviceRequest, env: Record<string, string> = emulator.env): Promise<Advice> {
    return advise(request, {
      queries: createEcsAdvisorQueries({ regionId: request.regionId, env, retry: FAST_RETRY }),
      now: () => emulator.clock.now(),
    });
  }

  /**
   * The emulator's own view of what should come out: every (type, zone) pair the scenario sells with stock that
   * passes the shape filters at `ratio`, with its current spot price per vCPU.
   */
  function eligiblePairs(scenario: Scenario, request: AdviceRequest, ratio: number): Map<string, number> {
    const types = new Map(scenario.instanceTypes.map((t) => [t.instanceTypeId, t]));
    const arch = request.arch === "amd64" ? "X86" : "ARM";
    const out = new Map<string, number>();
    for (const s of emulator.admin.state().stock) {
      const t = types.get(s.instanceTypeId)!;
      const shapeOk =
        t.cpuArchitecture === arch &&
        t.cpuCoreCount >= request.minCpu && t.cpuCoreCount <= request.maxCpu &&
        t.memorySize >= request.minMemGiB && t.memorySize <= request.maxMemGiB &&
        t.memorySize === t.cpuCoreCount * ratio &&
        (!request.families || request.families.length === 0 || request.families.includes(t.instanceTypeFamily)) &&
        (!request.zones || request.zones.includes(s.zoneId));
      if (shapeOk && STOCKED.has(s.statusCategory)) out.set(`${s.instanceTypeId}@${s.zoneId}`, s.spotPrice / t.cpuCoreCount);
    }
    return out;
  }

  describe("the guide's selections", () => {
    it("amd64 in cn-hangzhou as observed: no 1:1 spot, so 1:2, with exactly the pairs the region sells with stock", async () => {
      const scenario = cnHangzhou;
      load(scenario);
      const advice = await run(amd64());
      assert.equal(advice.ratioUsed, 2);
      assert.match(text(advice), /At 1:1, \d+ amd64 types match 8-64 vCPU, 8-64 GiB; \d+ have no spot stock in any zone/);
      assert.match(advice.explanation[0], /^Chose 1:2 \(no candidate at 1:1\)/);
      const expected = eligiblePairs(scenario, amd64(), 2);
      assert.deepEqual(new Set(pairs(advice)), new Set(expected.keys()));
      assert.ok(Math.abs(advice.candidates[0].pricePerCore - Math.min(...expected.values())) < 1e-9);
      assert.equal(advice.currency, "CNY");
      for (const c of advice.candidates) assert.ok(c.priceLimit >= c.spotPrice && c.priceLimit <= c.originPrice);
    });

    it("amd64 where a region does sell 1:1 spot: 1:1 wins", async () => {
      const withOneToOne = ["cn-hangzhou-g", "cn-hangzhou-k"].reduce(
        (s, zoneId) => withOffering(s, { zoneId, instanceTypeId: "ecs.u1-c1m1.2xlarge", spotPrice: { model: { ratio: 0.2, seed: 1 } } }),
        cnHangzhou,
      );
      load(withOneToOne);
      const advice = await run(amd64());
      assert.equal(advice.ratioUsed, 1);
      assert.deepEqual(new Set(pairs(advice)), new Set(eligiblePairs(withOneToOne, amd64(), 1).keys()));
      assert.deepEqual(new Set(pairs(advice)), new Set(["ecs.u1-c1m1.2xlarge@cn-hangzhou-g", "ecs.u1-c1m1.2xlarge@cn-hangzhou-k"]));
    });

    it("arm64: Yitian c8y at 1:2, cheapest per vCPU first, and ecs.c8r named as a family that does not exist", async () => {
      load(cnHangzhou);
      const advice = await run(arm64());
      assert.equal(advice.ratioUsed, 2);
      assert.ok(advice.candidates.length > 0 && advice.candidates.every((c) => c.family === "ecs.c8y" && c.arch === "arm64"));
      assert.deepEqual(new Set(pairs(advice)), new Set(eligiblePairs(cnHangzhou, arm64(), 2).keys()));
      assert.match(text(advice), /Family ecs\.c8r has no arm64 type in cn-hangzhou/);
    });

    it("small scenario: the ranking its author wrote down (1:1 at k; ARM ties at 0.025 go to fewer vCPUs)", async () => {
      load(smallScenario());
      const amd = await run(amd64());
      assert.equal(amd.ratioUsed, 1);
      assert.deepEqual(pairs(amd), ["ecs.u1-c1m1.2xlarge@cn-hangzhou-k", "ecs.u1-c1m1.2xlarge@cn-hangzhou-j"]);
      const arm = await run(arm64());
      assert.deepEqual(pairs(arm).slice(0, 2), ["ecs.c8y.2xlarge@cn-hangzhou-j", "ecs.c8y.4xlarge@cn-hangzhou-b"]);
      assert.deepEqual(arm.availableZones["ecs.c8y.2xlarge"], [B, J, K]);
    });

    it("ranks by the latest price, not an older cheaper one (c7.2xlarge@j was cheapest three hours ago)", async () => {
      load(smallScenario());
      const advice = await run(amd64({ ratios: [2], priceWindowMinutes: 6 * 60 }));
      assert.equal(pairs(advice)[0], "ecs.c7.4xlarge@cn-hangzhou-b");
      const j = advice.candidates.find((c) => c.instanceTypeId === "ecs.c7.2xlarge" && c.zoneId === J)!;
      assert.equal(j.spotPrice, 0.344);
      assert.equal(j.priceTimestamp, "2026-01-01T00:00:00Z");
    });
  });

  describe("what the SDK sends", () => {
    it("every page of types, spot post-paid stock, and prices for vpc/optimized/linux over [now-61m, now-1m] in all zones", async () => {
      load(smallScenario());
      emulator.admin.clearCalls();
      await run(arm64({ spotDuration: 1 }));
      const calls = emulator.admin.calls();
      const types = calls.find((c) => c.action === "DescribeInstanceTypes")!;
      // The SDK model's maximum: a 1,600-type catalog in one round trip (see the fallback test below).
      assert.equal(types.params.MaxResults, "1600");
      assert.equal(types.params.CpuArchitecture, "ARM");
      const stock = calls.find((c) => c.action === "DescribeAvailableResource")!;
      assert.deepEqual(
        [stock.params.DestinationResource, stock.params.InstanceChargeType, stock.params.SpotStrategy, stock.params.SpotDuration],
        ["InstanceType", "PostPaid", "SpotWithPriceLimit", "1"],
      );
      const prices = calls.filter((c) => c.action === "DescribeSpotPriceHistory");
      assert.equal(prices.length, 2);
      for (const p of prices) {
        assert.deepEqual(
          [p.params.NetworkType, p.params.IoOptimized, p.params.OSType, p.params.StartTime, p.params.EndTime, p.params.ZoneId, p.params.SpotDuration],
          ["vpc", "optimized", "linux", "2025-12-31T23:04:00Z", "2026-01-01T00:04:00Z", undefined, "1"],
        );
        assert.equal(p.status, 200);
      }
    });

    it("asks for pages of 100 when the API refuses 1600 (its documentation has said 100 since 2023-11-15)", async () => {
      load(smallScenario());
      emulator.admin.addFault({ action: "DescribeInstanceTypes", code: "InvalidParameter", status: 400,
        message: 'The specified parameter "MaxResults" is not valid.', match: { MaxResults: "1600" }, times: -1 });
      emulator.admin.clearCalls();
      const advice = await run(arm64({}));
      assert.ok(advice.candidates.length > 0);
      const sizes = emulator.admin.calls().filter((c) => c.action === "DescribeInstanceTypes").map((c) => c.params.MaxResults);
      assert.deepEqual(sizes, ["1600", "100"]);
    });

    it("pages past 1600 types and finds a candidate on the last page", async () => {
      const base = smallScenario();
      const extra = Array.from({ length: 1700 }, (_, i) => ({
        instanceTypeId: `ecs.c8y.p${String(i).padStart(4, "0")}`,
        instanceTypeFamily: "ecs.c8y",
        cpuCoreCount: 8,
        memorySize: 16,
        cpuArchitecture: "ARM" as const,
        onDemandPrice: 1.068,
      }));
      const last = extra[extra.length - 1].instanceTypeId;
      const scenario = withOffering(
        { ...base, instanceTypes: [...base.instanceTypes, ...extra] },
        { zoneId: K, instanceTypeId: last, spotPrice: { points: [{ minutes: -60, price: 0.1 }] } },
      );
      load(scenario);
      emulator.admin.clearCalls();
      const advice = await run(arm64());
      assert.ok(emulator.admin.calls().filter((c) => c.action === "DescribeInstanceTypes").length >= 2);
      assert.equal(pairs(advice)[0], `${last}@${K}`);
      assert.equal(advice.apiCalls, emulator.admin.calls().length);
    });
  });

  describe("stock", () => {
    it("excludes a sold-out zone and keeps a low-stock (ClosedWithStock) one", async () => {
      load(
        withOffering(withOffering(smallScenario(), { zoneId: J, instanceTypeId: "ecs.c8y.2xlarge", spotStock: 0 }), {
          zoneId: K,
          instanceTypeId: "ecs.c8y.2xlarge",
          statusCategory: "ClosedWithStock",
        }),
      );
      const advice = await run(arm64());
      assert.ok(!pairs(advice).includes("ecs.c8y.2xlarge@cn-hangzhou-j"), "sold out, however cheap");
      assert.ok(pairs(advice).includes("ecs.c8y.2xlarge@cn-hangzhou-k"));
      assert.deepEqual(advice.availableZones["ecs.c8y.2xlarge"], [B, K]);
    });

    it("follows stock changes at run time", async () => {
      load(smallScenario());
      emulator.admin.setStock({ regionId: "cn-hangzhou", zoneId: K, instanceTypeId: "ecs.u1-c1m1.2xlarge", spotStock: 0 });
      const advice = await run(amd64());
      assert.deepEqual(pairs(advice), ["ecs.u1-c1m1.2xlarge@cn-hangzhou-j"]);
    });
  });

  describe("stale and sparse price history", () => {
    it("widens the window when the last hour has no row, and says so", async () => {
      load(smallScenario());
      emulator.clock.advance(3 * HOUR); // the newest rows are now 3 h 5 min old
      const advice = await run(arm64({ zones: [J] }));
      assert.equal(advice.candidates[0].priceTimestamp, "2026-01-01T00:00:00Z");
      assert.match(text(advice), /No price row in the last 1 h for .*ecs\.c8y\.2xlarge in cn-hangzhou-j.*; used the latest row of the last 6 h/);
    });

    it("reaches back a week for a sparse history, and drops a pair with nothing in the widest window", async () => {
      const scenario = withOffering(
        withOffering(smallScenario(), { zoneId: J, instanceTypeId: "ecs.c8y.2xlarge", spotPrice: { points: [{ minutes: -2 * 24 * 60, price: 0.18 }] } }),
        { zoneId: K, instanceTypeId: "ecs.c8y.2xlarge", spotPrice: { points: [{ minutes: -10 * 24 * 60, price: 0.1 }] } },
      );
      load(scenario);
      const advice = await run(arm64());
      const j = advice.candidates.find((c) => c.instanceTypeId === "ecs.c8y.2xlarge" && c.zoneId === J)!;
      assert.equal(j.spotPrice, 0.18);
      assert.match(text(advice), /used the latest row of the last 7 d/);
      assert.ok(!pairs(advice).includes("ecs.c8y.2xlarge@cn-hangzhou-k"));
      assert.match(text(advice), /No price row at all \(widest window tried\) for ecs\.c8y\.2xlarge in cn-hangzhou-k/);
    });
  });

  describe("families", () => {
    it("trims spaces and ignores empty entries (a trailing comma), matching the family exactly", async () => {
      load(smallScenario());
      const result = await runAdvise(["--arch", "arm64", "--families", " ecs.c8y , ,", "--json"], emulator.env, { now: () => emulator.clock.now() });
      assert.equal(result.code, 0);
      const rows = JSON.parse(result.stdout) as { instanceFamily: string }[];
      assert.ok(rows.length > 0 && rows.every((r) => r.instanceFamily === "ecs.c8y"));
    });

    it("does not let ecs.c8 match ecs.c8y, and says the family does not exist", async () => {
      load(smallScenario());
      const advice = await run(arm64({ families: ["ecs.c8"] }));
      assert.equal(advice.candidates.length, 0);
      assert.match(text(advice), /Family ecs\.c8 has no arm64 type in cn-hangzhou/);
    });
  });

  describe("failures", () => {
    it("recovers from throttling (two Throttling.User answers) with the same advice and two more calls", async () => {
      load(smallScenario());
      const clean = await run(arm64());
      emulator.admin.addFault({ action: "DescribeSpotPriceHistory", code: "Throttling.User", status: 400, times: 2 });
      const throttled = await run(arm64());
      assert.deepEqual(throttled.candidates, clean.candidates);
      assert.equal(throttled.apiCalls, clean.apiCalls + 2);
    });

    it("recovers from a 503 on the catalog", async () => {
      load(smallScenario());
      emulator.admin.addFault({ action: "DescribeInstanceTypes", code: "ServiceUnavailable", status: 503, times: 1 });
      const advice = await run(arm64());
      assert.ok(advice.candidates.length > 0);
    });

    it("explains an empty result: every arm64 c8y zone sold out", async () => {
      let scenario = smallScenario();
      for (const zoneId of [B, J, K]) {
        for (const id of ["ecs.c8y.2xlarge", "ecs.c8y.4xlarge"]) scenario = withOffering(scenario, { zoneId, instanceTypeId: id, spotStock: 0 });
      }
      load(scenario);
      const result = await runAdvise(["--arch", "arm64", "--json"], emulator.env, { now: () => emulator.clock.now() });
      assert.equal(result.code, 1);
      assert.equal(result.stdout.trim(), "[]");
      assert.match(result.stderr, /No spot candidate for arm64 in cn-hangzhou/);
      assert.match(result.stderr, /At 1:2, 2 arm64 types match 8-64 vCPU, 16-128 GiB; 2 have no spot stock in any zone/);
    });

    it("reports an unknown AccessKey clearly, naming the variables (CLI: one line, exit 1)", async () => {
      load(smallScenario());
      const env = { ...emulator.env, ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tNobodyHasThisKey01" };
      await assert.rejects(run(arm64(), env), (err: unknown) => err instanceof AliyunApiError && err.kind === "credentials" && err.code === "InvalidAccessKeyId.NotFound");
      const result = await runAdvise(["--arch", "arm64"], env);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.equal(result.stderr.trim().split("\n").length, 1);
      assert.match(result.stderr, /InvalidAccessKeyId\.NotFound.*ALIBABA_CLOUD_ACCESS_KEY_ID/);
    });

    it("reports a wrong secret as a credential problem", async () => {
      load(smallScenario());
      const env = { ...emulator.env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: "not-the-secret" };
      await assert.rejects(run(arm64(), env), (err: unknown) => err instanceof AliyunApiError && err.kind === "credentials");
    });

    it("names the RAM action a policy is missing (the guide's policy omits ecs:DescribeInstanceTypes)", async () => {
      const key = { accessKeyId: "LTAI5tAdvisorGuidePolicy1", accessKeySecret: "AdvisorGuidePolicySecret00001" };
      load(
        withAccessKey(smallScenario(), {
          ...key,
          policies: [{ Version: "1", Statement: [{ Effect: "Allow", Action: ["ecs:DescribeAvailableResource", "ecs:DescribeSpotPriceHistory"], Resource: "*" }] }],
        }),
      );
      const env = { ...emulator.env, ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret };
      const result = await runAdvise(["--arch", "arm64"], env);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: RAM denied ecs:DescribeInstanceTypes/);
    });
  });

  it("spot-runner advise --json against the emulator: the Go tool's fields, cheapest first", async () => {
    load(smallScenario());
    const result = await runAdvise(["--arch", "arm64", "--json", "--zones", "j,k"], emulator.env, { now: () => emulator.clock.now() });
    assert.equal(result.code, 0);
    const rows = JSON.parse(result.stdout) as { instanceTypeId: string; zoneId: string; pricePerCore: number; arch: string }[];
    assert.ok(rows.every((r) => r.arch === "arm64" && (r.zoneId === J || r.zoneId === K)));
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].pricePerCore <= rows[i].pricePerCore);
  });
});
