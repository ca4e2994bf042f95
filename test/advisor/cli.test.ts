import * as assert from "node:assert/strict";
import { adviceRequestFromFlags, parseZones } from "../../cli/actions/advise";
import { UsageError } from "../../cli/io";
import { AliyunApiError } from "../../provider/errors";
import { fixedClock } from "../support/cli";
import { FakeRegion, fakeQueries, price, stocked, type } from "./support/fakeQueries";
import { runAdvise } from "./support/runCli";

const NOW = Date.parse("2026-01-01T12:00:30Z");
const HOUR_AGO = "2026-01-01T11:00:00Z";
const K = "cn-hangzhou-k";
const J = "cn-hangzhou-j";
const B = "cn-hangzhou-b";

function region(): FakeRegion {
  return {
    types: [type("ecs.c8y.2xlarge", 8, 16, "ARM"), type("ecs.c8y.4xlarge", 16, 32, "ARM"), type("ecs.c7.2xlarge", 8, 16)],
    availability: [stocked("ecs.c8y.2xlarge", K), stocked("ecs.c8y.2xlarge", J), stocked("ecs.c8y.4xlarge", K), stocked("ecs.c7.2xlarge", K),
      stocked("ecs.c7.2xlarge", B)],
    prices: [
      price("ecs.c8y.2xlarge", K, 0.2, 1.068, HOUR_AGO),
      price("ecs.c8y.2xlarge", J, 0.216, 1.068, HOUR_AGO),
      price("ecs.c8y.4xlarge", K, 0.448, 2.136, HOUR_AGO),
      price("ecs.c7.2xlarge", K, 0.312, 1.631, HOUR_AGO),
    ],
  };
}

const run = (args: string[], r: FakeRegion = region(), env: NodeJS.ProcessEnv = {}) =>
  runAdvise(args, env, { advisorQueries: () => fakeQueries(r), clock: fixedClock(NOW) });

