import type { ScenarioImage, ScenarioInstanceType, ScenarioTiming, ScenarioVSwitch } from "../scenario/types";

export type InstanceStatus = "Pending" | "Starting" | "Running" | "Stopping" | "Stopped";

/** What became of the runner an instance's user data was meant to start (decided when the instance is Running). */
export type RunnerOutcome =
  | { readonly kind: "noUserData" }
  | { readonly kind: "noJitConfig" }
  | { readonly kind: "rejected"; readonly runnerName?: string }
  | { readonly kind: "registered"; readonly runnerId: number; readonly runnerName: string };

/** One emulated ECS instance: what RunInstances asked for, and the instants at which things happen to it. */
export interface InstanceRecord {
  readonly instanceId: string;
  readonly regionId: string;
  readonly zoneId: string;
  readonly instanceType: ScenarioInstanceType;
  readonly image: ScenarioImage;
  readonly vSwitch: ScenarioVSwitch;
  readonly securityGroupIds: readonly string[];
  readonly instanceName: string;
  readonly hostName: string;
  readonly description: string;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  /** Base64 as sent. Never logged, never returned by the API (DescribeInstances does not show user data). */
  readonly userData?: string;
  readonly instanceChargeType: "PostPaid" | "PrePaid";
  readonly spotStrategy: "NoSpot" | "SpotWithPriceLimit" | "SpotAsPriceGo";
  readonly spotPriceLimit?: number;
  readonly spotDuration: number;
  readonly spotInterruptionBehavior: string;
  readonly httpTokens: "optional" | "required";
  readonly httpEndpoint: "enabled" | "disabled";
  readonly internetMaxBandwidthOut: number;
  readonly systemDisk: { readonly category: string; readonly size: number };
  readonly privateIp: string;
  readonly publicIp?: string;
  readonly networkInterfaceId: string;
  readonly macAddress: string;
  readonly serialNumber: string;
  /** Spot instances hold one unit of their offering's stock until they are gone. */
  readonly holdsStock: boolean;
  readonly createdAt: number;
  /** From when DescribeInstances lists it (the API is eventually consistent); other calls know it at once. */
  readonly listedAt: number;
  readonly startingAt: number;
  readonly runningAt: number;
  /** Minute-truncated, as the API stores it. */
  readonly autoReleaseAt?: number;
  /** DeleteInstance(s) accepted. */
  releaseRequestedAt?: number;
  /** StopInstance accepted: Stopping for timing.stopMs, then Stopped until it is released. */
  stopRequestedAt?: number;
  /**
   * Spot reclaim notice (Recycling lock); the release follows after the notice period. Set at launch when the
   * offering's interruption rate schedules one (it takes effect only once the clock reaches it), or by the admin
   * API. Never later than a release already under way: a scheduled notice is dropped when a release is requested.
   */
  reclaimNoticeAt?: number;
  /** What set reclaimNoticeAt: the offering's interruption rate, or the admin API. */
  reclaimCause?: "scheduled" | "admin";
  /** Stable name of this launch within its offering, for drawing its interruption deterministically. */
  readonly interruptionKey?: string;
  /** Accepted, then gone while Pending/Starting (SystemFailure.Delete). */
  vanishAt?: number;
  // Settled by World.settle in time order:
  runnerOutcome?: RunnerOutcome;
  gone?: boolean;
}

/** When the instance starts to be released (Stopping), from whichever of delete, TTL and reclaim comes first. */
export function releaseStartsAt(instance: InstanceRecord, timing: ScenarioTiming): number | undefined {
  const candidates = [
    instance.releaseRequestedAt,
    instance.autoReleaseAt,
    instance.reclaimNoticeAt === undefined ? undefined : instance.reclaimNoticeAt + timing.reclaimNoticeMs,
  ].filter((t): t is number => t !== undefined);
  return candidates.length > 0 ? Math.max(instance.createdAt, Math.min(...candidates)) : undefined;
}

/** When the instance stops existing for the API. */
export function goneAt(instance: InstanceRecord, timing: ScenarioTiming): number | undefined {
  const release = releaseStartsAt(instance, timing);
  const released = release === undefined ? undefined : release + timing.releaseMs;
  if (instance.vanishAt === undefined) return released;
  return released === undefined ? instance.vanishAt : Math.min(released, instance.vanishAt);
}

/** Whether DescribeInstances shows the instance at `now`: created long enough ago, and not gone. */
export function listedAt(instance: InstanceRecord, timing: ScenarioTiming, now: number): boolean {
  return now >= instance.listedAt && statusAt(instance, timing, now) !== undefined;
}

/** The status at `now`, or undefined when the instance is gone. */
export function statusAt(instance: InstanceRecord, timing: ScenarioTiming, now: number): InstanceStatus | undefined {
  const gone = goneAt(instance, timing);
  if (gone !== undefined && now >= gone) return undefined;
  const release = releaseStartsAt(instance, timing);
  if (release !== undefined && now >= release) return "Stopping";
  if (instance.stopRequestedAt !== undefined && now >= instance.stopRequestedAt) {
    return now >= instance.stopRequestedAt + timing.stopMs ? "Stopped" : "Stopping";
  }
  if (now < instance.startingAt) return "Pending";
  if (now < instance.runningAt) return "Starting";
  return "Running";
}

/** The instant the GitHub runner on this instance comes online, if it registered. */
export function runnerOnlineAt(instance: InstanceRecord, timing: ScenarioTiming): number | undefined {
  return instance.runnerOutcome?.kind === "registered" ? instance.runningAt + timing.runnerOnlineMs : undefined;
}

/** Whether the instance's runner is connected at `now`: online after boot, offline once the instance stops. */
export function runnerConnectedAt(instance: InstanceRecord, timing: ScenarioTiming, now: number): boolean {
  const online = runnerOnlineAt(instance, timing);
  if (online === undefined || now < online) return false;
  const release = releaseStartsAt(instance, timing);
  const gone = goneAt(instance, timing);
  const stopped = instance.stopRequestedAt !== undefined && now >= instance.stopRequestedAt;
  return !stopped && (release === undefined || now < release) && (gone === undefined || now < gone);
}
