import { startEmulator, RunningEmulator } from "../../../emulator";
import type { Scenario } from "../../../emulator/scenario/types";
import { smallScenario } from "../../../emulator/scenario/small";
import { createEcsAdvisorQueries } from "../../../provider/advisor";
import { readAliyunCredentials } from "../../../provider/aliyun/credentials";
import { createEcsInstanceApi } from "../../../provider/aliyun/instances";
import { renderBootstrapScript } from "../../../provider/bootstrap";
import { createGitHubClient, githubAuthFromEnv } from "../../../provider/github/client";
import { createRunnerApi } from "../../../provider/github/runners";
import { ProviderDeps, SpotRunnerProvider } from "../../../provider/spotRunnerProvider";
import { Clock } from "../../../provider/wait";

/** Retries fast enough for tests; the policy itself is what callEcs tests cover. */
export const FAST_RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };

/**
 * Sleeps on the emulator's manual clock: a sleeper resolves when virtual time reaches its deadline, and time
 * jumps straight to the earliest deadline once the event loop has nothing else to do. Concurrent creates each
 * wait their own virtual interval, and no test waits in real time.
 */
export function virtualClock(emu: RunningEmulator): Clock {
  const sleepers: { until: number; wake: () => void }[] = [];
  let scheduled = false;
  const tick = () => {
    scheduled = false;
    if (sleepers.length === 0) return;
    const next = Math.min(...sleepers.map((s) => s.until));
    if (next > emu.clock.now()) emu.clock.advance(next - emu.clock.now());
    for (const s of sleepers.filter((x) => x.until <= emu.clock.now())) {
      sleepers.splice(sleepers.indexOf(s), 1);
      s.wake();
    }
    if (sleepers.length > 0) schedule();
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(tick);
    }
  };
  return {
    now: () => emu.clock.now(),
    sleep: (ms) => new Promise<void>((wake) => {
      sleepers.push({ until: emu.clock.now() + ms, wake });
      schedule();
    }),
  };
}

/**
 * Provider wiring against an emulator: the real SDK and Octokit over loopback, the emulator's clock. GitHub's
 * throttling plugin spaces each client's writes a real second apart, which most tests do not need to wait for;
 * `productionThrottling` turns it on (the load test).
 */
export function depsFor(emu: RunningEmulator, env: NodeJS.ProcessEnv, logs: string[], overrides: Partial<ProviderDeps> = {},
  options: { productionThrottling?: boolean } = {}): ProviderDeps {
  let suffix = 0;
  const throttle = options.productionThrottling === true;
  return {
    ecs: (regionId) => createEcsInstanceApi({ regionId, env, retry: FAST_RETRY }),
    advisorQueries: (regionId) => createEcsAdvisorQueries({ regionId, env, retry: FAST_RETRY }),
    runners: () => createRunnerApi(() => createGitHubClient({ env, retryBaseMs: 1, retries: 2, throttle })),
    renderUserData: renderBootstrapScript,
    clock: virtualClock(emu),
    randomSuffix: () => `t${String(++suffix).padStart(4, "0")}`,
    log: (line) => logs.push(line),
    requireCredentials: () => {
      readAliyunCredentials(env);
      githubAuthFromEnv(env);
    },
    pollMs: 1_000,
    githubPollMs: 2_000,
    releaseTimeoutMs: 5 * 60_000,
    ...overrides,
  };
}

export interface Harness {
  readonly emu: RunningEmulator;
  readonly provider: SpotRunnerProvider;
  readonly logs: string[];
  /** Inputs for a runner in the emulated network. */
  props(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Instances (not yet released) and runners the emulator still holds. */
  leftovers(): { instances: string[]; runners: string[] };
  close(): Promise<void>;
}

export async function startHarness(options: { scenario?: Scenario; env?: Record<string, string>; deps?: Partial<ProviderDeps>; productionThrottling?: boolean } = {}): Promise<Harness> {
  const scenario = options.scenario ?? smallScenario();
  const emu = await startEmulator({ scenario, clock: "manual" });
  const env = { ...emu.env, ...(options.env ?? {}) };
  const logs: string[] = [];
  const provider = new SpotRunnerProvider(depsFor(emu, env, logs, options.deps, { productionThrottling: options.productionThrottling }));
  const vSwitchIds = Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId]));
  return {
    emu,
    provider,
    logs,
    props: (overrides = {}) => ({
      arch: "arm64",
      region: "cn-hangzhou",
      vSwitchIds,
      securityGroupId: scenario.securityGroups[0].securityGroupId,
      imageId: scenario.images.find((i) => i.architecture === "arm64")!.imageId,
      namePrefix: "openresty",
      githubRepository: scenario.github.repos[0],
      __provider: "serialized-provider-text",
      ...overrides,
    }),
    leftovers: () => {
      const state = emu.admin.state();
      return {
        instances: state.instances.map((i) => `${i.instanceId}:${i.status}`),
        runners: state.runners.map((r) => r.name),
      };
    },
    close: () => emu.close(),
  };
}
