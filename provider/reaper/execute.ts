import type { EcsInstanceApi, InstanceInfo } from "../aliyun/instances";
import { AliyunApiError } from "../errors";
import { describeScope } from "../github/runners";
import { TAG_KEYS } from "../tags";
import { LISTING_GRACE_MS } from "../teardown";
import type { Clock } from "../wait";
import { formatDuration } from "./durations";
import { decideInstance, decideRunner, RunnerContext } from "./plan";
import { parseRunnerName } from "./runnerNames";
import { stateOfRunner } from "./runnerView";
import type { GitHubAccess } from "./snapshot";
import type { InstanceDecision, ReapPlan, RunnerDecision, RunnerView } from "./types";

export interface ReapDeps {
  readonly ecs: EcsInstanceApi;
  readonly github: GitHubAccess;
  readonly clock: Clock;
  /** Progress lines, one per step (the CLI writes them to stderr). */
  readonly log?: (line: string) => void;
  /** How long to wait for released instances to disappear before reporting them as not verified. */
  readonly releaseTimeoutMs: number;
  /** First poll interval while waiting; grows by half each poll up to maxPollMs. */
  readonly pollMs: number;
  readonly maxPollMs: number;
  /** Resolves when the user interrupts: no further removal is started, and the wait for releases ends. */
  readonly interrupted?: Promise<void>;
  /**
   * How long DescribeInstances may take to list a new instance (default LISTING_GRACE_MS). Before removing a runner
   * because no instance carries its name, the reaper waits this long once and looks again: a create that
   * registered first may have just launched the instance the listing does not show yet.
   */
  readonly listingGraceMs?: number;
}

/**
 * removed: gone, verified. already-gone: it had disappeared before we acted (counts as removed).
 * spared: the last check found a reason to keep it. failed: not removed, or the removal could not be verified.
 * dry-run: would have been removed.
 */
export type OutcomeStatus = "removed" | "already-gone" | "spared" | "failed" | "dry-run";

export type ReapOutcome =
  | { readonly kind: "instance"; readonly id: string; readonly planned: InstanceDecision; readonly status: OutcomeStatus; readonly detail: string }
  | { readonly kind: "runner"; readonly id: string; readonly planned: RunnerDecision; readonly status: OutcomeStatus; readonly detail: string };

export interface ReapResult {
  readonly dryRun: boolean;
  /** One per planned removal, instances first, in plan order. */
  readonly outcomes: readonly ReapOutcome[];
  /** No removal failed (spared items are not failures). */
  readonly ok: boolean;
}

/**
 * Carries out a plan. Instances first: each gets a last check (re-read it and, when its runner decides, the
 * runner; then the same rules as planning, on the fresh data), is force-released, and is waited for until
 * DescribeInstances no longer lists it. Then runners: a last check (busy or online now spares it; so does an
 * instance of ours that now carries its name), then delete (404 = already gone). One item's failure never stops
 * the others and never throws: the result says what became of each, and the caller picks the exit code.
 */
export async function executeReap(plan: ReapPlan, deps: ReapDeps, options: { readonly dryRun: boolean }): Promise<ReapResult> {
  const instanceDecisions = plan.instances.filter((d) => d.action === "release");
  const runnerDecisions = plan.runners.filter((d) => d.action === "delete");
  if (options.dryRun) {
    const outcomes: ReapOutcome[] = [
      ...instanceDecisions.map((d): ReapOutcome => ({ kind: "instance", id: d.instance.instanceId, planned: d, status: "dry-run", detail: `would be released: ${d.detail}` })),
      ...runnerDecisions.map((d): ReapOutcome => ({ kind: "runner", id: d.runner.name, planned: d, status: "dry-run", detail: `would be removed: ${d.detail}` })),
    ];
    return { dryRun: true, outcomes, ok: true };
  }
  const interruption = watchInterruption(deps.interrupted);
  const instanceOutcomes = await releaseInstances(plan, instanceDecisions, deps, interruption);
  // (A runner of a stack being torn down needs no wait: no create of that stack is still launching.)
  if (runnerDecisions.some((d) => !d.instanceId && d.reason !== "stack-sweep") && !interruption.happened) {
    // One wait for every runner that would go for want of an instance: what was launched before it is listed after it.
    const graceMs = deps.listingGraceMs ?? LISTING_GRACE_MS;
    (deps.log ?? (() => undefined))(`waiting ${Math.round(graceMs / 1000)} s so an instance launched just now is listed before its runner is judged`);
    await Promise.race([deps.clock.sleep(graceMs), interruption.signal]);
  }
  const runnerOutcomes: ReapOutcome[] = [];
  for (const decision of runnerDecisions) {
    runnerOutcomes.push(interruption.happened
      ? { kind: "runner", id: decision.runner.name, planned: decision, status: "failed", detail: INTERRUPTED }
      : await removeRunner(plan, decision, instanceOutcomes, deps));
  }
  const outcomes = [...instanceOutcomes, ...runnerOutcomes];
  return { dryRun: false, outcomes, ok: outcomes.every((o) => o.status !== "failed") };
}

