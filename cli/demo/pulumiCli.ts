import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** A Pulumi CLI this machine can run, and where it was found. */
export interface PulumiCli {
  readonly bin: string;
  readonly version: string;
  /** ".tools" (built here by `npm run pulumi:build`) or "PATH". */
  readonly source: ".tools" | "PATH";
}

/**
 * The CLI built in this checkout (.tools/pulumi/bin) first, then one on PATH. A CLI that cannot say its version
 * (the npm `pulumi` package is only an installer that downloads on first use, which fails offline) does not count.
 */
export function findPulumiCli(checkout: string | undefined, env: NodeJS.ProcessEnv): PulumiCli | undefined {
  const candidates: Array<[string, PulumiCli["source"]]> = checkout ? [[path.join(checkout, ".tools", "pulumi", "bin", "pulumi"), ".tools"]] : [];
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) candidates.push([path.join(dir, "pulumi"), "PATH"]);
  for (const [bin, source] of candidates) {
    if (!isExecutable(bin)) continue;
    const version = versionOf(bin, env);
    if (version) return { bin, version, source };
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function versionOf(bin: string, env: NodeJS.ProcessEnv): string | undefined {
  try {
    const out = execFileSync(bin, ["version"], { env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" }, encoding: "utf8", timeout: 15_000, stdio: ["ignore", "pipe", "ignore"] }).trim();
    return /^v\d+\.\d+\.\d+/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

export interface PulumiRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running pulumi command: its end, and a way to interrupt it as Ctrl-C would. */
export interface RunningPulumi {
  readonly done: Promise<PulumiRun>;
  interrupt(): void;
}

/**
 * Starts `pulumi <args>` with its own process group, so a Ctrl-C at the terminal reaches only the demo, which
 * passes on exactly one SIGINT (two would make Pulumi terminate instead of cancelling). `onLine` sees each line
 * of output as it comes; `timeoutMs` bounds the run.
 */
export function startPulumi(cli: PulumiCli, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; onLine?: (line: string) => void }): RunningPulumi {
  const child = spawn(cli.bin, [...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  let stderr = "";
  const lines = (chunk: string, pending: { rest: string }) => {
    const text = pending.rest + chunk;
    const parts = text.split("\n");
    pending.rest = parts.pop() ?? "";
    for (const line of parts) options.onLine?.(line);
  };
  const outRest = { rest: "" };
  const errRest = { rest: "" };
  child.stdout.setEncoding("utf8").on("data", (d: string) => ((stdout += d), lines(d, outRest)));
  child.stderr.setEncoding("utf8").on("data", (d: string) => ((stderr += d), lines(d, errRest)));
  const done = new Promise<PulumiRun>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", (err) => (clearTimeout(timer), reject(err)));
    child.on("close", (code) => {
      clearTimeout(timer);
      for (const rest of [outRest, errRest]) if (rest.rest) options.onLine?.(rest.rest);
      resolve({ code, stdout, stderr });
    });
  });
  let interrupted = false;
  return {
    done,
    interrupt() {
      if (interrupted || child.exitCode !== null) return;
      interrupted = true;
      child.kill("SIGINT");
    },
  };
}

/** Runs `pulumi <args>` to its end; throws with Pulumi's own error output when it fails. */
export async function runPulumi(cli: PulumiCli, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<string> {
  const r = await startPulumi(cli, args, { ...options, timeoutMs: options.timeoutMs ?? 60_000 }).done;
  if (r.code !== 0) throw new Error(`pulumi ${args.slice(0, 2).join(" ")} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}
