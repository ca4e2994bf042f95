import type { Command } from "commander";
import { DEFAULT_BOOT_GRACE_MINUTES, DEFAULT_MAX_AGE_MINUTES } from "../../provider/reaper/types";
import type { ReapFlags } from "../actions/reap";
import type { CliContext } from "../context";
import { addTargetOptions } from "./options";

/** `spot-runner reap`: its flags and help; cli/actions/reap.ts does the work, loaded only when it runs. */
export function register(program: Command, ctx: CliContext, done: (code: number) => void): void {
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
      const { runReap } = require("../actions/reap") as typeof import("../actions/reap");
      done(await runReap(flags, ctx));
    });
}
