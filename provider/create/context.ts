import type { EcsAdvisorQueries } from "../advisor";
import type { EcsInstanceApi } from "../aliyun/instances";
import type { BootstrapInput } from "../bootstrap";
import type { LaunchAttempt } from "../errors";
import type { RunnerApi } from "../github/runners";
import type { SpotRunnerInputs } from "../contract/inputs";
import type { TeardownContext } from "../teardown";
import type { Clock } from "../wait";

/** What the provider needs from the outside world; production wiring is in runtime.ts, tests inject their own. */
export interface ProviderDeps {
  readonly ecs: (regionId: string) => EcsInstanceApi;
  readonly advisorQueries: (regionId: string) => EcsAdvisorQueries;
  readonly runners: () => RunnerApi;
  readonly renderUserData: (input: BootstrapInput) => string;
  readonly clock: Clock;
  /** Random characters for runner names (unique per create). */
  readonly randomSuffix: () => string;
  /** Progress lines (never secrets). */
  readonly log: (line: string) => void;
  /** Throws MissingEnvironmentError naming the variable when credentials are absent: before any API call. */
  readonly requireCredentials: () => void;
  /** Time between polls of ECS while an instance boots or is released (ECS's API limits are per minute and generous). */
  readonly pollMs: number;
  /** Time between polls of GitHub while the runner starts (its budget: 5,000 requests an hour per token). */
  readonly githubPollMs: number;
  /** How long a release may take before delete gives up (the resource then stays in state). */
  readonly releaseTimeoutMs: number;
}

/** What exists so far in one create; cleanup releases exactly this, plus what the runner's tag finds. */
export interface MadeSoFar {
  /** Every instance id RunInstances returned, recorded before any wait, so cleanup never misses one. */
  readonly instanceIds: string[];
  /** Known once the registration answered; until then cleanup looks the runner up by its unique name. */
  runnerId?: number;
  /**
   * Set when a RunInstances is sent, cleared when it answers (an id, or a refusal that means nothing was made):
   * while set, an instance may exist that no answer told us about, and the listing may not show it for a while.
   */
  unansweredLaunchAt?: number;
}

/** One create, everything its steps share: one object instead of parameters threaded through every call. */
export interface CreateContext extends TeardownContext {
  readonly inputs: SpotRunnerInputs;
  readonly deps: ProviderDeps;
  /** Unique per create: the runner's name, its job label, and the tag that finds its instances. */
  readonly runnerName: string;
  readonly made: MadeSoFar;
  /** Each launch attempt and what became of it, in order. */
  readonly attempts: LaunchAttempt[];
}
