/** One failure of `npm run <tool>:build`, said in one line: what happened, to what, and what to do. */
export class ToolBuildError extends Error {
  override name = "ToolBuildError";
  /** Go's own output, for the lines after the one-line message (empty when the line says it all). */
  constructor(message: string, readonly details = "") {
    super(message);
  }
}

export class GoMissingError extends ToolBuildError {
  override name = "GoMissingError";
}

export class ModuleProxyError extends ToolBuildError {
  override name = "ModuleProxyError";
}

export class GoTooOldError extends ToolBuildError {
  override name = "GoTooOldError";
}

// How `go` says that it could not fetch a module: network errors, and the proxy refusing or not having it.
const PROXY_FAILURE = /dial tcp|no such host|connection refused|i\/o timeout|TLS handshake|proxyconnect|403 Forbidden|404 Not Found|410 Gone|not available|GOPROXY=off|module lookup disabled|unrecognized import path/;

/** Turns a failed `go build` into the error that names the cause. */
export function classifyGoFailure(tool: string, stderr: string, env: NodeJS.ProcessEnv): ToolBuildError {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const tooOld = lines.find((l) => /requires go >= [\d.]+ \(running go/.test(l));
  if (tooOld) {
    return new GoTooOldError(`${tool}: the installed Go is too old for tools/${tool}/go.mod (${tooOld.replace(/^go: /, "")}); install a newer Go from https://go.dev/dl/`);
  }
  const fetch = lines.find((l) => PROXY_FAILURE.test(l));
  if (fetch) {
    const proxy = env.GOPROXY || "https://proxy.golang.org,direct";
    return new ModuleProxyError(`${tool}: could not download Go modules from the module proxy (GOPROXY=${proxy}): ${fetch.replace(/^go: /, "")}; check the network or GOPROXY, then run the build again`);
  }
  return new ToolBuildError(`${tool}: go build failed (${lines[0] ?? "no output"}); Go's output follows`, stderr.trim());
}
