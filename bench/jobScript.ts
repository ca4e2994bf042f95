/**
 * The start and stop jobs' local overhead: wall time of `stacks/runner/job.sh up` and `down`, driving the real
 * Pulumi CLI (built by `npm run pulumi:build`) on a file backend against the emulator, minus the emulated cloud's
 * own delays (boot and runner start for up, release for down). What remains is ours and Pulumi's: CLI and Node
 * start-up, the program, the plugin host loading the provider, API round trips on loopback, poll granularity,
 * and in down the state-independent reap. Goal: at most 5 s each.
 *
 * Each pulumi call is timed through a wrapper first on PATH, so the report says where the time goes; the CPU time
 * of the whole job (bash's `times`: job.sh and every process it waited for) says how much of the wall time was
 * work, which matters on a machine shared with other work (the load average is reported with the numbers).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { startEmulator } from "../emulator";
import { smallScenario, withTiming } from "../emulator/scenario/small";
import { DEFAULT_TIMING } from "../emulator/timing";
import { importInfraStack, infraOutputsOf } from "../cli/demo/infraStack";
import { findPulumiCli } from "../cli/demo/pulumiCli";
import type { Benchmark } from "./index";

const REPO_ROOT = path.resolve(__dirname, "..");
const JOB_SH = path.join(REPO_ROOT, "stacks/runner/job.sh");
const RUNS = 3;
const GOAL_S = 5;
/** The emulator's default delays scaled down 10x (as the provider benchmark), and the provider's 1 s poll with them. */
const SCALE = 10;
const TIMING = {
  pendingMs: DEFAULT_TIMING.pendingMs / SCALE,
  startingMs: DEFAULT_TIMING.startingMs / SCALE,
  runnerOnlineMs: DEFAULT_TIMING.runnerOnlineMs / SCALE,
  releaseMs: DEFAULT_TIMING.releaseMs / SCALE,
};
const CLOUD_UP_MS = TIMING.pendingMs + TIMING.startingMs + TIMING.runnerOnlineMs;
const CLOUD_DOWN_MS = TIMING.releaseMs;

const TIMED_PULUMI = `#!/usr/bin/env bash
start=$(date +%s%N)
"$BENCH_REAL_PULUMI" "$@"
rc=$?
printf '%s %s %s\\n' "$(( ($(date +%s%N) - start) / 1000000 ))" "$1" "\${2:-}" >>"$BENCH_PULUMI_TIMES"
exit "$rc"
`;

interface Timed {
  readonly ms: number;
  /** CPU time (user + system) of job.sh and the processes it waited for. */
  readonly cpuMs: number;
  /** pulumi command ("up", "stack output", ...) -> ms, summed over its calls. */
  readonly pulumi: Map<string, number>;
}

