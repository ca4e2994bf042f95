import { Command } from "commander";
import { describeScope } from "../../provider/github/runners";
import {
  DEFAULT_BOOT_GRACE_MINUTES,
  DEFAULT_MAX_AGE_MINUTES,
  describeRunnerState,
  executeReap,
  formatDuration,
  InstanceDecision,
  planReap,
  ReapOutcome,
  ReapPlan,
  ReapPolicy,
  ReapResult,
  RunnerDecision,
} from "../../provider/reaper";
import { TAG_KEYS } from "../../provider/tags";
import { realClock } from "../../provider/wait";
import { CliIo, UsageError } from "../io";
import { addTargetOptions, ecsFor, githubAccessFor, readSnapshot, ReaperCommandDeps, TargetFlags, targetFromFlags } from "./list";

const DEFAULT_RELEASE_TIMEOUT_MS = 5 * 60_000;

interface ReapFlags extends TargetFlags {
  yes?: boolean;
  bootGrace?: string;
  maxAge?: string;
  json?: boolean;
}

export function register(program: Command, io: CliIo, done: (code: number) => void, deps: ReaperCommandDeps = {}): void {
  addTargetOptions(
    program
      .command("reap")
      .description("release our instances and remove our runners that should not exist any more (dry run unless --yes)"),
  )
    .option("--yes", "act: release and remove what the plan lists (default: only print the plan)")
    .option("--boot-grace <minutes>", `how long a new instance may go without an online runner (default ${DEFAULT_BOOT_GRACE_MINUTES})`)
    .option("--max-age <minutes>", `release any instance older than this, whatever its runner says (default ${DEFAULT_MAX_AGE_MINUTES}); ` +
      "raise it if your runners have a longer ttlMinutes")
    .option("--json", "a JSON object: the plan (remove, keep) and, with --yes, the outcome of each removal")
    .addHelpText(
      "after",
      "\nReleased: instances past their AutoReleaseTime or older than --max-age; Stopped instances; instances older than\n" +
        "--boot-grace whose runner is missing from GitHub or offline and idle; with --stack, every instance of that stack.\n" +
        "Removed: runners named <prefix>-<arch>-<time>-<suffix> that are offline, idle, older than --boot-grace and on no\n" +
        "instance of ours, and the runners of released instances. Each removal is preceded by a last check.\n" +
        "Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (or ALICLOUD_*), GITHUB_TOKEN/GH_TOKEN or the GitHub App variables.\n" +
        "Without GitHub credentials nothing that depends on a runner's state is removed. See docs/reaper.md.\n" +
        "Exit codes: 0 everything planned was removed (or a dry run, or nothing to do), 1 a removal failed or could not be\n" +
        "verified, or something could not be read, 2 bad flags.",
    )
    .action(async (flags: ReapFlags) => {
      const target = targetFromFlags(flags, io.env);
      const policy = policyFromFlags(flags, target);
      const clock = deps.clock ?? realClock;
      const github = githubAccessFor(io.env, deps);
      const ecs = ecsFor(target, io.env, deps);
      const snapshot = await readSnapshot(target, ecs, github, io, io.env);
      if (!snapshot) {
        done(1);
        return;
      }
      for (const note of target.notes) io.stderr(`warning: ${note}\n`);
      const plan = planReap(snapshot, policy, clock.now());
      if (!flags.json) io.stdout(renderPlan(plan, !flags.yes));
      const result = await executeReap(plan, {
        ecs,
        github,
        clock,
        log: (line) => io.stderr(`reap: ${line}\n`),
        releaseTimeoutMs: deps.releaseTimeoutMs ?? DEFAULT_RELEASE_TIMEOUT_MS,
        pollMs: deps.pollMs ?? 2_000,
        maxPollMs: deps.maxPollMs ?? 10_000,
        interrupted: io.interrupted,
      }, { dryRun: !flags.yes });
      if (flags.json) io.stdout(`${JSON.stringify(reapJson(plan, result), null, 2)}\n`);
      else if (!result.dryRun) io.stdout(renderResult(result));
      for (const w of plan.warnings) io.stderr(`warning: ${w}\n`);
      for (const p of plan.problems) io.stderr(`error: ${p}\n`);
      done(result.ok && plan.problems.length === 0 ? 0 : 1);
    });
}

export function policyFromFlags(flags: Pick<ReapFlags, "bootGrace" | "maxAge">, target: { prefix?: string; stack?: string }): ReapPolicy {
  const bootGrace = flags.bootGrace === undefined ? DEFAULT_BOOT_GRACE_MINUTES : wholeMinutes("--boot-grace", flags.bootGrace, 0);
  const maxAge = flags.maxAge === undefined ? DEFAULT_MAX_AGE_MINUTES : wholeMinutes("--max-age", flags.maxAge, 1);
  if (maxAge <= bootGrace) {
    throw new UsageError(`--max-age (${maxAge} min) must be longer than --boot-grace (${bootGrace} min)`);
  }
  return {
    bootGraceMs: bootGrace * 60_000,
    maxAgeMs: maxAge * 60_000,
    ...(target.prefix !== undefined ? { prefix: target.prefix } : {}),
    ...(target.stack !== undefined ? { stack: target.stack } : {}),
  };
}

function wholeMinutes(flag: string, value: string, min: number): number {
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new UsageError(`${flag}: "${value}" is not a whole number of minutes${min > 0 ? ` (at least ${min})` : ""}`);
  }
  return n;
}

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
