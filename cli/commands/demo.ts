import { Command } from "commander";
import type { PulumiCli } from "../demo/pulumiCli";
import type { DemoOptions } from "../demo/runDemo";
import { CliIo, UsageError } from "../io";

/** Test hooks: a faster emulated cloud; the Pulumi CLI to use (null: none, so Pulumi's plugin host). */
export interface DemoCommandDeps {
  readonly timing?: DemoOptions["timing"];
  readonly pollMs?: number;
  readonly pulumi?: PulumiCli | null;
}

 
export function register(program: Command, io: CliIo, done: (code: number) => void, deps: DemoCommandDeps = {}): void {
  program
    .command("demo")
    .description("the whole life of one runner on the bundled emulator: advise, pulumi up (with a stock-out, so the fallback shows), the runner online, pulumi destroy, nothing left; through the real Pulumi CLI when one is found (.tools/pulumi/bin, then PATH), else through Pulumi's plugin host")
    .option("--arch <arch>", "amd64 or arm64", "arm64")
    .action(async (flags: { arch: string }) => {
      // Loaded here, not at the top, and after the flags are checked: the demo pulls in the emulator and Pulumi's
      // plugin host, which --help and a usage error must not.
      const { parseArch } = require("../../provider/contract/arch") as typeof import("../../provider/contract/arch");
      const arch = parseArch(flags.arch);
      if (!arch) throw new UsageError(`--arch: "${flags.arch}" is not amd64 or arm64`);
      const { DEMO_TIMING, runDemo } = require("../demo/runDemo") as typeof import("../demo/runDemo");
      const { checkoutRoot, runnerProjectDir } = require("../demo/checkout") as typeof import("../demo/checkout");
      const { findPulumiCli } = require("../demo/pulumiCli") as typeof import("../demo/pulumiCli");
      const options: DemoOptions = { arch, timing: deps.timing ?? DEMO_TIMING, pollMs: deps.pollMs ?? 250, interrupted: io.interrupted };
      const say = (line: string) => io.stdout(`${line}\n`);
      const root = checkoutRoot();
      const runnerDir = runnerProjectDir(root);
      const pulumi = deps.pulumi === undefined ? findPulumiCli(root, io.env) : deps.pulumi;
      if (pulumi && runnerDir) {
        const { runRealCliDemo } = require("../demo/realCliDemo") as typeof import("../demo/realCliDemo");
        done((await runRealCliDemo(pulumi, runnerDir, options, say)).ok ? 0 : 1);
        return;
      }
      say(pulumi
        ? "Path: Pulumi's dynamic-provider plugin host runs the provider directly (the real CLI needs the runner stack of a checkout: stacks/runner)."
        : "Path: no Pulumi CLI found (.tools/pulumi/bin or PATH), so Pulumi's dynamic-provider plugin host runs the provider directly; `npm run pulumi:build` builds the real CLI.");
      const result = await runDemo(options, say);
      done(result.ok ? 0 : 1);
    });
}
 
