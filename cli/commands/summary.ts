import { promises as fs } from "node:fs";
import { Command } from "commander";
import {
  Arch,
  CostSummaryInputError,
  costFactsFromStackOutputs,
  DEFAULT_USD_CNY,
  estimateCost,
  renderCostSummary,
  renderNoRunnerSummary,
} from "../../stacks/runner/costSummary";
import { CliIo, UsageError } from "../io";

/** The clock is injected so tests can pin "now". */
export interface SummaryCommandDeps {
  readonly now?: () => number;
}

interface SummaryFlags {
  outputs: string;
  finishedAt?: string;
  usdCny?: string;
  arch?: string;
  stack?: string;
}

export function register(program: Command, io: CliIo, done: (code: number) => void, deps: SummaryCommandDeps = {}): void {
  program
    .command("summary")
    .description("Markdown cost summary of a runner stack (spot cost beside a comparable GitHub-hosted runner), for $GITHUB_STEP_SUMMARY")
    .requiredOption("--outputs <file>", "the runner stack's outputs, as written by `pulumi stack output --json` (job.sh saves them)")
    .option("--finished-at <iso>", "when the instance was released (default: now)")
    .option("--usd-cny <rate>", `CNY per USD, to compare ECS (CNY) with GitHub (USD) (default ${DEFAULT_USD_CNY})`)
    .option("--arch <arch>", "amd64 or arm64, to pick the GitHub-hosted runner to compare with (default: from the runner label)")
    .option("--stack <name>", "stack name for the heading")
    .addHelpText("after", "\nExit codes: 0 printed, 1 the outputs file cannot be read or used, 2 bad flags.")
    .action(async (flags: SummaryFlags) => {
      const usdCny = flags.usdCny === undefined ? undefined : positiveNumber("--usd-cny", flags.usdCny);
      const finishedAt = flags.finishedAt ?? new Date((deps.now ?? Date.now)()).toISOString();
      if (Number.isNaN(Date.parse(finishedAt))) throw new UsageError(`--finished-at: "${finishedAt}" is not an ISO time, e.g. 2026-11-28T10:30:00Z`);
      const requestedArch = flags.arch === undefined ? undefined : parseArch(flags.arch);

      let outputs: unknown;
      try {
        outputs = JSON.parse(await fs.readFile(flags.outputs, "utf8"));
      } catch (err) {
        io.stderr(`error: cannot read the stack outputs from ${flags.outputs}: ${(err as Error).message}. Pass the file job.sh wrote (--outputs-file).\n`);
        done(1);
        return;
      }
      try {
        const facts = costFactsFromStackOutputs(outputs);
        if (facts === undefined) {
          io.stdout(renderNoRunnerSummary(flags.stack));
          done(0);
          return;
        }
        const arch = requestedArch ?? archFromLabel(facts.label);
        if (arch === undefined) throw new UsageError("--arch: give amd64 or arm64 (the runner label does not say)");
        io.stdout(renderCostSummary(estimateCost(facts, { arch, finishedAt, ...(usdCny !== undefined ? { usdCny } : {}) }), { stack: flags.stack }));
        done(0);
      } catch (err) {
        if (!(err instanceof CostSummaryInputError)) throw err;
        io.stderr(`error: ${err.message} (in ${flags.outputs})\n`);
        done(1);
      }
    });
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag}: "${value}" is not a positive number`);
  return n;
}

function parseArch(value: string): Arch {
  const v = value.trim().toLowerCase();
  if (v === "amd64" || v === "x86_64") return "amd64";
  if (v === "arm64" || v === "aarch64") return "arm64";
  throw new UsageError(`--arch: "${value}" is not amd64 or arm64`);
}

/** Runner names and labels are <prefix>-<arch>-<time>-<suffix> (provider/naming.ts). */
function archFromLabel(label: string | undefined): Arch | undefined {
  const match = label ? /-(amd64|arm64)-/.exec(label) : null;
  return match ? (match[1] as Arch) : undefined;
}
