import { InvalidInputError } from "../errors";
import { normalizeArch } from "../contract/arch";
import { DEFAULT_EXPECTED_JOB_MINUTES, DEFAULT_PRICE_LIMIT_FACTOR, DEFAULT_PRICE_WINDOW_MINUTES, MAX_PRICE_WINDOW_MINUTES } from "./defaults";
import { AdviceRequest, Arch, RANKING_STRATEGIES, RankingStrategy } from "./types";

type Failure = { property: string; reason: string };

/** A validated request: defaults filled in. */
export type AppliedAdviceRequest = AdviceRequest & {
  readonly priceWindowMinutes: number;
  readonly priceLimitFactor: number;
  readonly strategy: RankingStrategy;
  readonly expectedJobMinutes: number;
};

/**
 * Checks a request before any API call and returns it as applied: architecture aliases resolved, family and
 * zone lists trimmed with empty entries dropped (a trailing comma must not mean "every family", as it does
 * in the Go tool), duplicates removed, defaults filled in. Every problem is reported at once, each naming
 * the field.
 */
export function validateAdviceRequest(request: AdviceRequest): AppliedAdviceRequest {
  const failures: Failure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });

  const regionId = typeof request.regionId === "string" ? request.regionId.trim() : "";
  if (!regionId) fail("regionId", "required, e.g. cn-hangzhou");
  else if (/\s/.test(regionId)) fail("regionId", `"${request.regionId}" contains spaces`);

  let arch: Arch = "amd64";
  try {
    arch = normalizeArch(request.arch);
  } catch (err) {
    fail("arch", (err as Error).message);
  }

  checkRange(fail, "minCpu", "maxCpu", request.minCpu, request.maxCpu, true);
  checkRange(fail, "minMemGiB", "maxMemGiB", request.minMemGiB, request.maxMemGiB, false);

  const ratios = Array.isArray(request.ratios) ? unique(request.ratios) : [];
  if (!Array.isArray(request.ratios) || request.ratios.length === 0) fail("ratios", "give at least one GiB-per-vCPU ratio, e.g. [1, 2]");
  for (const ratio of ratios) {
    if (!isPositiveNumber(ratio)) fail("ratios", `${String(ratio)} is not a positive number of GiB per vCPU`);
  }

  const families = trimmedList(fail, "families", request.families);
  const zones = trimmedList(fail, "zones", request.zones);
  if (request.zones !== undefined && zones?.length === 0) {
    fail("zones", "no zone left after dropping empty entries; omit zones to allow every zone");
  }

  const priceWindowMinutes = request.priceWindowMinutes ?? DEFAULT_PRICE_WINDOW_MINUTES;
  if (!Number.isFinite(priceWindowMinutes) || priceWindowMinutes < 1 || priceWindowMinutes > MAX_PRICE_WINDOW_MINUTES) {
    fail("priceWindowMinutes", `${String(priceWindowMinutes)} is outside 1..${MAX_PRICE_WINDOW_MINUTES} (1 minute to 30 days, the API's limit)`);
  }
  if (request.spotDuration !== undefined && request.spotDuration !== 0 && request.spotDuration !== 1) {
    fail("spotDuration", `${String(request.spotDuration)} is not 0 or 1 (hours of protection)`);
  }
  if (request.limit !== undefined && !(Number.isInteger(request.limit) && request.limit > 0)) {
    fail("limit", `${String(request.limit)} is not a positive integer`);
  }
  const priceLimitFactor = request.priceLimitFactor ?? DEFAULT_PRICE_LIMIT_FACTOR;
  if (!Number.isFinite(priceLimitFactor) || priceLimitFactor < 1 || priceLimitFactor > 10) {
    fail("priceLimitFactor", `${String(priceLimitFactor)} is outside 1..10 (below 1 the bid is under the current price and RunInstances rejects it)`);
  }

  const strategy = request.strategy ?? "expected-cost";
  if (!RANKING_STRATEGIES.includes(strategy)) fail("strategy", `"${String(strategy)}" is not ${RANKING_STRATEGIES.join(" or ")}`);
  const expectedJobMinutes = request.expectedJobMinutes ?? DEFAULT_EXPECTED_JOB_MINUTES;
  if (!(Number.isFinite(expectedJobMinutes) && expectedJobMinutes > 0 && expectedJobMinutes <= 7 * 24 * 60)) {
    fail("expectedJobMinutes", `${String(expectedJobMinutes)} is not a job length in minutes (1 minute to a week)`);
  }

  if (failures.length > 0) throw new InvalidInputError(failures, "advise");
  return {
    regionId,
    arch,
    minCpu: request.minCpu,
    maxCpu: request.maxCpu,
    minMemGiB: request.minMemGiB,
    maxMemGiB: request.maxMemGiB,
    ratios,
    ...(families && families.length > 0 ? { families } : {}),
    ...(zones ? { zones } : {}),
    priceWindowMinutes,
    ...(request.spotDuration !== undefined ? { spotDuration: request.spotDuration } : {}),
    ...(request.limit !== undefined ? { limit: request.limit } : {}),
    priceLimitFactor,
    ...(request.onDemand ? { onDemand: true } : {}),
    strategy,
    expectedJobMinutes,
  };
}

/** Bounded concurrency needs at least one slot. */
export function validateConcurrency(concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidInputError([{ property: "concurrency", reason: `${String(concurrency)} is not a positive integer` }], "advise");
  }
  return concurrency;
}

function checkRange(fail: (p: string, r: string) => void, minName: string, maxName: string, min: number, max: number, integer: boolean) {
  const ok = (value: number) => isPositiveNumber(value) && (!integer || Number.isInteger(value));
  const what = integer ? "a positive integer" : "a positive number";
  if (!ok(min)) fail(minName, `${String(min)} is not ${what}`);
  if (!ok(max)) fail(maxName, `${String(max)} is not ${what}`);
  if (ok(min) && ok(max) && min > max) fail(minName, `${min} is greater than ${maxName} ${max}`);
}

function trimmedList(fail: (p: string, r: string) => void, name: string, list: readonly string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) {
    fail(name, "must be a list of strings");
    return undefined;
  }
  const out: string[] = [];
  for (const entry of list) {
    if (typeof entry !== "string") {
      fail(name, `${JSON.stringify(entry)} is not a string`);
      continue;
    }
    const trimmed = entry.trim();
    if (trimmed && !out.includes(trimmed)) out.push(trimmed);
  }
  return out;
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

function unique<T>(values: readonly T[]): T[] {
  return values.filter((value, index) => values.indexOf(value) === index);
}
