import type { EcsAdvisorQueries } from "../advisor";
import type { EcsImageApi } from "../aliyun/images";
import type { EcsInstanceApi } from "../aliyun/instances";
import type { LaunchAttempt } from "../errors";
import type { Clock } from "../wait";
import type { RunnerImageInputs } from "./inputs";

/** What RunnerImage needs from the outside world; production wiring in runtime.ts, tests inject their own. */
export interface RunnerImageDeps {
  readonly ecs: (regionId: string) => EcsInstanceApi;
  readonly images: (regionId: string) => EcsImageApi;
  readonly advisorQueries: (regionId: string) => EcsAdvisorQueries;
  readonly clock: Clock;
  /** Random characters that make each bake's id (and so its image name and tags) unique. */
  readonly randomSuffix: () => string;
  /** Progress lines (never secrets: a bake has none). */
  readonly log: (line: string) => void;
  /** Throws MissingEnvironmentError naming the variable when Aliyun credentials are absent: before any API call. */
  readonly requireCredentials: () => void;
  /** Time between polls of ECS (boot, console, stop, image, release). */
  readonly pollMs: number;
  /** How long a release or a deletion may take before it counts as not verified. */
  readonly releaseTimeoutMs: number;
}

/** What one bake has made so far: cleanup removes exactly this, plus what the bake's tag finds. */
export interface BakeMade {
  readonly builderIds: string[];
  /** Set while a RunInstances is unanswered (an instance may exist that no answer named). */
  unansweredLaunchAt?: number;
  /** Set once a CreateImage was sent: an image may exist even when no answer named it. */
  createImageSent?: boolean;
  imageId?: string;
}

export interface BakeContext {
  readonly inputs: RunnerImageInputs;
  readonly deps: RunnerImageDeps;
  readonly ecs: EcsInstanceApi;
  readonly images: EcsImageApi;
  /** Unique per bake: tags the builder and the image (how a lost answer is found), names the image. */
  readonly bakeId: string;
  readonly imageName: string;
  /** "RunnerImage openresty-runner-arm64-..." in every message. */
  readonly subject: string;
  readonly made: BakeMade;
  readonly attempts: LaunchAttempt[];
}
