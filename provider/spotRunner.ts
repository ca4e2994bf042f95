import * as pulumi from "@pulumi/pulumi";
import { spotRunnerShim } from "./shim";

/** The arguments of a SpotRunner. Only the network, image, prefix and GitHub target are required. */
export interface SpotRunnerArgs {
  /** CPU architecture: "amd64" or "arm64" (x86_64, aarch64 accepted). */
  readonly arch: pulumi.Input<string>;
  /** Aliyun region, e.g. cn-hangzhou. */
  readonly region: pulumi.Input<string>;
  /** Zone id -> vSwitch id: the zones the runner may launch in (the infra stack's vSwitchIds output). */
  readonly vSwitchIds: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The runners' security group (the infra stack's securityGroupId output). */
  readonly securityGroupId: pulumi.Input<string>;
  /** Image for this architecture, e.g. aliyun_3_arm64_20G_alibase_20241216.vhd, or a pre-built image m-... */
  readonly imageId: pulumi.Input<string>;
  /** Deployment prefix (the infra stack's prefix): instance names <prefix>-<arch>-spot-<timestamp>; the tag RAM is scoped on. */
  readonly namePrefix: pulumi.Input<string>;
  /** Register the runner to this repository, "owner/repo" (exactly one of githubRepository, githubOrganization). */
  readonly githubRepository?: pulumi.Input<string>;
  /** Register the runner to this organization. */
  readonly githubOrganization?: pulumi.Input<string>;
  /** Organization runner group id; repository runners always use 1. Default 1. */
  readonly runnerGroupId?: pulumi.Input<number>;
  /**
   * Extra runner labels besides the unique job label. A just-in-time runner has exactly the labels it is
   * registered with (no self-hosted/OS/arch defaults); a label shared by other runners lets other jobs take it.
   */
  readonly labels?: pulumi.Input<pulumi.Input<string>[]>;
  /** vCPU range (inclusive). Default amd64 8-64, arm64 8-64. */
  readonly minCpu?: pulumi.Input<number>;
  readonly maxCpu?: pulumi.Input<number>;
  /** Memory range in GiB (inclusive). Default amd64 8-64, arm64 16-128. */
  readonly minMemoryGiB?: pulumi.Input<number>;
  readonly maxMemoryGiB?: pulumi.Input<number>;
  /** GiB per vCPU, in order of preference. Default amd64 [1, 2], arm64 [2]. */
  readonly ratios?: pulumi.Input<pulumi.Input<number>[]>;
  /** Instance families to allow (exact match). Default amd64 any, arm64 ecs.c8y and ecs.c8r. */
  readonly families?: pulumi.Input<pulumi.Input<string>[]>;
  /** How far back spot prices are read, minutes. Default 60. */
  readonly priceWindowMinutes?: pulumi.Input<number>;
  /** SpotWithPriceLimit (default; limit = priceLimitFactor x latest price, capped at pay-as-you-go) or SpotAsPriceGo. */
  readonly spotStrategy?: pulumi.Input<"SpotWithPriceLimit" | "SpotAsPriceGo">;
  /** Default 1.2. */
  readonly priceLimitFactor?: pulumi.Input<number>;
  /** Hours protected from reclaim after launch: 1 (default) or 0 (cheaper, may be reclaimed at once). */
  readonly spotDuration?: pulumi.Input<0 | 1>;
  /**
   * Some types offer no protection period (RunInstances answers OperationDenied.FlavorNotSupported). true (default):
   * skip them; false: launch them without one.
   */
  readonly requireSpotDuration?: pulumi.Input<boolean>;
  /**
   * How candidates are ranked: "expected-cost" (default; the expected cost of a completed job, counting
   * interruptions and re-runs) or "lowest-price" (spot price per vCPU, as the Go advisor).
   */
  readonly strategy?: pulumi.Input<"expected-cost" | "lowest-price">;
  /** The job length, minutes, the expected cost is computed for. Default 20. */
  readonly expectedJobMinutes?: pulumi.Input<number>;
  /** When no spot candidate can be launched, launch the cheapest acceptable type pay-as-you-go. Default false. */
  readonly onDemandFallback?: pulumi.Input<boolean>;
  /** The most an hour of the pay-as-you-go fallback may cost (the price API's currency). Default: no cap. */
  readonly onDemandMaxHourlyPrice?: pulumi.Input<number>;
  /** The instance's hard lifetime (ECS AutoReleaseTime), minutes, >= 30. Default 120. */
  readonly ttlMinutes?: pulumi.Input<number>;
  /** Power off when no job is picked up within this many minutes of start. Default 20. */
  readonly idleTimeoutMinutes?: pulumi.Input<number>;
  /** How long the instance may take to be Running. Default 5. */
  readonly bootTimeoutMinutes?: pulumi.Input<number>;
  /** How long the runner may take to come online after boot. Default 10. */
  readonly onlineTimeoutMinutes?: pulumi.Input<number>;
  /** System disk category and size. Default cloud_essd, 40 GiB. */
  readonly systemDiskCategory?: pulumi.Input<string>;
  readonly systemDiskSizeGiB?: pulumi.Input<number>;
  /** Public bandwidth (pay by traffic), Mbit/s; 0 needs a NAT gateway in the VPC. Default 100. */
  readonly internetMaxBandwidthOut?: pulumi.Input<number>;
  /** Preset zones tried last. Default the guide's per-arch list in cn-hangzhou, else every vSwitch zone. */
  readonly fallbackZones?: pulumi.Input<pulumi.Input<string>[]>;
  /** At most this many launch attempts across (type, zone) candidates. Default 8. */
  readonly maxLaunchAttempts?: pulumi.Input<number>;
  /** actions/runner version to install (default: the pinned one); needs runnerSha256. */
  readonly runnerVersion?: pulumi.Input<string>;
  /** SHA-256 of that version's linux package for this arch (from the release notes). */
  readonly runnerSha256?: pulumi.Input<string>;
  /** Mirror for the runner tarball (GitHub is slow or unreachable from many mainland regions). */
  readonly runnerDownloadUrl?: pulumi.Input<string>;
  /** Proxy for the instance's traffic to GitHub; metadata and *.aliyuncs.com stay direct. */
  readonly httpProxy?: pulumi.Input<string>;
  readonly httpsProxy?: pulumi.Input<string>;
  readonly noProxy?: pulumi.Input<string>;
  /** Recorded as instance tags, for the reaper and cost attribution. */
  readonly stackName?: pulumi.Input<string>;
  readonly runId?: pulumi.Input<string>;
}

