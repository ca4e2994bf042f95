/**
 * The provider's create path against the emulated cloud's own delays, in three measurements:
 *
 * 1. A sweep of boot times (Pending + Starting) and runner start times: create's wall time over the cloud's own
 *    time (the floor), per cell, with the spread. Above the floor is our overhead: the round trips before the
 *    launch (run concurrently) and the lag of noticing Running and online (a steady one-second poll).
 * 2. What a failed launch candidate costs: one RunInstances round trip, no other query.
 * 3. Twenty concurrent creates in one process with GitHub's throttling plugin as in production: how long the
 *    last just-in-time registration takes, over one create's alone; and the same with the plugin's default
 *    process-wide limiter (one id for every client), which spaces every write a second apart.
 *
 * Everything runs SCALE times faster than real (cloud delays, poll interval and round trips alike), so the ratios
 * are what a real create shows.
 */
import { randomBytes } from "node:crypto";
import { startEmulator } from "../emulator";
import { smallScenario, withTiming } from "../emulator/scenario/small";
import type { ScenarioTiming } from "../emulator/scenario/types";
import { createEcsAdvisorQueries } from "../provider/advisor";
import { createEcsInstanceApi } from "../provider/aliyun/instances";
import { renderBootstrapScript } from "../provider/bootstrap";
import { createGitHubClient } from "../provider/github/client";
import { createRunnerApi } from "../provider/github/runners";
import { SpotRunnerProvider } from "../provider/spotRunnerProvider";
import { realClock } from "../provider/wait";
import type { Benchmark } from "./index";
import { startEmulatorProcess } from "./support/emulatorProcess";

const SCALE = 20;
/** A round trip from a GitHub-hosted runner to an Aliyun region in mainland China is 200-300 ms; scaled. */
const LATENCY_MS = 250 / SCALE;
/** The production poll interval (provider/runtime.ts), scaled. */
const POLL_MS = 1_000 / SCALE;
/** Seconds: boots of small spot instances, and runner starts from a baked image (20 s) to a stock one (2 min). */
const BOOT_SECONDS = [20, 45, 90];
const RUNNER_START_SECONDS = [20, 60, 120];
const TARGET = 1.05;

interface CreateRun {
  readonly ms: number;
  readonly floorMs: number;
  readonly calls: Map<string, number>;
  readonly attempts: number;
  /** Time from one launch attempt to the next: what a failed candidate costs. */
  readonly gapsMs: readonly number[];
}

function timingOf(bootSeconds: number, runnerSeconds: number): Partial<ScenarioTiming> {
  // The emulator's default split of a boot: a third Pending, two thirds Starting.
  const bootMs = (bootSeconds * 1000) / SCALE;
  return { pendingMs: bootMs / 3, startingMs: (2 * bootMs) / 3, runnerOnlineMs: (runnerSeconds * 1000) / SCALE, releaseMs: 2_000 / SCALE };
}

function providerFor(env: NodeJS.ProcessEnv, log: (line: string) => void, github: { throttle: boolean; limiterId?: string }): SpotRunnerProvider {
  return new SpotRunnerProvider({
    ecs: (regionId) => createEcsInstanceApi({ regionId, env }),
    advisorQueries: (regionId) => createEcsAdvisorQueries({ regionId, env }),
    runners: () => createRunnerApi(() => createGitHubClient({ env, throttle: github.throttle, ...(github.limiterId ? { limiterId: github.limiterId } : {}) })),
    renderUserData: renderBootstrapScript,
    clock: realClock,
    randomSuffix: () => randomBytes(4).toString("hex"),
    log,
    requireCredentials: () => undefined,
    pollMs: POLL_MS,
    githubPollMs: POLL_MS,
    releaseTimeoutMs: 60_000,
  });
}

async function measureCreate(timing: Partial<ScenarioTiming>, failedCandidates = 0): Promise<CreateRun> {
  const scenario = withTiming(smallScenario(), timing);
  const emu = await startEmulator({ scenario });
  const launches: number[] = [];
  try {
    const provider = providerFor(emu.env, (line) => {
      if (line.startsWith("launching ")) launches.push(performance.now());
    }, { throttle: false });
    // One fault fires per call, the first that matches: the stock-outs (with the same latency) go first.
    if (failedCandidates > 0) {
      emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, times: failedCandidates, latencyMs: LATENCY_MS });
    }
    emu.admin.addFault({ action: "*", latencyMs: LATENCY_MS, times: -1 });
    emu.admin.addFault({ action: "github:*", latencyMs: LATENCY_MS, times: -1 });
    emu.admin.clearCalls();
    const started = performance.now();
    const { id, outs } = await provider.create(propsOf(scenario));
    const ms = performance.now() - started;
    const calls = new Map<string, number>();
    for (const c of emu.admin.calls()) {
      const action = c.api === "github" ? `GitHub ${c.action.split(" ")[0]}` : c.action;
      calls.set(action, (calls.get(action) ?? 0) + 1);
    }
    emu.admin.clearFaults();
    await provider.delete(id, outs);
    const gapsMs = launches.slice(1).map((t, i) => t - launches[i]);
    const floorMs = (timing.pendingMs ?? 0) + (timing.startingMs ?? 0) + (timing.runnerOnlineMs ?? 0);
    return { ms, floorMs, calls, attempts: (outs.attempts as unknown[]).length, gapsMs };
  } finally {
    await emu.close();
  }
}

