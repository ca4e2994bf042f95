import type { CliServices } from "../../../cli/context";
import { CliResult, runCli } from "../../support/cli";

export type { CliResult };

/** Runs `spot-runner advise ...` in-process. */
export function runAdvise(args: readonly string[], env: NodeJS.ProcessEnv, services: Partial<CliServices> = {}): Promise<CliResult> {
  return runCli(["advise", ...args], { env, services });
}
