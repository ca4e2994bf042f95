import { ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BootstrapInput, renderBootstrapScript } from "../../../provider/bootstrap";
import { BakeInput, renderBakeScript } from "../../../provider/bake/renderBakeScript";
import { FakeServer, startFakeDownloads, startFakeMetadata } from "./fakeServers";
import { packFakeRunner, RunnerBehaviour, writeFakeRunner } from "./fakeRunner";
import { writePathStubs } from "./pathStubs";

/** A JIT config that looks like GitHub's (base64, about 3 KB) and is easy to search for. */
export const TEST_JIT_CONFIG = Buffer.from(`{"fake-jit-config":"${"x".repeat(2200)}"}`).toString("base64");

export const FAKE_RUNNER_VERSION = "9.9.9";

export interface ScenarioSpec {
  readonly runner: RunnerBehaviour;
  readonly os?: "alinux" | "ubuntu";
  readonly dockerInstalled?: boolean;
  readonly dockerReady?: boolean;
  readonly useraddFails?: boolean;
  /** Put the runner in /opt/actions-runner (under the root prefix) instead of offering a download. */
  readonly preinstalled?: boolean;
  /** Render with a checksum that does not match the package. */
  readonly wrongChecksum?: boolean;
  /** Serve no package at all (404). */
  readonly noPackage?: boolean;
  /** Download through a proxy: the package URL's host does not resolve, only the proxy can fetch it. */
  readonly viaProxy?: boolean;
  /** What the metadata service answers for spot/termination-time (404 when absent). */
  readonly terminationTime?: string;
  /** SPOT_RUNNER_* test hooks on top of the fast defaults below. */
  readonly hooks?: Readonly<Record<string, string>>;
  /**
   * Give the watchdogs a fake clock that stands still until the event, then jumps this many seconds: a
   * timeout fires at a known point of the run however slow the machine is.
   */
  readonly clockJump?: { readonly when: "runner-started" | "job-started"; readonly seconds: number };
  /**
   * Boot from what `bake()` left in this sandbox: the same root (the runner in /opt/actions-runner, the manifest) and
   * the same PATH stubs (docker installed, the runner user created), as an instance booted from the baked image.
   */
  readonly afterBake?: boolean;
}

/** What a bake left behind, read after the script has ended. */
export interface BakeResult {
  readonly exitCode: number | null;
  readonly script: string;
  readonly log: string;
  readonly console: string;
  readonly calls: Readonly<Record<string, readonly string[]>>;
  readonly downloads: FakeServer["requests"];
  /** Bytes the fake download server sent. */
  readonly bytesDownloaded: number;
  readonly manifest?: string;
}

/** Everything a scenario left behind, read after the script and its watchdogs have stopped. */
export interface ScenarioResult {
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly elapsedMs: number;
  readonly script: string;
  readonly log: string;
  readonly console: string;
  readonly stdio: string;
  readonly poweroffReason: string;
  /** Per stub, one entry per call (its arguments). */
  readonly calls: Readonly<Record<string, readonly string[]>>;
  readonly record: (name: string) => string | undefined;
  readonly file: (pathUnderRoot: string) => string | undefined;
  readonly downloads: FakeServer["requests"];
  readonly bytesDownloaded: number;
  readonly metadata: FakeServer["requests"];
  readonly metadataTokens: readonly string[];
  readonly runnerDir: string;
}

/** Where the fake clock starts (seconds since "boot"). */
const FAKE_BOOT_SECONDS = 1000;

const FAST_HOOKS: Readonly<Record<string, string>> = {
  SPOT_RUNNER_IDLE_TIMEOUT_SECONDS: "30",
  SPOT_RUNNER_MAX_RUNTIME_SECONDS: "60",
  SPOT_RUNNER_WATCHDOG_POLL_SECONDS: "0.5",
  SPOT_RUNNER_NOTICE_POLL_SECONDS: "1",
  SPOT_RUNNER_FAILURE_GRACE_SECONDS: "0",
  SPOT_RUNNER_RUNNER_STOP_SECONDS: "3",
  SPOT_RUNNER_DOCKER_READY_SECONDS: "2",
  SPOT_RUNNER_RETRY_DELAY_SECONDS: "0",
};

