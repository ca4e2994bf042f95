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

/**
 * Force-releases the instances (by id, and every instance tagged with the runner's name, which also finds one
 * whose RunInstances answer was lost) and waits until DescribeInstances no longer lists them: Stopped is not
 * gone. "Not found" counts only once the listing agrees.
 */
export async function releaseInstances(ctx: TeardownContext, knownIds: readonly string[], runnerName?: string): Promise<void> {
  const { ecs } = ctx;
  const ids = new Set(knownIds);
  if (runnerName) {
    for (const i of await ecs.describeInstances({ tags: { [TAG_KEYS.runnerName]: runnerName } })) ids.add(i.instanceId);
  }
  if (ids.size === 0) return;
  const all = [...ids];
  ctx.log(`releasing ${all.join(", ")}`);
  try {
    await waitFor(async () => {
      const alive = await ecs.describeInstances({ instanceIds: all });
      if (alive.length === 0) return { done: true, value: undefined };
      for (const instance of alive.filter((i) => i.status !== "Stopping")) {
        try {
          await ecs.deleteInstances([instance.instanceId]);
        } catch (err) {
          // Still initializing, or released meanwhile: the next poll decides.
          if (!(err instanceof AliyunApiError && (err.code.startsWith("IncorrectInstanceStatus") || err.kind === "notFound"))) throw err;
        }
      }
      return { done: false, observation: alive.map((i) => `${i.instanceId} ${i.status}`).join(", ") };
    }, { what: `instances ${all.join(", ")} to be released`, timeoutMs: ctx.releaseTimeoutMs, intervalMs: ctx.pollMs, clock: ctx.clock });
  } catch (err) {
    if (err instanceof WaitTimeoutError) {
      throw new ReleaseNotVerifiedError(`${ctx.subject}: could not verify the release of ${all.join(", ")}: ${err.message}. ` +
        "The AutoReleaseTime still releases it; run `pulumi destroy` again or `spot-runner reap --yes`.", { cause: err });
    }
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
  /** The runner's unique name: finds the runner when its id is unknown, and its instances by tag. */
  readonly runnerName?: string;
  /**
   * Look for instances by the runner's tag too. Needed whenever a RunInstances may have been sent (its answer can
   * be lost); pointless (and one more call that can fail) when none was.
   */
  readonly searchByTag: boolean;
}

/** Both halves, each attempted whatever the other did. Returns what could not be verified (empty: nothing left). */
export async function tearDown(ctx: TeardownContext, what: WhatToTearDown): Promise<TeardownFailure[]> {
  const failures: TeardownFailure[] = [];
  try {
    await releaseInstances(ctx, what.instanceIds, what.searchByTag ? what.runnerName : undefined);
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
