import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../../emulator";
import { smallScenario, withTiming } from "../../../emulator/scenario/small";
import { goToolBinDir } from "../../support/goToolsGate";
import { Finished, run, Running, start } from "./command";
import { importInfraStack, infraOutputsOf } from "../../../cli/demo/infraStack";
import { killMarked, MARKER_VARIABLE } from "./processes";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const RUNNER_DIR = path.join(REPO_ROOT, "stacks/runner");
export const JOB_SH = path.join(RUNNER_DIR, "job.sh");
export const RUNNER_PROJECT = "spot-runner-job";

/** The emulated cloud at test speed: boot and runner registration take a fraction of a second. */
export const FAST_TIMING = { pendingMs: 100, startingMs: 200, runnerOnlineMs: 300, releaseMs: 100, reclaimNoticeMs: 300 };
/** The provider's first poll interval in the plugin host (production: 2 s). */
export const POLL_MS = "50";
const PASSPHRASE = "e2e-passphrase-not-a-secret-anywhere";

/**
 * One file backend for the whole run, holding the `prod` infra stack; every scenario has stacks of its own in it
 * (a file backend keeps stacks apart, and locks each one).
 */
export interface Backend {
  readonly dir: string;
  readonly url: string;
}

let backend: Promise<Backend> | undefined;

export function sharedBackend(): Promise<Backend> {
  backend ??= createBackend();
  return backend;
}

async function createBackend(): Promise<Backend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spot-runner-e2e-backend-"));
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  const url = `file://${path.join(dir, "state")}`;
  fs.mkdirSync(path.join(dir, "state"));
  const cli = { bin: path.join(goToolBinDir("pulumi"), "pulumi"), version: "v3.248.0", source: ".tools" as const };
  await importInfraStack(cli, dir, pulumiEnvironment(path.join(dir, "home"), url, {}), infraOutputsOf(smallScenario()));
  return { dir, url };
}

/**
 * What every pulumi and job.sh run sees: the built CLI first on PATH, the file backend, a PULUMI_HOME of its own,
 * no update check, no plugin downloads. Built from a clean base, so nothing of the caller's environment (a CI's
 * GITHUB_OUTPUT, a Pulumi Cloud token) leaks in.
 */
export function pulumiEnvironment(home: string, backendUrl: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${goToolBinDir("pulumi")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? "C.UTF-8",
    TMPDIR: process.env.TMPDIR,
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: backendUrl,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

/** One scenario's world: its own emulator (faults are global to an emulator), PULUMI_HOME, marker and stacks. */
export interface World {
  readonly emu: RunningEmulator;
  readonly backend: Backend;
  readonly dir: string;
  readonly marker: string;
  readonly runId: string;
  readonly githubOutputFile: string;
  /** The environment of the start and stop jobs: emulator credentials and endpoints, the repository, the run. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** gha-<run_id>-1-<arch>, as the workflows name stacks. */
  stackName(arch: "amd64" | "arm64"): string;
  /** bash stacks/runner/job.sh <args>: the process GitHub's step would signal (with or without `exec`). */
  job(args: readonly string[], extraEnv?: NodeJS.ProcessEnv, timeoutMs?: number): Running;
  pulumi(args: readonly string[], options?: { cwd?: string; extraEnv?: NodeJS.ProcessEnv }): Promise<Finished>;
  /** Everything every job.sh run of this world printed so far (stdout and stderr). */
  transcript(): string;
  /** What job.sh wrote to GITHUB_OUTPUT, as name -> value. */
  stepOutputs(): Record<string, string>;
  /** Whether the backend holds the stack's state, and whether a lock is left on it. */
  backendHolds(stack: string): { state: boolean; locks: number };
  /** Ends every process of this world that is still running; returns how many there were. */
  killProcesses(): Promise<number>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const shared = await sharedBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spot-runner-e2e-"));
  const emu = await startEmulator({ scenario: withTiming(smallScenario(), FAST_TIMING) });
  const marker = randomBytes(8).toString("hex");
  const runId = String(100_000_000 + randomBytes(3).readUIntBE(0, 3));
  const githubOutputFile = path.join(dir, "github_output");
  fs.writeFileSync(githubOutputFile, "");
  const stacks = new Set<string>();
  const printed: string[] = [];
  const base = pulumiEnvironment(path.join(dir, "pulumi-home"), shared.url, {
    ...emu.env,
    [MARKER_VARIABLE]: marker,
    SPOT_RUNNER_POLL_MS: POLL_MS,
    GITHUB_REPOSITORY: smallScenario().github.repos[0],
    GITHUB_RUN_ID: runId,
    GITHUB_OUTPUT: githubOutputFile,
    RUNNER_TEMP: dir,
    SPOT_RUNNER_IMAGE_ID_AMD64: "aliyun_3_x64_20G_alibase_20241216.vhd",
    SPOT_RUNNER_IMAGE_ID_ARM64: "aliyun_3_arm64_20G_alibase_20241216.vhd",
  });
  const env = (extra: NodeJS.ProcessEnv = {}) => {
    const merged = { ...base, ...extra };
    for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
    return merged;
  };
  const world: World = {
    emu,
    backend: shared,
    dir,
    marker,
    runId,
    githubOutputFile,
    env,
    stackName(arch) {
      const name = `gha-${runId}-1-${arch}`;
      stacks.add(name);
      return name;
    },
    job(args, extraEnv = {}, timeoutMs = 120_000) {
      const running = start("bash", [JOB_SH, ...args], { cwd: dir, env: env(extraEnv), timeoutMs });
      void running.finished.then((r) => printed.push(r.stdout, r.stderr), () => printed.push(running.stdout(), running.stderr()));
      return running;
    },
    transcript: () => printed.join("\n"),
    pulumi: (args, options = {}) => run("pulumi", args, { cwd: options.cwd ?? RUNNER_DIR, env: env(options.extraEnv), timeoutMs: 120_000 }),
    stepOutputs() {
      const lines = fs.readFileSync(githubOutputFile, "utf8").split("\n").filter(Boolean);
      return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    },
    backendHolds(stack) {
      const root = path.join(shared.url.slice("file://".length), ".pulumi");
      const locks = path.join(root, "locks", "organization", RUNNER_PROJECT, stack);
      return {
        state: fs.existsSync(path.join(root, "stacks", RUNNER_PROJECT, `${stack}.json`)),
        locks: fs.existsSync(locks) ? fs.readdirSync(locks).filter((f) => f.endsWith(".json")).length : 0,
      };
    },
    killProcesses: () => killMarked(marker),
    async close() {
      await killMarked(marker);
      await emu.close();
      // `pulumi stack select --create` writes stacks/runner/Pulumi.<stack>.yaml; destroy --remove deletes it, a
      // scenario that failed midway may not have.
      for (const stack of stacks) fs.rmSync(path.join(RUNNER_DIR, `Pulumi.${stack}.yaml`), { force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
