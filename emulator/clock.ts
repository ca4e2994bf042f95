/**
 * The emulator's one clock. Everything time-dependent in the emulated cloud (instance lifecycle, AutoReleaseTime,
 * reclaim, runner online, spot prices, `acs:CurrentTime`) reads it, so a manual clock makes tests deterministic.
 * Signature freshness and nonce expiry deliberately do NOT use it: the SDK stamps requests with wall time.
 */
export interface EmulatorClock {
  readonly kind: "real" | "manual";
  now(): number;
  /** Moves a manual clock forward; throws on the real clock, which nobody can move. */
  advance(ms: number): void;
  /** Sets a manual clock to an instant (used by reset and scenario replacement). No-op on the real clock. */
  rewind(to: number): void;
}

export class ClockNotAdjustableError extends Error {
  override name = "ClockNotAdjustableError";
}

export function realClock(): EmulatorClock {
  return {
    kind: "real",
    now: () => Date.now(),
    advance: () => {
      throw new ClockNotAdjustableError(
        "the emulator runs on the real clock, which cannot be advanced; start it with clock: \"manual\" to control time",
      );
    },
    rewind: () => undefined,
  };
}

export function manualClock(start: number): EmulatorClock {
  let current = start;
  return {
    kind: "manual",
    now: () => current,
    advance: (ms: number) => {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`clock.advance(${ms}): the emulated clock only moves forward by a finite number of ms`);
      }
      current += ms;
    },
    rewind: (to: number) => {
      current = to;
    },
  };
}
