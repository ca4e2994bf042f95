import type { Command } from "commander";
import type { ListFlags } from "../actions/list";
import type { CliContext } from "../context";
import { addTargetOptions } from "./options";

/** `spot-runner list`: its flags and help; cli/actions/list.ts does the work, loaded only when it runs. */
export function register(program: Command, ctx: CliContext, done: (code: number) => void): void {
  addTargetOptions(
    program
      .command("list")
      .description("our runner instances (by tag) with their age, type, zone, spot price limit, TTL left and runner status"),
  )
    .option("--json", "a JSON object: {region, now, instances[], runnersWithoutInstance[], warnings[], problems[]}")
    .addHelpText(
      "after",
      "\nCredentials: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (or ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY); GITHUB_TOKEN\n" +
        "(or GH_TOKEN, or the GitHub App variables) for the runner column, which says \"unknown (no GitHub token)\" without it.\n" +
        "Endpoints: ALIBABA_CLOUD_ECS_ENDPOINT, GITHUB_API_URL.\n" +
        "Exit codes: 0 listed, 1 the instances or a scope's runners could not be read, 2 bad flags.",
    )
    .action(async (flags: ListFlags) => {
      const { runList } = require("../actions/list") as typeof import("../actions/list");
      done(await runList(flags, ctx));
    });
}
