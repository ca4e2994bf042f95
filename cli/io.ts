/** Where a command writes and what environment it reads: injected so commands are testable in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Resolves when the user interrupts (SIGINT/SIGTERM); long-running commands stop on it. */
  readonly interrupted: Promise<void>;
}

export function processIo(): CliIo {
  const interrupted = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    interrupted,
  };
}

/** A usage error: a bad flag, argument or variable the user typed. One line with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
