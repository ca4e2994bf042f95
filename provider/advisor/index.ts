/**
 * The instance advisor: the cheapest spot capacity per vCPU. The provider calls `advise` in its create step;
 * `spot-runner advise` is a thin shell over it. See docs/advisor.md.
 */
export type {
  Advice,
  AdviceRequest,
  AdvisorDeps,
  Arch,
  EcsAdvisorQueries,
  InstanceTypeInfo,
  OnRequest,
  SpotCandidate,
  SpotAdviceRow,
  RankingStrategy,
  OnDemandOption,
  SpotPriceHistory,
  SpotPriceRow,
  ZoneTypeAvailability,
} from "./types";
export type { RetryPolicy, EcsCallRecord } from "../aliyun/callEcs";
export { advise } from "./advise";
export { normalizeArch, goArchName } from "../contract/arch";
export { formatRatio, hasRatio, ratioOf } from "./catalog";
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_PRICE_LIMIT_FACTOR,
  DEFAULT_PRICE_WINDOW_MINUTES,
  DEFAULT_REGION_ID,
  defaultAdviceRequest,
} from "./defaults";
export { createEcsAdvisorQueries } from "./ecsQueries";
export type { EcsAdvisorQueriesOptions } from "./ecsQueries";
export { NoSpotCapacityError, requireCandidates } from "./errors";
export { toGoAdvisorJson } from "./goJson";
export type { GoAdvisorRow } from "./goJson";
export { priceLimitFor } from "./priceLimit";
export { rankCandidates } from "./rank";
export { validateAdviceRequest } from "./validate";