const INTERRUPTED = "not attempted: the reap was interrupted. Run it again";

interface Interruption {
  readonly happened: boolean;
  /** Resolves on interruption; never otherwise. */
  readonly signal: Promise<void>;
}

function watchInterruption(interrupted: Promise<void> | undefined): Interruption {
  const state = { happened: false, signal: new Promise<void>(() => undefined) };
  if (interrupted) {
    state.signal = interrupted.then(() => {
      state.happened = true;
    });
  }
  return state;
}

async function releaseInstances(plan: ReapPlan, decisions: readonly InstanceDecision[], deps: ReapDeps, interruption: Interruption): Promise<ReapOutcome[]> {
  const log = deps.log ?? (() => undefined);
  const outcomes = new Map<string, ReapOutcome>();
  const settle = (d: InstanceDecision, status: OutcomeStatus, detail: string) => {
    outcomes.set(d.instance.instanceId, { kind: "instance", id: d.instance.instanceId, planned: d, status, detail });
    log(`instance ${d.instance.instanceId}: ${status}: ${detail}`);
  };
  const releasing = new Map<string, InstanceDecision>();

  for (const planned of decisions) {
    const id = planned.instance.instanceId;
    if (interruption.happened) {
      settle(planned, "failed", INTERRUPTED);
      continue;
    }
    let fresh: InstanceInfo | undefined;
    let decision: InstanceDecision;
    try {
      [fresh] = await deps.ecs.describeInstances({ instanceIds: [id] });
      if (!fresh) {
        settle(planned, "already-gone", "released before we acted");
        continue;
      }
      const runner = dependsOnRunner(planned) ? await freshRunnerView(planned.runner, deps.github) : planned.runner;
      decision = decideInstance(fresh, runner, plan.policy, deps.clock.now());
    } catch (err) {
      settle(planned, "failed", `not released: the last check failed: ${errorText(err)}. Run the reap again`);
      continue;
    }
    if (decision.action === "spare") {
      settle(planned, "spared", `last check: ${decision.detail}`);
      continue;
    }
    log(`instance ${id}: releasing (${decision.reason})`);
    try {
      await forceRelease(deps.ecs, fresh);
      releasing.set(id, planned);
    } catch (err) {
      settle(planned, "failed", `release refused: ${errorText(err)}`);
    }
  }

  await waitUntilGone(releasing, deps, settle, interruption);
  return decisions.map((d) => outcomes.get(d.instance.instanceId)!);
}

/** Only these reasons can be undone by the runner coming online or taking a job since the plan was made. */
function dependsOnRunner(decision: InstanceDecision): boolean {
  return decision.reason === "runner-missing" || decision.reason === "runner-offline";
}

/** The planned runner view, read again from GitHub (by id when known, else by name). */
async function freshRunnerView(planned: RunnerView, github: GitHubAccess): Promise<RunnerView> {
  if ("unavailable" in github) return { ...planned, state: "unknown", why: "no GitHub token" };
  // Without a scope the runner was missing from every scope listed; a just-in-time name is never registered again.
  if (!planned.scope || !planned.name) return planned;
  const runner = planned.runner
    ? await github.runners.getRunner(planned.scope, planned.runner.id)
    : await github.runners.findRunnerByName(planned.scope, planned.name);
  if (!runner) return { name: planned.name, scope: planned.scope, state: "missing" };
  return { name: planned.name, scope: planned.scope, runner, state: stateOfRunner(runner) };
}

/** Still initializing (Pending) or already on its way out: the wait below decides. */
function isTransientReleaseRefusal(err: unknown): boolean {
  return err instanceof AliyunApiError && (err.code.startsWith("IncorrectInstanceStatus") || err.kind === "notFound");
}

async function forceRelease(ecs: EcsInstanceApi, instance: InstanceInfo): Promise<void> {
  // A Stopping instance is already being released (or powered off, after which the wait releases it).
  if (instance.status === "Stopping") return;
  try {
    await ecs.deleteInstances([instance.instanceId]);
  } catch (err) {
    if (!isTransientReleaseRefusal(err)) throw err;
  }
}

/**
 * Polls until DescribeInstances no longer lists the instances: Stopping is not gone, and neither is Stopped.
 * Instances that are listed and not Stopping are asked to release again (a Pending one refused the first time).
 */
