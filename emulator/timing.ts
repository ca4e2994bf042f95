import type { ScenarioTiming } from "./scenario/types";

/**
 * How long things take when a scenario does not say. Chosen to be short enough for the demo on the real clock and
 * in the range Aliyun shows for small spot instances (tens of seconds to Running); the reclaim notice is the
 * documented five minutes.
 */
export const DEFAULT_TIMING: ScenarioTiming = {
  pendingMs: 5_000,
  startingMs: 10_000,
  runnerOnlineMs: 20_000,
  releaseMs: 5_000,
  reclaimNoticeMs: 300_000,
};

export function resolveTiming(partial: Partial<ScenarioTiming> | undefined): ScenarioTiming {
  return { ...DEFAULT_TIMING, ...(partial ?? {}) };
}
