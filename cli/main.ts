import { Command, CommanderError } from "commander";
import { CliIo, processIo, UsageError } from "./io";
import { register as registerAdvise } from "./commands/advise";
import { register as registerDemo } from "./commands/demo";
import { register as registerEmulator } from "./commands/emulator";
import { register as registerList } from "./commands/list";
import { register as registerReap } from "./commands/reap";
import { register as registerSummary } from "./commands/summary";

/**
 * Every subcommand registers itself here, in the order `--help` lists them; each module owns its flags and help
 * text. The wrappers drop the test-only dependency argument some commands take.
 */
type Register = (program: Command, io: CliIo, done: (code: number) => void) => void;
const commands: Register[] = [
  (program, io, done) => registerDemo(program, io, done),
  (program, io, done) => registerAdvise(program, io, done),
  (program, io, done) => registerList(program, io, done),
  (program, io, done) => registerReap(program, io, done),
  registerEmulator,
  (program, io, done) => registerSummary(program, io, done),
];

export function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command("spot-runner")
    .description("GitHub Actions runners on Aliyun ECS spot instances: demo, advise, list, reap, emulator, summary")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const register of commands) register(program, io, done);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => { code = c; });
  return runProgram(program, argv, io, () => code);
}

/**
 * Parses and runs `argv` on a program whose commands report their exit code through `code()`; maps commander's
 * own errors and usage errors to exit code 2. Shared by `main` and the command tests, so both exit alike.
 */
export async function runProgram(program: Command, argv: readonly string[], io: CliIo, code: () => number): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return code();
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n(run with --help for usage)\n`);
      return 2;
    }
    throw err;
  }
}
