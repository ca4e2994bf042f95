import * as assert from "node:assert/strict";
import { advise, defaultAdviceRequest, NoSpotCapacityError, requireCandidates } from "../../provider/advisor";
import type { Advice, AdviceRequest } from "../../provider/advisor";
import { AliyunApiError, InvalidInputError } from "../../provider/errors";
import { FakeRegion, fakeQueries, forbidden, price, stocked, throttled, type } from "./support/fakeQueries";

const NOW = Date.parse("2026-01-01T12:00:30Z");
const now = () => NOW;
/** Hours before NOW, as the API's hourly timestamps. */
const hoursAgo = (h: number) => new Date(Date.parse("2026-01-01T12:00:00Z") - h * 3_600_000).toISOString().replace(".000Z", "Z");

const B = "cn-hangzhou-b";
const J = "cn-hangzhou-j";
const K = "cn-hangzhou-k";

/** A small cn-hangzhou: x86 types at 1:2 and 1:4 only (as in the real region), Yitian ARM at 1:2 and 1:4. */
function region(): FakeRegion {
  return {
    types: [
      type("ecs.c7.2xlarge", 8, 16),
      type("ecs.c7.4xlarge", 16, 32),
      type("ecs.g7.2xlarge", 8, 32),
      type("ecs.c8y.2xlarge", 8, 16, "ARM"),
      type("ecs.c8y.4xlarge", 16, 32, "ARM"),
      type("ecs.g8y.2xlarge", 8, 32, "ARM"),
    ],
    availability: [
      stocked("ecs.c7.2xlarge", B), stocked("ecs.c7.2xlarge", J), stocked("ecs.c7.2xlarge", K, "WithoutStock", "SoldOut"),
      stocked("ecs.c7.4xlarge", B),
      stocked("ecs.g7.2xlarge", B),
      stocked("ecs.c8y.2xlarge", J), stocked("ecs.c8y.2xlarge", K),
      stocked("ecs.c8y.4xlarge", K, "ClosedWithStock"),
      stocked("ecs.g8y.2xlarge", K),
    ],
    prices: [
      price("ecs.c7.2xlarge", B, 0.31, 1.6304, hoursAgo(1)),
      price("ecs.c7.2xlarge", J, 0.33, 1.6304, hoursAgo(1)),
      price("ecs.c7.2xlarge", K, 0.2, 1.6304, hoursAgo(1)), // cheapest, but sold out
      price("ecs.c7.4xlarge", B, 0.64, 3.2608, hoursAgo(1)),
      price("ecs.g7.2xlarge", B, 0.4, 2.0928, hoursAgo(1)),
      price("ecs.c8y.2xlarge", J, 0.22, 1.068, hoursAgo(1)),
      price("ecs.c8y.2xlarge", K, 0.2, 1.068, hoursAgo(1)),
      price("ecs.c8y.4xlarge", K, 0.4, 2.136, hoursAgo(1)),
      price("ecs.g8y.2xlarge", K, 0.3, 1.6, hoursAgo(1)),
    ],
  };
}

const amd64 = (patch: Partial<AdviceRequest> = {}): AdviceRequest => ({ ...defaultAdviceRequest("amd64"), ...patch });
const arm64 = (patch: Partial<AdviceRequest> = {}): AdviceRequest => ({ ...defaultAdviceRequest("arm64"), ...patch });
const pairs = (advice: Advice) => advice.candidates.map((c) => `${c.instanceTypeId}@${c.zoneId}`);
const text = (advice: Advice) => advice.explanation.join("\n");