export const jobScriptBenchmark: Benchmark = {
  name: "job.sh",
  async run() {
    const cli = findPulumiCli(REPO_ROOT, {});
    if (!cli || cli.source !== ".tools") return ["skipped: the Pulumi CLI is not built (npm run pulumi:build, needs Go and the Go module proxy)"];
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "spot-runner-bench-job-"));
    const scenario = withTiming(smallScenario(), TIMING);
    const emu = await startEmulator({ scenario });
    const stacks: string[] = [];
    try {
      fs.mkdirSync(path.join(work, "bin"));
      fs.writeFileSync(path.join(work, "bin", "pulumi"), TIMED_PULUMI, { mode: 0o755 });
      fs.mkdirSync(path.join(work, "backend"));
      const times = path.join(work, "pulumi-times");
      const env: NodeJS.ProcessEnv = {
        PATH: `${path.join(work, "bin")}:${path.dirname(cli.bin)}:${process.env.PATH ?? ""}`,
        HOME: process.env.HOME,
        PULUMI_HOME: path.join(work, "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}`,
        PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        BENCH_REAL_PULUMI: cli.bin,
        BENCH_PULUMI_TIMES: times,
        ...emu.env,
        SPOT_RUNNER_POLL_MS: String(1_000 / SCALE),
        GITHUB_REPOSITORY: scenario.github.repos[0],
        SPOT_RUNNER_IMAGE_ID_ARM64: "aliyun_3_arm64_20G_alibase_20241216.vhd",
        RUNNER_TEMP: work,
        GITHUB_OUTPUT: path.join(work, "github_output"),
      };
      await importInfraStack(cli, work, { ...env, PATH: `${path.dirname(cli.bin)}:${process.env.PATH ?? ""}` }, infraOutputsOf(scenario));

      const loadBefore = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
      const ups: Timed[] = [];
      const downs: Timed[] = [];
      for (let i = 0; i < RUNS; i++) {
        const stack = `gha-${process.pid}${i}-1-arm64`;
        stacks.push(stack);
        const runEnv = { ...env, GITHUB_RUN_ID: `${process.pid}${i}` };
        ups.push(await timedJob(["up", stack, "--arch", "arm64"], runEnv, times));
        const cloud = emu.admin.state();
        if (cloud.instances.length !== 1 || cloud.runners[0]?.status !== "online") throw new Error(`after job.sh up ${stack}: ${cloud.instances.length} instances, runner ${cloud.runners[0]?.status}`);
        downs.push(await timedJob(["down", stack, "--arch", "arm64"], runEnv, times));
        const after = emu.admin.state();
        if (after.instances.length + after.runners.length !== 0) throw new Error(`after job.sh down ${stack}: ${after.instances.length} instances, ${after.runners.length} runners left`);
      }
      const loadAfter = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
      return [
        `${RUNS} up/down cycles; emulated cloud ${SCALE}x faster than its defaults (up: ${CLOUD_UP_MS / 1000} s of boot and runner start, down: ${CLOUD_DOWN_MS / 1000} s of release), no API latency; ` +
          `${os.cpus().length} CPUs, load average ${loadBefore} before, ${loadAfter} after`,
        report("job.sh up", ups, CLOUD_UP_MS),
        breakdown(ups),
        report("job.sh down", downs, CLOUD_DOWN_MS),
        breakdown(downs, "spot-runner reap and shell"),
      ];
    } finally {
      await emu.close();
      for (const stack of stacks) fs.rmSync(path.join(REPO_ROOT, "stacks/runner", `Pulumi.${stack}.yaml`), { force: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
};

function timedJob(args: string[], env: NodeJS.ProcessEnv, timesFile: string): Promise<Timed> {
  fs.writeFileSync(timesFile, "");
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // `times` after the job: the CPU time of the shell's children, job.sh and everything it waited for.
    const child = spawn("bash", ["-c", 'bash "$0" "$@"; rc=$?; times >&2; exit "$rc"', JOB_SH, ...args], { env, stdio: ["ignore", "ignore", "pipe"], timeout: 300_000 });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`job.sh ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`));
      const pulumi = new Map<string, number>();
      for (const line of fs.readFileSync(timesFile, "utf8").split("\n").filter(Boolean)) {
        const [t, a, b] = line.split(" ");
        const command = ["stack", "config"].includes(a) ? `${a} ${b}` : a;
        pulumi.set(command, (pulumi.get(command) ?? 0) + Number(t));
      }
      const children = stderr.trim().split("\n").at(-1)!.trim().split(/\s+/).map(cpuSeconds);
      resolve({ ms, cpuMs: (children[0] + children[1]) * 1000, pulumi });
    });
  });
}

/** bash's `times` format: 1m2.345s */
function cpuSeconds(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function report(what: string, runs: readonly Timed[], cloudMs: number): string {
  const overhead = runs.map((r) => r.ms - cloudMs);
  const m = median(overhead);
  return `${what}: wall ${runs.map((r) => s(r.ms)).join(", ")}; minus the cloud's ${s(cloudMs)}: local overhead median ${s(m)} ` +
    `(goal <= ${GOAL_S} s: ${m <= GOAL_S * 1000 ? "met" : "not met"}); CPU median ${s(median(runs.map((r) => r.cpuMs)))}`;
}

/** Median time of each pulumi command across runs, and what is left for the rest. */
function breakdown(runs: readonly Timed[], restName = "shell and step outputs"): string {
  const commands = [...new Set(runs.flatMap((r) => [...r.pulumi.keys()]))];
  const parts = commands.map((c) => `pulumi ${c} ${s(median(runs.map((r) => r.pulumi.get(c) ?? 0)))}`);
  const rest = median(runs.map((r) => r.ms - [...r.pulumi.values()].reduce((a, b) => a + b, 0)));
  return `   where: ${parts.join(", ")}, ${restName} ${s(rest)}`;
}
