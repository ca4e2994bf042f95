import { AdviseCommandDeps, register } from "../../../cli/commands/advise";
import { CliResult, runCommand } from "../../support/runCommand";

export type { CliResult };

/** Runs `spot-runner advise ...` in-process. */
export function runAdvise(args: readonly string[], env: NodeJS.ProcessEnv, deps: AdviseCommandDeps = {}): Promise<CliResult> {
  return runCommand(register, "advise", args, env, deps);
}
