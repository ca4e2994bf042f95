/**
 * The spot circuit breaker: after `threshold` reclaims within `windowMinutes`, new jobs go straight to
 * pay-as-you-go until the window has passed the last of them (RunsOn's idea, on Aliyun). Pure: the reclaims are
 * observed by the reaper and the stop jobs and stored where every job can read them (docs/workflows.md, "Spot
 * circuit breaker"); this decides from them.
 */
export interface BreakerPolicy {
  /** Reclaims within the window that open the breaker. */
  readonly threshold: number;
  readonly windowMinutes: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { threshold: 3, windowMinutes: 120 };

export interface BreakerState {
  /** New jobs should go pay-as-you-go. */
  readonly open: boolean;
  /** Reclaims inside the window, newest last. */
  readonly recent: readonly number[];
  /** While open: when it closes again (ms since the epoch), unless more reclaims come. */
  readonly closesAt?: number;
}

export function breakerState(reclaimsMs: readonly number[], nowMs: number, policy: BreakerPolicy = DEFAULT_BREAKER_POLICY): BreakerState {
  const windowMs = policy.windowMinutes * 60_000;
  const recent = reclaimsMs.filter((t) => t <= nowMs && nowMs - t < windowMs).sort((a, b) => a - b);
  if (recent.length < policy.threshold) return { open: false, recent };
  // Open until fewer than `threshold` remain in the window: the (n - threshold + 1)-th oldest leaves it.
  const closesAt = recent[recent.length - policy.threshold] + windowMs;
  return { open: true, recent, closesAt };
}

/** The stored list after one more reclaim: only what can still matter (inside the window), bounded in size. */
export function recordReclaim(reclaimsMs: readonly number[], atMs: number, policy: BreakerPolicy = DEFAULT_BREAKER_POLICY): number[] {
  const windowMs = policy.windowMinutes * 60_000;
  return [...reclaimsMs, atMs].filter((t) => atMs - t < windowMs).sort((a, b) => a - b).slice(-Math.max(policy.threshold * 4, 16));
}
