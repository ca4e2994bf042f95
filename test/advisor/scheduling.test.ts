import * as assert from "node:assert/strict";
import { advise, AdviceRequest } from "../../provider/advisor";
import { QueryScheduler } from "../../provider/advisor/queryScheduler";
import { fakeQueries, FakeRegion, price, stocked, type } from "./support/fakeQueries";

/**
 * How the advisor schedules its queries (issue: advisor at the round-trip floor): every ratio of the preference
 * list is priced from the start, the first ratio's queries first; a fallback ratio costs no extra round trip;
 * once a ratio wins, the worse ratios' queued queries are skipped; throttling lowers the number in flight.
 */
const NOW = Date.parse("2026-01-01T12:00:30Z");
const now = () => NOW;
const AT = "2026-01-01T11:30:00Z";
const base: AdviceRequest = { regionId: "cn-test", arch: "amd64", minCpu: 1, maxCpu: 64, minMemGiB: 1, maxMemGiB: 256, ratios: [1, 2] };

/** n types at 1:1 and n at 1:2, all stocked in z-a; the 1:1 ones priced only when `priceFirstRatio`. */
function region(n: number, priceFirstRatio: boolean): FakeRegion {
  const oneToOne = Array.from({ length: n }, (_, i) => type(`ecs.u1.t${i}`, 8, 8));
  const oneToTwo = Array.from({ length: n }, (_, i) => type(`ecs.c7.t${i}`, 8, 16));
  return {
    types: [...oneToOne, ...oneToTwo],
    availability: [...oneToOne, ...oneToTwo].map((t) => stocked(t.instanceTypeId, "z-a")),
    prices: [
      ...(priceFirstRatio ? oneToOne.map((t, i) => price(t.instanceTypeId, "z-a", 0.1 + i / 100, 1, AT)) : []),
      ...oneToTwo.map((t, i) => price(t.instanceTypeId, "z-a", 0.2 + i / 100, 2, AT)),
    ],
  };
}

describe("advisor query scheduling", () => {
  it("prices a fallback ratio alongside the first: no round trip is added when the first ratio has no price", async () => {
    const queries = fakeQueries(region(5, false), { priceTicks: () => 3 });
    const advice = await advise({ ...base, zones: ["z-a"] }, { queries, now, concurrency: 40 });
    assert.equal(advice.ratioUsed, 2);
    // All ten price queries were in flight at once: the 1:2 ones did not wait for the 1:1 ones to come back empty.
    assert.equal(queries.maxInFlight(), 10);
  });

  it("queues the first ratio's queries before a fallback ratio's, and skips the fallback's once the first has won", async () => {
    const queries = fakeQueries(region(6, true));
    const advice = await advise({ ...base, zones: ["z-a"] }, { queries, now, concurrency: 2 });
    assert.equal(advice.ratioUsed, 1);
    const priced = queries.calls.filter((c) => c.action === "DescribeSpotPriceHistory").map((c) => String(c.query.instanceType));
    assert.deepEqual(priced.slice(0, 6).map((t) => t.split(".")[1]), ["u1", "u1", "u1", "u1", "u1", "u1"], priced.join(", "));
    assert.ok(priced.filter((t) => t.startsWith("ecs.c7")).length <= 2, `moot 1:2 queries were sent: ${priced.join(", ")}`);
  });

  it("gives the same advice with and without the fallback ratio in flight (speculation changes no result)", async () => {
    const withFallback = await advise({ ...base, zones: ["z-a"] }, { queries: fakeQueries(region(4, true)), now });
    const firstOnly = await advise({ ...base, ratios: [1], zones: ["z-a"] }, { queries: fakeQueries(region(4, true)), now });
    assert.deepEqual(withFallback.candidates, firstOnly.candidates);
  });
});

describe("QueryScheduler", () => {
  it("halves the queries in flight on a throttled answer, once per round, and adds one back per good answer", () => {
    const scheduler = new QueryScheduler(32);
    scheduler.onAnswer(true);
    assert.equal(scheduler.concurrency, 16);
    scheduler.onAnswer(false);
    assert.equal(scheduler.concurrency, 17);
    for (let i = 0; i < 40; i++) scheduler.onAnswer(false);
    assert.equal(scheduler.concurrency, 32, "never above the bound");
    for (let i = 0; i < 12; i++) scheduler.onAnswer(true);
    assert.ok(scheduler.concurrency >= 1 && scheduler.concurrency <= 16);
  });

  it("one burst of throttled answers to requests already in flight halves it once", async () => {
    const scheduler = new QueryScheduler(8);
    const gates: (() => void)[] = [];
    const running = Array.from({ length: 8 }, () => scheduler.run(0, () => new Promise<void>((r) => gates.push(r))));
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 8; i++) scheduler.onAnswer(true);
    assert.equal(scheduler.concurrency, 4);
    gates.forEach((open) => open());
    await Promise.all(running);
  });

  it("runs lower ranks first", async () => {
    const scheduler = new QueryScheduler(1);
    const order: string[] = [];
    let release!: () => void;
    const blocker = scheduler.run(0, () => new Promise<void>((r) => (release = r)));
    const later = [scheduler.run(2, async () => void order.push("rank 2")), scheduler.run(1, async () => void order.push("rank 1"))];
    release();
    await Promise.all([blocker, ...later]);
    assert.deepEqual(order, ["rank 1", "rank 2"]);
  });
});
