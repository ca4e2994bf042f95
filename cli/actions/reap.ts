import { executeReap } from "../../provider/reaper/execute";
import { planReap } from "../../provider/reaper/plan";
import { DEFAULT_BOOT_GRACE_MINUTES, DEFAULT_MAX_AGE_MINUTES, ReapPolicy } from "../../provider/reaper/types";
import type { CliContext } from "../context";
import { wholeNumberFlag } from "../flags";
import { UsageError } from "../io";
import { reapJson, renderPlan, renderResult } from "../render/reap";
import { TargetFlags, targetFromFlags } from "../target";
import { openSources, readSnapshot } from "./list";

/** How long a released instance may take to disappear before the release counts as unverified. */
const RELEASE_TIMEOUT_MS = 5 * 60_000;
const POLL_MS = 2_000;
const MAX_POLL_MS = 10_000;

export interface ReapFlags extends TargetFlags {
  yes?: boolean;
  bootGrace?: string;
  maxAge?: string;
  json?: boolean;
}

/** `spot-runner reap`: read, plan (pure, provider/reaper/plan.ts), then act unless it is a dry run. */
export async function runReap(flags: ReapFlags, ctx: CliContext): Promise<number> {
  const target = targetFromFlags(flags, ctx.env);
  const policy = policyFromFlags(flags, target);
  const sources = await openSources(target, ctx);
  if (!sources) return 1;
  const snapshot = await readSnapshot(target, sources, ctx);
  if (!snapshot) return 1;
  for (const note of target.notes) ctx.stderr(`warning: ${note}\n`);
  const { clock } = ctx.services;
  const plan = planReap(snapshot, policy, clock.now());
  if (!flags.json) ctx.stdout(renderPlan(plan, !flags.yes));
  const result = await executeReap(plan, {
    ecs: sources.ecs,
    github: sources.github,
    clock,
    log: (line) => ctx.stderr(`reap: ${line}\n`),
    releaseTimeoutMs: RELEASE_TIMEOUT_MS,
    pollMs: POLL_MS,
    maxPollMs: MAX_POLL_MS,
    interrupted: ctx.interrupted,
  }, { dryRun: !flags.yes });
  if (flags.json) ctx.stdout(`${JSON.stringify(reapJson(plan, result), null, 2)}\n`);
  else if (!result.dryRun) ctx.stdout(renderResult(result));
  for (const w of plan.warnings) ctx.stderr(`warning: ${w}\n`);
  for (const p of plan.problems) ctx.stderr(`error: ${p}\n`);
  return result.ok && plan.problems.length === 0 ? 0 : 1;
}

export function policyFromFlags(flags: Pick<ReapFlags, "bootGrace" | "maxAge">, target: { prefix?: string; stack?: string }): ReapPolicy {
  const bootGrace = flags.bootGrace === undefined ? DEFAULT_BOOT_GRACE_MINUTES : wholeNumberFlag("--boot-grace", flags.bootGrace, { min: 0, unit: "minutes" });
  const maxAge = flags.maxAge === undefined ? DEFAULT_MAX_AGE_MINUTES : wholeNumberFlag("--max-age", flags.maxAge, { min: 1, unit: "minutes" });
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
