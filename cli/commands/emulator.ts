import type { Command } from "commander";
import type { EmulatorFlags } from "../actions/emulator";
import type { CliContext } from "../context";

/** `spot-runner emulator`: its flags and help; cli/actions/emulator.ts starts it, loaded only when it runs. */
export function register(program: Command, ctx: CliContext, done: (code: number) => void): void {
  program
    .command("emulator")
    .description("serve an offline Aliyun ECS + GitHub API on 127.0.0.1 that the real SDKs talk to (until Ctrl-C)")
    .option("--scenario <file>", "a JSON scenario (format: docs/emulator.md); default: the bundled cn-hangzhou scenario")
    .option("--port <n>", "port to listen on (default: any free port)")
    .option("--json", 'print one JSON line {"ecsEndpoint", "githubApiUrl", "adminUrl", "accessKeyId", "accessKeySecret", "githubToken"} for scripts')
    .addHelpText(
      "after",
      "\nThe credentials printed are the scenario's own (fake) ones; nothing leaves this machine.\n" +
        "Admin API (faults, state, call log): http://127.0.0.1:<port>/_emulator/ (see docs/emulator.md).\n" +
        "Exit codes: 0 stopped by SIGINT/SIGTERM, 1 the scenario or the port cannot be used, 2 bad flags.",
    )
    .action(async (flags: EmulatorFlags) => {
      const { runEmulator } = require("../actions/emulator") as typeof import("../actions/emulator");
      done(await runEmulator(flags, ctx));
    });
}