describe("advise (in-memory ECS)", () => {
  it("amd64 prefers 1:1, finds none, falls back to 1:2 and says which ratio won", async () => {
    const advice = await advise(amd64(), { queries: fakeQueries(region()), now });
    assert.equal(advice.ratioUsed, 2);
    // 0.31/8 = 0.03875 < 0.64/16 = 0.04 < 0.33/8 = 0.04125; ecs.g7 is 1:4 and never considered
    assert.deepEqual(pairs(advice), ["ecs.c7.2xlarge@cn-hangzhou-b", "ecs.c7.4xlarge@cn-hangzhou-b", "ecs.c7.2xlarge@cn-hangzhou-j"]);
    assert.match(text(advice), /At 1:1, no amd64 type matches 8-64 vCPU, 8-64 GiB/);
    assert.match(advice.explanation[0], /^Chose 1:2 \(no candidate at 1:1\)/);
  });

  it("takes the first ratio with any candidate even when a later ratio is cheaper per vCPU", async () => {
    const r = region();
    const withOneToOne: FakeRegion = {
      ...r,
      types: [...r.types, type("ecs.u1-c1m1.2xlarge", 8, 8, "X86", "ecs.u1")],
      availability: [...r.availability, stocked("ecs.u1-c1m1.2xlarge", B)],
      prices: [...r.prices, price("ecs.u1-c1m1.2xlarge", B, 0.9, 1.3352, hoursAgo(1))],
    };
    const advice = await advise(amd64(), { queries: fakeQueries(withOneToOne), now });
    assert.equal(advice.ratioUsed, 1);
    assert.deepEqual(pairs(advice), ["ecs.u1-c1m1.2xlarge@cn-hangzhou-b"]);
  });

  it("skips a ratio whose types have no stock, without querying their prices", async () => {
    const r = region();
    const soldOutOneToOne: FakeRegion = {
      ...r,
      types: [...r.types, type("ecs.u1-c1m1.2xlarge", 8, 8, "X86", "ecs.u1")],
      availability: [...r.availability, stocked("ecs.u1-c1m1.2xlarge", B, "WithoutStock", "SoldOut")],
    };
    const queries = fakeQueries(soldOutOneToOne);
    const advice = await advise(amd64(), { queries, now });
    assert.equal(advice.ratioUsed, 2);
    assert.match(text(advice), /At 1:1, 1 amd64 type matches 8-64 vCPU, 8-64 GiB; 1 has no spot stock in any zone/);
    assert.ok(!queries.calls.some((c) => c.query.instanceType === "ecs.u1-c1m1.2xlarge"));
  });

  it("never recommends a sold-out zone, however cheap, and lists the stocked zones per type", async () => {
    const advice = await advise(amd64(), { queries: fakeQueries(region()), now });
    assert.ok(!pairs(advice).includes("ecs.c7.2xlarge@cn-hangzhou-k"));
    assert.deepEqual(advice.availableZones["ecs.c7.2xlarge"], [B, J]);
  });

  it("ranks arm64 c8y at 1:2 by price per vCPU with its price limit; ecs.c8r is reported as unknown", async () => {
    const advice = await advise(arm64(), { queries: fakeQueries(region()), now });
    assert.equal(advice.ratioUsed, 2);
    assert.deepEqual(pairs(advice), ["ecs.c8y.2xlarge@cn-hangzhou-k", "ecs.c8y.4xlarge@cn-hangzhou-k", "ecs.c8y.2xlarge@cn-hangzhou-j"]);
    const best = advice.candidates[0];
    assert.equal(best.pricePerCore, 0.025);
    assert.equal(best.priceLimit, 0.24);
    assert.equal(best.arch, "arm64");
    assert.equal(best.family, "ecs.c8y");
    assert.match(text(advice), /Family ecs\.c8r has no arm64 type in cn-hangzhou/);
    assert.equal(advice.currency, "CNY");
  });

  it("keeps only the requested zones, orders ties by their order, and explains stock elsewhere", async () => {
    const r = region();
    const tie: FakeRegion = { ...r, prices: r.prices.map((p) => (p.instanceTypeId === "ecs.c8y.2xlarge" ? { ...p, spotPrice: 0.2 } : p)) };
    const advice = await advise(arm64({ zones: [J, K] }), { queries: fakeQueries(tie), now });
    assert.deepEqual(pairs(advice).slice(0, 2), ["ecs.c8y.2xlarge@cn-hangzhou-j", "ecs.c8y.2xlarge@cn-hangzhou-k"]);

    const onlyB = await advise(arm64({ zones: [B] }), { queries: fakeQueries(r), now });
    assert.equal(onlyB.candidates.length, 0);
    assert.match(text(onlyB), /2 have stock only outside the allowed zones \(in cn-hangzhou-j, cn-hangzhou-k\)/);
  });

  it("widens the window for a zone with stock but no recent row, and says so", async () => {
    const r = region();
    const stale: FakeRegion = {
      ...r,
      prices: r.prices.map((p) => (p.instanceTypeId === "ecs.c8y.2xlarge" && p.zoneId === J ? { ...p, timestamp: hoursAgo(4) } : p)),
    };
    const queries = fakeQueries(stale);
    const advice = await advise(arm64(), { queries, now });
    const j = advice.candidates.find((c) => c.zoneId === J && c.instanceTypeId === "ecs.c8y.2xlarge");
    assert.equal(j?.priceTimestamp, hoursAgo(4));
    assert.match(text(advice), /No price row in the last 1 h for ecs\.c8y\.2xlarge in cn-hangzhou-j; used the latest row of the last 6 h/);
    const windows = queries.calls
      .filter((c) => c.query.instanceType === "ecs.c8y.2xlarge")
      .map((c) => (Date.parse(String(c.query.endTime)) - Date.parse(String(c.query.startTime))) / 60_000);
    assert.deepEqual(windows, [60, 360]);
  });

  it("drops a zone with no row even in the widest window, and says so", async () => {
    const r = region();
    const silent: FakeRegion = { ...r, prices: r.prices.filter((p) => !(p.instanceTypeId === "ecs.c8y.2xlarge" && p.zoneId === J)) };
    const queries = fakeQueries(silent);
    const advice = await advise(arm64(), { queries, now });
    assert.ok(!pairs(advice).includes("ecs.c8y.2xlarge@cn-hangzhou-j"));
    assert.match(text(advice), /No price row at all \(widest window tried\) for ecs\.c8y\.2xlarge in cn-hangzhou-j/);
    assert.equal(queries.calls.filter((c) => c.query.instanceType === "ecs.c8y.2xlarge").length, 4);
  });

  it("reads every page of the price history, so the latest price is the newest row and not the first page's", async () => {
    const r = region();
    const history: FakeRegion = {
      ...r,
      prices: [
        ...r.prices.filter((p) => p.instanceTypeId !== "ecs.c8y.2xlarge"),
        ...[5, 4, 3, 2, 1].map((h) => price("ecs.c8y.2xlarge", K, 0.1 * h, 1.068, hoursAgo(h))),
      ],
    };
    const queries = fakeQueries(history, { pricePageSize: 2 });
    const advice = await advise(arm64({ priceWindowMinutes: 6 * 60, zones: [K] }), { queries, now });
    const k = advice.candidates.find((c) => c.instanceTypeId === "ecs.c8y.2xlarge");
    assert.equal(k?.spotPrice, 0.1);
    assert.equal(queries.calls.filter((c) => c.query.instanceType === "ecs.c8y.2xlarge").length, 3);
  });

  it("reads every page of the catalog, and counts every request in apiCalls", async () => {
    const r = region();
    // 1:4 types inside the vCPU and memory range: the API returns them, the ratio filter drops them
    const filler = Array.from({ length: 240 }, (_, i) => type(`ecs.g6.n${String(i).padStart(3, "0")}`, 8, 32));
    const big: FakeRegion = { ...r, types: [...filler, ...r.types] };
    const queries = fakeQueries(big, { typesPageSize: 100 });
    const advice = await advise(amd64(), { queries, now });
    assert.equal(queries.calls.filter((c) => c.action === "DescribeInstanceTypes").length, 3);
    assert.ok(pairs(advice).includes("ecs.c7.2xlarge@cn-hangzhou-b"), "the types on the last page are considered");
    assert.equal(advice.apiCalls, queries.calls.length);
  });

  it("starts the first ratio's price queries while later catalog pages are still loading", async () => {
    const r = region();
    // small c8y sizes: in the family query's answer, out of the vCPU range
    const filler = Array.from({ length: 150 }, (_, i) => type(`ecs.c8y.f${String(i).padStart(3, "0")}`, 2, 4, "ARM", "ecs.c8y"));
    const queries = fakeQueries({ ...r, types: [...r.types, ...filler] }, { typesPageSize: 100 });
    const advice = await advise(arm64(), { queries, now });
    const firstPriceQuery = queries.calls.findIndex((c) => c.action === "DescribeSpotPriceHistory");
    assert.ok(firstPriceQuery >= 0 && firstPriceQuery < queries.catalogDoneAt(), "a price query was sent before the last page was answered");
    assert.equal(advice.apiCalls, queries.calls.length);
    assert.equal(queries.calls.filter((c) => c.action === "DescribeSpotPriceHistory").length, 2, "each type is priced once");
  });

  it("waits for price queries already started when the catalog fails, then throws", async () => {
    const r = region();
    const filler = Array.from({ length: 150 }, (_, i) => type(`ecs.c8y.f${String(i).padStart(3, "0")}`, 2, 4, "ARM", "ecs.c8y"));
    let inFlightAtFailure = -1;
    const queries = fakeQueries({ ...r, types: [...r.types, ...filler] }, {
      typesPageSize: 100,
      priceTicks: () => 5,
      fail: (c) => {
        if (c.action !== "DescribeInstanceTypes" || c.query.start !== 100) return undefined;
        inFlightAtFailure = queries.inFlight();
        return forbidden(c.action);
      },
    });
    await assert.rejects(advise(arm64(), { queries, now }), (err: unknown) => err instanceof AliyunApiError && err.kind === "permission");
    assert.ok(inFlightAtFailure > 0, "a price query was in flight when the catalog failed");
    assert.equal(queries.inFlight(), 0, "advise rejected only after the price queries in flight had finished");
  });

  it("lets the API filter (architecture, families or the vCPU and memory range) and filters locally anyway", async () => {
    const sent: Record<string, unknown>[] = [];
    const ignoringFilters = () => {
      const queries = fakeQueries(region());
      queries.describeInstanceTypes = async (q, onRequest) => {
        sent.push({ ...q });
        onRequest();
        return region().types; // a server that ignores every filter
      };
      return queries;
    };
    const arm = await advise(arm64(), { queries: ignoringFilters(), now });
    assert.ok(arm.candidates.length > 0 && arm.candidates.every((c) => c.arch === "arm64" && c.family === "ecs.c8y"));
    const amd = await advise(amd64({ minCpu: 16 }), { queries: ignoringFilters(), now });
    assert.ok(amd.candidates.length > 0 && amd.candidates.every((c) => c.arch === "amd64" && c.cpuCoreCount >= 16));
    // With families the API is asked for whole families (to name the ones that do not exist), else for the range.
    assert.deepEqual(sent, [
      { regionId: "cn-hangzhou", cpuArchitecture: "ARM", families: ["ecs.c8y", "ecs.c8r"] },
      { regionId: "cn-hangzhou", cpuArchitecture: "X86", minCpu: 16, maxCpu: 64, minMemGiB: 8, maxMemGiB: 64 },
    ]);
  });

  it("returns at most `limit` candidates and says how many there were", async () => {
    const advice = await advise(arm64({ limit: 1 }), { queries: fakeQueries(region()), now });
    assert.equal(advice.candidates.length, 1);
    assert.deepEqual(Object.keys(advice.availableZones), ["ecs.c8y.2xlarge"]);
    assert.match(advice.explanation[0], /3 candidates.*returning the first 1 \(limit 1\)/);
  });

  it("sends SpotDuration to both the stock and the price queries", async () => {
    const queries = fakeQueries(region());
    await advise(arm64({ spotDuration: 0 }), { queries, now });
    const sent = queries.calls.filter((c) => c.action === "DescribeAvailableResource" || c.action === "DescribeSpotPriceHistory").map((c) => c.query.spotDuration);
    assert.ok(sent.length > 1 && sent.every((d) => d === 0));
  });

  it("keeps at most `concurrency` price queries in flight", async () => {
    const many: FakeRegion = {
      types: Array.from({ length: 30 }, (_, i) => type(`ecs.c8y.n${i}`, 8, 16, "ARM")),
      availability: Array.from({ length: 30 }, (_, i) => stocked(`ecs.c8y.n${i}`, K)),
      prices: Array.from({ length: 30 }, (_, i) => price(`ecs.c8y.n${i}`, K, 0.2 + i / 1000, 1.068, hoursAgo(1))),
    };
    const queries = fakeQueries(many, { priceTicks: () => 3 });
    const advice = await advise(arm64({ families: [] }), { queries, now, concurrency: 4 });
    assert.equal(advice.candidates.length, 30);
    assert.equal(queries.maxInFlight(), 4);
  });

  it("gives the same advice whatever order the answers arrive in and whatever the concurrency", async () => {
    const serial = await advise(amd64({ ratios: [2, 4] }), { queries: fakeQueries(region()), now, concurrency: 1 });
    const shuffled = await advise(amd64({ ratios: [2, 4] }), {
      queries: fakeQueries(region(), { priceTicks: (t) => (t.length * 7) % 5 }),
      now,
      concurrency: 8,
    });
    // apiCalls counts what was sent, which speculation makes depend on timing (properties.test.ts).
    assert.deepEqual({ ...shuffled, apiCalls: 0 }, { ...serial, apiCalls: 0 });
  });

  it("skips a type whose price query stays throttled after every retry, says so, and ranks the rest", async () => {
    const queries = fakeQueries(region(), {
      fail: (c) => (c.query.instanceType === "ecs.c7.4xlarge" ? throttled("DescribeSpotPriceHistory") : undefined),
    });
    const advice = await advise(amd64(), { queries, now });
    assert.deepEqual(pairs(advice), ["ecs.c7.2xlarge@cn-hangzhou-b", "ecs.c7.2xlarge@cn-hangzhou-j"]);
    assert.equal(advice.ratioUsed, 2);
    assert.match(text(advice), /Prices for ecs\.c7\.4xlarge could not be read \(Throttling\.User after every retry\)/);
  });

  it("throws the API's error when every price query fails: an outage is not 'no capacity'", async () => {
    const queries = fakeQueries(region(), { fail: (c) => (c.action === "DescribeSpotPriceHistory" ? throttled(c.action) : undefined) });
    await assert.rejects(advise(amd64(), { queries, now }), (err: unknown) => err instanceof AliyunApiError && err.kind === "throttled");
  });

  it("stops at a permission error: queued price queries are not sent", async () => {
    const many: FakeRegion = {
      types: Array.from({ length: 20 }, (_, i) => type(`ecs.c8y.n${String(i).padStart(2, "0")}`, 8, 16, "ARM")),
      availability: Array.from({ length: 20 }, (_, i) => stocked(`ecs.c8y.n${String(i).padStart(2, "0")}`, K)),
      prices: [],
    };
    const queries = fakeQueries(many, { fail: (c) => (c.action === "DescribeSpotPriceHistory" ? forbidden(c.action) : undefined) });
    await assert.rejects(advise(arm64({ families: [] }), { queries, now, concurrency: 2 }), (err: unknown) => err instanceof AliyunApiError && err.kind === "permission");
    assert.ok(queries.calls.filter((c) => c.action === "DescribeSpotPriceHistory").length <= 2);
  });

  it("rejects a bad request before any call, naming the field", async () => {
    const queries = fakeQueries(region());
    await assert.rejects(
      advise(amd64({ minCpu: 64, maxCpu: 8 }), { queries, now }),
      (err: unknown) => err instanceof InvalidInputError && /minCpu/.test(err.message),
    );
    await assert.rejects(advise(amd64(), { queries, now, concurrency: 0 }), /concurrency/);
    assert.equal(queries.calls.length, 0);
  });

  it("explains an empty result stage by stage, and requireCandidates turns it into NoSpotCapacityError", async () => {
    const r = region();
    const soldOut: FakeRegion = { ...r, availability: r.availability.filter((a) => !a.instanceTypeId.startsWith("ecs.c8y")) };
    const advice = await advise(arm64(), { queries: fakeQueries(soldOut), now });
    assert.equal(advice.candidates.length, 0);
    assert.equal(advice.ratioUsed, undefined);
    assert.match(advice.explanation[0], /^No spot candidate for arm64 in cn-hangzhou at 1:2/);
    assert.match(text(advice), /cn-hangzhou lists 2 arm64 types in families ecs\.c8y, ecs\.c8r; 2 with 8-64 vCPU; 2 of those with 16-128 GiB/);
    assert.match(text(advice), /At 1:2, 2 arm64 types match 8-64 vCPU, 16-128 GiB; 2 have no spot stock in any zone; 0 \(type, zone\) candidates/);
    assert.throws(
      () => requireCandidates(advice),
      (err: unknown) => err instanceof NoSpotCapacityError && err.advice === advice && err.message.includes("2 have no spot stock"),
    );
  });
});
