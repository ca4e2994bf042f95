/**
 * The cost of one runner, for the workflow's step summary: what the spot instance cost (price x lifetime,
 * billed by the second) beside what the same time would have cost on a GitHub-hosted Linux runner of
 * comparable size (billed by the started minute). Pure: the caller passes the stack outputs and the times.
 */
import { parseDecimal } from "../../provider/contract/text";
import { SpotRunnerError } from "../../provider/errors";

export type Arch = "amd64" | "arm64";

/** A GitHub-hosted Linux runner size and its per-minute price in USD. */
export interface HostedRunnerRate {
  readonly cores: number;
  /** GitHub's billing SKU, e.g. linux_8_core_arm. */
  readonly sku: string;
  readonly usdPerMinute: number;
}

/**
 * GitHub's published per-minute prices for GitHub-hosted Linux runners, rates effective 2026-01-01, from
 * https://docs.github.com/en/billing/reference/actions-runner-pricing (larger runners) and the standard-runner
 * table it includes (2-core), read 2026-11. The 2-core runners are free for public repositories (the rate is
 * what private repositories pay); larger runners are billed everywhere. Update both tables and PRICES_AS_OF
 * together when GitHub changes them.
 */
export const GITHUB_HOSTED_LINUX_RATES: Readonly<Record<Arch, readonly HostedRunnerRate[]>> = {
  amd64: [
    { cores: 2, sku: "linux", usdPerMinute: 0.006 },
    { cores: 4, sku: "linux_4_core", usdPerMinute: 0.012 },
    { cores: 8, sku: "linux_8_core", usdPerMinute: 0.022 },
    { cores: 16, sku: "linux_16_core", usdPerMinute: 0.042 },
    { cores: 32, sku: "linux_32_core", usdPerMinute: 0.082 },
    { cores: 64, sku: "linux_64_core", usdPerMinute: 0.162 },
  ],
  arm64: [
    { cores: 2, sku: "linux_2_core_arm", usdPerMinute: 0.005 },
    { cores: 4, sku: "linux_4_core_arm", usdPerMinute: 0.008 },
    { cores: 8, sku: "linux_8_core_arm", usdPerMinute: 0.014 },
    { cores: 16, sku: "linux_16_core_arm", usdPerMinute: 0.026 },
    { cores: 32, sku: "linux_32_core_arm", usdPerMinute: 0.05 },
    { cores: 64, sku: "linux_64_core_arm", usdPerMinute: 0.098 },
  ],
};
export const PRICES_AS_OF = "rates effective 2026-01-01";
export const PRICES_SOURCE = "https://docs.github.com/en/billing/reference/actions-runner-pricing";

/**
 * CNY per USD used when no rate is given: ECS bills in CNY, GitHub in USD. An approximate mid rate (2026);
 * pass the day's rate (`--usd-cny`) for exact figures.
 */
export const DEFAULT_USD_CNY = 7.1;

/** What the summary needs from the runner stack's outputs (`pulumi stack output --json`). */
export interface RunnerCostFacts {
  readonly instanceType: string;
  readonly zoneId: string;
  readonly cpuCount: number;
  readonly memoryGiB?: number;
  /** Latest observed spot price per hour; 0 when the zone had no price row. */
  readonly spotPrice: number;
  /** The price the estimate uses per hour: the spot price, or the limit when no price was observed. */
  readonly hourlyCost: number;
  readonly priceLimit?: number;
  readonly currency: string;
  /** ISO time the instance was launched. */
  readonly launchedAt: string;
  /** ISO time ECS releases the instance whatever happens (AutoReleaseTime): billing never runs past it. */
  readonly autoReleaseTime?: string;
  readonly instanceId?: string;
  readonly label?: string;
}

export interface CostEstimateOptions {
  readonly arch: Arch;
  /** ISO time the instance was released (the end of the stop job's destroy). */
  readonly finishedAt: string;
  /** CNY per USD. */
  readonly usdCny?: number;
}

export interface CostEstimate {
  readonly facts: RunnerCostFacts;
  readonly arch: Arch;
  /** Billed seconds: launch to release, or to the AutoReleaseTime when the release was reported later. */
  readonly seconds: number;
  /** True when the reported end was after the AutoReleaseTime, so the duration stops there. */
  readonly cappedAtAutoRelease: boolean;
  /** Spot price x hours, in the instance's currency. */
  readonly spotCost: number;
  readonly hosted: HostedRunnerRate;
  /** True when the instance had more vCPUs than GitHub's largest Linux runner for the architecture. */
  readonly hostedSmaller: boolean;
  /** GitHub rounds each job up to a whole minute. */
  readonly hostedMinutes: number;
  readonly hostedCostUsd: number;
  /** Units of the instance's currency per USD (1 for USD); undefined when the currency cannot be converted. */
  readonly currencyPerUsd?: number;
  /** Both sides in the instance's currency, when convertible. */
  readonly hostedCostInCurrency?: number;
  readonly savedInCurrency?: number;
  /** 0.93 = spot cost 93% less. */
  readonly savedRatio?: number;
}

