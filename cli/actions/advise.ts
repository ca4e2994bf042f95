import { advise } from "../../provider/advisor/advise";
import { defaultAdviceRequest } from "../../provider/advisor/defaults";
import { toGoAdvisorJson } from "../../provider/advisor/goJson";
import type { Advice, AdviceRequest, EcsAdvisorQueries } from "../../provider/advisor/types";
import { validateAdviceRequest } from "../../provider/advisor/validate";
import { zoneProblem } from "../../provider/contract/names";
import { InvalidInputError } from "../../provider/errors";
import type { CliContext } from "../context";
import { failureLine } from "../failures";
import { inputFlag, splitList, wholeNumberFlag } from "../flags";
import { UsageError } from "../io";
import { regionFrom } from "../region";
import { renderAdvice } from "../render/advice";

/** The Go tool's default row count. */
export const DEFAULT_LIMIT = 20;

export interface AdviseFlags {
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
  strategy?: string;
  jobMinutes?: string;
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
  strategy: "--strategy",
  expectedJobMinutes: "--job-minutes",
  limit: "--limit",
};

/** `spot-runner advise`: the request from the flags, the advisor over ECS, a table or the Go tool's JSON. */
export async function runAdvise(flags: AdviseFlags, ctx: CliContext): Promise<number> {
  const request = adviceRequestFromFlags(flags, ctx.env);
  const zonesOfRegion = new Set<string>();
  const queries = recordingZones(ctx.services.advisorQueries(request.regionId), zonesOfRegion);
  let advice: Advice;
  try {
    advice = await advise(request, { queries, now: () => ctx.services.clock.now() });
  } catch (err) {
    const line = failureLine(err);
    if (line === undefined) throw err;
    ctx.stderr(`error: ${line}\n`);
    return 1;
  }
  // A zone the region does not have is a typo, not "no capacity": said as a usage error, with the zones there are.
  const unknown = (request.zones ?? []).filter((z) => zonesOfRegion.size > 0 && !zonesOfRegion.has(z));
  if (unknown.length > 0) {
    throw new UsageError(`--zones: ${unknown.join(", ")} ${unknown.length === 1 ? "is not a zone" : "are not zones"} of ${request.regionId} ` +
      `(ECS lists ${[...zonesOfRegion].sort().join(", ")})`);
  }
  if (flags.json) {
    ctx.stdout(`${JSON.stringify(toGoAdvisorJson(advice.candidates), null, 2)}\n`);
  } else if (advice.candidates.length > 0) {
    ctx.stdout(renderAdvice(advice));
  }
  if (advice.candidates.length === 0) {
    // Scripts read stdout ("[]" with --json); people read why on stderr.
    ctx.stderr(`${advice.explanation.join("\n")}\n`);
    return 1;
  }
  if (flags.json) ctx.stderr(`${advice.explanation[0]}\n`);
  return 0;
}

/**
 * Flags over the per-architecture defaults. Flags that are SpotRunner inputs parse and check as those inputs do
 * (cli/flags.ts); the request as a whole is then checked by the advisor's own validation (min <= max), all before
 * any client is built. Every problem is a usage error naming its flag.
 */
export function adviceRequestFromFlags(flags: AdviseFlags, env: NodeJS.ProcessEnv): AdviceRequest {
  const arch = flags.arch === undefined ? "amd64" : inputFlag("--arch", "arch", flags.arch);
  const regionId = regionFrom(flags.region, env);
  const base = defaultAdviceRequest(arch, regionId);
  const request: AdviceRequest = {
    ...base,
    ...(flags.minCpu !== undefined ? { minCpu: inputFlag("--min-cpu", "minCpu", flags.minCpu) } : {}),
    ...(flags.maxCpu !== undefined ? { maxCpu: inputFlag("--max-cpu", "maxCpu", flags.maxCpu) } : {}),
    ...(flags.minMem !== undefined ? { minMemGiB: inputFlag("--min-mem", "minMemoryGiB", flags.minMem) } : {}),
    ...(flags.maxMem !== undefined ? { maxMemGiB: inputFlag("--max-mem", "maxMemoryGiB", flags.maxMem) } : {}),
    ...(flags.ratio !== undefined ? { ratios: inputFlag("--ratio", "ratios", flags.ratio) } : {}),
    families: flags.families !== undefined ? inputFlag("--families", "families", flags.families) : base.families ?? [],
    ...(flags.zones !== undefined ? { zones: parseZones("--zones", flags.zones, regionId) } : {}),
    ...(flags.window !== undefined ? { priceWindowMinutes: inputFlag("--window", "priceWindowMinutes", flags.window) } : {}),
    ...(flags.spotDuration !== undefined ? { spotDuration: inputFlag("--spot-duration", "spotDuration", flags.spotDuration) } : {}),
    ...(flags.strategy !== undefined ? { strategy: inputFlag("--strategy", "strategy", flags.strategy) } : {}),
    ...(flags.jobMinutes !== undefined ? { expectedJobMinutes: inputFlag("--job-minutes", "expectedJobMinutes", flags.jobMinutes) } : {}),
    limit: flags.limit !== undefined ? wholeNumberFlag("--limit", flags.limit, { min: 1, max: 10_000 }) : DEFAULT_LIMIT,
  };
  try {
    validateAdviceRequest(request);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new UsageError(usageMessageOf(err));
    throw err;
  }
  return request;
}

/** Full zone ids, or the guide's zone letters ("b,j,k") expanded within the region; each checked to be of it. */
export function parseZones(flag: string, value: string, regionId: string): string[] {
  const zones = splitList(value).map((z) => (/^[a-z]$/.test(z) ? `${regionId}-${z}` : z));
  if (zones.length === 0) throw new UsageError(`${flag}: give at least one zone, e.g. ${regionId}-b or b; omit the flag for every zone`);
  for (const zone of zones) {
    const problem = zoneProblem(zone, regionId);
    if (problem) throw new UsageError(`${flag}: ${problem} (give ${regionId}-<letter> or just the letter)`);
  }
  return zones;
}

function usageMessageOf(err: InvalidInputError): string {
  const flagged = (text: string) => text.replace(/\b(regionId|minCpu|maxCpu|minMemGiB|maxMemGiB|priceWindowMinutes|spotDuration|expectedJobMinutes)\b/g, (f) => FLAG_OF_FIELD[f] ?? f);
  return err.failures.map((f) => `${FLAG_OF_FIELD[f.property] ?? f.property}: ${flagged(f.reason)}`).join("; ");
}

/** The queries, noting every zone DescribeAvailableResource names: the region's zones, for the --zones check. */
function recordingZones(queries: EcsAdvisorQueries, zones: Set<string>): EcsAdvisorQueries {
  // Inherits every other query from the original, whatever shape it has.
  const recording: EcsAdvisorQueries = Object.create(queries);
  recording.describeAvailableResource = async (...args) => {
    const rows = await queries.describeAvailableResource(...args);
    for (const row of rows) zones.add(row.zoneId);
    return rows;
  };
  return recording;
}
