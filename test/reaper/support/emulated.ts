import { register as registerList } from "../../../cli/commands/list";
import type { ReaperCommandDeps } from "../../../cli/commands/list";
import { register as registerReap } from "../../../cli/commands/reap";
import { RunningEmulator, Scenario, startEmulator } from "../../../emulator";
import { ALIYUN_LINUX_3_ARM64, EMULATOR_GITHUB_REPO, GUIDE_SECURITY_GROUP_ID, guideVSwitchId } from "../../../emulator/scenario/common";
import { smallScenario } from "../../../emulator/scenario/small";
import { createEcsInstanceApi, EcsInstanceApi } from "../../../provider/aliyun/instances";
import { createGitHubClient } from "../../../provider/github/client";
import { createRunnerApi, GitHubScope, RunnerApi } from "../../../provider/github/runners";
import { autoReleaseTimeFor, clientTokenFor, runnerNameFor } from "../../../provider/naming";
import type { ReapDeps } from "../../../provider/reaper";
import { MANAGED_BY_VALUE, TAG_KEYS } from "../../../provider/tags";
import { Clock } from "../../../provider/wait";
import { FAST_RETRY, virtualClock } from "../../provider/support/harness";
import { CliResult, runCommand as runCliCommand } from "../../support/runCommand";

export const REPO: GitHubScope = { kind: "repo", owner: EMULATOR_GITHUB_REPO.split("/")[0], repo: EMULATOR_GITHUB_REPO.split("/")[1] };
export const REGION = "cn-hangzhou";
export const MINUTE = 60_000;

/** An emulator on a manual clock with the real SDKs pointed at it, plus a virtual clock that sleeps on it. */
export interface ReaperWorld {
  readonly emu: RunningEmulator;
  readonly env: Record<string, string>;
  readonly ecs: EcsInstanceApi;
  readonly runners: RunnerApi;
  readonly clock: Clock;
  /** For the commands: the same clients and clock. */
  readonly commandDeps: ReaperCommandDeps;
  /** For executeReap. */
  reapDeps(log?: string[]): ReapDeps;
  /** Instance ids still listed (any status) and runner names the emulator still holds. */
  leftovers(): { instances: string[]; runners: string[] };
  close(): Promise<void>;
}

export async function startWorld(options: { scenario?: Scenario; env?: Record<string, string> } = {}): Promise<ReaperWorld> {
  const emu = await startEmulator({ scenario: options.scenario ?? smallScenario(), clock: "manual" });
  const env = { ...emu.env, ...options.env };
  const ecs = createEcsInstanceApi({ regionId: REGION, env, retry: FAST_RETRY });
  const runnerApi = (e: NodeJS.ProcessEnv) => createRunnerApi(() => createGitHubClient({ env: e, retryBaseMs: 1, retries: 2, throttle: false }));
  const runners = runnerApi(env);
  const clock = virtualClock(emu);
  const commandDeps: ReaperCommandDeps = {
    ecs: (regionId, e) => createEcsInstanceApi({ regionId, env: e, retry: FAST_RETRY }),
    runners: runnerApi,
    clock,
    releaseTimeoutMs: 2 * MINUTE,
    pollMs: 1_000,
    maxPollMs: 5_000,
  };
  return {
    emu,
    env,
    ecs,
    runners,
    clock,
    commandDeps,
    reapDeps: (log) => ({
      ecs,
      github: { runners },
      clock,
      ...(log ? { log: (line: string) => log.push(line) } : {}),
      releaseTimeoutMs: 2 * MINUTE,
      pollMs: 1_000,
      maxPollMs: 5_000,
    }),
    leftovers: () => {
      const state = emu.admin.state();
      return { instances: state.instances.map((i) => i.instanceId), runners: state.runners.map((r) => r.name) };
    },
    close: () => emu.close(),
  };
}

export interface LaunchedRunner {
  readonly instanceId: string;
  readonly runnerName: string;
  readonly runnerId: number;
}

