import type { InstanceInfo } from "../aliyun/instances";
import { describeScope } from "../github/runners";
import { TAG_KEYS } from "../tags";
import { parseEcsTime } from "./durations";
import { instanceAgeMs, instanceInScope } from "./plan";
import { parseRunnerName } from "./runnerNames";
import { runnerViewOf, stateOfRunner } from "./runnerView";
import type { ReapSnapshot, RunnerView } from "./types";

/**
 * What `spot-runner list` shows: our instances with their age, TTL left and runner state, and runners named the way
 * we name them that no instance of ours carries. Built from the same snapshot the reaper plans from, so the list
 * shows what `reap` would look at. Pure: the caller reads the snapshot and passes the time.
 */
export interface ListedInstance {
  readonly instanceId: string;
  readonly instanceName: string;
  readonly status: string;
  readonly locks: readonly string[];
  readonly instanceType: string;
  readonly zoneId: string;
  readonly spotStrategy?: string;
  readonly spotPriceLimit?: number;
  readonly createdAt?: string;
  readonly ageMinutes?: number;
  readonly autoReleaseTime?: string;
  /** AutoReleaseTime - now; negative when overdue; absent without an AutoReleaseTime. */
  readonly ttlLeftMinutes?: number;
  readonly prefix?: string;
  readonly stack?: string;
  readonly arch?: string;
  readonly runId?: string;
  readonly runner: {
    readonly name?: string;
    /** busy | online | offline | missing | unknown */
    readonly state: RunnerView["state"];
    readonly why?: string;
    readonly id?: number;
    readonly scope?: string;
  };
}

export interface ListedRunner {
  readonly name: string;
  readonly id: number;
  readonly state: string;
  readonly scope: string;
}

export interface Listing {
  readonly region: string;
  readonly now: string;
  readonly instances: readonly ListedInstance[];
  /** Runners named the way we name them that no instance of ours carries (what `reap` would look at). */
  readonly runnersWithoutInstance: readonly ListedRunner[];
  readonly warnings: readonly string[];
  readonly problems: readonly string[];
}

/** The narrowing of `list`: one deployment prefix, or one runner stack. */
export interface ListingFilter {
  readonly prefix?: string;
  readonly stack?: string;
}

export function buildListing(snapshot: ReapSnapshot, filter: ListingFilter, now: number): Listing {
  const instances = snapshot.instances.filter((i) => instanceInScope(i, filter)).map((i) => listInstance(i, runnerViewOf(i, snapshot.github), now));
  const carried = new Set(snapshot.instances.map((i) => i.tags[TAG_KEYS.runnerName]).filter(Boolean));
  const runnersWithoutInstance: ListedRunner[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  if (!snapshot.github.available) {
    warnings.push(`runner status not checked: ${snapshot.github.reason}`);
  } else {
    for (const listing of snapshot.github.scopes) {
      if (listing.error !== undefined) problems.push(`could not list the runners of ${describeScope(listing.scope)}: ${listing.error}`);
      // A stack filter is about instances; a runner without an instance has no stack to match.
      if (filter.stack !== undefined) continue;
      for (const runner of listing.runners ?? []) {
        const parsed = parseRunnerName(runner.name);
        if (!parsed || carried.has(runner.name) || (filter.prefix !== undefined && parsed.prefix !== filter.prefix)) continue;
        runnersWithoutInstance.push({ name: runner.name, id: runner.id, state: stateOfRunner(runner), scope: describeScope(listing.scope) });
      }
    }
  }
  return { region: snapshot.regionId, now: new Date(now).toISOString(), instances, runnersWithoutInstance, warnings, problems };
}

function listInstance(i: InstanceInfo, runner: RunnerView, now: number): ListedInstance {
  const age = instanceAgeMs(i, now);
  const releaseAt = parseEcsTime(i.autoReleaseTime);
  const tag = (key: string) => i.tags[key] || undefined;
  return {
    instanceId: i.instanceId,
    instanceName: i.instanceName,
    status: i.status,
    locks: i.lockReasons,
    instanceType: i.instanceType,
    zoneId: i.zoneId,
    ...(i.spotStrategy ? { spotStrategy: i.spotStrategy } : {}),
    ...(i.spotPriceLimit ? { spotPriceLimit: i.spotPriceLimit } : {}),
    ...(i.creationTime ? { createdAt: i.creationTime } : {}),
    ...(age !== undefined ? { ageMinutes: Math.floor(age / 60_000) } : {}),
    ...(i.autoReleaseTime ? { autoReleaseTime: i.autoReleaseTime } : {}),
    ...(releaseAt !== undefined ? { ttlLeftMinutes: Math.floor((releaseAt - now) / 60_000) } : {}),
    ...(tag(TAG_KEYS.prefix) ? { prefix: tag(TAG_KEYS.prefix) } : {}),
    ...(tag(TAG_KEYS.stack) ? { stack: tag(TAG_KEYS.stack) } : {}),
    ...(tag(TAG_KEYS.arch) ? { arch: tag(TAG_KEYS.arch) } : {}),
    ...(tag(TAG_KEYS.runId) ? { runId: tag(TAG_KEYS.runId) } : {}),
    runner: {
      ...(runner.name ? { name: runner.name } : {}),
      state: runner.state,
      ...(runner.why ? { why: runner.why } : {}),
      ...(runner.runner ? { id: runner.runner.id } : {}),
      ...(runner.scope ? { scope: describeScope(runner.scope) } : {}),
    },
  };
}
