import Table from "cli-table3";
import { Command } from "commander";
import {
  Advice,
  AdviceRequest,
  advise,
  createEcsAdvisorQueries,
  defaultAdviceRequest,
  DEFAULT_REGION_ID,
  EcsAdvisorQueries,
  formatRatio,
  normalizeArch,
  toGoAdvisorJson,
} from "../../provider/advisor";
import { AliyunApiError, InvalidInputError, MissingEnvironmentError } from "../../provider/errors";
import { CliIo, UsageError } from "../io";

/** What the command talks to; tests swap in an in-memory ECS and a fixed clock. */
export interface AdviseCommandDeps {
  readonly queries?: (regionId: string, env: NodeJS.ProcessEnv) => EcsAdvisorQueries;
  readonly now?: () => number;
}

/** The Go tool's default row count. */
const DEFAULT_LIMIT = 20;

interface AdviseFlags {
  region?: string;
  arch?: string;
  families?: string;
  minCpu?: string;
  maxCpu?: string;
  minMem?: string;
  maxMem?: string;
  ratio?: string;
  window?: string;
  zones?: string;
  spotDuration?: string;
  limit?: string;
  json?: boolean;
}

/** Request fields as the flags that set them, so a validation error names what the user typed. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  regionId: "--region",
  arch: "--arch",
  minCpu: "--min-cpu",
  maxCpu: "--max-cpu",
  minMemGiB: "--min-mem",
  maxMemGiB: "--max-mem",
  ratios: "--ratio",
  families: "--families",
  zones: "--zones",
  priceWindowMinutes: "--window",
  spotDuration: "--spot-duration",
  limit: "--limit",
};

export function register(program: Command, io: CliIo, done: (code: number) => void, deps: AdviseCommandDeps = {}): void {
  program
    .command("advise")
    .description("the cheapest spot capacity per vCPU right now (our take on spot-instance-advisor)")
    .option("--region <id>", `region (default ${DEFAULT_REGION_ID})`)
    .option("--arch <arch>", "amd64 (x86_64) or arm64 (aarch64) (default amd64)")
    .option("--families <list>", 'comma list of exact families, e.g. "ecs.c8y,ecs.c8r"; "" = any (default: amd64 any, arm64 ecs.c8y,ecs.c8r)')
    .option("--min-cpu <n>", "minimum vCPUs (default 8)")
    .option("--max-cpu <n>", "maximum vCPUs (default 64)")
    .option("--min-mem <GiB>", "minimum memory (default amd64 8, arm64 16)")
    .option("--max-mem <GiB>", "maximum memory (default amd64 64, arm64 128)")
    .option("--ratio <list>", 'CPU:RAM ratios in order of preference, "1:1,1:2" or "1,2" (GiB per vCPU) (default amd64 1:1,1:2, arm64 1:2)')
    .option("--window <minutes>", "spot price history to look at, widened for zones without a row (default 60)")
    .option("--zones <list>", 'only these zones, in order of preference: "cn-hangzhou-b,cn-hangzhou-j" or letters "b,j"')
    .option("--spot-duration <hours>", "protection period, 0 or 1 (default: the API's, 1)")
    .option("--limit <n>", `rows to show (default ${DEFAULT_LIMIT})`)
    .option("--json", "a JSON array with the Go tool's fields (and spotPrice, originPrice, priceLimit)")
    .addHelpText(
      "after",
      "\nCredentials: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (or ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY).\n" +
        "Endpoint: ALIBABA_CLOUD_ECS_ENDPOINT, e.g. http://127.0.0.1:8080 for the emulator.\n" +
        "Exit codes: 0 candidates found, 1 none (the explanation is on stderr) or an API error, 2 bad flags.",
    )
    .action(async (flags: AdviseFlags) => {
      const request = adviceRequestFromFlags(flags);
      const queries = (deps.queries ?? defaultQueries)(request.regionId, io.env);
      let advice: Advice;
      try {
        advice = await advise(request, { queries, now: deps.now ?? Date.now });
      } catch (err) {
        if (err instanceof InvalidInputError) throw new UsageError(usageMessageOf(err));
        const line = failureLine(err);
        if (line === undefined) throw err;
        io.stderr(`error: ${line}\n`);
        done(1);
        return;
      }
      if (flags.json) {
        io.stdout(`${JSON.stringify(toGoAdvisorJson(advice.candidates), null, 2)}\n`);
      } else if (advice.candidates.length > 0) {
        io.stdout(renderAdvice(advice));
      }
      if (advice.candidates.length === 0) {
        // Scripts read stdout ("[]" with --json); people read why on stderr.
        io.stderr(`${advice.explanation.join("\n")}\n`);
        done(1);
        return;
      }
      if (flags.json) io.stderr(`${advice.explanation[0]}\n`);
      done(0);
    });
}

function defaultQueries(regionId: string, env: NodeJS.ProcessEnv): EcsAdvisorQueries {
  return createEcsAdvisorQueries({ regionId, env });
}

/** Flags over the per-architecture defaults; every malformed value is a usage error naming its flag. */
export function adviceRequestFromFlags(flags: AdviseFlags): AdviceRequest {
  let arch;
  try {
    arch = normalizeArch(flags.arch ?? "amd64");
  } catch (err) {
    throw new UsageError(`--arch: ${(err as Error).message}`);
  }
  const regionId = flags.region?.trim() || DEFAULT_REGION_ID;
  const base = defaultAdviceRequest(arch, regionId);
  const families = flags.families !== undefined ? splitList(flags.families) : base.families;
  return {
    ...base,
    ...(flags.minCpu !== undefined ? { minCpu: positiveInteger("--min-cpu", flags.minCpu) } : {}),
    ...(flags.maxCpu !== undefined ? { maxCpu: positiveInteger("--max-cpu", flags.maxCpu) } : {}),
    ...(flags.minMem !== undefined ? { minMemGiB: positiveNumber("--min-mem", flags.minMem) } : {}),
    ...(flags.maxMem !== undefined ? { maxMemGiB: positiveNumber("--max-mem", flags.maxMem) } : {}),
    ...(flags.ratio !== undefined ? { ratios: parseRatios("--ratio", flags.ratio) } : {}),
    families: families ?? [],
    ...(flags.zones !== undefined ? { zones: parseZones("--zones", flags.zones, regionId) } : {}),
    ...(flags.window !== undefined ? { priceWindowMinutes: positiveNumber("--window", flags.window) } : {}),
    ...(flags.spotDuration !== undefined ? { spotDuration: spotDuration("--spot-duration", flags.spotDuration) } : {}),
    limit: flags.limit !== undefined ? positiveInteger("--limit", flags.limit) : DEFAULT_LIMIT,
  };
}

