import { spawn } from "node:child_process";

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A process that is still running: its output so far, a way to wait for a line of it, and its end. */
export interface Running {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` appears on stdout or stderr; rejects if the process ends first or after the time bound. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly finished: Promise<Finished>;
}

/**
 * Starts a command with its output captured. `timeoutMs` bounds the whole run: past it the process is killed
 * and `finished` rejects saying what did not end (the scenario's own cleanup then kills what it started).
 */
export function start(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Running {
  const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout.setEncoding("utf8").on("data", (d: string) => ((stdout += d), changed()));
  child.stderr.setEncoding("utf8").on("data", (d: string) => ((stderr += d), changed()));
  let ended = false;
  const finished = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not finish within ${options.timeoutMs} ms; output so far:\n${stdout}\n${stderr}`));
    }, options.timeoutMs);
    child.on("error", (err) => (clearTimeout(timer), reject(err)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      ended = true;
      changed();
      resolve({ code, signal, stdout, stderr });
    });
  });
  finished.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    finished,
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout) || pattern.test(stderr)) return done(resolve);
          if (ended) done(() => reject(new Error(`${command} ended before printing ${pattern}:\n${stdout}\n${stderr}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms:\n${stdout}\n${stderr}`))), timeoutMs);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs a command to its end. */
export function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Finished> {
  return start(command, args, options).finished;
}
