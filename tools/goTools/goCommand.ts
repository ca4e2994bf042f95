import { spawn } from "node:child_process";
import { GoMissingError } from "./errors";

export interface GoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `go` with the environment every build here uses: the local toolchain only (never a downloaded one),
 * go.mod and go.sum as committed (-mod=readonly), no cgo (static binaries, no C compiler needed).
 */
export function runGo(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<GoRun> {
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
    // The user's other flags stay; a -mod of theirs would fight ours.
    GOFLAGS: [...(options.env.GOFLAGS ?? "").split(/\s+/).filter((f) => f && !f.startsWith("-mod=")), "-mod=readonly"].join(" "),
  };
  return new Promise((resolve, reject) => {
    const child = spawn("go", [...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: options.timeoutMs, killSignal: "SIGKILL" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") {
        reject(new GoMissingError("Go is not installed (no `go` on PATH): install Go 1.25.11 or later from https://go.dev/dl/ and make sure the Go module proxy (GOPROXY) is reachable"));
      } else reject(err);
    });
    child.on("close", (code, signal) => {
      if (signal === "SIGKILL" && code === null) stderr += `\ngo ${args[0]} was stopped after ${Math.round(options.timeoutMs / 1000)} s`;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `go env GOVERSION`, e.g. "go1.26.8"; also the check that Go is there at all. */
export async function goVersion(env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const r = await runGo(["env", "GOVERSION"], { cwd, env, timeoutMs: 30_000 });
  if (r.code !== 0 || !r.stdout.trim()) throw new GoMissingError(`\`go env GOVERSION\` failed: ${r.stderr.trim() || `exit code ${r.code}`}; check the Go installation`);
  return r.stdout.trim();
}