/** Thrown for stack outputs the summary cannot use; the message names the field. */
export class CostSummaryInputError extends SpotRunnerError {
  override name = "CostSummaryInputError";
}

/** Outputs that only the infra stack has: said by name when someone passes its outputs by mistake. */
const INFRA_OUTPUTS = ["vpcId", "vSwitchIds", "securityGroupId", "policyName", "userName"];

/**
 * Validates the JSON of a runner stack's `pulumi stack output --json` (stacks/runner/index.ts). Anything else is
 * refused with the field and the fix: `{}` (a stack that recorded no instance, or whose outputs could not be read:
 * the summary cannot tell, so it does not claim anything), the infra stack's outputs, a number that is not one, a
 * vCPU count the instance type does not have.
 */
export function costFactsFromStackOutputs(outputs: unknown): RunnerCostFacts {
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
    throw new CostSummaryInputError("the stack outputs are not a JSON object (expected `pulumi stack output --json` of a runner stack)");
  }
  const o = outputs as Record<string, unknown>;
  if (Object.keys(o).length === 0) {
    throw new NoRunnerOutputsError("the stack outputs are empty ({}): the runner stack recorded no instance (its start failed before " +
      "launching) or its outputs could not be read, so there is nothing to bill; `spot-runner list --stack <name>` shows whether anything runs");
  }
  if (o.instanceId === undefined && o.instanceType === undefined) {
    const infra = INFRA_OUTPUTS.filter((key) => key in o);
    throw new CostSummaryInputError(infra.length > 0
      ? `these are the infra stack's outputs (${infra.join(", ")}), not a runner stack's: pass the outputs of the runner stack (gha-<run>-<attempt>-<arch>) that job.sh saved`
      : `these are not a runner stack's outputs (no instanceId or instanceType; keys: ${Object.keys(o).slice(0, 8).join(", ")})`);
  }
  const text = (key: string): string => {
    const v = o[key];
    if (typeof v !== "string" || v.trim() === "") throw new CostSummaryInputError(`stack output ${key} is missing or not a string`);
    return v;
  };
  const number = (key: string, required: boolean): number | undefined => {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) throw new CostSummaryInputError(`stack output ${key} is missing`);
      return undefined;
    }
    // Strings are read as strictly as config values: "0.24" is a number, "1e9" and "cheap" are not.
    const parsed = typeof v === "string" ? parseDecimal(v) : { value: v };
    const n = "value" in parsed ? parsed.value : undefined;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw new CostSummaryInputError(`stack output ${key} is not a non-negative number: ${JSON.stringify(v)}`);
    return n;
  };
  const time = (key: string, required: boolean): string | undefined => {
    if (!required && (o[key] === undefined || o[key] === null || o[key] === "")) return undefined;
    const value = text(key);
    if (Number.isNaN(Date.parse(value))) throw new CostSummaryInputError(`stack output ${key} is not a time: ${value}`);
    return value;
  };
  const launchedAt = time("launchedAt", true)!;
  const autoReleaseTime = time("autoReleaseTime", false);
  const instanceType = text("instanceType");
  const cpuCount = number("cpuCount", true)!;
  if (!Number.isInteger(cpuCount) || cpuCount < 1) throw new CostSummaryInputError(`stack output cpuCount is not a vCPU count: ${cpuCount}`);
  const typeCpus = vcpusOfInstanceType(instanceType);
  if (typeCpus !== undefined && typeCpus !== cpuCount) {
    throw new CostSummaryInputError(`stack output cpuCount ${cpuCount} does not match instanceType ${instanceType}, which has ${typeCpus} vCPUs`);
  }
  const spotPrice = number("spotPrice", false) ?? 0;
  const memoryGiB = number("memoryGiB", false);
  const priceLimit = number("priceLimit", false);
  return {
    instanceType,
    zoneId: text("zoneId"),
    cpuCount,
    ...(memoryGiB !== undefined ? { memoryGiB } : {}),
    spotPrice,
    hourlyCost: number("hourlyCost", false) ?? spotPrice,
    ...(priceLimit !== undefined ? { priceLimit } : {}),
    currency: text("currency"),
    launchedAt,
    ...(autoReleaseTime !== undefined ? { autoReleaseTime } : {}),
    ...(typeof o.instanceId === "string" ? { instanceId: o.instanceId } : {}),
    ...(typeof o.label === "string" ? { label: o.label } : {}),
  };
}