/** The input every scenario renders with, apart from what the scenario changes. */
export function testInput(overrides: Partial<BootstrapInput> = {}): BootstrapInput {
  return {
    arch: "arm64",
    jitConfig: TEST_JIT_CONFIG,
    runnerName: "ci-arm64-202611280000-ab12cd34",
    jobLabel: "ci-arm64-202611280000-ab12cd34",
    setupInfo: {
      instanceType: "ecs.c8y.xlarge", zoneId: "cn-hangzhou-j", regionId: "cn-hangzhou",
      spotPrice: 0.1234, priceLimit: 0.149, currency: "CNY",
      autoReleaseTime: "2026-11-28T02:00:00Z", instanceName: "ci-arm64-spot-20261128000000",
    },
    idleTimeoutMinutes: 15,
    maxRuntimeMinutes: 115,
    ...overrides,
  };
}

/**
 * One run of the rendered script in a temp directory: PATH stubs, a fake metadata service and a fake runner
 * download on 127.0.0.1, and a root prefix for every file the script writes. `dispose` kills every process
 * the run started (the script's process group, its watchdogs' sessions, the runner's session) and closes the
 * servers.
 */
export class BootstrapSandbox {
  private child?: ChildProcess;
  private servers: FakeServer[] = [];

  private constructor(readonly dir: string) {}

  static create(): BootstrapSandbox {
    return new BootstrapSandbox(mkdtempSync(join(tmpdir(), "spot-runner-bootstrap-")));
  }

  get root(): string { return join(this.dir, "root"); }
  private get recordDir(): string { return join(this.dir, "record"); }
  private get callsDir(): string { return join(this.dir, "calls"); }
  private get stateDir(): string { return join(this.root, "run", "spot-runner"); }

