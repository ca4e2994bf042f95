import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { register } from "../../cli/commands/summary";
import { CliIo, UsageError } from "../../cli/io";
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
  renderCostSummary,
  RunnerCostFacts,
} from "../../stacks/runner/costSummary";

const OUTPUTS = RUNNER_STACK_OUTPUTS;
const LAUNCH = Date.parse(OUTPUTS.launchedAt);
const at = (seconds: number) => new Date(LAUNCH + seconds * 1000).toISOString();

describe("cost summary", () => {
  describe("estimateCost", () => {
    it("bills spot by the second and GitHub by the started minute, on the smallest runner at least as large", () => {
      const facts = costFactsFromStackOutputs(OUTPUTS)!;
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
      const facts: RunnerCostFacts = { ...costFactsFromStackOutputs(OUTPUTS)!, instanceType: "ecs.c6.4xlarge", cpuCount: 16 };
      const e = estimateCost(facts, { arch: "amd64", finishedAt: at(20) });
      assert.equal(e.hosted.sku, "linux_16_core");
      assert.equal(e.hostedMinutes, 1);
      assert.equal(e.hostedCostUsd, 0.042);
      assert.equal(e.currencyPerUsd, DEFAULT_USD_CNY);
    });

    it("uses the hourly cost (the limit) when no spot price was observed", () => {
      const facts = costFactsFromStackOutputs({ ...OUTPUTS, spotPrice: 0, hourlyCost: 0.288 })!;
      const e = estimateCost(facts, { arch: "arm64", finishedAt: at(3600) });
      assert.ok(Math.abs(e.spotCost - 0.288) < 1e-12);
    });

    it("does not convert a currency it has no rate for", () => {
      const facts = costFactsFromStackOutputs({ ...OUTPUTS, currency: "EUR" })!;
      const e = estimateCost(facts, { arch: "arm64", finishedAt: at(600) });
      assert.equal(e.currencyPerUsd, undefined);
      assert.equal(e.savedRatio, undefined);
      assert.match(renderCostSummary(e), /No exchange rate for EUR/);
    });

    it("needs USD only for a USD-billed account", () => {
      const facts = costFactsFromStackOutputs({ ...OUTPUTS, currency: "USD", hourlyCost: 0.6 })!;
      const e = estimateCost(facts, { arch: "arm64", finishedAt: at(600), usdCny: 99 });
      assert.equal(e.currencyPerUsd, 1);
      assert.ok(Math.abs(e.hostedCostInCurrency! - 10 * 0.014) < 1e-12);
    });

    it("rejects an end before the launch and a nonsensical exchange rate", () => {
      const facts = costFactsFromStackOutputs(OUTPUTS)!;
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

    it("says no runner was launched for an empty stack", () => {
      assert.equal(costFactsFromStackOutputs({}), undefined);
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
      const e = estimateCost(costFactsFromStackOutputs(OUTPUTS)!, { arch: "arm64", finishedAt: at(17 * 60 + 30), usdCny: 7 });
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
      const facts = costFactsFromStackOutputs({ ...OUTPUTS, hourlyCost: 50, spotPrice: 50 })!;
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

    async function run(args: string[], now = LAUNCH + 600_000): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
      let stdout = "";
      let stderr = "";
      let code: number | undefined;
      const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, interrupted: new Promise<void>(() => undefined) };
      const program = new Command("spot-runner").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
      register(program, io, (c) => (code = c), { now: () => now });
      await program.parseAsync(["node", "spot-runner", "summary", ...args]);
      return { code, stdout, stderr };
    }
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

    it("reports a stack without an instance as such, successfully", async () => {
      const r = await run(["--outputs", write("empty.json", "{}\n")]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /No instance was recorded for this job/);
    });

    it("fails with exit code 1 and the file name when the outputs cannot be read or used", async () => {
      const missing = await run(["--outputs", path.join(dir, "nope.json")]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /cannot read the stack outputs from .*nope\.json/);
      const bad = await run(["--outputs", write("bad.json", JSON.stringify({ ...OUTPUTS, cpuCount: -1 }))]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /cpuCount .* \(in .*bad\.json\)/);
    });

    it("rejects bad flags as usage errors", async () => {
      const file = write("outputs3.json", JSON.stringify({ ...OUTPUTS, label: "no-arch-here" }));
      await assert.rejects(run(["--outputs", file, "--usd-cny", "-1"]), (e: unknown) => e instanceof UsageError && /--usd-cny/.test(e.message));
      await assert.rejects(run(["--outputs", file, "--finished-at", "soon"]), (e: unknown) => e instanceof UsageError && /--finished-at/.test(e.message));
      await assert.rejects(run(["--outputs", file]), (e: unknown) => e instanceof UsageError && /--arch: give amd64 or arm64/.test(e.message));
      await assert.rejects(run([]), (e: unknown) => e instanceof CommanderError && /--outputs/.test(e.message));
    });
  });
});
