import { AdviceRequest, Arch } from "./types";

export const DEFAULT_REGION_ID = "cn-hangzhou";
/** The guide looks at the last hour of spot prices. */
export const DEFAULT_PRICE_WINDOW_MINUTES = 60;
/** Bid 20 % above the latest price, the guide's rule: enough headroom for small moves, no blank cheque. */
export const DEFAULT_PRICE_LIMIT_FACTOR = 1.2;
/**
 * Queries in flight at once, at most (see QueryScheduler): every price query of the guide's requests in one wave
 * (amd64 needs 39). Throttling answers lower it while the run lasts.
 */
export const DEFAULT_CONCURRENCY = 40;
/** The job an expected cost is computed for: the guide's OpenResty build takes about 15 minutes. */
export const DEFAULT_EXPECTED_JOB_MINUTES = 20;
/** The API accepts a StartTime at most 30 days before EndTime. */
export const MAX_PRICE_WINDOW_MINUTES = 30 * 24 * 60;

/**
 * The guide's choices. amd64: 8-64 vCPU and 8-64 GiB, any family, 1:1 preferred; real x86 1:1 types are
 * rare (none in cn-hangzhou), so 1:2 follows, as the guide's own action falls back. arm64: 8-64 vCPU,
 * 16-128 GiB at 1:2, Yitian families only (ecs.c8r is the guide's; no such type exists, the explanation says so).
 */
export function defaultAdviceRequest(arch: Arch, regionId: string = DEFAULT_REGION_ID): AdviceRequest {
  if (arch === "amd64") {
    return { regionId, arch, minCpu: 8, maxCpu: 64, minMemGiB: 8, maxMemGiB: 64, ratios: [1, 2] };
  }
  return { regionId, arch, minCpu: 8, maxCpu: 64, minMemGiB: 16, maxMemGiB: 128, ratios: [2], families: ["ecs.c8y", "ecs.c8r"] };
}
