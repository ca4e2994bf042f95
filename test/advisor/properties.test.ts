import * as assert from "node:assert/strict";
import fc from "fast-check";
import { advise } from "../../provider/advisor";
import type { AdviceRequest, Arch } from "../../provider/advisor";
import { hasSpotStock } from "../../provider/advisor/stock";
import { FakeRegion, fakeQueries, price, type } from "./support/fakeQueries";

const NOW = Date.parse("2026-01-01T12:00:30Z");
const now = () => NOW;
const ZONES = ["z-a", "z-b", "z-c", "z-d"];
const FAMILIES = ["ecs.c7", "ecs.g7", "ecs.c8y", "ecs.u1"];
const RATIOS = [0.5, 1, 2, 4];

/** A random region: shapes, stock states and hourly price histories, some stale, some missing. */
const regionArb: fc.Arbitrary<FakeRegion> = fc
  .array(
    fc.record({
      family: fc.constantFrom(...FAMILIES),
      cpu: fc.constantFrom(1, 2, 4, 8, 16, 32, 64),
      ratio: fc.constantFrom(...RATIOS),
      arch: fc.constantFrom<"X86" | "ARM">("X86", "ARM"),
      perVcpuMilli: fc.integer({ min: 50, max: 400 }),
      zones: fc.array(
        fc.record({
          zoneId: fc.constantFrom(...ZONES),
          stock: fc.constantFrom(
            ["Available", "WithStock"], ["Available", "WithStock"], ["Available", "ClosedWithStock"],
            ["SoldOut", "WithoutStock"], ["SoldOut", "ClosedWithoutStock"],
          ),
          // spot as a share of pay-as-you-go, 10 %..100 %, and the age of each row in hours
          shares: fc.array(fc.integer({ min: 10, max: 100 }), { minLength: 1, maxLength: 3 }),
          ages: fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 3 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
    { minLength: 6, maxLength: 30 },
  )
  .map((specs) => {
    const types = specs.map((s, i) => type(`${s.family}.t${i}`, s.cpu, s.cpu * s.ratio, s.arch, s.family));
    const availability = specs.flatMap((s, i) =>
      s.zones.map((z) => ({ instanceTypeId: types[i].instanceTypeId, zoneId: z.zoneId, status: z.stock[0], statusCategory: z.stock[1] })),
    );
    const prices = specs.flatMap((s, i) => {
      const origin = (s.perVcpuMilli * s.cpu) / 1000;
      return s.zones.flatMap((z) =>
        z.shares.map((share, k) => {
          const spot = Math.max(0.001, Math.floor(origin * share * 10) / 1000);
          const hour = Date.parse("2026-01-01T12:00:00Z") - (z.ages[k] ?? k) * 3_600_000;
          return price(types[i].instanceTypeId, z.zoneId, Math.min(spot, origin), origin, new Date(hour).toISOString().replace(".000Z", "Z"));
        }),
      );
    });
    return { types, availability, prices };
  });

const requestArb: fc.Arbitrary<AdviceRequest> = fc
  .record({
    arch: fc.constantFrom<Arch>("amd64", "arm64"),
    cpu: fc.tuple(fc.constantFrom(1, 2, 4, 8), fc.constantFrom(8, 16, 32, 64)),
    mem: fc.tuple(fc.constantFrom(0.5, 1, 2, 4, 8), fc.constantFrom(16, 32, 64, 128, 256)),
    ratios: fc.uniqueArray(fc.constantFrom(...RATIOS), { minLength: 1, maxLength: 3 }),
    families: fc.option(fc.subarray([...FAMILIES, " ecs.c7", "", "ecs.nope"]), { nil: undefined }),
    zones: fc.option(fc.shuffledSubarray(ZONES, { minLength: 1 }), { nil: undefined }),
    limit: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
    priceWindowMinutes: fc.constantFrom(60, 180, 1440),
    priceLimitFactor: fc.constantFrom(1, 1.2, 1.5, 3),
  })
  .map((r) => ({
    regionId: "cn-test",
    arch: r.arch,
    minCpu: r.cpu[0],
    maxCpu: r.cpu[1],
    minMemGiB: r.mem[0],
    maxMemGiB: r.mem[1],
    ratios: r.ratios,
    ...(r.families !== undefined ? { families: r.families } : {}),
    ...(r.zones !== undefined ? { zones: r.zones } : {}),
    ...(r.limit !== undefined ? { limit: r.limit } : {}),
    priceWindowMinutes: r.priceWindowMinutes,
    priceLimitFactor: r.priceLimitFactor,
  }));

const RUNS = { numRuns: 150 };

describe("advise: properties over generated catalogs", () => {
  it("ranks by price per vCPU, ascending", async () => {
    await fc.assert(
      fc.asyncProperty(regionArb, requestArb, async (region, request) => {
        const advice = await advise(request, { queries: fakeQueries(region), now });
        for (let i = 1; i < advice.candidates.length; i++) {
          assert.ok(advice.candidates[i - 1].pricePerCore <= advice.candidates[i].pricePerCore);
        }
      }),
      RUNS,
    );
  });

  it("returns only candidates that satisfy every filter, have stock there and a price row", async () => {
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(regionArb, requestArb, async (region, request) => {
        const advice = await advise(request, { queries: fakeQueries(region), now });
        if (advice.candidates.length > 0) nonEmpty += 1;
        const families = (request.families ?? []).map((f) => f.trim()).filter(Boolean);
        for (const c of advice.candidates) {
          const t = region.types.find((x) => x.instanceTypeId === c.instanceTypeId)!;
          assert.equal(t.cpuArchitecture, request.arch === "amd64" ? "X86" : "ARM");
          assert.ok(c.cpuCoreCount >= request.minCpu && c.cpuCoreCount <= request.maxCpu);
          assert.ok(c.memorySize >= request.minMemGiB && c.memorySize <= request.maxMemGiB);
          assert.equal(c.memorySize / c.cpuCoreCount, advice.ratioUsed);
          if (families.length > 0) assert.ok(families.includes(c.family));
          if (request.zones) assert.ok(request.zones.includes(c.zoneId));
          assert.ok(region.availability.some((a) => a.instanceTypeId === c.instanceTypeId && a.zoneId === c.zoneId && hasSpotStock(a)));
          assert.ok(region.prices.some((p) => p.instanceTypeId === c.instanceTypeId && p.zoneId === c.zoneId && p.spotPrice === c.spotPrice && p.timestamp === c.priceTimestamp));
        }
        if (request.limit !== undefined) assert.ok(advice.candidates.length <= request.limit);
      }),
      RUNS,
    );
    // The generators are tuned so about a third of the runs have candidates; none at all means they broke.
    assert.ok(nonEmpty > 0, "no generated case produced a candidate: the property was never exercised");
  });

  it("bids at least the spot price and at most pay-as-you-go, in 3 decimals unless capped", async () => {
    await fc.assert(
      fc.asyncProperty(regionArb, requestArb, async (region, request) => {
        const advice = await advise(request, { queries: fakeQueries(region), now });
        for (const c of advice.candidates) {
          assert.ok(c.priceLimit >= c.spotPrice, `${c.priceLimit} < ${c.spotPrice}`);
          assert.ok(c.priceLimit <= c.originPrice, `${c.priceLimit} > ${c.originPrice}`);
          assert.ok(c.priceLimit === c.originPrice || Math.abs(c.priceLimit * 1000 - Math.round(c.priceLimit * 1000)) < 1e-6);
        }
      }),
      RUNS,
    );
  });

  it("uses the first ratio of the preference that has any candidate", async () => {
    await fc.assert(
      fc.asyncProperty(regionArb, requestArb, async (region, request) => {
        const advice = await advise(request, { queries: fakeQueries(region), now });
        const used = advice.ratioUsed === undefined ? request.ratios.length : request.ratios.indexOf(advice.ratioUsed);
        for (const earlier of request.ratios.slice(0, used)) {
          const alone = await advise({ ...request, ratios: [earlier] }, { queries: fakeQueries(region), now });
          assert.equal(alone.candidates.length, 0, `ratio ${earlier} had candidates but ${advice.ratioUsed} was used`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("is deterministic: same inputs, same advice, whatever the concurrency and answer order", async () => {
    await fc.assert(
      fc.asyncProperty(regionArb, requestArb, fc.integer({ min: 1, max: 12 }), async (region, request, concurrency) => {
        const a = await advise(request, { queries: fakeQueries(region), now, concurrency: 1 });
        const b = await advise(request, {
          queries: fakeQueries(region, { priceTicks: (t) => (t.length * 31 + concurrency) % 4 }),
          now,
          concurrency,
        });
        // apiCalls counts what was sent: fallback ratios are priced speculatively, and how many of those queries
        // were skipped as moot depends on timing. The advice itself must not.
        assert.deepEqual({ ...b, apiCalls: 0 }, { ...a, apiCalls: 0 });
        assert.ok(a.explanation.length > 0);
      }),
      { numRuns: 60 },
    );
  });
});
