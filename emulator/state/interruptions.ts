import { HOUR_MS } from "../format";
import { stringSeed } from "./prices";

/**
 * Spot interruptions: the bands DescribeSpotAdvice reports, and when the emulator reclaims an instance.
 *
 * An offering's `interruptionRate` is the API's InterruptionRate: a percentage, "the average release rate of spot
 * instances in the last 30 days". The emulator reads it as the chance, per hour, that a Running spot instance past
 * its protection period is reclaimed (memoryless: the same chance every hour). That reading is the emulator's own
 * (the API does not say over what span the rate is counted); it makes a band mean the same thing to a test, a
 * benchmark and the advisor's expected-cost model.
 */

/** InterruptRateDesc values, as the API lists them (SDK model and API reference). */
export const INTERRUPT_RATE_BANDS = ["0-3%", "3-5%", "5-10%", "10-100%"] as const;
export type InterruptRateDesc = (typeof INTERRUPT_RATE_BANDS)[number];

/** The band of a rate (percent). A rate on a boundary falls in the higher band, the worse reading. */
export function interruptRateDesc(ratePercent: number): InterruptRateDesc {
  if (ratePercent < 3) return "0-3%";
  if (ratePercent < 5) return "3-5%";
  if (ratePercent < 10) return "5-10%";
  return "10-100%";
}

/**
 * When a spot instance receives its reclaim notice, or undefined when it never does. `from` is when it becomes
 * reclaimable (Running and past its protection period); `draw` a deterministic number in [0, 1). The wait is
 * exponential with the hazard that gives `ratePercent`% per hour: P(notice within an hour) = ratePercent / 100.
 */
export function reclaimNoticeAt(ratePercent: number, from: number, draw: number): number | undefined {
  if (!(ratePercent > 0)) return undefined;
  if (ratePercent >= 100) return from;
  const hazardPerHour = -Math.log(1 - ratePercent / 100);
  const hours = -Math.log(1 - draw) / hazardPerHour;
  // Whole milliseconds, so the schedule is the same on every platform.
  return from + Math.floor(hours * HOUR_MS);
}

/** A deterministic number in [0, 1) for (seed, key): the same scenario and launches give the same interruptions. */
export function interruptionDraw(seed: number, key: string): number {
  let h = stringSeed(`${seed}|${key}`);
  // MurmurHash3's final mix: neighbouring keys (launch 1, 2, 3 of an offering) must not draw neighbouring numbers.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}
