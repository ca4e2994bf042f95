import { CliContext, CliServices, createCliServices, ServiceTuning } from "../../cli/context";
import { CliIo } from "../../cli/io";
import { main } from "../../cli/main";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  readonly env: NodeJS.ProcessEnv;
  /** The real services, tuned for the emulator (its manual clock, retries that do not wait). */
  readonly tuning?: ServiceTuning;
  /** Replaces some services outright (an in-memory ECS for the advisor, a fixed clock). */
  readonly services?: Partial<CliServices>;
  readonly interrupted?: Promise<void>;
  /** Sees stdout as it is written (for commands that run until interrupted). */
  readonly onStdout?: (text: string) => void;
}

/**
 * Runs `spot-runner <args>` in-process through the CLI's own main (the same parsing, messages and exit codes as
 * bin/spot-runner.js), with output captured. The only difference from production is the context: the environment,
 * and services tuned or replaced for the test.
 */
export async function runCli(args: readonly string[], options: CliRunOptions): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
      options.onStdout?.(t);
    },
    stderr: (t) => (stderr += t),
    env: options.env,
    interrupted: options.interrupted ?? new Promise(() => undefined),
  };
  const ctx: CliContext = { ...io, services: { ...createCliServices(io, options.tuning), ...options.services } };
  const code = await main(["node", "spot-runner", ...args], ctx);
  return { code, stdout, stderr };
}

/** A clock that stays at `now` (and never sleeps for real). */
export function fixedClock(now: number) {
  return { now: () => now, sleep: async () => undefined };
}
