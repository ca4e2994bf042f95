/**
 * What a spot runner is expected to cost per completed job, counting interruptions (docs/advisor.md, "Expected
 * cost per completed job", writes the model and its assumptions out):
 *
 * - An attempt lives `startMinutes` (boot and runner start) plus the job. Nothing reclaims it during the
 *   protection period (SpotDuration hours); after it, it is reclaimed with probability `rate` per hour (the upper
 *   bound of DescribeSpotAdvice's 30-day band: the worst rate the band allows).
 * - An interrupted attempt is billed, on average, to the middle of its exposed time; the job then runs again on
 *   an attempt with the same odds, until one completes (a geometric number of attempts).
 * - Expected cost = price per vCPU-hour x expected billed hours over all attempts.
 *
 * A job that ends inside the protection period can never be interrupted: its expected cost is its price for its
 * length, whatever the band. With the defaults (one hour of protection, 20-minute jobs) the ranking is then the
 * lowest price's; the band matters without protection (spotDuration 0) or for jobs longer than it.
 */

/** Boot plus runner start before a job can begin: about 3 minutes with a baked image (bench/provider.ts). */
export const START_MINUTES = 3;
/** A band whose upper bound is 100 % says no bound is known; the chance per hour is capped here, not 1. */
const MAX_HOURLY_RATE = 0.99;

/** "0-3%" -> 0.03; "10-100%" -> 1; ">20%" -> 1 (no upper bound); undefined when it cannot be read. */
export function bandUpperBound(desc: string | undefined): number | undefined {
  if (!desc) return undefined;
  const text = desc.replace(/\s+/g, "");
  const range = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)%$/.exec(text);
  if (range) return Math.min(1, Number(range[2]) / 100);
  if (/^>\d+(?:\.\d+)?%$/.test(text)) return 1;
  const single = /^(\d+(?:\.\d+)?)%$/.exec(text);
  return single ? Math.min(1, Number(single[1]) / 100) : undefined;
}

export interface JobShape {
  /** Minutes of work the job needs. */
  readonly jobMinutes: number;
  /** The protection period: SpotDuration hours, in minutes. */
  readonly protectedMinutes: number;
  readonly startMinutes?: number;
}

/** The chance that one attempt is interrupted before its job completes. */
export function interruptionChance(rate: number, shape: JobShape): number {
  const exposedHours = Math.max(0, (shape.startMinutes ?? START_MINUTES) + shape.jobMinutes - shape.protectedMinutes) / 60;
  if (exposedHours === 0) return 0;
  return 1 - (1 - Math.min(rate, MAX_HOURLY_RATE)) ** exposedHours;
}

/** Expected billed minutes per completed job; undefined when the job can be interrupted and the rate is unknown. */
export function expectedBilledMinutes(rate: number | undefined, shape: JobShape): number | undefined {
  const start = shape.startMinutes ?? START_MINUTES;
  const lifetime = start + shape.jobMinutes;
  const exposed = Math.max(0, lifetime - shape.protectedMinutes);
  if (exposed === 0) return lifetime;
  if (rate === undefined) return undefined;
  const q = interruptionChance(rate, shape);
  // Each failed attempt is billed to the middle of its exposed time, on average.
  const failedAttemptMinutes = Math.min(lifetime, shape.protectedMinutes) + exposed / 2;
  return lifetime + (q / (1 - q)) * failedAttemptMinutes;
}

/** Expected cost per vCPU of one completed job: price per vCPU-hour x expected billed hours. */
export function expectedCostPerVcpu(pricePerCore: number, rate: number | undefined, shape: JobShape): number | undefined {
  const minutes = expectedBilledMinutes(rate, shape);
  return minutes === undefined ? undefined : Number(((pricePerCore * minutes) / 60).toPrecision(12));
}

/** Minutes of work lost to interruptions per completed job, on average (for the replay benchmark's report). */
export function expectedLostMinutes(rate: number, shape: JobShape): number {
  const q = interruptionChance(rate, shape);
  const lifetime = (shape.startMinutes ?? START_MINUTES) + shape.jobMinutes;
  const exposed = Math.max(0, lifetime - shape.protectedMinutes);
  return (q / (1 - q)) * (Math.min(lifetime, shape.protectedMinutes) + exposed / 2);
}
