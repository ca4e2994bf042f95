import { stackRunnerLabel } from "../contract/names";
import type { InstanceInfo } from "../aliyun/instances";
import { describeScope, GitHubScope, RunnerInfo } from "../github/runners";
import { TAG_KEYS } from "../tags";
import { formatDuration, parseEcsTime } from "./durations";
import { parseRunnerName } from "./runnerNames";
import { runnerViewOf, stateOfRunner } from "./runnerView";
import type { InstanceDecision, ReapPlan, ReapPolicy, ReapSnapshot, RunnerDecision, RunnerView } from "./types";

/**
 * Decides, for every instance and runner of ours, whether it goes and why. Pure: the same snapshot, policy and
 * time give the same plan, so every rule is table-tested; executeReap does the side effects, and runs
 * decideInstance/decideRunner again on fresh reads just before each removal (the last check).
 */
export function planReap(snapshot: ReapSnapshot, policy: ReapPolicy, now: number): ReapPlan {
  const inScope = snapshot.instances.filter((i) => instanceInScope(i, policy));
  const instances = inScope.map((i) => decideInstance(i, runnerViewOf(i, snapshot.github), policy, now));
  const byRunnerName = new Map<string, InstanceInfo>();
  for (const i of snapshot.instances) {
    const name = i.tags[TAG_KEYS.runnerName];
    if (name) byRunnerName.set(name, i);
  }
  const decisionOf = new Map(instances.map((d) => [d.instance.instanceId, d]));

  const warnings: string[] = [];
  const problems: string[] = [];
  const runners: RunnerDecision[] = [];
  let runnersLeftAlone = 0;
  if (!snapshot.github.available) {
    warnings.push(`runners not checked: ${snapshot.github.reason} Instances whose fate depends on their runner were spared.`);
  } else {
    for (const listing of snapshot.github.scopes) {
      if (listing.error !== undefined) {
        problems.push(`could not list the runners of ${describeScope(listing.scope)}: ${listing.error}`);
        continue;
      }
      for (const runner of listing.runners ?? []) {
        const instance = byRunnerName.get(runner.name);
        const decided = instance ? decisionOf.get(instance.instanceId) : undefined;
        const parsed = parseRunnerName(runner.name);
        // A runner of the stack being torn down, by its stack label: its create may have stopped before any
        // instance carried its name.
        const ofSweptStack = policy.stack !== undefined && runner.labels.includes(stackRunnerLabel(policy.stack));
        // Ours: on one of our instances, or named the way the provider names runners; within the narrowing.
        const ours = instance
          ? decided !== undefined
          : ofSweptStack || (parsed !== undefined && policy.stack === undefined && (policy.prefix === undefined || parsed.prefix === policy.prefix));
        if (!ours) {
          runnersLeftAlone += 1;
          continue;
        }
        runners.push(decideRunner(runner, listing.scope, {
          ...(instance && decided ? { instance: { instanceId: instance.instanceId, releasing: decided.action === "release", detail: decided.detail } } : {}),
          ...(parsed ? { registeredAt: parsed.createdAt } : {}),
          ...(ofSweptStack ? { sweptStack: policy.stack } : {}),
          regionId: snapshot.regionId,
        }, policy, now));
      }
    }
  }
  return {
    regionId: snapshot.regionId,
    now,
    policy,
    instances,
    runners,
    leftAlone: { instances: snapshot.instances.length - inScope.length, runners: runnersLeftAlone },
    warnings,
    problems,
  };
}

export function instanceInScope(instance: InstanceInfo, policy: Pick<ReapPolicy, "prefix" | "stack">): boolean {
  if (policy.prefix !== undefined && instance.tags[TAG_KEYS.prefix] !== policy.prefix) return false;
  if (policy.stack !== undefined && instance.tags[TAG_KEYS.stack] !== policy.stack) return false;
  return true;
}

/** Age of an instance at `now`; undefined when ECS gave no readable creation time. */
export function instanceAgeMs(instance: InstanceInfo, now: number): number | undefined {
  const created = parseEcsTime(instance.creationTime);
  return created === undefined ? undefined : now - created;
}

/**
 * One instance's fate. The first rule that applies wins; the order matters:
 * 1. the stack sweep (the stack is being destroyed: nothing of it may stay);
 * 2. Stopped (powered off by its bootstrap: no job can run on it, and its disk is still billed);
 * 3. past AutoReleaseTime, 4. older than the maximum age (backstops for a cloud-side TTL that did not fire);
 * 5. younger than the boot grace (its runner may still be starting);
 * 6-8. its runner: busy or online keeps it; unknown keeps it (never guess); 9-10. missing or offline releases it.
 */
