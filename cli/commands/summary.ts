import type { Command } from "commander";
import type { SummaryFlags } from "../actions/summary";
import type { CliContext } from "../context";

/** The default CNY per USD, repeated from stacks/runner/costSummary.ts so that --help does not load it. */
const DEFAULT_USD_CNY_TEXT = "7.1";

/** `spot-runner summary`: its flags and help; cli/actions/summary.ts does the work, loaded only when it runs. */
export function register(program: Command, ctx: CliContext, done: (code: number) => void): void {
  program
    .command("summary")
    .description("Markdown cost summary of a runner stack (spot cost beside a comparable GitHub-hosted runner), for $GITHUB_STEP_SUMMARY")
    .requiredOption("--outputs <file>", "the runner stack's outputs, as written by `pulumi stack output --json` (job.sh saves them)")
    .option("--finished-at <iso>", "when the instance was released (default: now); billing stops at its AutoReleaseTime in any case")
    .option("--usd-cny <rate>", `CNY per USD, to compare ECS (CNY) with GitHub (USD) (default ${DEFAULT_USD_CNY_TEXT})`)
    .option("--arch <arch>", "amd64 or arm64, to pick the GitHub-hosted runner to compare with (default: from the runner label)")
    .option("--stack <name>", "stack name for the heading")
    .option("--allow-empty", "outputs of a stack that recorded no instance ({}) print a note and exit 0 instead of failing")
    .addHelpText("after", "\nExit codes: 0 printed, 1 the outputs file cannot be read or is not a runner stack's, 2 bad flags.")
    .action(async (flags: SummaryFlags) => {
      const { runSummary } = require("../actions/summary") as typeof import("../actions/summary");
      done(await runSummary(flags, ctx));
    });
}
