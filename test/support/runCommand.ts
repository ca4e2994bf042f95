import { Command } from "commander";
import { CliIo } from "../../cli/io";
import { runProgram } from "../../cli/main";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

type Register<D> = (program: Command, io: CliIo, done: (code: number) => void, deps: D) => void;

/**
 * Runs one `spot-runner <command> ...` in-process, the way bin/spot-runner.js does (same parsing and exit codes,
 * cli/main.ts runProgram), with the command's test dependencies injected and its output captured.
 */
export async function runCommand<D>(register: Register<D>, command: string, args: readonly string[], env: NodeJS.ProcessEnv, deps: D): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  let code = 0;
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, interrupted: new Promise(() => {}) };
  const program = new Command("spot-runner").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  register(program, io, (c) => (code = c), deps);
  const exitCode = await runProgram(program, ["node", "spot-runner", command, ...args], io, () => code);
  return { code: exitCode, stdout, stderr };
}