  async run(spec: ScenarioSpec, deadlineMs = 25_000): Promise<ScenarioResult> {
    const read = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, "utf8") : undefined);
    const binDir = join(this.dir, "bin");
    for (const d of [binDir, this.recordDir, this.callsDir, join(this.dir, "stub-state"), join(this.root, "etc")]) {
      mkdirSync(d, { recursive: true });
    }
    if (!spec.afterBake) {
      writePathStubs(binDir, this.callsDir, join(this.dir, "stub-state"), {
        os: spec.os ?? "alinux",
        dockerInstalled: spec.dockerInstalled ?? true,
        dockerReady: spec.dockerReady ?? true,
        useraddFails: spec.useraddFails ?? false,
      });
    }
    writeFileSync(join(this.root, "etc", "os-release"), spec.os === "ubuntu"
      ? 'NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="24.04"\n'
      : 'NAME="Alibaba Cloud Linux"\nID="alinux"\nVERSION_ID="3"\n');

    const tree = join(this.dir, "runner-tree");
    writeFakeRunner(tree, this.recordDir, spec.runner);
    const packageName = `actions-runner-linux-arm64-${FAKE_RUNNER_VERSION}.tar.gz`;
    const { tarball, sha256 } = packFakeRunner(tree, join(this.dir, packageName));
    if (spec.preinstalled) writeFakeRunner(join(this.root, "opt", "actions-runner"), this.recordDir, spec.runner);

    const downloads = await startFakeDownloads(new Map(spec.noPackage ? [] : [[`/download/v${FAKE_RUNNER_VERSION}/${packageName}`, tarball]]));
    const metadata = await startFakeMetadata({ ...(spec.terminationTime ? { terminationTime: spec.terminationTime } : {}) });
    this.servers.push(downloads, metadata);

    const script = renderBootstrapScript(testInput({
      runner: {
        version: FAKE_RUNNER_VERSION,
        sha256: spec.wrongChecksum ? "0".repeat(64) : sha256,
        downloadBaseUrl: spec.viaProxy ? "http://runner-mirror.invalid/download" : `${downloads.url}/download`,
      },
      ...(spec.viaProxy ? { proxy: { http: downloads.url, https: downloads.url, noProxy: "git.corp.example" } } : {}),
    }));
    const scriptPath = join(this.dir, "user-data.sh");
    writeFileSync(scriptPath, script, { mode: 0o700 });

    const clockFile = join(this.dir, "uptime");
    const clockAt = (seconds: number): void => writeFileSync(clockFile, `${seconds}.00 0.00\n`);
    if (spec.clockJump) clockAt(FAKE_BOOT_SECONDS);

    const stdioPath = join(this.dir, "stdio.txt");
    const stdio = openSync(stdioPath, "w");
    const started = Date.now();
    const child = spawn(join(binDir, "bash"), [scriptPath], {
      cwd: this.dir,
      detached: true,
      stdio: ["ignore", stdio, stdio],
      env: {
        PATH: binDir,
        SPOT_RUNNER_ROOT: this.root,
        SPOT_RUNNER_METADATA_URL: metadata.url,
        SPOT_RUNNER_CONSOLE: join(this.dir, "console.txt"),
        ...FAST_HOOKS,
        ...(spec.clockJump ? { SPOT_RUNNER_UPTIME_FILE: clockFile } : {}),
        ...spec.hooks,
      },
    });
    closeSync(stdio);
    this.child = child;
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = started + deadlineMs;
    if (spec.clockJump) {
      const { when, seconds } = spec.clockJump;
      const happened = when === "runner-started"
        ? () => existsSync(join(this.recordDir, "runner-args"))
        : () => (read(join(this.root, "var", "log", "spot-runner-bootstrap.log")) ?? "").includes("the idle watchdog stands down");
      // If the event never comes, the clock stays put and the scenario ends at the deadline, as a failure.
      void waitUntil(happened, deadline).then((ok) => ok && clockAt(FAKE_BOOT_SECONDS + seconds));
    }
    const exitCode = await Promise.race([exit, delayUntil(deadline).then(() => undefined)]);
    // The script is done; its watchdogs end within one poll once the power-off is claimed.
    const settled = exitCode !== undefined && await waitUntil(() => this.backgroundPids().every((pid) => !isAlive(pid)), deadline);

    const calls: Record<string, string[]> = {};
    for (const name of readdirSync(this.callsDir)) calls[name] = readFileSync(join(this.callsDir, name), "utf8").split("\n").slice(0, -1);
    return {
      exitCode: exitCode ?? null,
      timedOut: !settled,
      elapsedMs: Date.now() - started,
      script,
      log: read(join(this.root, "var", "log", "spot-runner-bootstrap.log")) ?? "",
      console: read(join(this.dir, "console.txt")) ?? "",
      stdio: read(stdioPath) ?? "",
      poweroffReason: (read(join(this.stateDir, "poweroff", "reason")) ?? "").trim(),
      calls,
      record: (name) => read(join(this.recordDir, name)),
      file: (path) => read(join(this.root, path)),
      downloads: downloads.requests,
      bytesDownloaded: downloads.bytesSent(),
      metadata: metadata.requests,
      metadataTokens: metadata.tokensIssued,
      runnerDir: (read(join(this.stateDir, "runner-dir")) ?? "").trim(),
    };
  }

  /**
   * Runs the rendered bake script (provider/bake) in this sandbox as a builder instance would: a stock Alibaba Cloud
   * Linux without docker, the fake runner package on the fake download server. Calls are recorded apart from a
   * later `run({afterBake: true})`'s, which boots from what the bake left.
   */
  async bake(overrides: Partial<BakeInput> = {}, deadlineMs = 20_000): Promise<BakeResult> {
    const read = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, "utf8") : undefined);
    const binDir = join(this.dir, "bin");
    const callsDir = join(this.dir, "bake-calls");
    for (const d of [binDir, this.recordDir, callsDir, join(this.dir, "stub-state"), join(this.root, "etc")]) mkdirSync(d, { recursive: true });
    // The stubs record into the calls directory a later run reads; the bake's calls are moved aside at the end.
    writePathStubs(binDir, this.callsDir, join(this.dir, "stub-state"), { os: "alinux", dockerInstalled: false, dockerReady: true, useraddFails: false });
    mkdirSync(this.callsDir, { recursive: true });
    writeFileSync(join(this.root, "etc", "os-release"), 'NAME="Alibaba Cloud Linux"\nID="alinux"\nVERSION_ID="3"\n');
    const tree = join(this.dir, "runner-tree");
    writeFakeRunner(tree, this.recordDir, "job");
    const packageName = `actions-runner-linux-arm64-${FAKE_RUNNER_VERSION}.tar.gz`;
    const { tarball, sha256 } = packFakeRunner(tree, join(this.dir, packageName));
    const downloads = await startFakeDownloads(new Map([[`/download/v${FAKE_RUNNER_VERSION}/${packageName}`, tarball]]));
    this.servers.push(downloads);
    const script = renderBakeScript({
      arch: "arm64", bakeId: "ci-bake-arm64-test",
      ...overrides,
      // Always the fake server: a bake in the sandbox must never try to reach GitHub.
      runner: { version: FAKE_RUNNER_VERSION, sha256, ...overrides.runner, downloadBaseUrl: `${downloads.url}/download` },
    });
    const scriptPath = join(this.dir, "bake.sh");
    writeFileSync(scriptPath, script, { mode: 0o700 });
    const consolePath = join(this.dir, "bake-console.txt");
    const child = spawn(join(binDir, "bash"), [scriptPath], {
      cwd: this.dir, detached: true, stdio: "ignore",
      env: { PATH: binDir, SPOT_RUNNER_ROOT: this.root, SPOT_RUNNER_CONSOLE: consolePath, SPOT_RUNNER_RETRY_DELAY_SECONDS: "0", SPOT_RUNNER_DOCKER_READY_SECONDS: "2" },
    });
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const exitCode = await Promise.race([exit, delayUntil(Date.now() + deadlineMs).then(() => null)]);
    if (exitCode === null) try { process.kill(-child.pid!, "SIGKILL"); } catch { /* gone */ }
    const calls: Record<string, string[]> = {};
    for (const name of readdirSync(this.callsDir)) {
      calls[name] = readFileSync(join(this.callsDir, name), "utf8").split("\n").slice(0, -1);
      renameSync(join(this.callsDir, name), join(callsDir, name));
    }
    return {
      exitCode,
      script,
      log: read(join(this.root, "var", "log", "spot-runner-bake.log")) ?? "",
      console: read(consolePath) ?? "",
      calls,
      downloads: downloads.requests,
      bytesDownloaded: downloads.bytesSent(),
      manifest: read(join(this.root, "etc", "spot-runner", "baked.json")),
    };
  }

  /** Watchdogs and the runner run in sessions of their own; the script writes down their process ids. */
  private backgroundPids(): number[] {
    if (!existsSync(this.stateDir)) return [];
    return readdirSync(this.stateDir)
      .filter((name) => name.endsWith(".pid"))
      .map((name) => Number(readFileSync(join(this.stateDir, name), "utf8").trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  }

  async dispose(): Promise<void> {
    const groups = [...(this.child?.pid ? [this.child.pid] : []), ...this.backgroundPids()];
    for (const pid of groups) {
      for (const target of [-pid, pid]) {
        try { process.kill(target, "SIGKILL"); } catch { /* already gone */ }
      }
    }
    await Promise.all(this.servers.map((s) => s.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Alive and not a zombie (a reparented child may wait a while to be reaped). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function delayUntil(deadline: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref());
}

/** Polls an observable condition until it holds or the deadline passes. */
export async function waitUntil(condition: () => boolean, deadline: number): Promise<boolean> {
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}
