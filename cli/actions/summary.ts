import { promises as fs } from "node:fs";
import { parseArch } from "../../provider/contract/arch";
import {
  Arch,
  CostSummaryInputError,
  costFactsFromStackOutputs,
  estimateCost,
  NoRunnerOutputsError,
  renderCostSummary,
  renderNoRunnerSummary,
} from "../../stacks/runner/costSummary";
import type { CliContext } from "../context";
import { positiveNumberFlag } from "../flags";
import { UsageError } from "../io";

export interface SummaryFlags {
  outputs: string;
  finishedAt?: string;
  usdCny?: string;
  arch?: string;
  stack?: string;
  allowEmpty?: boolean;
}

/** `spot-runner summary`: a runner stack's outputs file to the cost summary Markdown. No SDK, no network. */
export async function runSummary(flags: SummaryFlags, ctx: CliContext): Promise<number> {
  const usdCny = flags.usdCny === undefined ? undefined : positiveNumberFlag("--usd-cny", flags.usdCny);
  const finishedAt = flags.finishedAt ?? new Date(ctx.services.clock.now()).toISOString();
  if (Number.isNaN(Date.parse(finishedAt))) throw new UsageError(`--finished-at: "${finishedAt}" is not an ISO time, e.g. 2026-11-28T10:30:00Z`);
  const requestedArch = flags.arch === undefined ? undefined : archFlag(flags.arch);

  let outputs: unknown;
  try {
    outputs = JSON.parse(await fs.readFile(flags.outputs, "utf8"));
  } catch (err) {
    ctx.stderr(`error: cannot read the stack outputs from ${flags.outputs}: ${(err as Error).message}. Pass the file job.sh wrote (--outputs-file).\n`);
    return 1;
  }
  try {
    const facts = costFactsFromStackOutputs(outputs);
    const arch = requestedArch ?? archFromLabel(facts.label);
    if (arch === undefined) throw new UsageError("--arch: give amd64 or arm64 (the runner label does not say)");
    ctx.stdout(renderCostSummary(estimateCost(facts, { arch, finishedAt, ...(usdCny !== undefined ? { usdCny } : {}) }), { stack: flags.stack }));
    return 0;
  } catch (err) {
    if (err instanceof NoRunnerOutputsError && flags.allowEmpty) {
      ctx.stdout(renderNoRunnerSummary(flags.stack));
      return 0;
    }
    if (!(err instanceof CostSummaryInputError)) throw err;
    ctx.stderr(`error: ${err.message} (in ${flags.outputs})\n`);
    return 1;
  }
}

function archFlag(value: string): Arch {
  const arch = parseArch(value);
  if (!arch) throw new UsageError(`--arch: "${value}" is not amd64 or arm64`);
  return arch;
}

/** Runner names and labels are <prefix>-<arch>-<time>-<suffix> (provider/naming.ts). */
function archFromLabel(label: string | undefined): Arch | undefined {
  const match = label ? /-(amd64|arm64)-/.exec(label) : null;
  return match ? (match[1] as Arch) : undefined;
}
