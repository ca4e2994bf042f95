import type { Command } from "commander";
import { DEFAULT_REGION_ID } from "../../provider/advisor/defaults";

/**
 * Flag declarations more than one command shares. Declarations only: what the flags mean is in cli/target.ts and
 * cli/region.ts, loaded when a command runs (this module is loaded for --help, so it stays free of zod and SDKs).
 */
export const REGION_HELP = `region (default: $SPOT_RUNNER_REGION, else ${DEFAULT_REGION_ID}); use the infra stack's region output`;

/** The flags of `list` and `reap`: where to look and what counts as ours. */
export function addTargetOptions(command: Command): Command {
  return command
    .option("--region <id>", REGION_HELP)
    .option("--prefix <prefix>", "only instances tagged with this prefix, and runners named <prefix>-<arch>-...")
    .option("--stack <name>", "only instances tagged with this runner stack (spot-runner-stack)")
    .option("--repo <owner/repo>", "also look at the runners of this repository (default: $GITHUB_REPOSITORY)")
    .option("--org <org>", "also look at the organization's runners (instead of --repo)");
}