/**
 * A GitHub Actions runner on a fresh Aliyun spot instance: `pulumi up` returns once the runner is online and
 * waiting for its job; `pulumi destroy` releases the instance and removes the runner.
 */
export class SpotRunner extends pulumi.dynamic.Resource {
  declare readonly instanceId: pulumi.Output<string>;
  declare readonly instanceName: pulumi.Output<string>;
  declare readonly instanceType: pulumi.Output<string>;
  declare readonly zoneId: pulumi.Output<string>;
  declare readonly vSwitchId: pulumi.Output<string>;
  declare readonly cpuCount: pulumi.Output<number>;
  declare readonly memoryGiB: pulumi.Output<number>;
  /** "spot", or "on-demand" when the fallback launched it pay-as-you-go. */
  declare readonly chargeType: pulumi.Output<"spot" | "on-demand">;
  declare readonly spotPrice: pulumi.Output<number>;
  /** The launched pair's interruption band (upper bound, a fraction per hour), when known. */
  declare readonly interruptionRate: pulumi.Output<number | undefined>;
  declare readonly priceLimit: pulumi.Output<number | undefined>;
  declare readonly hourlyCost: pulumi.Output<number>;
  declare readonly currency: pulumi.Output<string>;
  declare readonly runnerName: pulumi.Output<string>;
  declare readonly runnerId: pulumi.Output<number>;
  /** The unique label to put in `runs-on`. */
  declare readonly label: pulumi.Output<string>;
  declare readonly autoReleaseTime: pulumi.Output<string>;
  declare readonly launchedAt: pulumi.Output<string>;

  constructor(name: string, args: SpotRunnerArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      instanceId: undefined, instanceName: undefined, instanceType: undefined, zoneId: undefined, vSwitchId: undefined,
      cpuCount: undefined, memoryGiB: undefined, chargeType: undefined, spotPrice: undefined, interruptionRate: undefined, priceLimit: undefined, hourlyCost: undefined,
      currency: undefined, runnerName: undefined, runnerId: undefined, label: undefined, autoReleaseTime: undefined,
      launchedAt: undefined,
    };
    // A runner is replaced, never updated in place, and the old one goes first (it holds a spot instance).
    super(spotRunnerShim, name, { ...outputs, ...args }, { deleteBeforeReplace: true, ...opts }, "aliyun", "SpotRunner");
  }
}

// Compile-time guard: every input of the contract is an argument, and every argument an input.
type ContractKey = import("./contract/inputs").InputKey;
const argsMatchContract: [Exclude<keyof SpotRunnerArgs, ContractKey>, Exclude<ContractKey, keyof SpotRunnerArgs>] extends [never, never] ? true : never = true;
void argsMatchContract;