async function waitUntilGone(
  releasing: Map<string, InstanceDecision>,
  deps: ReapDeps,
  settle: (d: InstanceDecision, status: OutcomeStatus, detail: string) => void,
  interruption: Interruption,
): Promise<void> {
  if (releasing.size === 0) return;
  const started = deps.clock.now();
  let interval = deps.pollMs;
  const lastSeen = new Map<string, string>();
  for (;;) {
    let alive: InstanceInfo[] | undefined;
    try {
      alive = await deps.ecs.describeInstances({ instanceIds: [...releasing.keys()] });
    } catch (err) {
      for (const id of releasing.keys()) lastSeen.set(id, `not readable: ${errorText(err)}`);
    }
    if (alive) {
      const listed = new Map(alive.map((i) => [i.instanceId, i]));
      for (const [id, decision] of [...releasing]) {
        const instance = listed.get(id);
        if (!instance) {
          settle(decision, "removed", "released, and verified gone");
          releasing.delete(id);
          continue;
        }
        lastSeen.set(id, instance.status);
        try {
          await forceRelease(deps.ecs, instance);
        } catch (err) {
          settle(decision, "failed", `release refused: ${errorText(err)}`);
          releasing.delete(id);
        }
      }
    }
    if (releasing.size === 0) return;
    const elapsed = deps.clock.now() - started;
    if (elapsed >= deps.releaseTimeoutMs || interruption.happened) break;
    await Promise.race([deps.clock.sleep(Math.min(interval, deps.releaseTimeoutMs - elapsed)), interruption.signal]);
    interval = Math.min(Math.ceil(interval * 1.5), deps.maxPollMs);
  }
  for (const [id, decision] of releasing) {
    if (interruption.happened) {
      settle(decision, "failed", `release asked for, not verified: the reap was interrupted while ${id} was ${lastSeen.get(id) ?? "listed"}. Run it again`);
      continue;
    }
    settle(decision, "failed", `release not verified: still listed (${lastSeen.get(id) ?? "unknown"}) after ` +
      `${formatDuration(deps.clock.now() - started)}. Its AutoReleaseTime still applies; run the reap again`);
  }
}

async function removeRunner(plan: ReapPlan, planned: RunnerDecision, instanceOutcomes: readonly ReapOutcome[], deps: ReapDeps): Promise<ReapOutcome> {
  const log = deps.log ?? (() => undefined);
  const where = `${planned.runner.name} (${describeScope(planned.scope)})`;
  const outcome = (status: OutcomeStatus, detail: string): ReapOutcome => {
    log(`runner ${where}: ${status}: ${detail}`);
    return { kind: "runner", id: planned.runner.name, planned, status, detail };
  };
  if ("unavailable" in deps.github) return outcome("failed", `not removed: ${deps.github.unavailable}`);
  const github = deps.github.runners;

  if (planned.instanceId) {
    const instance = instanceOutcomes.find((o) => o.id === planned.instanceId);
    if (!instance || (instance.status !== "removed" && instance.status !== "already-gone")) {
      return outcome("spared", `its instance ${planned.instanceId} was not released (${instance?.status ?? "not attempted"}); it goes with its instance`);
    }
  }

  let decision: RunnerDecision;
  try {
    const fresh = await github.getRunner(planned.scope, planned.runner.id);
    if (!fresh) return outcome("already-gone", "removed before we acted");
    const context: RunnerContext = { regionId: plan.regionId };
    let instanceContext: RunnerContext["instance"];
    if (planned.instanceId) {
      instanceContext = { instanceId: planned.instanceId, releasing: true, detail: "released" };
    } else {
      // An instance may have been launched for it since the plan (a create that registered first).
      const carriers = await deps.ecs.describeInstances({ tags: { [TAG_KEYS.runnerName]: fresh.name } });
      if (carriers.length > 0) instanceContext = { instanceId: carriers[0].instanceId, releasing: false, detail: `${carriers[0].status} now` };
    }
    const registeredAt = parseRunnerName(fresh.name)?.createdAt;
    decision = decideRunner(fresh, planned.scope, {
      ...context,
      ...(instanceContext ? { instance: instanceContext } : {}),
      ...(registeredAt !== undefined ? { registeredAt } : {}),
      ...(planned.reason === "stack-sweep" && plan.policy.stack !== undefined ? { sweptStack: plan.policy.stack } : {}),
    }, plan.policy, deps.clock.now());
  } catch (err) {
    return outcome("failed", `not removed: the last check failed: ${errorText(err)}. Run the reap again`);
  }
  if (decision.action === "spare") return outcome("spared", `last check: ${decision.detail}`);
  try {
    const result = await github.deleteRunner(planned.scope, planned.runner.id);
    return result === "deleted"
      ? outcome("removed", "removed from GitHub")
      : outcome("already-gone", "removed before we acted");
  } catch (err) {
    return outcome("failed", `not removed: ${errorText(err)}`);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
