import { Command, CommanderError } from "commander";
import { AdviseCommandDeps, register } from "../../../cli/commands/advise";
import { CliIo, UsageError } from "../../../cli/io";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `spot-runner advise ...` in-process, the way cli/main.ts runs a registered command. */
export async function runAdvise(args: readonly string[], env: NodeJS.ProcessEnv, deps: AdviseCommandDeps = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  let code = 0;
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, interrupted: new Promise(() => {}) };
  const program = new Command("spot-runner").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  register(program, io, (c) => (code = c), deps);
  try {
    await program.parseAsync(["node", "spot-runner", "advise", ...args]);
  } catch (err) {
    if (err instanceof CommanderError) code = err.exitCode === 0 ? 0 : 2;
    else if (err instanceof UsageError) {
      stderr += `error: ${err.message}\n`;
      code = 2;
    } else throw err;
  }
  return { code, stdout, stderr };
}
