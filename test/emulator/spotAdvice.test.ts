import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { startEmulator, RunningEmulator } from "../../emulator";
import { buildCnHangzhouScenario } from "../../emulator/scenario/cnHangzhou";
import { validateScenario } from "../../emulator/scenario/validate";
import { ACCOUNT, ecsClient, rejection, ROOT_KEY, tinyScenario } from "./fixtures";

const CI_KEY = { accessKeyId: "LTAI5tTestAdvice0000001", accessKeySecret: "TestAdviceSecret00000000000001" };
const NARROW_KEY = { accessKeyId: "LTAI5tTestNarrow0000001", accessKeySecret: "TestNarrowSecret00000000000001" };
const allow = (action: string, resource: string) => ({ Version: "1", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });

type Advice = $Ecs.DescribeSpotAdviceResponseBody;
/** [zone, type, rate, band, discount] rows of an answer, in the answer's order. */
const rowsOf = (body: Advice) =>
  body.availableSpotZones!.availableSpotZone!.flatMap((z) =>
    (z.availableSpotResources?.availableSpotResource ?? []).map((r) => [z.zoneId!, r.instanceType!, r.interruptionRate!, r.interruptRateDesc!, r.averageSpotDiscount!] as const),
  );

describe("emulator: DescribeSpotAdvice", () => {
  describe("on the bundled cn-hangzhou scenario", () => {
    let emu: RunningEmulator;
    let ecs: ReturnType<typeof ecsClient>;
    const scenario = buildCnHangzhouScenario();
    before(async () => {
      emu = await startEmulator({ scenario, clock: "manual" });
      ecs = ecsClient(emu, { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret });
    });
    after(() => emu.close());

    const advice = async (request: Partial<$Ecs.DescribeSpotAdviceRequest>) =>
      (await ecs.describeSpotAdvice(new $Ecs.DescribeSpotAdviceRequest({ regionId: "cn-hangzhou", ...request }))).body!;

    it("answers the SDK's shape: per zone, each type's interruption rate, its band and its 30-day average discount", async () => {
      const body = await advice({ instanceTypes: ["ecs.c8y.2xlarge", "ecs.c7.2xlarge"] });
      assert.equal(body.regionId, "cn-hangzhou");
      assert.match(body.requestId!, /^[0-9A-F-]{36}$/);
      const rows = rowsOf(body);
      const expected = scenario.offerings
        .filter((o) => o.instanceTypeId === "ecs.c8y.2xlarge" || o.instanceTypeId === "ecs.c7.2xlarge")
        .map((o) => `${o.zoneId}/${o.instanceTypeId}/${o.interruptionRate}`)
        .sort();
      assert.deepEqual(rows.map(([z, t, rate]) => `${z}/${t}/${rate}`).sort(), expected);
      for (const [, type, rate, band, discount] of rows) {
        assert.equal(band, rate < 3 ? "0-3%" : rate < 5 ? "3-5%" : rate < 10 ? "5-10%" : "10-100%", `${type} ${rate}`);
        assert.ok(Number.isInteger(discount) && discount >= 1 && discount <= 100);
      }
      // Every zone of the region is in the answer; those selling neither type have their ZoneId alone.
      const zones = body.availableSpotZones!.availableSpotZone!;
      assert.deepEqual(zones.map((z) => z.zoneId), scenario.regions[0].zones.map((z) => z.zoneId));
      const empty = zones.find((z) => z.zoneId === "cn-hangzhou-e")!;
      assert.equal(empty.availableSpotResources, undefined);
    });

    it("gives the average discount from the offering's own 30 days of prices (c8y about 0.19 of pay-as-you-go)", async () => {
      const [row] = rowsOf(await advice({ instanceTypes: ["ecs.c8y.2xlarge"], zoneId: "cn-hangzhou-j" }));
      const offering = scenario.offerings.find((o) => o.instanceTypeId === "ecs.c8y.2xlarge" && o.zoneId === "cn-hangzhou-j")!;
      const ratio = "model" in offering.spotPrice ? offering.spotPrice.model.ratio : 0;
      assert.ok(Math.abs(row[4] - ratio * 100) <= 2, `discount ${row[4]} vs ratio ${ratio}`);
    });

    it("has bands that vary across types and across zones", async () => {
      const rows = rowsOf(await advice({ cores: 8, memory: 16 }));
      assert.deepEqual(new Set(rows.map((r) => r[3])), new Set(["0-3%", "3-5%", "5-10%", "10-100%"]));
      const bandsOf = (type: string) => new Set(rows.filter((r) => r[1] === type).map((r) => r[3]));
      assert.ok(bandsOf("ecs.c8y.2xlarge").size > 1 || bandsOf("ecs.c7.2xlarge").size > 1, "one type, different bands in different zones");
      const perZone = new Map<string, Set<string>>();
      for (const [zone, , , band] of rows) perZone.set(zone, (perZone.get(zone) ?? new Set()).add(band));
      assert.ok([...perZone.values()].some((bands) => bands.size > 1), "one zone, different bands for different types");
    });

    it("sorts each zone's resources by average discount, cheapest first", async () => {
      for (const zone of (await advice({ minCores: 4, minMemory: 8 })).availableSpotZones!.availableSpotZone!) {
        const discounts = (zone.availableSpotResources?.availableSpotResource ?? []).map((r) => r.averageSpotDiscount!);
        assert.deepEqual(discounts, [...discounts].sort((a, b) => a - b), zone.zoneId);
      }
    });

    it("filters by shape, family, level and zone", async () => {
      const shape = rowsOf(await advice({ cores: 8, memory: 16, instanceTypeFamily: "ecs.c8y" }));
      assert.deepEqual([...new Set(shape.map((r) => r[1]))], ["ecs.c8y.2xlarge"]);
      const atLeast = rowsOf(await advice({ minCores: 32, minMemory: 64, zoneId: "cn-hangzhou-k", instanceFamilyLevel: "EnterpriseLevel" }));
      const types = new Map(scenario.instanceTypes.map((t) => [t.instanceTypeId, t]));
      assert.ok(atLeast.length > 0);
      assert.ok(atLeast.every(([zone, type]) => zone === "cn-hangzhou-k" && types.get(type)!.cpuCoreCount >= 32 && types.get(type)!.memorySize >= 64));
      assert.deepEqual(rowsOf(await advice({ cores: 8, memory: 16, gpuAmount: 1 })), [], "no GPU types in the scenario");
    });

    it("is deterministic: the same scenario gives the same answer in another emulator", async () => {
      const other = await startEmulator({ clock: "manual" });
      try {
        const client = ecsClient(other, { accessKeyId: other.accessKeyId, accessKeySecret: other.accessKeySecret });
        const again = (await client.describeSpotAdvice(new $Ecs.DescribeSpotAdviceRequest({ regionId: "cn-hangzhou", cores: 16, memory: 32 }))).body!;
        assert.deepEqual(rowsOf(again), rowsOf(await advice({ cores: 16, memory: 32 })));
      } finally {
        await other.close();
      }
    });

    it("refuses what the API refuses, with its own codes", async () => {
      const eleven = Array.from({ length: 11 }, (_, i) => scenario.instanceTypes[i].instanceTypeId);
      const cases: [string, Partial<$Ecs.DescribeSpotAdviceRequest>, string, number][] = [
        ["11 instance types", { instanceTypes: eleven }, "InvalidParameter", 400],
        ["types and a shape", { instanceTypes: ["ecs.c8y.2xlarge"], cores: 8 }, "InvalidParam.TypeAndCpuMem.Conflict", 403],
        ["neither types nor a shape", { instanceTypeFamily: "ecs.c8y" }, "InvalidParam.TypeAndCpuMem.Conflict", 403],
        ["an unknown region", { regionId: "cn-atlantis", cores: 8 }, "Invalid.RegionId", 404],
        ["no region", { regionId: undefined, cores: 8 }, "MissingParameter", 400],
      ];
      for (const [what, request, code, status] of cases) {
        const err = await rejection(() => advice(request));
        assert.deepEqual([what, err.code, err.statusCode], [what, code, status]);
      }
      // Ten is the limit, not a refusal.
      assert.ok(rowsOf(await advice({ instanceTypes: eleven.slice(0, 10) })).length > 0);
    });
  });

  describe("RAM", () => {
    let emu: RunningEmulator;
    before(async () => {
      const base = tinyScenario();
      emu = await startEmulator({
        scenario: { ...base, accessKeys: [...base.accessKeys, { ...CI_KEY, policies: [allow("ecs:DescribeSpotAdvice", "*")] }, { ...NARROW_KEY, policies: [allow("ecs:DescribeSpotAdvice", `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/*`)] }] },
        clock: "manual",
      });
    });
    after(() => emu.close());
    const ask = (key: { accessKeyId: string; accessKeySecret: string }) =>
      ecsClient(emu, key).describeSpotAdvice(new $Ecs.DescribeSpotAdviceRequest({ regionId: "cn-hangzhou", instanceTypes: ["ecs.c7.large"] }));

    it("authorizes ecs:DescribeSpotAdvice on resource *, as RAM does for an operation without a resource type", async () => {
      const allowed = await ask(CI_KEY);
      assert.deepEqual(rowsOf(allowed.body!).map((r) => r[0]), ["cn-hangzhou-b", "cn-hangzhou-k"]);
      const denied = await rejection(() => ask(NARROW_KEY));
      assert.deepEqual([denied.code, denied.statusCode], ["Forbidden.RAM", 403]);
      assert.equal(denied.data.AccessDeniedDetail.AuthAction, "ecs:DescribeSpotAdvice");
      const log = emu.admin.calls().find((c) => c.code === "Forbidden.RAM")!;
      assert.deepEqual([log.denied!.action, log.denied!.resource], ["ecs:DescribeSpotAdvice", "*"]);
      await ask(ROOT_KEY);
    });
  });

  describe("scenario validation", () => {
    it("takes interruptionRate 0-100 on offerings and an integer interruptionSeed", () => {
      const ok = tinyScenario({ interruptionSeed: 42 });
      validateScenario({ ...ok, offerings: ok.offerings.map((o, i) => ({ ...o, interruptionRate: [0, 2.5, 10, 100][i] })) });
      const bad = tinyScenario({ interruptionSeed: 1.5 });
      const err = rejectionSync(() => validateScenario({ ...bad, offerings: bad.offerings.map((o, i) => (i === 1 ? { ...o, interruptionRate: 120 } : i === 2 ? { ...o, interruptionRate: -1 } : o)) }));
      assert.match(err.message, /interruptionSeed: .*whole number/);
      assert.match(err.message, /offerings\[1\]\.interruptionRate: 120 is above 100; it is a percentage/);
      assert.match(err.message, /offerings\[2\]\.interruptionRate: .*0 or more/);
    });
  });
});

function rejectionSync(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
}
