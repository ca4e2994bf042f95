import { Command, CommanderError } from "commander";
import { register as registerAdvise } from "./commands/advise";
import { register as registerDemo } from "./commands/demo";
import { register as registerEmulator } from "./commands/emulator";
import { register as registerList } from "./commands/list";
import { register as registerReap } from "./commands/reap";
import { register as registerSummary } from "./commands/summary";
import { CliContext, processContext } from "./context";
import { UsageError } from "./io";

/**
 * Every subcommand registers its flags and help here, in the order `--help` lists them. A command's work lives in
 * cli/actions/ and is loaded only when that command runs: starting the CLI, --help and usage errors load commander
 * and these declarations, nothing else (test/cli/startup.test.ts holds it; `npm run bench` measures it).
 */
type Register = (program: Command, ctx: CliContext, done: (code: number) => void) => void;
const COMMANDS: readonly Register[] = [registerDemo, registerAdvise, registerList, registerReap, registerEmulator, registerSummary];

export function buildProgram(ctx: CliContext, done: (code: number) => void): Command {
  const program = new Command("spot-runner")
    .description("GitHub Actions runners on Aliyun ECS spot instances: demo, advise, list, reap, emulator, summary")
    .exitOverride()
    // Commander's own errors are printed by main, as one line with the command's --help to see.
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr, outputError: () => undefined });
  for (const register of COMMANDS) register(program, ctx, done);
  return program;
}

/**
 * Runs the CLI and resolves to the exit code: 0 success, 1 a failure the command reported, 2 a usage error (bad flag,
 * argument or variable, printed as one line that says which and points at --help). Anything else is a bug and
 * rejects with its stack.
 */
export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  let code = 0;
  const program = buildProgram(ctx, (c) => { code = c; });
  const usage = (message: string) => {
    ctx.stderr(`error: ${message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ")} (see ${commandPath(program, argv)} --help)\n`);
    return 2;
  };
  if (argv.length <= 2) return usage(`give a command: ${program.commands.map((c) => c.name()).join(", ")}`);
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : usage(err.message);
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }
}

/** "spot-runner advise" when argv names a command, else "spot-runner". */
function commandPath(program: Command, argv: readonly string[]): string {
  const names = new Set(program.commands.map((c) => c.name()));
  const command = argv.slice(2).find((arg) => names.has(arg));
  return command ? `spot-runner ${command}` : "spot-runner";
}
