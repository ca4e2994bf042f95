import type { EcsInstanceApi } from "./aliyun/instances";
import { AliyunApiError, errorText, ReleaseNotVerifiedError } from "./errors";
import type { GitHubScope, RunnerApi } from "./github/runners";
import { TAG_KEYS } from "./tags";
import { Clock, waitFor, WaitTimeoutError } from "./wait";

/**
 * Releasing a runner's instances and removing its GitHub registration: what `delete` does, and what the cleanup
 * of a failed create does. One implementation, so both verify the same way.
 */
export interface TeardownContext {
  readonly ecs: EcsInstanceApi;
  readonly runners: RunnerApi;
  readonly scope: GitHubScope;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** Time between polls of DescribeInstances while waiting for the release. */
  readonly pollMs: number;
  /** How long a release may take before it counts as not verified. */
  readonly releaseTimeoutMs: number;
  /** Names the resource in messages ("SpotRunner openresty-arm64-..."). */
  readonly subject: string;
}

/** What releasing instances needs: no GitHub (RunnerImage's builders have no runner). */
export type ReleaseContext = Pick<TeardownContext, "ecs" | "clock" | "log" | "pollMs" | "releaseTimeoutMs" | "subject">;

/**
 * How long DescribeInstances may take to list an instance after RunInstances answered (ECS is eventually
 * consistent: an instance can be missing from the listing for a while although every other call knows it).
 * Until then, "not listed" proves nothing.
 */
export const LISTING_GRACE_MS = 60_000;

/** Where else to look for instances: by the runner's tag, and until when (a launch whose answer may be lost). */
export interface TagSearch {
  readonly runnerName: string;
  /** The tag whose value is `runnerName`; default the runner's (TAG_KEYS.runnerName). RunnerImage's builders carry the bake's. */
  readonly tagKey?: string;
  /** Keep looking by tag until this time: the last RunInstances request plus LISTING_GRACE_MS. Default: once. */
  readonly untilMs?: number;
}

/**
 * Force-releases the instances (by id, and every instance tagged with the runner's name, which finds one whose
 * RunInstances answer was lost) and waits until each is verifiably gone: listed once and then no longer listed
 * (Stopped is not gone), or refused by DeleteInstances as not found (which knows an instance the listing does
 * not show yet). An instance that was never listed is never taken for gone on the listing's word alone.
 */
export async function releaseInstances(ctx: ReleaseContext, knownIds: readonly string[], search?: TagSearch): Promise<void> {
  const { ecs, clock } = ctx;
  const pending = new Map<string, { seen: boolean }>(knownIds.map((id) => [id, { seen: false }]));
  const searchByTag = async () => {
    for (const i of await ecs.describeInstances({ tags: { [search!.tagKey ?? TAG_KEYS.runnerName]: search!.runnerName } })) {
      if (!pending.has(i.instanceId)) ctx.log(`found ${i.instanceId} by the runner's tag`);
      if (!pending.has(i.instanceId)) pending.set(i.instanceId, { seen: false });
    }
  };
  const stillSearching = () => search?.untilMs !== undefined && clock.now() < search.untilMs;
  if (search) await searchByTag();
  if (pending.size === 0 && !stillSearching()) return;
  ctx.log(`releasing ${[...pending.keys()].join(", ") || "(looking for an instance a lost answer may have launched)"}`);
  try {
    await waitFor(async () => {
      if (stillSearching()) await searchByTag();
      const ids = [...pending.keys()];
      const listed = new Map((await ecs.describeInstances({ instanceIds: ids })).map((i) => [i.instanceId, i]));
      const observations: string[] = [];
      for (const id of ids) {
        const instance = listed.get(id);
        const state = pending.get(id)!;
        if (instance) {
          state.seen = true;
          observations.push(`${id} ${instance.status}`);
          // Stopping is already being released (or powered off, after which it is released again below).
          if (instance.status !== "Stopping") await askToRelease(ecs, id);
        } else if (state.seen) {
          pending.delete(id);
        } else if ((await askToRelease(ecs, id)) === "not-found") {
          pending.delete(id);
        } else {
          observations.push(`${id} not listed yet`);
        }
      }
      if (pending.size === 0 && !stillSearching()) return { done: true, value: undefined };
      return { done: false, observation: observations.join(", ") || "looking by tag" };
    }, { what: `instances ${[...pending.keys()].join(", ") || "of this runner"} to be released`, timeoutMs: ctx.releaseTimeoutMs, intervalMs: ctx.pollMs, clock });
  } catch (err) {
    if (err instanceof WaitTimeoutError) {
      const all = [...pending.keys()].join(", ");
      throw new ReleaseNotVerifiedError(`${ctx.subject}: could not verify the release of ${all}: ${err.message}. ` +
        "The AutoReleaseTime still releases it; run `pulumi destroy` again or `spot-runner reap --yes`.", { cause: err });
    }
    throw err;
  }
}

/** One DeleteInstances for one id (a batch fails whole on one unknown id): accepted, refused for now, or not found. */
async function askToRelease(ecs: EcsInstanceApi, instanceId: string): Promise<"accepted" | "refused" | "not-found"> {
  try {
    await ecs.deleteInstances([instanceId]);
    return "accepted";
  } catch (err) {
    if (err instanceof AliyunApiError && err.kind === "notFound") return "not-found";
    // Still initializing (Pending): the next poll asks again.
    if (err instanceof AliyunApiError && err.code.startsWith("IncorrectInstanceStatus")) return "refused";
    throw err;
  }
}

/** Removes the runner by id, or by its unique name when the id was never learnt (a registration whose answer was lost). */
export async function removeRunner(ctx: TeardownContext, runnerId: number | undefined, runnerName?: string): Promise<void> {
  let id = runnerId;
  if (id === undefined && runnerName) id = (await ctx.runners.findRunnerByName(ctx.scope, runnerName))?.id;
  if (id === undefined) return;
  const result = await ctx.runners.deleteRunner(ctx.scope, id);
  ctx.log(result === "deleted" ? `removed GitHub runner ${runnerName ?? id}` : `GitHub runner ${runnerName ?? id} was already gone`);
}

/** What a teardown could not verify, and the error that says why. */
export interface TeardownFailure {
  readonly reason: string;
  readonly error: unknown;
}

export interface WhatToTearDown {
  readonly instanceIds: readonly string[];
  readonly runnerId?: number;
  /** The runner's unique name: finds the runner when its id is unknown. */
  readonly runnerName?: string;
  /**
   * Look for instances by the runner's tag too. Needed whenever a RunInstances may have been sent (its answer can
   * be lost); pointless (and one more call that can fail) when none was.
   */
  readonly tagSearch?: TagSearch;
}

/** Both halves, each attempted whatever the other did. Returns what could not be verified (empty: nothing left). */
export async function tearDown(ctx: TeardownContext, what: WhatToTearDown): Promise<TeardownFailure[]> {
  const failures: TeardownFailure[] = [];
  try {
    await releaseInstances(ctx, what.instanceIds, what.tagSearch);
  } catch (err) {
    failures.push({ reason: `instance release not verified: ${errorText(err)}`, error: err });
  }
  try {
    await removeRunner(ctx, what.runnerId, what.runnerName);
  } catch (err) {
    failures.push({ reason: `runner removal not verified: ${errorText(err)}`, error: err });
  }
  return failures;
}