function propsOf(scenario: ReturnType<typeof smallScenario>) {
  return {
    arch: "arm64", region: "cn-hangzhou", namePrefix: "bench", githubRepository: scenario.github.repos[0],
    vSwitchIds: Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
    securityGroupId: scenario.securityGroups[0].securityGroupId,
    imageId: scenario.images.find((i) => i.architecture === "arm64")!.imageId,
  };
}

/**
 * Milliseconds from each create's start to its runner's registration, for `count` creates at once in one
 * provider (as Pulumi's plugin host runs them). The emulator runs in a process of its own, so the measured
 * process does what a plugin host does and no more.
 */
async function registrationTimes(count: number, github: { limiterId?: string }): Promise<number[]> {
  const scenario = withTiming(smallScenario(), timingOf(20, 20));
  const emu = await startEmulatorProcess(scenario);
  try {
    await emu.addFault({ action: "*", latencyMs: LATENCY_MS, times: -1 });
    await emu.addFault({ action: "github:*", latencyMs: LATENCY_MS, times: -1 });
    const started = performance.now();
    const registered: number[] = [];
    const provider = providerFor(emu.env, (line) => {
      if (line.startsWith("registered just-in-time runner")) registered.push(performance.now() - started);
    }, { throttle: true, ...github });
    const created = await Promise.all(Array.from({ length: count }, () => provider.create(propsOf(scenario))));
    await emu.clearFaults();
    await Promise.all(created.map((c) => provider.delete(c.id, c.outs)));
    return registered;
  } finally {
    await emu.close();
  }
}

const fmt = (x: number) => x.toFixed(3);

export const providerBenchmark: Benchmark = {
  name: "provider",
  run: async () => {
    const lines = [
      `everything ${SCALE}x faster than real: ${LATENCY_MS} ms per round trip (250 ms real), polls every ${POLL_MS} ms (1 s real)`,
      "create over the cloud's own time (boot + runner start), per cell:",
    ];
    const failures: string[] = [];
    await measureCreate(timingOf(20, 20)); // warm-up: module loading and first connections
    const ratios: number[] = [];
    let reference: CreateRun | undefined;
    for (const boot of BOOT_SECONDS) {
      const row: string[] = [];
      for (const runner of RUNNER_START_SECONDS) {
        const run = await measureCreate(timingOf(boot, runner));
        reference ??= run;
        const ratio = run.ms / run.floorMs;
        ratios.push(ratio);
        row.push(`runner ${runner} s: ${fmt(ratio)}x`);
      }
      lines.push(`  boot ${boot} s: ${row.join(", ")}`);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    const spread = { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
    lines.push(`  spread over ${ratios.length} cells: min ${fmt(spread.min)}x, median ${fmt(spread.median)}x, max ${fmt(spread.max)}x (goal <= ${TARGET}x)`);
    if (spread.max > TARGET) {
      lines.push(`  above ${TARGET}x: the shortest cells, where a poll interval (1 s) and the ~5 round trips before and after the ` +
        "launch weigh most against a 40 s start; the lag is at most one interval per wait, not a share of the wait");
    }
    const total = [...reference!.calls.values()].reduce((a, b) => a + b, 0);
    lines.push(`  API calls of one create (boot 20 s, runner 20 s): ${total}: ${[...reference!.calls].map(([a, n]) => `${a} ${n}`).join(", ")}`);

    for (const failed of [1, 3]) {
      const base = await measureCreate(timingOf(20, 20));
      const run = await measureCreate(timingOf(20, 20), failed);
      const extraRunInstances = (run.calls.get("RunInstances") ?? 0) - (base.calls.get("RunInstances") ?? 0);
      // Polling can shift by a poll or two with timing; only launch-related calls are attributed to a failure.
      const extraQueries = [...run.calls].filter(([a, n]) => !["RunInstances", "DescribeInstances", "GitHub GET"].includes(a) && n > (base.calls.get(a) ?? 0));
      const perFailure = run.gapsMs.reduce((a, b) => a + b, 0) / run.gapsMs.length;
      lines.push(
        `${failed} failed candidate(s): ${perFailure.toFixed(0)} ms each from one launch attempt to the next ` +
          `(${(perFailure / LATENCY_MS).toFixed(1)} round trips); extra RunInstances: ${extraRunInstances} (${extraRunInstances / failed} per failure); ` +
          `extra advisor/GitHub queries: ${extraQueries.length === 0 ? "none" : extraQueries.map(([a, n]) => `${a} ${n}`).join(", ")}`,
      );
      if (extraRunInstances !== failed) failures.push(`${failed} failed candidates cost ${extraRunInstances} extra RunInstances`);
      if (extraQueries.length > 0) failures.push(`failed candidates caused extra queries: ${JSON.stringify(extraQueries)}`);
    }

    const one = Math.max(...(await registrationTimes(1, {})));
    const twenty = Math.max(...(await registrationTimes(20, {})));
    const shared = Math.max(...(await registrationTimes(20, { limiterId: "one-limiter-for-the-process" })));
    lines.push(
      `20 concurrent creates, GitHub throttling on: last registration ${twenty.toFixed(0)} ms vs ${one.toFixed(0)} ms for one create alone ` +
        `= ${(twenty / one).toFixed(2)}x (goal <= 2x); with the plugin's default process-wide limiter: ${shared.toFixed(0)} ms = ${(shared / one).toFixed(1)}x`,
    );
    if (failures.length > 0) throw new Error(`${failures.join("; ")}\n${lines.join("\n")}`);
    return lines;
  },
};
