/** Time, injected: the real clock in production, the emulator's manual clock in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
  constructor(readonly what: string, readonly waitedMs: number, readonly lastObservation: string) {
    super(`timed out after ${Math.round(waitedMs / 1000)} s waiting for ${what} (last seen: ${lastObservation})`);
  }
}

export interface WaitOptions {
  /** For the timeout message: "instance i-123 to be Running". */
  readonly what: string;
  readonly timeoutMs: number;
  /** First poll interval; grows by half each poll up to maxIntervalMs. */
  readonly initialIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly clock: Clock;
}

/**
 * Polls `probe` until it returns `{ done: true }` or the deadline passes. Custom timeouts and cancellation do
 * not reach dynamic providers, so every wait carries its own deadline. The interval grows so a long wait does
 * not hammer the API, and starts small so a fast answer is seen quickly.
 */
export async function waitFor<T>(
  probe: () => Promise<{ done: true; value: T } | { done: false; observation: string }>,
  options: WaitOptions,
): Promise<T> {
  const { clock } = options;
  const started = clock.now();
  let interval = options.initialIntervalMs;
  let observation = "nothing yet";
  // Bounded by time; the count bound guards against a clock that does not move.
  for (let polls = 0; polls < 100_000; polls++) {
    const result = await probe();
    if (result.done) return result.value;
    observation = result.observation;
    const elapsed = clock.now() - started;
    if (elapsed >= options.timeoutMs) break;
    await clock.sleep(Math.min(interval, options.timeoutMs - elapsed));
    interval = Math.min(Math.ceil(interval * 1.5), options.maxIntervalMs);
  }
  throw new WaitTimeoutError(options.what, clock.now() - started, observation);
}