/** "1:1,1:2" (vCPU:GiB) or "1,2" (GiB per vCPU), in order of preference. */
export function parseRatios(flag: string, value: string): number[] {
  const items = splitList(value);
  if (items.length === 0) throw new UsageError(`${flag}: give at least one ratio, e.g. 1:2 or 2`);
  return items.map((item) => {
    const parts = item.split(":").map((p) => p.trim());
    const numbers = parts.map(Number);
    if (parts.length > 2 || parts.some((p) => p === "") || numbers.some((n) => !Number.isFinite(n) || n <= 0)) {
      throw new UsageError(`${flag}: "${item}" is not a ratio; use vCPU:GiB like 1:2, or GiB per vCPU like 2`);
    }
    return parts.length === 2 ? numbers[1] / numbers[0] : numbers[0];
  });
}

/** Full zone ids, or the guide's zone letters ("b,j,k") expanded within the region. */
export function parseZones(flag: string, value: string, regionId: string): string[] {
  const zones = splitList(value).map((z) => (/^[a-z]$/.test(z) ? `${regionId}-${z}` : z));
  if (zones.length === 0) throw new UsageError(`${flag}: give at least one zone, e.g. cn-hangzhou-b or b; omit the flag for every zone`);
  return zones;
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInteger(flag: string, value: string): number {
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isInteger(n) || n <= 0) throw new UsageError(`${flag}: "${value}" is not a positive whole number`);
  return n;
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag}: "${value}" is not a positive number`);
  return n;
}

function spotDuration(flag: string, value: string): 0 | 1 {
  if (value.trim() === "0") return 0;
  if (value.trim() === "1") return 1;
  throw new UsageError(`${flag}: "${value}" must be 0 or 1 (hours of protection)`);
}

function usageMessageOf(err: InvalidInputError): string {
  const flagged = (text: string) => text.replace(/\b(regionId|minCpu|maxCpu|minMemGiB|maxMemGiB|priceWindowMinutes|spotDuration)\b/g, (f) => FLAG_OF_FIELD[f] ?? f);
  return err.failures.map((f) => `${FLAG_OF_FIELD[f.property] ?? f.property}: ${flagged(f.reason)}`).join("; ");
}

/** One line for the failures a user can fix; undefined for the rest (programming errors keep their stack). */
function failureLine(err: unknown): string | undefined {
  if (err instanceof MissingEnvironmentError) return err.message;
  if (err instanceof AliyunApiError) {
    if (err.kind === "credentials") {
      return (
        `ECS rejected the AccessKey (${err.code}): check ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET ` +
        `(or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), and ALIBABA_CLOUD_ECS_ENDPOINT if set.`
      );
    }
    if (err.kind === "permission") {
      return `RAM denied ecs:${err.action} (${err.code}): allow ecs:${err.action} in the policy of the RAM user whose AccessKey is set.`;
    }
    return err.message;
  }
  // Endpoint variable errors from resolveEcsEndpoint already name the variable.
  if (err instanceof Error && /ALIBABA_CLOUD_ECS_ENDPOINT/.test(err.message)) return err.message;
  return undefined;
}

/** The readable form: one row per (type, zone), then the ratio used and the explanation. */
export function renderAdvice(advice: Advice): string {
  const table = new Table({
    head: ["#", "Instance type", "Zone", "vCPU", "GiB", "Spot/h", "Per vCPU/h", "Pay-as-you-go/h", "Of pay-as-you-go", "Price limit"],
    colAligns: ["right", "left", "left", "right", "right", "right", "right", "right", "right", "right"],
    style: { head: [], border: [], compact: true },
  });
  advice.candidates.forEach((c, i) => {
    table.push([
      String(i + 1),
      c.instanceTypeId,
      c.zoneId,
      String(c.cpuCoreCount),
      String(c.memorySize),
      c.spotPrice.toFixed(3),
      c.pricePerCore.toFixed(4),
      c.originPrice.toFixed(4),
      `${(c.discount * 10).toFixed(0)} %`,
      String(c.priceLimit),
    ]);
  });
  const { request } = advice;
  const header =
    `${request.arch} spot capacity in ${request.regionId}, ${advice.currency} per hour` +
    (advice.ratioUsed !== undefined ? `, ratio ${formatRatio(advice.ratioUsed)} (vCPU:GiB)` : "") +
    `, ${advice.apiCalls} API calls`;
  return `${header}\n${table.toString()}\n${advice.explanation.join("\n")}\n`;
}
