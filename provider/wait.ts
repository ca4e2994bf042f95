import { SpotRunnerError } from "./errors";

/** Time, injected: the real clock in production, the emulator's manual clock in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class WaitTimeoutError extends SpotRunnerError {
  override name = "WaitTimeoutError";
  constructor(readonly what: string, readonly waitedMs: number, readonly lastObservation: string) {
    super(`timed out after ${Math.round(waitedMs / 1000)} s waiting for ${what} (last seen: ${lastObservation})`);
  }
}

export interface WaitOptions {
  /** For the timeout message: "instance i-123 to be Running". */
  readonly what: string;
  readonly timeoutMs: number;
  /** Time between polls. */
  readonly intervalMs: number;
  readonly clock: Clock;
}

/**
 * Polls `probe` until it returns `{ done: true }` or the deadline passes. Custom timeouts and cancellation do
 * not reach dynamic providers, so every wait carries its own deadline. The interval is steady: the waits are
 * for state the cloud changes within seconds to minutes (boot, runner registration, release), and a growing
 * interval only adds lag to noticing the change (up to one interval: measured as 1.04-1.31x the cloud's own
 * time with 1.5x growth up to 10 s). Callers pick an interval that fits the API's rate limits.
 */
export async function waitFor<T>(
  probe: () => Promise<{ done: true; value: T } | { done: false; observation: string }>,
  options: WaitOptions,
): Promise<T> {
  const { clock } = options;
  const started = clock.now();
  let observation = "nothing yet";
  // Bounded by time; the count bound guards against a clock that does not move.
  for (let polls = 0; polls < 100_000; polls++) {
    const result = await probe();
    if (result.done) return result.value;
    observation = result.observation;
    const elapsed = clock.now() - started;
    if (elapsed >= options.timeoutMs) break;
    await clock.sleep(Math.min(options.intervalMs, options.timeoutMs - elapsed));
  }
  throw new WaitTimeoutError(options.what, clock.now() - started, observation);
}
