import * as path from "node:path";

/**
 * The command-line tools this project builds from the Go module proxy, each from a small wrapper module committed
 * under tools/<name>/ (go.mod and go.sum pin every module; nothing is vendored). Binaries land in
 * .tools/<name>/bin (git-ignored) and in a cache outside the checkout, so a fresh clone on a warm machine
 * installs them without linking again.
 */
export interface GoToolSpec {
  /** npm run <name>:build; the directory under tools/ and .tools/. */
  readonly name: string;
  /** The version the binaries report; part of the cache key. */
  readonly version: string;
  /** Packages built by one `go build`, relative to the wrapper module (import paths or ./dirs). */
  readonly packages: readonly string[];
  /** Executables `go build -o <dir>/` produces (the last element of each package path). */
  readonly binaries: readonly string[];
  readonly ldflags: readonly string[];
  readonly tags: readonly string[];
  /** Files of the wrapper module whose content goes into the cache key (go.mod, go.sum, our own sources). */
  readonly sourceGlobs: readonly RegExp[];
  /** Files installed beside the binaries as symlinks, target relative to the repository root. */
  readonly links: readonly { readonly name: string; readonly target: string }[];
  /** Runs `<binaries[0]> <args>` after a build and expects this text in its output. */
  readonly check: { readonly args: readonly string[]; readonly expect: string };
}

export const PULUMI_VERSION = "v3.248.0";
export const ACTIONLINT_VERSION = "v1.7.12";

export const PULUMI: GoToolSpec = {
  name: "pulumi",
  version: PULUMI_VERSION,
  packages: ["github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", "./pulumi-language-nodejs"],
  binaries: ["pulumi", "pulumi-language-nodejs"],
  ldflags: [
    "-s",
    "-w",
    // Without it `pulumi version` is empty and the Automation API refuses the CLI.
    `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}`,
    // Our stand-in language host reports the SDK version it was built beside, marked as ours.
    `-X main.version=${PULUMI_VERSION.slice(1)}+aliyun-spot-runner`,
  ],
  // As Pulumi's release builds: pure-Go user lookup, no gRPC tracing.
  tags: ["osusergo", "grpcnotrace"],
  sourceGlobs: [/^go\.(mod|sum)$/, /^pulumi-language-nodejs\/[^/]+\.go$/],
  // Pulumi's dynamic-provider plugin is a shell script that ships in @pulumi/pulumi; the engine finds plugins
  // next to the pulumi binary.
  links: [{ name: "pulumi-resource-pulumi-nodejs", target: "node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" }],
  check: { args: ["version"], expect: PULUMI_VERSION },
};

export const ACTIONLINT: GoToolSpec = {
  name: "actionlint",
  version: ACTIONLINT_VERSION,
  packages: ["github.com/rhysd/actionlint/cmd/actionlint"],
  binaries: ["actionlint"],
  ldflags: ["-s", "-w"],
  tags: [],
  sourceGlobs: [/^go\.(mod|sum)$/],
  links: [],
  // actionlint reads its version from the module's build info.
  check: { args: ["-version"], expect: ACTIONLINT_VERSION },
};

export const GO_TOOLS: readonly GoToolSpec[] = [PULUMI, ACTIONLINT];

/** Where a tool's binaries are installed in a checkout. */
export function toolBinDir(repoRoot: string, name: string): string {
  return path.join(repoRoot, ".tools", name, "bin");
}

/** The cache outside the checkout, shared by every clone on this machine. */
export function toolCacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.SPOT_RUNNER_TOOLS_CACHE) return env.SPOT_RUNNER_TOOLS_CACHE;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || "/tmp", ".cache");
  return path.join(base, "aliyun-spot-runner", "go-tools");
}
