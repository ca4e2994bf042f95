import { Command } from "commander";
import type { DemoOptions } from "../demo/runDemo";
import { CliIo, UsageError } from "../io";

/** Test hook: a faster emulated cloud. */
export interface DemoCommandDeps {
  readonly timing?: DemoOptions["timing"];
  readonly pollMs?: number;
}

export function register(program: Command, io: CliIo, done: (code: number) => void, deps: DemoCommandDeps = {}): void {
  program
    .command("demo")
    .description("the whole life of one runner on the bundled emulator: advise, pulumi up through Pulumi's plugin host (with a stock-out, so the fallback shows), the runner online, pulumi destroy, nothing left")
    .option("--arch <arch>", "amd64 or arm64", "arm64")
    .action(async (flags: { arch: string }) => {
      // Loaded here, not at the top, and after the flags are checked: the demo pulls in the emulator and Pulumi's
      // plugin host, which --help and a usage error must not.
      const { parseArch } = require("../../provider/contract/arch") as typeof import("../../provider/contract/arch");
      const arch = parseArch(flags.arch);
      if (!arch) throw new UsageError(`--arch: "${flags.arch}" is not amd64 or arm64`);
      const { DEMO_TIMING, runDemo } = require("../demo/runDemo") as typeof import("../demo/runDemo");
      const result = await runDemo(
        { arch, timing: deps.timing ?? DEMO_TIMING, pollMs: deps.pollMs ?? 250, interrupted: io.interrupted },
        (line) => io.stdout(`${line}\n`),
      );
      done(result.ok ? 0 : 1);
    });
}
