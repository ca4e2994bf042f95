/**
 * The cost of one runner, for the workflow's step summary: what the spot instance cost (price x lifetime,
 * billed by the second) beside what the same time would have cost on a GitHub-hosted Linux runner of
 * comparable size (billed by the started minute). Pure: the caller passes the stack outputs and the times.
 */

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
  readonly seconds: number;
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
export class CostSummaryInputError extends Error {
  override name = "CostSummaryInputError";
}

/** Validates the JSON of `pulumi stack output --json`; undefined when no runner was ever launched (`{}`). */
export function costFactsFromStackOutputs(outputs: unknown): RunnerCostFacts | undefined {
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
    throw new CostSummaryInputError("the stack outputs are not a JSON object (expected `pulumi stack output --json`)");
  }
  const o = outputs as Record<string, unknown>;
  if (o.instanceId === undefined && o.instanceType === undefined) return undefined;
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
    const n = typeof v === "string" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw new CostSummaryInputError(`stack output ${key} is not a non-negative number: ${JSON.stringify(v)}`);
    return n;
  };
  const launchedAt = text("launchedAt");
  if (Number.isNaN(Date.parse(launchedAt))) throw new CostSummaryInputError(`stack output launchedAt is not a time: ${launchedAt}`);
  const cpuCount = number("cpuCount", true)!;
  if (!Number.isInteger(cpuCount) || cpuCount < 1) throw new CostSummaryInputError(`stack output cpuCount is not a vCPU count: ${cpuCount}`);
  const spotPrice = number("spotPrice", false) ?? 0;
  const memoryGiB = number("memoryGiB", false);
  const priceLimit = number("priceLimit", false);
  return {
    instanceType: text("instanceType"),
    zoneId: text("zoneId"),
    cpuCount,
    ...(memoryGiB !== undefined ? { memoryGiB } : {}),
    spotPrice,
    hourlyCost: number("hourlyCost", false) ?? spotPrice,
    ...(priceLimit !== undefined ? { priceLimit } : {}),
    currency: text("currency"),
    launchedAt,
    ...(typeof o.instanceId === "string" ? { instanceId: o.instanceId } : {}),
    ...(typeof o.label === "string" ? { label: o.label } : {}),
  };
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

  // ECS bills spot instances by the second.
  const seconds = Math.round((finished - started) / 1000);
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
  return { facts, arch: options.arch, seconds, spotCost, hosted, hostedSmaller: smaller, hostedMinutes, hostedCostUsd, ...converted };
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
    `| Duration | ${formatDuration(estimate.seconds)}, billed by the second | ${estimate.hostedMinutes} min, billed by the started minute |`,
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
    `Duration: from launch${facts.instanceId ? ` of \`${facts.instanceId}\`` : ""} to release, so boot time is included; the GitHub-hosted figure is for the same time.`,
    "The start and stop jobs run on standard GitHub-hosted runners and are not included (free for public repositories).",
    `GitHub prices: ${PRICES_SOURCE} (${PRICES_AS_OF}).${estimate.hostedSmaller ? ` GitHub has no Linux runner with ${facts.cpuCount} cores; compared with its largest.` : ""}`,
  ];
  if (rate !== undefined && cur !== "USD") notes.push(`Exchange rate: ${rate} ${cur}/USD (override with \`--usd-cny\`).`);
  if (rate === undefined) notes.push(`No exchange rate for ${cur}: the two costs are not compared.`);
  lines.push(...notes.map((n) => `- ${n}`), "");
  return lines.join("\n");
}

/** The summary when the stack recorded no instance (start failed early or was cancelled before launching). */
export function renderNoRunnerSummary(stack?: string): string {
  return [
    `### Spot runner cost${stack ? `: \`${stack}\`` : ""}`,
    "",
    "No instance was recorded for this job: the start job failed or was cancelled before a runner came up.",
    "The stop job still swept for instances tagged with this stack, so nothing is left running.",
    "",
  ].join("\n");
}
