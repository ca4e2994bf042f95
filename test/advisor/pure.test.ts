import * as assert from "node:assert/strict";
import { defaultAdviceRequest, formatRatio, hasRatio, normalizeArch, priceLimitFor, rankCandidates, validateAdviceRequest } from "../../provider/advisor";
import type { AdviceRequest, SpotCandidate } from "../../provider/advisor";
import { filterCatalog } from "../../provider/advisor/catalog";
import { ceil3 } from "../../provider/advisor/priceLimit";
import { formatApiTime, priceQueryTimes, priceWindowEnd, priceWindows } from "../../provider/advisor/priceWindow";
import { latestPriceByZone, possibilityOf } from "../../provider/advisor/prices";
import { pricePerCoreOf } from "../../provider/advisor/rank";
import { hasSpotStock, indexStock } from "../../provider/advisor/stock";
import { InvalidInputError } from "../../provider/errors";
import { price, stocked, type } from "./support/fakeQueries";

describe("advisor: pure parts", () => {
  describe("normalizeArch", () => {
    for (const [alias, arch] of [
      ["amd64", "amd64"], ["x86_64", "amd64"], ["X64", "amd64"], ["x86", "amd64"],
      ["arm64", "arm64"], ["aarch64", "arm64"], [" ARM ", "arm64"],
    ] as const) {
      it(`${JSON.stringify(alias)} -> ${arch}`, () => assert.equal(normalizeArch(alias), arch));
    }
    it("rejects anything else, naming the value and the accepted spellings", () => {
      assert.throws(() => normalizeArch("riscv64"), /"riscv64".*amd64.*arm64/);
    });
  });

  describe("validateAdviceRequest", () => {
    const base = defaultAdviceRequest("amd64");
    const rejects = (patch: Partial<Record<keyof AdviceRequest, unknown>>, field: string) =>
      assert.throws(
        () => validateAdviceRequest({ ...base, ...patch } as AdviceRequest),
        (err: unknown) => err instanceof InvalidInputError && err.failures.some((f) => f.property === field),
      );

    it("names the field for each kind of bad input", () => {
      rejects({ regionId: " " }, "regionId");
      rejects({ arch: "sparc" }, "arch");
      rejects({ minCpu: 0 }, "minCpu");
      rejects({ maxCpu: 2.5 }, "maxCpu");
      rejects({ minCpu: 16, maxCpu: 8 }, "minCpu");
      rejects({ minMemGiB: -1 }, "minMemGiB");
      rejects({ minMemGiB: 64, maxMemGiB: 8 }, "minMemGiB");
      rejects({ ratios: [] }, "ratios");
      rejects({ ratios: [1, 0] }, "ratios");
      rejects({ zones: [" ", ""] }, "zones");
      rejects({ priceWindowMinutes: 0 }, "priceWindowMinutes");
      rejects({ priceWindowMinutes: 30 * 24 * 60 + 1 }, "priceWindowMinutes");
      rejects({ spotDuration: 2 }, "spotDuration");
      rejects({ limit: 0 }, "limit");
      rejects({ priceLimitFactor: 0.9 }, "priceLimitFactor");
    });

    it("reports every problem at once", () => {
      assert.throws(
        () => validateAdviceRequest({ ...base, minCpu: 0, ratios: [] }),
        (err: unknown) => err instanceof InvalidInputError && err.failures.length === 2,
      );
    });

    it("trims families, drops empty entries (a trailing comma is not 'any family') and fills defaults", () => {
      const applied = validateAdviceRequest({ ...base, arch: "aarch64" as never, families: [" ecs.c8y", "ecs.c8r ", "", "  "] });
      assert.deepEqual(applied.families, ["ecs.c8y", "ecs.c8r"]);
      assert.equal(applied.arch, "arm64");
      assert.equal(applied.priceWindowMinutes, 60);
      assert.equal(applied.priceLimitFactor, 1.2);
    });

    it("treats a family list of only empty entries as no family filter", () => {
      assert.equal(validateAdviceRequest({ ...base, families: ["", " "] }).families, undefined);
    });
  });

  describe("defaultAdviceRequest", () => {
    it("follows the guide: amd64 1:1 then 1:2 over 8c8g-64c64g; arm64 1:2 over 8c16g-64c128g in c8y/c8r", () => {
      const amd = defaultAdviceRequest("amd64");
      assert.deepEqual([amd.minCpu, amd.maxCpu, amd.minMemGiB, amd.maxMemGiB, amd.ratios, amd.families], [8, 64, 8, 64, [1, 2], undefined]);
      const arm = defaultAdviceRequest("arm64", "cn-shanghai");
      assert.deepEqual([arm.regionId, arm.minMemGiB, arm.maxMemGiB, arm.ratios, arm.families], ["cn-shanghai", 16, 128, [2], ["ecs.c8y", "ecs.c8r"]]);
      assert.doesNotThrow(() => validateAdviceRequest(amd));
      assert.doesNotThrow(() => validateAdviceRequest(arm));
    });
  });

  describe("filterCatalog", () => {
    const catalog = [
      type("ecs.c8y.2xlarge", 8, 16, "ARM"),
      type("ecs.c8y.large", 2, 4, "ARM"),
      type("ecs.c8i.2xlarge", 8, 16, "X86"),
      type("ecs.c8.2xlarge", 8, 16, "ARM", "ecs.c8"),
      type("ecs.g8y.2xlarge", 8, 32, "ARM"),
    ];
    const request = validateAdviceRequest({ ...defaultAdviceRequest("arm64"), families: ["ecs.c8", "ecs.c8r"] });

    it("matches families exactly: ecs.c8 does not pick up ecs.c8y (the Go tool's substring match does)", () => {
      const funnel = filterCatalog(catalog, request);
      assert.deepEqual(funnel.inShape.map((t) => t.instanceTypeId), ["ecs.c8.2xlarge"]);
    });

    it("reports requested families with no type of the architecture", () => {
      assert.deepEqual(filterCatalog(catalog, request).unknownFamilies, ["ecs.c8r"]);
    });

    it("keeps the steps of the funnel: architecture, families, vCPUs, memory", () => {
      const funnel = filterCatalog(catalog, validateAdviceRequest({ ...defaultAdviceRequest("arm64"), families: ["ecs.c8y"], minMemGiB: 32 }));
      assert.deepEqual(
        [funnel.inArch.length, funnel.inFamilies.length, funnel.inCpuRange.length, funnel.inShape.length],
        [4, 2, 1, 0],
      );
    });
  });

  describe("ratios", () => {
    it("compute GiB per vCPU from the shape", () => {
      assert.ok(hasRatio({ cpuCoreCount: 8, memorySize: 16 }, 2));
      assert.ok(!hasRatio({ cpuCoreCount: 8, memorySize: 16 }, 1));
      assert.ok(hasRatio({ cpuCoreCount: 3, memorySize: 1.5 }, 0.5));
      assert.equal(formatRatio(2), "1:2");
    });
  });

  describe("stock", () => {
    it("keeps Available entries WithStock or ClosedWithStock only, in zones that are themselves available", () => {
      assert.ok(hasSpotStock(stocked("t", "z")));
      assert.ok(hasSpotStock(stocked("t", "z", "ClosedWithStock")));
      assert.ok(!hasSpotStock(stocked("t", "z", "WithoutStock", "SoldOut")));
      assert.ok(!hasSpotStock(stocked("t", "z", "ClosedWithoutStock", "SoldOut")));
      assert.ok(!hasSpotStock(stocked("t", "z", "WithoutStock")));
      assert.ok(!hasSpotStock({ ...stocked("t", "z"), zoneStatus: "SoldOut" }));
    });

    it("splits stocked zones into allowed (in preference order) and outside", () => {
      const index = indexStock(
        [stocked("t", "cn-hangzhou-b"), stocked("t", "cn-hangzhou-k"), stocked("t", "cn-hangzhou-g"), stocked("t", "cn-hangzhou-j", "WithoutStock")],
        ["cn-hangzhou-k", "cn-hangzhou-j", "cn-hangzhou-b"],
      );
      assert.deepEqual(index.stockedZones("t"), ["cn-hangzhou-k", "cn-hangzhou-b"]);
      assert.deepEqual(index.zonesOutsideRequest("t"), ["cn-hangzhou-g"]);
    });
  });

  describe("price window", () => {
    const now = Date.parse("2026-01-01T12:00:30.750Z");
    it("ends one minute before now, in whole seconds, formatted as the API wants", () => {
      const end = priceWindowEnd(now);
      assert.equal(formatApiTime(end), "2026-01-01T11:59:30Z");
      assert.deepEqual(priceQueryTimes(end, 60), { startTime: "2026-01-01T10:59:30Z", endTime: "2026-01-01T11:59:30Z" });
    });
    it("widens from the requested window through 6 h, 24 h and 7 d", () => {
      assert.deepEqual(priceWindows(60), [60, 360, 1440, 10080]);
      assert.deepEqual(priceWindows(90), [90, 360, 1440, 10080]);
      assert.deepEqual(priceWindows(20000), [20000]);
    });
  });

  describe("latest price per zone", () => {
    const zones = new Set(["z1", "z2"]);
    it("takes the row with the greatest timestamp, whatever the order of the rows", () => {
      const rows = [
        price("t", "z1", 0.2, 1, "2026-01-01T11:00:00Z"),
        price("t", "z1", 0.3, 1, "2026-01-01T09:00:00Z"),
        price("t", "z2", 0.25, 1, "2026-01-01T10:00:00Z"),
      ];
      const latest = latestPriceByZone(rows, zones, 60);
      assert.equal(latest.get("z1")?.spotPrice, 0.2);
      assert.equal(latest.get("z1")?.timestamp, "2026-01-01T11:00:00Z");
      assert.equal(latest.get("z2")?.spotPrice, 0.25);
    });
    it("ignores rows it cannot use and zones it was not asked about", () => {
      const rows = [
        price("t", "z1", 0, 1, "2026-01-01T11:00:00Z"),
        price("t", "z1", 1.5, 1, "2026-01-01T11:00:00Z"),
        price("t", "z1", 0.2, 0, "2026-01-01T11:00:00Z"),
        price("t", "z1", 0.2, 1, "not a time"),
        price("t", "z9", 0.2, 1, "2026-01-01T11:00:00Z"),
      ];
      assert.equal(latestPriceByZone(rows, zones, 60).size, 0);
    });
    it("removes float32 artefacts from prices", () => {
      const latest = latestPriceByZone([price("t", "z1", 0.3100000023841858, 1.6, "2026-01-01T11:00:00Z")], zones, 60);
      assert.equal(latest.get("z1")?.spotPrice, 0.31);
    });
    it("computes the Go tool's possibility as the RMS distance from 10 % of pay-as-you-go", () => {
      // rows 0.2 and 0.4 against a floor of 0.1: distances 0.1 and 0.3 -> sqrt((0.01 + 0.09) / 2)
      assert.ok(Math.abs(possibilityOf([{ spotPrice: 0.2, originPrice: 1 }, { spotPrice: 0.4, originPrice: 1 }]) - Math.sqrt(0.05)) < 1e-12);
      assert.equal(possibilityOf([]), 0);
    });
  });

  describe("price limit", () => {
    it("rounds up to 3 decimals without float noise pushing it a step higher", () => {
      assert.equal(ceil3(1.2 * 0.05), 0.06);
      assert.equal(ceil3(0.3721), 0.373);
      assert.equal(ceil3(0.372), 0.372);
    });
    it("is factor x spot rounded up, capped at pay-as-you-go", () => {
      assert.equal(priceLimitFor(0.1, 1, 1.2), 0.12);
      assert.equal(priceLimitFor(0.101, 1, 1.2), 0.122); // 0.1212 rounds up
      assert.equal(priceLimitFor(0.9, 1, 1.2), 1); // 1.08 capped
    });
    it("caps a 4-decimal pay-as-you-go price to 3 decimals when that still covers the spot price", () => {
      assert.equal(priceLimitFor(0.3, 0.4076, 1.5), 0.407);
      assert.equal(priceLimitFor(0.4076, 0.4076, 1.2), 0.4076);
    });
  });

  describe("ranking", () => {
    const candidate = (instanceTypeId: string, zoneId: string, spotPrice: number, cpu: number): SpotCandidate => ({
      instanceTypeId, zoneId, family: "f", arch: "amd64", cpuCoreCount: cpu, memorySize: cpu * 2, ratio: 2,
      spotPrice, originPrice: 10, pricePerCore: pricePerCoreOf(spotPrice, cpu), discount: spotPrice, possibility: 0,
      priceLimit: spotPrice, priceTimestamp: "",
    });
    it("orders by price per vCPU, then fewer vCPUs, then zone preference, then type id", () => {
      const ranked = rankCandidates(
        [
          candidate("b.large", "z-b", 0.6, 3), // 0.2 per vCPU, 3 vCPU
          candidate("a.xlarge", "z-k", 0.4, 2), // 0.2, 2 vCPU, zone k
          candidate("a.large", "z-b", 0.2, 1), // 0.2, 1 vCPU
          candidate("c.large", "z-b", 0.4, 2), // 0.2, 2 vCPU, zone b, type c
          candidate("b.xlarge", "z-b", 0.4, 2), // 0.2, 2 vCPU, zone b, type b
          candidate("cheap", "z-j", 0.1, 1),
        ],
        ["z-k", "z-b"],
      );
      assert.deepEqual(ranked.map((c) => `${c.instanceTypeId}@${c.zoneId}`), [
        "cheap@z-j", "a.large@z-b", "a.xlarge@z-k", "b.xlarge@z-b", "c.large@z-b", "b.large@z-b",
      ]);
    });
    it("treats prices per vCPU that differ only by float rounding as equal", () => {
      assert.equal(pricePerCoreOf(0.3, 3), pricePerCoreOf(0.1, 1));
    });
  });
});