let launches = 0;

export interface LaunchOptions {
  readonly stack?: string;
  readonly prefix?: string;
  /** Sets the AutoReleaseTime, so an instance can outlive the reaper's maximum age. Default 120. */
  readonly ttlMinutes?: number;
  readonly scopeTag?: string;
}

/**
 * What the provider's create does, reduced to the two calls that matter here: a just-in-time runner registered
 * under a generated name, then a spot instance carrying our tags whose user data holds the JIT config (the
 * emulator brings the runner online after boot).
 */
export async function launchRunner(world: ReaperWorld, options: LaunchOptions = {}): Promise<LaunchedRunner> {
  const prefix = options.prefix ?? "openresty";
  const runnerName = runnerNameFor(prefix, "arm64", world.emu.clock.now(), `r${String(++launches).padStart(4, "0")}`);
  const jit = await world.runners.generateJitConfig(REPO, { name: runnerName, labels: [runnerName], runnerGroupId: 1 });
  const instanceId = await launchInstance(world, runnerName, jit.encodedJitConfig, options);
  return { instanceId, runnerName, runnerId: jit.runnerId };
}

/** A spot instance tagged (with the provider's keys) as serving `runnerName`; its user data holds `jitConfig` if given. */
export async function launchInstance(world: ReaperWorld, runnerName: string, jitConfig: string | undefined, options: LaunchOptions = {}): Promise<string> {
  const prefix = options.prefix ?? "openresty";
  const now = world.emu.clock.now();
  const userData = `#!/bin/bash\n${jitConfig ? `./run.sh --jitconfig ${jitConfig}` : "echo no runner"}\n`;
  const launched = await world.ecs.runInstance({
    zoneId: `${REGION}-j`,
    vSwitchId: guideVSwitchId("j"),
    securityGroupId: GUIDE_SECURITY_GROUP_ID,
    imageId: ALIYUN_LINUX_3_ARM64,
    instanceType: "ecs.c8y.2xlarge",
    instanceName: `${prefix}-arm64-spot-test`,
    spot: { strategy: "SpotWithPriceLimit", priceLimit: 0.24, duration: 1 },
    internetMaxBandwidthOut: 0,
    systemDisk: { category: "cloud_essd", sizeGiB: 40 },
    userDataBase64: Buffer.from(userData).toString("base64"),
    clientToken: clientTokenFor(runnerName, "0"),
    autoReleaseTime: () => autoReleaseTimeFor(now, options.ttlMinutes ?? 120),
    tags: {
      [TAG_KEYS.managedBy]: MANAGED_BY_VALUE,
      [TAG_KEYS.prefix]: prefix,
      [TAG_KEYS.arch]: "arm64",
      [TAG_KEYS.runnerName]: runnerName,
      [TAG_KEYS.label]: runnerName,
      [TAG_KEYS.githubScope]: options.scopeTag ?? EMULATOR_GITHUB_REPO,
      ...(options.stack ? { [TAG_KEYS.stack]: options.stack } : {}),
    },
  });
  return launched.instanceId;
}

/** A runner registered and never started (what a create leaves when it is killed before launching). */
export async function registerRunner(world: ReaperWorld, name: string): Promise<number> {
  return (await world.runners.generateJitConfig(REPO, { name, labels: [name], runnerGroupId: 1 })).runnerId;
}

export type { CliResult };

/** Runs `spot-runner list|reap ...` in-process through the commands' own register, as cli/main.ts does. */
export function runCommand(command: "list" | "reap", args: readonly string[], env: NodeJS.ProcessEnv, deps: ReaperCommandDeps): Promise<CliResult> {
  return runCliCommand(command === "list" ? registerList : registerReap, command, args, env, deps);
}

/** The environment without GitHub credentials. */
export function withoutGitHub(env: Record<string, string>): Record<string, string> {
  const { GITHUB_TOKEN: _token, ...rest } = env;
  return rest;
}