/** The stack recorded no runner at all (`{}`): a distinct case, so the command can say so when asked to (--allow-empty). */
export class NoRunnerOutputsError extends CostSummaryInputError {
  override name = "NoRunnerOutputsError";
}

/**
 * The vCPUs an ECS instance type has, from its size: large = 2, xlarge = 4, Nxlarge = 4N, small and medium = 1.
 * Holds for every one of the 209 cn-hangzhou types in emulator/scenario/data (test/stacks/costSummary.test.ts
 * checks it); undefined for a size it does not know (metal, nano, ...), which is then not checked.
 */
export function vcpusOfInstanceType(instanceType: string): number | undefined {
  const size = instanceType.split(".").pop() ?? "";
  const multiple = /^(\d+)xlarge$/.exec(size);
  if (multiple) return 4 * Number(multiple[1]);
  return ({ small: 1, medium: 1, large: 2, xlarge: 4 } as Record<string, number | undefined>)[size];
}

/** The smallest GitHub-hosted Linux runner with at least as many cores, or the largest there is. */
export function comparableHostedRunner(arch: Arch, cpuCount: number): { rate: HostedRunnerRate; smaller: boolean } {
  const rates = GITHUB_HOSTED_LINUX_RATES[arch];
  const rate = rates.find((r) => r.cores >= cpuCount);
  return rate ? { rate, smaller: false } : { rate: rates[rates.length - 1], smaller: true };
}

export function estimateCost(facts: RunnerCostFacts, options: CostEstimateOptions): CostEstimate {
  const started = Date.parse(facts.launchedAt);
  const finished = Date.parse(options.finishedAt);
  if (Number.isNaN(finished)) throw new CostSummaryInputError(`finished-at is not a time: ${options.finishedAt}`);
  if (finished < started) {
    throw new CostSummaryInputError(`finished-at ${options.finishedAt} is before the launch at ${facts.launchedAt}`);
  }
  const usdCny = options.usdCny ?? DEFAULT_USD_CNY;
  if (!(Number.isFinite(usdCny) && usdCny > 0)) throw new CostSummaryInputError(`the USD/CNY rate must be a positive number, got ${usdCny}`);

  // ECS releases the instance at its AutoReleaseTime whatever else happens, so a later end (a stop job that ran
  // long after, or no --finished-at and a late summary) is not billed past it.
  const releasedBy = facts.autoReleaseTime !== undefined ? Date.parse(facts.autoReleaseTime) : Number.NaN;
  const cappedAtAutoRelease = Number.isFinite(releasedBy) && releasedBy >= started && finished > releasedBy;
  const end = cappedAtAutoRelease ? releasedBy : finished;
  // ECS bills spot instances by the second.
  const seconds = Math.round((end - started) / 1000);
  const spotCost = (facts.hourlyCost * seconds) / 3600;
  const { rate: hosted, smaller } = comparableHostedRunner(options.arch, facts.cpuCount);
  const hostedMinutes = Math.max(1, Math.ceil(seconds / 60));
  const hostedCostUsd = hostedMinutes * hosted.usdPerMinute;

  const currency = facts.currency.toUpperCase();
  const currencyPerUsd = currency === "USD" ? 1 : currency === "CNY" ? usdCny : undefined;
  const converted =
    currencyPerUsd === undefined
      ? {}
      : {
          currencyPerUsd,
          hostedCostInCurrency: hostedCostUsd * currencyPerUsd,
          savedInCurrency: hostedCostUsd * currencyPerUsd - spotCost,
          savedRatio: hostedCostUsd > 0 ? 1 - spotCost / (hostedCostUsd * currencyPerUsd) : undefined,
        };
  return { facts, arch: options.arch, seconds, cappedAtAutoRelease, spotCost, hosted, hostedSmaller: smaller, hostedMinutes, hostedCostUsd, ...converted };
}

