import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fixedClock, runCli } from "../support/cli";
import { RUNNER_STACK_OUTPUTS } from "./support/runnerStackOutputs";
import {
  comparableHostedRunner,
  costFactsFromStackOutputs,
  CostSummaryInputError,
  DEFAULT_USD_CNY,
  estimateCost,
  formatDuration,
  formatMoney,
  GITHUB_HOSTED_LINUX_RATES,
  NoRunnerOutputsError,
  renderCostSummary,
  RunnerCostFacts,
  vcpusOfInstanceType,
} from "../../stacks/runner/costSummary";

const OUTPUTS = RUNNER_STACK_OUTPUTS;
const LAUNCH = Date.parse(OUTPUTS.launchedAt);
const at = (seconds: number) => new Date(LAUNCH + seconds * 1000).toISOString();

describe("cost summary", () => {
  describe("estimateCost", () => {
    it("bills spot by the second and GitHub by the started minute, on the smallest runner at least as large", () => {
      const facts = costFactsFromStackOutputs(OUTPUTS);
      const e = estimateCost(facts, { arch: "arm64", finishedAt: at(17 * 60 + 30), usdCny: 7 });
      assert.equal(e.seconds, 1050);
      assert.ok(Math.abs(e.spotCost - 0.07) < 1e-12, `0.24 CNY/h x 1050 s = 0.07 CNY, got ${e.spotCost}`);
      assert.equal(e.hosted.sku, "linux_8_core_arm");
      assert.equal(e.hostedMinutes, 18);
      assert.ok(Math.abs(e.hostedCostUsd - 18 * 0.014) < 1e-12);
      assert.ok(Math.abs(e.hostedCostInCurrency! - 18 * 0.014 * 7) < 1e-12);
      assert.ok(Math.abs(e.savedInCurrency! - (1.764 - 0.07)) < 1e-9);
      assert.ok(Math.abs(e.savedRatio! - (1 - 0.07 / 1.764)) < 1e-9);
    });

    it("compares with the x64 table for amd64 and rounds a short job up to one minute", () => {
      const facts: RunnerCostFacts = { ...costFactsFromStackOutputs(OUTPUTS), instanceType: "ecs.c6.4xlarge", cpuCount: 16 };
      const e = estimateCost(facts, { arch: "amd64", finishedAt: at(20) });
      assert.equal(e.hosted.sku, "linux_16_core");
      assert.equal(e.hostedMinutes, 1);
      assert.equal(e.hostedCostUsd, 0.042);
      assert.equal(e.currencyPerUsd, DEFAULT_USD_CNY);
    });

    it("uses the hourly cost (the limit) when no spot price was observed", () => {
      const facts = costFactsFromStackOutputs({ ...OUTPUTS, spotPrice: 0, hourlyCost: 0.288 });
      const e = estimateCost(facts, { arch: "arm64", finishedAt: at(3600) });
      assert.ok(Math.abs(e.spotCost - 0.288) < 1e-12);
    });

    it("does not convert a currency it has no rate for", () => {
      const facts = costFactsFromStackOutputs({ ...OUTPUTS, currency: "EUR" });
      const e = estimateCost(facts, { arch: "arm64", finishedAt: at(600) });
      assert.equal(e.currencyPerUsd, undefined);
      assert.equal(e.savedRatio, undefined);
      assert.match(renderCostSummary(e), /No exchange rate for EUR/);
    });

    it("needs USD only for a USD-billed account", () => {
      const facts = costFactsFromStackOutputs({ ...OUTPUTS, currency: "USD", hourlyCost: 0.6 });
      const e = estimateCost(facts, { arch: "arm64", finishedAt: at(600), usdCny: 99 });
      assert.equal(e.currencyPerUsd, 1);
      assert.ok(Math.abs(e.hostedCostInCurrency! - 10 * 0.014) < 1e-12);
    });

    it("rejects an end before the launch and a nonsensical exchange rate", () => {
      const facts = costFactsFromStackOutputs(OUTPUTS);
      assert.throws(() => estimateCost(facts, { arch: "arm64", finishedAt: at(-1) }), /before the launch/);
      assert.throws(() => estimateCost(facts, { arch: "arm64", finishedAt: at(1), usdCny: 0 }), CostSummaryInputError);
    });
  });

  describe("comparableHostedRunner", () => {
    it("picks the smallest published size with enough cores, else the largest", () => {
      const cases: Array<[number, string, boolean]> = [
        [1, "linux_2_core_arm", false],
        [2, "linux_2_core_arm", false],
        [12, "linux_16_core_arm", false],
        [64, "linux_64_core_arm", false],
        [128, "linux_64_core_arm", true],
      ];
      for (const [cpus, sku, smaller] of cases) {
        const { rate, smaller: s } = comparableHostedRunner("arm64", cpus);
        assert.deepEqual([rate.sku, s], [sku, smaller], `${cpus} vCPUs`);
      }
    });

    it("holds GitHub's tables in ascending size with prices that grow with size", () => {
      for (const rates of Object.values(GITHUB_HOSTED_LINUX_RATES)) {
        assert.deepEqual(rates.map((r) => r.cores), [2, 4, 8, 16, 32, 64]);
        for (let i = 1; i < rates.length; i++) assert.ok(rates[i].usdPerMinute > rates[i - 1].usdPerMinute);
      }
    });
  });

  describe("costFactsFromStackOutputs", () => {
    it("reads the runner stack's outputs, numbers given as strings included", () => {
      const facts = costFactsFromStackOutputs({ ...OUTPUTS, cpuCount: "8", priceLimit: undefined });
      assert.equal(facts?.cpuCount, 8);
      assert.equal(facts?.priceLimit, undefined);
    });

    it("refuses empty outputs ({}): it cannot tell a start that failed early from outputs that could not be read", () => {
      assert.throws(() => costFactsFromStackOutputs({}), (err: unknown) => err instanceof NoRunnerOutputsError && /empty \(\{\}\)/.test(err.message));
    });

    it("refuses the infra stack's outputs, naming them", () => {
      const infra = { region: "cn-hangzhou", prefix: "openresty", vpcId: "vpc-1", vSwitchIds: { "cn-hangzhou-j": "vsw-1" }, securityGroupId: "sg-1" };
      assert.throws(() => costFactsFromStackOutputs(infra), /infra stack's outputs \(vpcId, vSwitchIds, securityGroupId\), not a runner stack's/);
    });

    it("refuses a vCPU count the instance type does not have", () => {
      assert.throws(() => costFactsFromStackOutputs({ ...OUTPUTS, cpuCount: 12 }), /cpuCount 12 does not match instanceType ecs\.c8y\.2xlarge, which has 8 vCPUs/);
      assert.throws(() => costFactsFromStackOutputs({ ...OUTPUTS, cpuCount: "1e1" }), /cpuCount is not a non-negative number: "1e1"/);
    });

    it("knows the vCPUs of every cn-hangzhou type from its size", () => {
      const catalog = JSON.parse(fs.readFileSync(path.join(__dirname, "../../emulator/scenario/data/cn-hangzhou-catalog.json"), "utf8")) as
        { instanceTypes: { id: string; vcpu: number }[] };
      assert.equal(catalog.instanceTypes.length, 209);
      for (const t of catalog.instanceTypes) assert.equal(vcpusOfInstanceType(t.id), t.vcpu, t.id);
      assert.equal(vcpusOfInstanceType("ecs.ebmc8y.metal"), undefined, "a size it does not know is not checked");
    });

    it("names the field it cannot use", () => {
      const cases: Array<[unknown, RegExp]> = [
        [[], /not a JSON object/],
        [{ ...OUTPUTS, zoneId: undefined }, /zoneId is missing/],
        [{ ...OUTPUTS, cpuCount: 0 }, /cpuCount is not a vCPU count/],
        [{ ...OUTPUTS, spotPrice: "cheap" }, /spotPrice is not a non-negative number/],
        [{ ...OUTPUTS, launchedAt: "yesterday" }, /launchedAt is not a time/],
      ];
      for (const [outputs, message] of cases) assert.throws(() => costFactsFromStackOutputs(outputs), message);
    });
  });

  describe("rendering", () => {
    it("shows type, zone, price, duration and both costs in a table, and the saving", () => {
      const e = estimateCost(costFactsFromStackOutputs(OUTPUTS), { arch: "arm64", finishedAt: at(17 * 60 + 30), usdCny: 7 });
      const md = renderCostSummary(e, { stack: "gha-1234-1-arm64" });
      const expected = [
        "### Spot runner cost: `gha-1234-1-arm64`",
        "",
        "| | Aliyun spot instance (this job) | GitHub-hosted Linux arm64 8-core |",
        "|---|---|---|",
        "| Machine | `ecs.c8y.2xlarge` (8 vCPU, 16 GiB) in `cn-hangzhou-j` | `linux_8_core_arm` (8 cores) |",
        "| Price | ¥0.2400/h (limit ¥0.2880/h) | $0.0140/min |",
        "| Duration | 17m 30s, billed by the second | 18 min, billed by the started minute |",
        "| Estimated cost | **¥0.0700** (≈ $0.0100) | **$0.2520** (≈ ¥1.7640) |",
        "",
        "Spot cost about **96% less** (¥1.6940 saved) than a comparable GitHub-hosted runner for the same time.",
      ];
      assert.deepEqual(md.split("\n").slice(0, expected.length), expected);
      assert.match(md, /Exchange rate: 7 CNY\/USD/);
      assert.match(md, /actions-runner-pricing \(rates effective 2026-01-01\)/);
      assert.match(md, /launch of `i-bp1abc` to release/);
    });

    it("says when spot cost more", () => {
      const facts = costFactsFromStackOutputs({ ...OUTPUTS, hourlyCost: 50, spotPrice: 50 });
      const md = renderCostSummary(estimateCost(facts, { arch: "arm64", finishedAt: at(3600), usdCny: 7 }));
      assert.match(md, /Spot cost \*\*¥44\.12 more\*\*/);
    });

    it("formats durations and money for people", () => {
      assert.deepEqual([45, 65, 3600 + 125].map(formatDuration), ["45s", "1m 05s", "1h 02m 05s"]);
      assert.deepEqual([formatMoney(0.07, "CNY"), formatMoney(12.345, "usd"), formatMoney(1, "EUR")], ["¥0.0700", "$12.35", "1.0000 EUR"]);
    });
  });

  describe("spot-runner summary", () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "summary-cmd-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const run = (args: string[], now = LAUNCH + 600_000) => runCli(["summary", ...args], { env: {}, services: { clock: fixedClock(now) } });
    const write = (name: string, content: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      return file;
    };

    it("prints the Markdown for the outputs file, taking the arch from the label and the end from the clock", async () => {
      const file = write("outputs.json", JSON.stringify(OUTPUTS));
      const r = await run(["--outputs", file, "--stack", "gha-1234-1-arm64", "--usd-cny", "7"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^### Spot runner cost: `gha-1234-1-arm64`/);
      assert.match(r.stdout, /\| Duration \| 10m 00s,/);
      assert.match(r.stdout, /linux_8_core_arm/);
    });

    it("honours --finished-at and --arch", async () => {
      const file = write("outputs2.json", JSON.stringify({ ...OUTPUTS, label: "custom" }));
      const r = await run(["--outputs", file, "--finished-at", at(125), "--arch", "x86_64"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /2m 05s/);
      assert.match(r.stdout, /GitHub-hosted Linux x64 8-core/);
    });

    it("fails on empty outputs ({}) instead of claiming nothing ran; with --allow-empty it says only what it knows", async () => {
      const file = write("empty.json", "{}\n");
      const r = await run(["--outputs", file]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^error: the stack outputs are empty \(\{\}\): .* \(in .*empty\.json\)\n$/);
      const allowed = await run(["--outputs", file, "--allow-empty"]);
      assert.equal(allowed.code, 0);
      assert.match(allowed.stdout, /No instance was recorded in this job's runner stack outputs/);
      assert.doesNotMatch(allowed.stdout, /nothing is left running/);
    });

    it("fails on the infra stack's outputs (exit 1)", async () => {
      const r = await run(["--outputs", write("infra.json", JSON.stringify({ region: "cn-hangzhou", prefix: "openresty", vpcId: "vpc-1" }))]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: these are the infra stack's outputs \(vpcId\)/);
    });

    it("bills no further than the instance's AutoReleaseTime", async () => {
      const file = write("late.json", JSON.stringify(OUTPUTS));
      // Launched 01:00, AutoReleaseTime 03:01: a summary written at 06:00 bills 2h 01m, not 5 h.
      const r = await run(["--outputs", file, "--finished-at", "2026-11-28T06:00:00Z"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\| Duration \| 2h 01m 00s \(up to its AutoReleaseTime\), billed by the second/);
      assert.match(r.stdout, /reported after the instance's AutoReleaseTime \(2026-11-28T03:01:00Z\)/);
    });

    it("fails with exit code 1 and the file name when the outputs cannot be read or used", async () => {
      const missing = await run(["--outputs", path.join(dir, "nope.json")]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /cannot read the stack outputs from .*nope\.json/);
      const bad = await run(["--outputs", write("bad.json", JSON.stringify({ ...OUTPUTS, cpuCount: -1 }))]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /cpuCount .* \(in .*bad\.json\)/);
    });

    it("rejects bad flags as usage errors: one line, exit 2", async () => {
      const file = write("outputs3.json", JSON.stringify({ ...OUTPUTS, label: "no-arch-here" }));
      for (const [args, message] of [
        [["--outputs", file, "--usd-cny", "-1"], /--usd-cny/],
        [["--outputs", file, "--usd-cny", "7e0"], /--usd-cny: "7e0" is not a number/],
        [["--outputs", file, "--finished-at", "soon"], /--finished-at/],
        [["--outputs", file], /--arch: give amd64 or arm64/],
        [[], /required option '--outputs <file>' not specified/],
      ] as const) {
        const r = await run([...args]);
        assert.equal(r.code, 2, args.join(" "));
        assert.match(r.stderr, message);
        assert.match(r.stderr, /^error: [^\n]* \(see spot-runner summary --help\)\n$/);
      }
    });
  });
});
