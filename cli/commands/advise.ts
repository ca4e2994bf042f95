import type { Command } from "commander";
import type { AdviseFlags } from "../actions/advise";
import type { CliContext } from "../context";
import { REGION_HELP } from "./options";

/**
 * `spot-runner advise`: its flags and help. What it does is in cli/actions/advise.ts, loaded only when it runs, so
 * `--help` never loads the advisor or the ECS SDK.
 */
export function register(program: Command, ctx: CliContext, done: (code: number) => void): void {
  program
    .command("advise")
    .description("the cheapest spot capacity per vCPU right now (our take on spot-instance-advisor)")
    .option("--region <id>", REGION_HELP)
    .option("--arch <arch>", "amd64 (x86_64) or arm64 (aarch64) (default amd64)")
    .option("--families <list>", 'comma list of exact families, e.g. "ecs.c8y,ecs.c8r"; "" = any (default: amd64 any, arm64 ecs.c8y,ecs.c8r)')
    .option("--min-cpu <n>", "minimum vCPUs (default 8)")
    .option("--max-cpu <n>", "maximum vCPUs (default 64)")
    .option("--min-mem <GiB>", "minimum memory (default amd64 8, arm64 16)")
    .option("--max-mem <GiB>", "maximum memory (default amd64 64, arm64 128)")
    .option("--ratio <list>", 'CPU:RAM ratios in order of preference, "1:1,1:2" or "1,2" (GiB per vCPU) (default amd64 1:1,1:2, arm64 1:2)')
    .option("--window <minutes>", "spot price history to look at, widened for zones without a row (default 60)")
    .option("--zones <list>", 'only these zones, in order of preference: "cn-hangzhou-b,cn-hangzhou-j" or letters "b,j"')
    .option("--spot-duration <hours>", "protection period, 0 or 1 (default: the API's, 1)")
    .option("--strategy <name>", "expected-cost (by the expected cost of a completed job, counting interruptions) or lowest-price (the Go tool's order) (default expected-cost)")
    .option("--job-minutes <n>", "the job length the expected cost is computed for (default 20)")
    .option("--limit <n>", "rows to show (default 20)")
    .option("--json", "a JSON array with the Go tool's fields (and spotPrice, originPrice, priceLimit)")
    .addHelpText(
      "after",
      "\nThe sizing flags take the values SpotRunner's inputs take (minCpu, maxCpu, minMemoryGiB, maxMemoryGiB, ratios,\n" +
        "families, priceWindowMinutes, spotDuration, strategy, expectedJobMinutes), checked by the same rules.\n" +
        "Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (or ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY).\n" +
        "Endpoint: ALIBABA_CLOUD_ECS_ENDPOINT, e.g. http://127.0.0.1:8080 for the emulator.\n" +
        "Exit codes: 0 candidates found, 1 none (the explanation is on stderr) or an API error, 2 bad flags.",
    )
    .action(async (flags: AdviseFlags) => {
      const { runAdvise } = require("../actions/advise") as typeof import("../actions/advise");
      done(await runAdvise(flags, ctx));
    });
}
