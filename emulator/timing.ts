import type { ScenarioTiming } from "./scenario/types";

/**
 * How long things take when a scenario does not say. Chosen to be short enough for the demo on the real clock and
 * in the range Aliyun shows for small spot instances (tens of seconds to Running); the reclaim notice is the
 * documented five minutes; the listing delay models eventual consistency (undocumented, so the worse case).
 */
export const DEFAULT_TIMING: ScenarioTiming = {
  pendingMs: 5_000,
  startingMs: 10_000,
  runnerOnlineMs: 20_000,
  releaseMs: 5_000,
  reclaimNoticeMs: 300_000,
  // Assumed, and chosen against the product: a new instance is missing from DescribeInstances for 3 s (shorter
  // than Pending, so Pending can still be seen).
  listingDelayMs: 3_000,
  // Assumed: the bake (docker, the runner, BuildKit) takes a few minutes on a small instance; a stop tens of seconds;
  // an image of a 40 GiB system disk several minutes. Only their order matters to the product, which waits for each.
  bakeMs: 240_000,
  stopMs: 15_000,
  imageCreateMs: 300_000,
};

export function resolveTiming(partial: Partial<ScenarioTiming> | undefined): ScenarioTiming {
  return { ...DEFAULT_TIMING, ...(partial ?? {}) };
}