export function decideInstance(instance: InstanceInfo, runner: RunnerView, policy: ReapPolicy, now: number): InstanceDecision {
  const release = (reason: Extract<InstanceDecision, { action: "release" }>["reason"], detail: string): InstanceDecision =>
    ({ action: "release", reason, detail, instance, runner });
  const spare = (reason: Extract<InstanceDecision, { action: "spare" }>["reason"], detail: string): InstanceDecision =>
    ({ action: "spare", reason, detail, instance, runner });

  if (policy.stack !== undefined && instance.tags[TAG_KEYS.stack] === policy.stack) {
    return release("stack-sweep", `tagged with stack ${policy.stack}, which is being torn down`);
  }
  if (instance.status === "Stopped") {
    return release("stopped", "Stopped: its bootstrap powered it off (job over or a watchdog fired); a stopped instance still bills its disk");
  }
  const releaseAt = parseEcsTime(instance.autoReleaseTime);
  if (releaseAt !== undefined && now >= releaseAt) {
    return release("expired", `past its AutoReleaseTime ${instance.autoReleaseTime} by ${formatDuration(now - releaseAt)}: the cloud-side TTL did not release it`);
  }
  const age = instanceAgeMs(instance, now);
  if (age !== undefined && age > policy.maxAgeMs) {
    return release("max-age", `${formatDuration(age)} old, over the maximum age of ${formatDuration(policy.maxAgeMs)}` +
      (releaseAt === undefined ? " (it has no AutoReleaseTime)" : ""));
  }
  if (age !== undefined && age < policy.bootGraceMs) {
    return spare("young", `${formatDuration(age)} old, within the ${formatDuration(policy.bootGraceMs)} boot grace: its runner may still be starting`);
  }
  const oldText = age === undefined ? "of unknown age" : `${formatDuration(age)} old`;
  const name = runner.name ?? "";
  switch (runner.state) {
    case "busy":
      return spare("runner-busy", `its runner ${name} is running a job`);
    case "online":
      return spare("runner-online", `its runner ${name} is online, waiting for its job`);
    case "unknown":
      if (!runner.name) {
        return spare("no-runner-tag", `it has no ${TAG_KEYS.runnerName} tag, so its runner cannot be checked; ` +
          `it goes at its AutoReleaseTime or after the maximum age`);
      }
      return spare("runner-unknown", `its runner ${name} could not be checked (${runner.why ?? "unknown"}); ` +
        `not released on a guess: it goes at its AutoReleaseTime, or at the next reap that can ask GitHub`);
    case "missing":
      return release("runner-missing", `${oldText} and its runner ${name} is not registered` +
        `${runner.scope ? ` in ${describeScope(runner.scope)}` : ""}: it finished its job, or never registered`);
    case "offline":
      return release("runner-offline", `${oldText} and its runner ${name} is offline and idle: it never came online, ` +
        `or its job ended without pulumi destroy`);
  }
}

/** What planning knows about a runner beyond GitHub's answer. */
export interface RunnerContext {
  /** The instance of ours that carries its name, and whether that instance is being released. */
  readonly instance?: { readonly instanceId: string; readonly releasing: boolean; readonly detail: string };
  /** When its name was made (generated names only). */
  readonly registeredAt?: number;
  /** It carries the label of this stack, which is being torn down: no create of it can still be launching. */
  readonly sweptStack?: string;
  readonly regionId: string;
}

/**
 * One runner's fate. A runner on one of our instances follows its instance. A runner with no instance of ours
 * goes when it is offline, idle and older than the boot grace (a create may have registered it and still be
 * launching the instance); busy or online runners always stay: something is running them.
 */
export function decideRunner(runner: RunnerInfo, scope: GitHubScope, context: RunnerContext, policy: ReapPolicy, now: number): RunnerDecision {
  const instanceId = context.instance?.instanceId;
  const base = { scope, runner, ...(instanceId ? { instanceId } : {}) };
  const state = stateOfRunner(runner);
  if (state === "busy") {
    return { ...base, action: "spare", reason: "runner-busy", detail: "running a job" +
      (context.instance?.releasing ? `; removed by a later reap once its instance ${instanceId} is gone` : "") };
  }
  if (context.instance) {
    return context.instance.releasing
      ? { ...base, action: "delete", reason: "instance-released", detail: `its instance ${instanceId} is being released` }
      : { ...base, action: "spare", reason: "on-live-instance", detail: `runs on ${instanceId}, which stays (${context.instance.detail})` };
  }
  if (state === "online") {
    return { ...base, action: "spare", reason: "runner-online",
      detail: `online, though no instance of ours in ${context.regionId} carries its name: something runs it (another region?)` };
  }
  if (context.sweptStack !== undefined) {
    return { ...base, action: "delete", reason: "stack-sweep", detail: `offline and idle, registered for stack ${context.sweptStack}, which is being torn down` };
  }
  const age = context.registeredAt === undefined ? undefined : now - context.registeredAt;
  if (age !== undefined && age < policy.bootGraceMs) {
    return { ...base, action: "spare", reason: "young",
      detail: `registered ${formatDuration(age)} ago, within the boot grace: its instance may still be launching` };
  }
  return { ...base, action: "delete", reason: "orphan-offline",
    detail: `offline and idle${age === undefined ? "" : `, registered ${formatDuration(age)} ago`}, and no instance of ours in ${context.regionId} carries its name` };
}
