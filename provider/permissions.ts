/**
 * Every Aliyun API action this project calls, and who calls it. This list is the single source of truth:
 * the infra stack's RAM policy is generated from it, and the provider tests prove with the emulator's RAM
 * enforcement that the policy allows every call and that each entry is needed.
 */
export const ALIYUN_ACTIONS = {
  /** Advisor: every page of instance types (shapes, architecture). The guide's policy omits it. */
  describeInstanceTypes: "ecs:DescribeInstanceTypes",
  /** Advisor: which (type, zone) pairs are sold for spot and have stock. */
  describeAvailableResource: "ecs:DescribeAvailableResource",
  /** Advisor: the latest spot price per (type, zone). */
  describeSpotPriceHistory: "ecs:DescribeSpotPriceHistory",
  /**
   * Advisor: the 30-day interruption band per (type, zone), for the expected-cost ranking. Not essential: without
   * it the ranking falls back to the price and says so (the API page discloses no RAM action; granted in case).
   */
  describeSpotAdvice: "ecs:DescribeSpotAdvice",
  /** Provider preflight: the image exists and matches the architecture, before any launch. */
  describeImages: "ecs:DescribeImages",
  /** Provider: launch the spot instance, tagged at launch (no separate tagging action is needed). */
  runInstances: "ecs:RunInstances",
  /** Provider (wait, refresh, verify release), reaper and `spot-runner list`. */
  describeInstances: "ecs:DescribeInstances",
  /** Provider (delete, cleanup after a failed create) and reaper; one action for single and batch release. */
  deleteInstances: "ecs:DeleteInstances",
  /** Provider: the boot log, quoted in the error when a runner never comes online. */
  getInstanceConsoleOutput: "ecs:GetInstanceConsoleOutput",
} as const;

export type AliyunAction = (typeof ALIYUN_ACTIONS)[keyof typeof ALIYUN_ACTIONS];

/**
 * What RunnerImage (provider/image) calls beyond the actions above, with which it advises, launches, watches and
 * releases its builder. A policy of their own (infra/ramPolicy.ts, buildImageBuilderPolicy), scoped to tagged
 * instances, images and snapshots; the RAM tests prove it sufficient and minimal like the runner policy.
 */
export const IMAGE_BUILDER_ACTIONS = {
  /** Stop the builder before imaging it (a consistent disk). */
  stopInstance: "ecs:StopInstance",
  /** Image the stopped builder, tagged at creation. */
  createImage: "ecs:CreateImage",
  /** Destroy, and cleanup of a failed bake. */
  deleteImage: "ecs:DeleteImage",
  /** The snapshot an image leaves behind when it is deleted. */
  deleteSnapshot: "ecs:DeleteSnapshot",
} as const;

export const ALL_IMAGE_BUILDER_ACTIONS: readonly string[] = Object.values(IMAGE_BUILDER_ACTIONS);

/** The list in a stable order, as it appears in generated policies. */
export const ALL_ALIYUN_ACTIONS: readonly AliyunAction[] = Object.values(ALIYUN_ACTIONS);