/** "17m 05s", "1h 02m 05s", "45s". */
export function formatDuration(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

const SYMBOLS: Readonly<Record<string, string>> = { CNY: "¥", USD: "$" };

/** Cents matter here: four decimals below 10, two above. */
export function formatMoney(amount: number, currency: string): string {
  const digits = Math.abs(amount) < 10 ? 4 : 2;
  const symbol = SYMBOLS[currency.toUpperCase()];
  const value = amount.toFixed(digits);
  return symbol ? `${symbol}${value}` : `${value} ${currency}`;
}

export interface SummaryContext {
  /** The runner stack, shown in the heading. */
  readonly stack?: string;
}

/** The Markdown for $GITHUB_STEP_SUMMARY. */
export function renderCostSummary(estimate: CostEstimate, context: SummaryContext = {}): string {
  const { facts, hosted } = estimate;
  const cur = facts.currency.toUpperCase();
  const money = (amount: number) => formatMoney(amount, cur);
  const usd = (amount: number) => formatMoney(amount, "USD");
  const size = `${facts.cpuCount} vCPU${facts.memoryGiB !== undefined ? `, ${facts.memoryGiB} GiB` : ""}`;
  const priceNote =
    facts.spotPrice > 0
      ? `${money(facts.spotPrice)}/h${facts.priceLimit !== undefined ? ` (limit ${money(facts.priceLimit)}/h)` : ""}`
      : `no recent spot price; estimated at ${money(facts.hourlyCost)}/h`;
  const inOther = (amount: number | undefined, format: (n: number) => string) => (amount === undefined ? "" : ` (≈ ${format(amount)})`);
  const rate = estimate.currencyPerUsd;

  const lines = [
    `### Spot runner cost${context.stack ? `: \`${context.stack}\`` : ""}`,
    "",
    `| | Aliyun spot instance (this job) | GitHub-hosted Linux ${estimate.arch === "arm64" ? "arm64" : "x64"} ${hosted.cores}-core |`,
    "|---|---|---|",
    `| Machine | \`${facts.instanceType}\` (${size}) in \`${facts.zoneId}\` | \`${hosted.sku}\` (${hosted.cores} cores) |`,
    `| Price | ${priceNote} | ${usd(hosted.usdPerMinute)}/min |`,
    `| Duration | ${formatDuration(estimate.seconds)}${estimate.cappedAtAutoRelease ? " (up to its AutoReleaseTime)" : ""}, billed by the second | ${estimate.hostedMinutes} min, billed by the started minute |`,
    `| Estimated cost | **${money(estimate.spotCost)}**${cur !== "USD" && rate ? inOther(estimate.spotCost / rate, usd) : ""} | **${usd(estimate.hostedCostUsd)}**${cur !== "USD" ? inOther(estimate.hostedCostInCurrency, money) : ""} |`,
    "",
  ];
  if (estimate.savedInCurrency !== undefined && estimate.savedRatio !== undefined) {
    lines.push(
      estimate.savedInCurrency >= 0
        ? `Spot cost about **${Math.round(estimate.savedRatio * 100)}% less** (${money(estimate.savedInCurrency)} saved) than a comparable GitHub-hosted runner for the same time.`
        : `Spot cost **${money(-estimate.savedInCurrency)} more** than a comparable GitHub-hosted runner for the same time.`,
      "",
    );
  }
  const notes = [
    `Duration: from launch${facts.instanceId ? ` of \`${facts.instanceId}\`` : ""} to release, so boot time is included; the GitHub-hosted figure is for the same time.` +
      (estimate.cappedAtAutoRelease ? ` The release was reported after the instance's AutoReleaseTime (${facts.autoReleaseTime}), when ECS released it: billed up to then.` : ""),
    "The start and stop jobs run on standard GitHub-hosted runners and are not included (free for public repositories).",
    `GitHub prices: ${PRICES_SOURCE} (${PRICES_AS_OF}).${estimate.hostedSmaller ? ` GitHub has no Linux runner with ${facts.cpuCount} cores; compared with its largest.` : ""}`,
  ];
  if (rate !== undefined && cur !== "USD") notes.push(`Exchange rate: ${rate} ${cur}/USD (override with \`--usd-cny\`).`);
  if (rate === undefined) notes.push(`No exchange rate for ${cur}: the two costs are not compared.`);
  lines.push(...notes.map((n) => `- ${n}`), "");
  return lines.join("\n");
}

/**
 * The summary of a stack that recorded no instance (`{}`, printed with --allow-empty): the start failed or was
 * cancelled before launching, or the outputs could not be read. It says what is known and nothing more: whether
 * anything of the stack is still running is for the stop job's sweep to say, not for empty outputs.
 */
export function renderNoRunnerSummary(stack?: string): string {
  return [
    `### Spot runner cost${stack ? `: \`${stack}\`` : ""}`,
    "",
    "No instance was recorded in this job's runner stack outputs: the start job failed or was cancelled before a runner came up,",
    "or the stop job could not read the stack. There is no cost to show; the stop job's sweep (`spot-runner reap --stack`) reports",
    "whether anything of this stack was left running.",
    "",
  ].join("\n");
}
