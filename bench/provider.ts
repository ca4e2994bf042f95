/**
 * The provider's create path against the emulated cloud's own delays. The floor is what the cloud takes
 * (pending + starting + runner start); everything above it is our overhead: API round trips and poll
 * granularity. All delays are the emulator defaults scaled down 10x, and the provider's poll interval with
 * them, so the ratios are what a real create shows, in a tenth of the time.
 *
 * Second measurement: what each failed launch candidate costs (target: one RunInstances round trip, no extra
 * queries), from creates where the first N candidates are out of stock.
 */
import { randomBytes } from "node:crypto";
import { startEmulator } from "../emulator";
import { smallScenario, withTiming } from "../emulator/scenario/small";
import { DEFAULT_TIMING } from "../emulator/timing";
import { createEcsAdvisorQueries } from "../provider/advisor";
import { createEcsInstanceApi } from "../provider/aliyun/instances";
import { renderBootstrapScript } from "../provider/bootstrap";
import { createGitHubClient } from "../provider/github/client";
import { createRunnerApi } from "../provider/github/runners";
import { SpotRunnerProvider } from "../provider/spotRunnerProvider";
import { realClock } from "../provider/wait";
import type { Benchmark } from "./index";

const SCALE = 10;
const LATENCY_MS = 20;
const TIMING = {
  pendingMs: DEFAULT_TIMING.pendingMs / SCALE,
  startingMs: DEFAULT_TIMING.startingMs / SCALE,
  runnerOnlineMs: DEFAULT_TIMING.runnerOnlineMs / SCALE,
  releaseMs: DEFAULT_TIMING.releaseMs / SCALE,
};
/** The production first poll interval (runtime.ts), scaled like the cloud. */
const POLL_MS = 2_000 / SCALE;

interface CreateRun {
  readonly ms: number;
  readonly calls: Map<string, number>;
  readonly attempts: number;
  /** Time from one launch attempt to the next: what a failed candidate costs. */
  readonly gapsMs: readonly number[];
}

async function measureCreate(failedCandidates: number): Promise<CreateRun> {
  const scenario = withTiming(smallScenario(), TIMING);
  const emu = await startEmulator({ scenario });
  const launches: number[] = [];
  try {
    const env = emu.env;
    const provider = new SpotRunnerProvider({
      ecs: (regionId) => createEcsInstanceApi({ regionId, env }),
      advisorQueries: (regionId) => createEcsAdvisorQueries({ regionId, env }),
      runners: () => createRunnerApi(() => createGitHubClient({ env, throttle: false })),
      renderUserData: renderBootstrapScript,
      clock: realClock,
      randomSuffix: () => randomBytes(4).toString("hex"),
      log: (line) => {
        if (line.startsWith("launching ")) launches.push(performance.now());
      },
      requireCredentials: () => undefined,
      pollMs: POLL_MS,
      githubPollMs: 2 * POLL_MS,
      releaseTimeoutMs: 60_000,
    });
    // One fault fires per call, the first that matches: the stock-outs (with the same latency) go first.
    if (failedCandidates > 0) {
      emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, times: failedCandidates, latencyMs: LATENCY_MS });
    }
    emu.admin.addFault({ action: "*", latencyMs: LATENCY_MS, times: -1 });
    const props = {
      arch: "arm64", region: "cn-hangzhou", namePrefix: "bench", githubRepository: scenario.github.repos[0],
      vSwitchIds: Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
      securityGroupId: scenario.securityGroups[0].securityGroupId,
      imageId: scenario.images.find((i) => i.architecture === "arm64")!.imageId,
    };
    emu.admin.clearCalls();
    const started = performance.now();
    const { id, outs } = await provider.create(props);
    const ms = performance.now() - started;
    const calls = new Map<string, number>();
    for (const c of emu.admin.calls()) {
      const action = c.api === "github" ? `GitHub ${c.action.split(" ")[0]}` : c.action;
      calls.set(action, (calls.get(action) ?? 0) + 1);
    }
    await provider.delete(id, outs);
    const gapsMs = launches.slice(1).map((t, i) => t - launches[i]);
    return { ms, calls, attempts: (outs.attempts as unknown[]).length, gapsMs };
  } finally {
    await emu.close();
  }
}

export const providerBenchmark: Benchmark = {
  name: "provider",
  run: async () => {
    const floor = TIMING.pendingMs + TIMING.startingMs + TIMING.runnerOnlineMs;
    await measureCreate(0); // warm-up: module loading and first connections
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await measureCreate(0));
    const median = [...runs].sort((a, b) => a.ms - b.ms)[1];
    const total = [...median.calls.values()].reduce((a, b) => a + b, 0);
    const lines = [
      `emulated cloud: pending ${TIMING.pendingMs} ms + starting ${TIMING.startingMs} ms + runner start ${TIMING.runnerOnlineMs} ms ` +
        `= ${floor} ms floor (defaults / ${SCALE}); ${LATENCY_MS} ms latency on every call; first poll ${POLL_MS} ms`,
      `create: ${median.ms.toFixed(0)} ms = ${(median.ms / floor).toFixed(2)}x the floor (median of 3); ${total} API calls: ` +
        [...median.calls].map(([a, n]) => `${a} ${n}`).join(", "),
    ];

    const failures: string[] = [];
    const withFailures = [await measureCreate(1), await measureCreate(3)];
    for (const run of withFailures) {
      const failed = run.attempts - 1;
      const extra = new Map<string, number>();
      for (const action of new Set([...run.calls.keys(), ...median.calls.keys()])) {
        const delta = (run.calls.get(action) ?? 0) - (median.calls.get(action) ?? 0);
        if (delta !== 0) extra.set(action, delta);
      }
      const extraRunInstances = extra.get("RunInstances") ?? 0;
      // Polling can shift by a poll or two with timing; only launch-related calls are attributed to a failure.
      const extraQueries = [...extra].filter(([a, n]) => a !== "RunInstances" && a !== "DescribeInstances" && a !== "GitHub GET" && n > 0);
      const perFailure = run.gapsMs.reduce((a, b) => a + b, 0) / run.gapsMs.length;
      lines.push(
        `${failed} failed candidate(s): ${perFailure.toFixed(0)} ms each from one launch attempt to the next ` +
          `(${(perFailure / LATENCY_MS).toFixed(1)} x the ${LATENCY_MS} ms round trip); extra RunInstances: ${extraRunInstances} ` +
          `(${extraRunInstances / failed} per failure); extra advisor/GitHub queries: ` +
          `${extraQueries.length === 0 ? "none" : extraQueries.map(([a, n]) => `${a} ${n}`).join(", ")}`,
      );
      if (extraRunInstances !== failed) failures.push(`${failed} failed candidates cost ${extraRunInstances} extra RunInstances`);
      if (extraQueries.length > 0) failures.push(`failed candidates caused extra queries: ${JSON.stringify(extraQueries)}`);
    }
    if (failures.length > 0) throw new Error(`${failures.join("; ")}\n${lines.join("\n")}`);
    return lines;
  },
};
