import { describeScope } from "../../provider/github/runners";
import { formatDuration } from "../../provider/reaper/durations";
import type { ReapOutcome, ReapResult } from "../../provider/reaper/execute";
import { describeRunnerState } from "../../provider/reaper/runnerView";
import type { InstanceDecision, ReapPlan, RunnerDecision } from "../../provider/reaper/types";
import { TAG_KEYS } from "../../provider/tags";

/** `spot-runner reap`'s output: the plan and the results for people, or one JSON object for scripts. */
function instanceLabel(d: InstanceDecision): string {
  const stack = d.instance.tags[TAG_KEYS.stack];
  return `instance ${d.instance.instanceId}${stack ? ` (stack ${stack})` : ""}`;
}

function runnerLabel(d: RunnerDecision): string {
  return `runner ${d.runner.name} (${describeScope(d.scope)})`;
}

export function renderPlan(plan: ReapPlan, dryRun: boolean): string {
  const { policy } = plan;
  const lines: string[] = [];
  const narrowing = [policy.prefix ? `prefix ${policy.prefix}` : "", policy.stack ? `stack ${policy.stack}` : ""].filter(Boolean).join(", ");
  lines.push(`Reap plan for ${plan.regionId} at ${new Date(plan.now).toISOString()} (boot grace ${formatDuration(policy.bootGraceMs)}, ` +
    `max age ${formatDuration(policy.maxAgeMs)}${narrowing ? `, ${narrowing}` : ""})` +
    (dryRun ? ": dry run, nothing is changed; run with --yes to act" : ""));
  const remove = [
    ...plan.instances.filter((d) => d.action === "release").map((d) => `  ${instanceLabel(d)}: ${d.detail}`),
    ...plan.runners.filter((d) => d.action === "delete").map((d) => `  ${runnerLabel(d)}: ${d.detail}`),
  ];
  const keep = [
    ...plan.instances.filter((d) => d.action === "spare").map((d) => `  ${instanceLabel(d)}: ${d.detail}`),
    ...plan.runners.filter((d) => d.action === "spare").map((d) => `  ${runnerLabel(d)}: ${d.detail}`),
  ];
  lines.push(remove.length > 0 ? `${dryRun ? "Would remove" : "Remove"}:` : "Nothing to remove.", ...remove);
  if (keep.length > 0) lines.push("Keep:", ...keep);
  const alone = [
    plan.leftAlone.instances > 0 ? `${plan.leftAlone.instances} of our instance(s) of other prefixes or stacks` : "",
    plan.leftAlone.runners > 0 ? `${plan.leftAlone.runners} runner(s) not named by us or outside the narrowing` : "",
  ].filter(Boolean);
  if (alone.length > 0) lines.push(`Left alone: ${alone.join("; ")}.`);
  return `${lines.join("\n")}\n`;
}

export function renderResult(result: ReapResult): string {
  if (result.outcomes.length === 0) return "";
  const lines = ["Results:"];
  for (const o of result.outcomes) lines.push(`  ${o.status.padEnd(12)} ${o.kind} ${o.id}: ${o.detail}`);
  const count = (s: ReapOutcome["status"]) => result.outcomes.filter((o) => o.status === s).length;
  const removed = count("removed") + count("already-gone");
  lines.push(`${removed} removed, ${count("spared")} spared at the last check, ${count("failed")} failed.` +
    (count("failed") > 0 ? " The failures are listed above with what to do; the next scheduled reap retries them." : ""));
  return `${lines.join("\n")}\n`;
}

function instanceJson(d: InstanceDecision) {
  return {
    kind: "instance" as const,
    id: d.instance.instanceId,
    reason: d.reason,
    detail: d.detail,
    status: d.instance.status,
    ...(d.instance.tags[TAG_KEYS.stack] ? { stack: d.instance.tags[TAG_KEYS.stack] } : {}),
    runner: { ...(d.runner.name ? { name: d.runner.name } : {}), state: describeRunnerState(d.runner) },
  };
}

function runnerJson(d: RunnerDecision) {
  return {
    kind: "runner" as const,
    id: d.runner.name,
    runnerId: d.runner.id,
    scope: describeScope(d.scope),
    reason: d.reason,
    detail: d.detail,
    ...(d.instanceId ? { instanceId: d.instanceId } : {}),
  };
}

export function reapJson(plan: ReapPlan, result: ReapResult) {
  return {
    region: plan.regionId,
    now: new Date(plan.now).toISOString(),
    dryRun: result.dryRun,
    policy: {
      bootGraceMinutes: plan.policy.bootGraceMs / 60_000,
      maxAgeMinutes: plan.policy.maxAgeMs / 60_000,
      ...(plan.policy.prefix ? { prefix: plan.policy.prefix } : {}),
      ...(plan.policy.stack ? { stack: plan.policy.stack } : {}),
    },
    remove: [
      ...plan.instances.filter((d) => d.action === "release").map(instanceJson),
      ...plan.runners.filter((d) => d.action === "delete").map(runnerJson),
    ],
    keep: [
      ...plan.instances.filter((d) => d.action === "spare").map(instanceJson),
      ...plan.runners.filter((d) => d.action === "spare").map(runnerJson),
    ],
    leftAlone: plan.leftAlone,
    outcomes: result.dryRun ? [] : result.outcomes.map((o) => ({ kind: o.kind, id: o.id, status: o.status, detail: o.detail })),
    warnings: plan.warnings,
    problems: plan.problems,
    ok: result.ok && plan.problems.length === 0,
  };
}
