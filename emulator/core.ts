import type { Scenario } from "./scenario/types";
import { validateScenario } from "./scenario/validate";
import { CallLog } from "./callLog";
import type { EmulatorClock } from "./clock";
import { FaultRegistry } from "./faults";
import { IdGenerator } from "./ids";
import { NonceCache } from "./ecs/authenticate";
import { StsRegistry } from "./sts/registry";
import { World } from "./state/world";

export const DEFAULT_START_TIME = "2026-01-01T00:00:00Z";

/** A request was waiting out a fault's latency when the emulator was reset or closed; it gets no answer. */
export class RequestCancelledError extends Error {
  override name = "RequestCancelledError";
  constructor() {
    super("the emulator was reset or closed while this request waited out a fault's latency");
  }
}

/**
 * Everything one emulator instance holds, shared by the ECS, GitHub and admin front ends: the clock, the world
 * built from the scenario, faults, the call log and the nonce cache. Real-time waits (fault latency) go through
 * `sleep`, so `reset`, a scenario replacement and `close()` can cancel them: a request from before a reset must not
 * act on the world after it.
 */
export class EmulatorCore {
  readonly faults = new FaultRegistry();
  readonly calls = new CallLog();
  readonly nonces = new NonceCache();
  readonly ids = new IdGenerator();
  /** OIDC providers, roles and the temporary credentials STS issued (emulator/sts/). */
  readonly sts = new StsRegistry();
  private current: World;
  private loaded: Scenario;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; cancel: () => void }>();

  constructor(
    scenario: Scenario,
    readonly clock: EmulatorClock,
    /** GitHub's server URL as it appears inside issued JIT configs. */
    private readonly githubServerUrl: string,
  ) {
    this.loaded = scenario;
    this.current = this.build(scenario);
  }

  get scenario(): Scenario {
    return this.loaded;
  }

  now(): number {
    return this.clock.now();
  }

  /** The world with every time-driven change up to now applied. */
  world(): World {
    this.current.settle(this.clock.now());
    return this.current;
  }

  /** Replaces the scenario (validated) and starts over from it. */
  replaceScenario(raw: unknown): void {
    const scenario = validateScenario(raw);
    this.loaded = scenario;
    this.reset();
  }

  /**
   * Back to the scenario as loaded: no instances, runners, faults or calls; a manual clock rewinds to the start.
   * Requests still waiting out a fault's latency are cancelled: their connection is closed with no answer.
   */
  reset(): void {
    this.cancelWaits();
    this.clock.rewind(startOf(this.loaded, this.clock.kind, this.clock.now()));
    this.current = this.build(this.loaded);
    this.faults.clear();
    this.calls.clear();
  }

  /** A real-time wait; rejects with RequestCancelledError when reset, replaceScenario or close cancels it. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => (this.sleepers.delete(entry), resolve()), ms),
        cancel: () => reject(new RequestCancelledError()),
      };
      this.sleepers.add(entry);
    });
  }

  /** Cancels every pending fault delay now (reset, scenario replacement, close). */
  cancelWaits(): void {
    for (const entry of this.sleepers) {
      clearTimeout(entry.timer);
      entry.cancel();
    }
    this.sleepers.clear();
  }

  private build(scenario: Scenario): World {
    return new World(scenario, startOf(scenario, this.clock.kind, this.clock.now()), this.ids, this.githubServerUrl);
  }
}

/** Where scenario-relative minutes count from: the manual clock's start, or now on the real clock. */
export function startOf(scenario: Scenario, kind: "real" | "manual", now: number): number {
  return kind === "manual" ? Date.parse(scenario.startTime ?? DEFAULT_START_TIME) : now;
}