describe("spot-runner advise (in-memory ECS)", () => {
  describe("flags", () => {
    it("start from the per-architecture defaults", () => {
      const arm = adviceRequestFromFlags({ arch: "aarch64" }, {});
      assert.deepEqual([arm.arch, arm.minMemGiB, arm.maxMemGiB, arm.ratios, arm.families, arm.limit], ["arm64", 16, 128, [2], ["ecs.c8y", "ecs.c8r"], 20]);
      const amd = adviceRequestFromFlags({}, {});
      assert.deepEqual([amd.arch, amd.regionId, amd.ratios, amd.families], ["amd64", "cn-hangzhou", [1, 2], []]);
    });

    it("accept ratios as vCPU:GiB or GiB per vCPU", () => {
      const ratios = (ratio: string) => adviceRequestFromFlags({ ratio }, {}).ratios;
      assert.deepEqual(ratios("1:1, 1:2"), [1, 2]);
      assert.deepEqual(ratios("2,4"), [2, 4]);
      assert.deepEqual(ratios("2:1"), [0.5]);
    });

    it("accept zone letters within the region", () => {
      assert.deepEqual(parseZones("--zones", "k, j,cn-hangzhou-b", "cn-hangzhou"), [K, J, "cn-hangzhou-b"]);
    });

    it("treat spaces and a trailing comma in --families as nothing, and \"\" as any family", () => {
      assert.deepEqual(adviceRequestFromFlags({ arch: "arm64", families: " ecs.c8y , " }, {}).families, ["ecs.c8y"]);
      assert.deepEqual(adviceRequestFromFlags({ arch: "arm64", families: "" }, {}).families, []);
    });

    for (const [flags, flag] of [
      [{ minCpu: "eight" }, "--min-cpu"],
      [{ maxCpu: "2.5" }, "--max-cpu"],
      [{ minMem: "-1" }, "--min-mem"],
      [{ ratio: "1:0" }, "--ratio"],
      [{ ratio: "1:2:3" }, "--ratio"],
      [{ arch: "mips" }, "--arch"],
      [{ spotDuration: "2" }, "--spot-duration"],
      [{ limit: "0" }, "--limit"],
      [{ zones: " , " }, "--zones"],
      // Whole numbers are read strictly, as SpotRunner's inputs are: no exponents, nothing beyond the safe range.
      [{ minCpu: "1e9" }, "--min-cpu"],
      [{ maxCpu: "99999999999999999999" }, "--max-cpu"],
      [{ limit: "1e3" }, "--limit"],
      [{ window: "0x10" }, "--window"],
      [{ minCpu: "2000" }, "--min-cpu"],
      [{ families: "c8y" }, "--families"],
      [{ zones: "cn-shanghai-b" }, "--zones"],
      [{ region: "" }, "--region"],
      [{ strategy: "cheapest" }, "--strategy"],
      [{ jobMinutes: "20.5" }, "--job-minutes"],
      [{ region: "Hangzhou" }, "--region"],
    ] as const) {
      it(`reject a bad ${flag} (${JSON.stringify(Object.values(flags)[0])}) with a usage error naming it`, () => {
        assert.throws(() => adviceRequestFromFlags(flags, {}), (err: unknown) => err instanceof UsageError && err.message.startsWith(`${flag}:`));
      });
    }

    it("take the message of SpotRunner's input contract for the flags that are inputs", () => {
      assert.throws(() => adviceRequestFromFlags({ minCpu: "1e9" }, {}), /^UsageError: --min-cpu: "1e9" is not a whole number$/);
      assert.throws(() => adviceRequestFromFlags({ maxCpu: "99999999999999999999" }, {}), /--max-cpu: "99999999999999999999" is too large/);
      assert.throws(() => adviceRequestFromFlags({ minCpu: "0" }, {}), /--min-cpu: "0" must be 1-1024 vCPUs/);
    });

    it("take the ranking strategy and the job length as SpotRunner's inputs", () => {
      const request = adviceRequestFromFlags({ strategy: "lowest-price", jobMinutes: "45" }, {});
      assert.deepEqual([request.strategy, request.expectedJobMinutes], ["lowest-price", 45]);
      assert.throws(() => adviceRequestFromFlags({ strategy: "cheapest" }, {}), /--strategy: "cheapest" must be expected-cost or lowest-price/);
    });

    it("read the region as every command does: --region, else SPOT_RUNNER_REGION, else cn-hangzhou", () => {
      assert.equal(adviceRequestFromFlags({}, { SPOT_RUNNER_REGION: "cn-shanghai" }).regionId, "cn-shanghai");
      assert.equal(adviceRequestFromFlags({ region: "cn-beijing" }, { SPOT_RUNNER_REGION: "cn-shanghai" }).regionId, "cn-beijing");
      assert.equal(adviceRequestFromFlags({}, { SPOT_RUNNER_REGION: " " }).regionId, "cn-hangzhou");
      assert.throws(() => adviceRequestFromFlags({}, { SPOT_RUNNER_REGION: "shanghai" }), /^UsageError: SPOT_RUNNER_REGION: "shanghai" is not a region id/);
    });
  });

  it("prints a table with the ratio used and the explanation, exit 0", async () => {
    const result = await run(["--arch", "arm64"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /arm64 spot capacity in cn-hangzhou, CNY per hour, ratio 1:2/);
    const rows = result.stdout.split("\n").filter((l) => /^│\s*\d/.test(l));
    assert.equal(rows.length, 3);
    assert.match(rows[0], /ecs\.c8y\.2xlarge.*cn-hangzhou-k/);
    assert.match(result.stdout, /Family ecs\.c8r has no arm64 type/);
  });

  it("prints the Go tool's JSON fields in its order, then ours", async () => {
    const result = await run(["--arch", "arm64", "--json", "--limit", "2"]);
    assert.equal(result.code, 0);
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.equal(rows.length, 2);
    assert.deepEqual(Object.keys(rows[0]), [
      "instanceTypeId", "zoneId", "pricePerCore", "discount", "possibility", "cpuCoreCount", "memorySize", "instanceFamily", "arch",
      "spotPrice", "originPrice", "priceLimit",
    ]);
    assert.equal(rows[0].arch, "arm64");
    assert.equal(rows[0].instanceFamily, "ecs.c8y");
    assert.equal(rows[0].instanceTypeId, "ecs.c8y.2xlarge");
    const amd = JSON.parse((await run(["--json"])).stdout) as Record<string, unknown>[];
    assert.equal(amd[0].arch, "x86_64");
  });

  it("treats a zone the region does not have as a usage error (exit 2), listing the zones it has", async () => {
    const result = await run(["--arch", "arm64", "--zones", "q"]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr, "error: --zones: cn-hangzhou-q is not a zone of cn-hangzhou (ECS lists cn-hangzhou-b, cn-hangzhou-j, cn-hangzhou-k) " +
      "(see spot-runner advise --help)\n");
  });

  it("prints one line and a pointer to --help for a usage error, not the whole help", async () => {
    for (const args of [["--min-cpu", "eight"], ["--zonez", "b"], ["--region", ""]]) {
      const result = await run(args);
      assert.equal(result.code, 2, args.join(" "));
      assert.equal(result.stdout, "");
      assert.equal(result.stderr.split("\n").length, 2, result.stderr);
      assert.match(result.stderr, /^error: .* \(see spot-runner advise --help\)\n$/);
    }
  });

  it("honours SPOT_RUNNER_REGION as list and reap do, and --region over it", async () => {
    const asked: string[] = [];
    const advisorQueries = (regionId: string) => (asked.push(regionId), fakeQueries(region()));
    const env = { SPOT_RUNNER_REGION: "cn-shanghai" };
    assert.equal((await runAdvise(["--json"], env, { advisorQueries, clock: fixedClock(NOW) })).code, 0);
    assert.equal((await runAdvise(["--json", "--region", "cn-hangzhou"], env, { advisorQueries, clock: fixedClock(NOW) })).code, 0);
    assert.deepEqual(asked, ["cn-shanghai", "cn-hangzhou"]);
  });

  it("prints [] (not null) with the explanation on stderr and exits 1 when nothing qualifies", async () => {
    const result = await run(["--arch", "arm64", "--json", "--zones", "b"]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout.trim(), "[]");
    assert.match(result.stderr, /^No spot candidate for arm64 in cn-hangzhou/);
    assert.match(result.stderr, /stock only outside the allowed zones/);
  });

  it("turns a request the advisor rejects into a usage error naming the flag (exit 2)", async () => {
    const result = await run(["--min-cpu", "32", "--max-cpu", "8"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--min-cpu: 32 is greater than --max-cpu 8/);
  });

  it("reports a RAM denial in one line naming the action (exit 1)", async () => {
    const denied = (action: string) => new AliyunApiError(`ECS ${action} failed: Forbidden.RAM: denied`, action, "permission", "Forbidden.RAM", 403);
    const result = await runAdvise([], {}, {
      advisorQueries: () => fakeQueries(region(), { fail: (c) => (c.action === "DescribeAvailableResource" ? denied(c.action) : undefined) }),
      clock: fixedClock(NOW),
    });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr.trim().split("\n").length, 1);
    assert.match(result.stderr, /ecs:DescribeAvailableResource/);
  });

  it("names the credential variables when none are set (exit 1, before any call)", async () => {
    const result = await runAdvise(["--json"], {});
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
  });
});
