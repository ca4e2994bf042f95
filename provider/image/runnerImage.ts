import * as pulumi from "@pulumi/pulumi";
import { runnerImageShim } from "./shim";

/** The arguments of a RunnerImage: the infra stack's network, the stock image, and what to bake. */
export interface RunnerImageArgs {
  /** "amd64" or "arm64". */
  readonly arch: pulumi.Input<string>;
  /** From the infra stack: region, prefix (names and the tag RAM is scoped on), vSwitches, security group. */
  readonly region: pulumi.Input<string>;
  readonly namePrefix: pulumi.Input<string>;
  readonly vSwitchIds: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly securityGroupId: pulumi.Input<string>;
  /** The stock image to bake on, e.g. aliyun_3_arm64_20G_alibase_20241216.vhd. */
  readonly baseImageId: pulumi.Input<string>;
  /** The name BuildKit is kept under (what the workflows look for). Default moby/buildkit:v0.33.0. */
  readonly buildkitImage?: pulumi.Input<string>;
  /** Where the builder pulls it from (a mirror, from mainland China). Default: buildkitImage. */
  readonly buildkitSource?: pulumi.Input<string>;
  /** actions/runner version (default the pinned one) and its checksum for this arch (required for another version). */
  readonly runnerVersion?: pulumi.Input<string>;
  readonly runnerSha256?: pulumi.Input<string>;
  /** A mirror laid out like GitHub's releases. */
  readonly runnerDownloadUrl?: pulumi.Input<string>;
  /** The builder's shape (a small spot instance): vCPU and GiB ranges, families. Defaults 2-16 vCPU, 2-64 GiB, any family. */
  readonly minCpu?: pulumi.Input<number>;
  readonly maxCpu?: pulumi.Input<number>;
  readonly minMemoryGiB?: pulumi.Input<number>;
  readonly maxMemoryGiB?: pulumi.Input<number>;
  readonly families?: pulumi.Input<pulumi.Input<string>[]>;
  readonly priceLimitFactor?: pulumi.Input<number>;
  /** The builder's AutoReleaseTime, minutes. Default 120. */
  readonly ttlMinutes?: pulumi.Input<number>;
  /** Deadlines: boot (5), the bake script (30), the image to become Available (90), minutes. */
  readonly bootTimeoutMinutes?: pulumi.Input<number>;
  readonly bakeTimeoutMinutes?: pulumi.Input<number>;
  readonly imageTimeoutMinutes?: pulumi.Input<number>;
  /** The builder's system disk, which becomes the image's: cloud_essd, 40 GiB by default. */
  readonly systemDiskCategory?: pulumi.Input<string>;
  readonly systemDiskSizeGiB?: pulumi.Input<number>;
  readonly internetMaxBandwidthOut?: pulumi.Input<number>;
  readonly maxLaunchAttempts?: pulumi.Input<number>;
  /** Recorded as tags of the builder and the image. */
  readonly stackName?: pulumi.Input<string>;
  readonly runId?: pulumi.Input<string>;
}

/**
 * A runner image baked for one architecture: `pulumi up` launches a spot builder, bakes docker with buildx, the
 * runner user, the pinned actions/runner and BuildKit into it, images it and releases it; `pulumi destroy` deletes
 * the image and its snapshots. Give its imageId to SpotRunner (or the runner stacks' SPOT_RUNNER_IMAGE_ID_* variables).
 */
export class RunnerImage extends pulumi.dynamic.Resource {
  declare readonly imageId: pulumi.Output<string>;
  declare readonly imageName: pulumi.Output<string>;
  declare readonly bakeId: pulumi.Output<string>;
  declare readonly snapshotIds: pulumi.Output<string[]>;
  declare readonly manifest: pulumi.Output<Record<string, unknown>>;
  declare readonly bakedAt: pulumi.Output<string>;
  declare readonly bakeMinutes: pulumi.Output<number>;

  constructor(name: string, args: RunnerImageArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { imageId: undefined, imageName: undefined, bakeId: undefined, snapshotIds: undefined, manifest: undefined, bakedAt: undefined, bakeMinutes: undefined };
    super(runnerImageShim, name, { ...outputs, ...args }, opts, "aliyun", "RunnerImage");
  }
}
