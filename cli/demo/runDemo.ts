import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator, RunningEmulator } from "../../emulator";
import { buildCnHangzhouScenario } from "../../emulator/scenario/cnHangzhou";
import { withTiming } from "../../emulator/scenario/small";
import type { ScenarioTiming } from "../../emulator/scenario/types";
import { advise, Arch, createEcsAdvisorQueries, defaultAdviceRequest } from "../../provider/advisor";
import { spotRunnerShim } from "../../provider/shim";
import { DIFF, ProviderHost, startProviderHost } from "./pluginHost";

const REPO_ROOT = path.resolve(__dirname, "../..");
const REGION = "cn-hangzhou";
const STACK = "demo";

export interface DemoOptions {
  readonly arch: Arch;
  /** How long the emulated cloud takes (the demo's pace); tests make it fast. */
  readonly timing: Partial<ScenarioTiming>;
  /** First poll interval of the provider inside the plugin host. */
  readonly pollMs: number;
  /** Resolves to stop early (Ctrl-C): everything made so far is cleaned up. */
  readonly interrupted?: Promise<void>;
}

export const DEMO_TIMING: Partial<ScenarioTiming> = { pendingMs: 1_500, startingMs: 2_500, runnerOnlineMs: 3_000, releaseMs: 1_000 };

export interface DemoResult {
  readonly ok: boolean;
  readonly steps: readonly { name: string; seconds: number }[];
  readonly leftovers: { instances: number; runners: number };
}

class Interrupted extends Error {
  override name = "Interrupted";
}

/**
 * The main job on the bundled emulator, end to end: what `pulumi up` and `pulumi destroy` do to one runner,
 * with Pulumi's own dynamic-provider host running the serialized provider, and a staged stock-out so the
 * zone fallback shows. Writes progress as it goes; leaves no process, instance or runner behind.
 */
export async function runDemo(options: DemoOptions, say: (line: string) => void): Promise<DemoResult> {
  const steps: { name: string; seconds: number }[] = [];
  const started = Date.now();
  let mark = started;
  const step = (name: string) => {
    const now = Date.now();
    steps.push({ name, seconds: (now - mark) / 1000 });
    mark = now;
  };
  let emu: RunningEmulator | undefined;
  let host: ProviderHost | undefined;
  const stopped = options.interrupted?.then(() => {
    throw new Interrupted("interrupted");
  });
  const guard = <T>(work: Promise<T>): Promise<T> => (stopped ? Promise.race([work, stopped]) : work);
  let created: { id: string; properties: Record<string, unknown> } | undefined;

  try {
    say(`spot-runner demo: the life of one ${options.arch} runner, on the bundled emulator (no cloud account needed)\n`);

    const scenario = withTiming(buildCnHangzhouScenario(), options.timing);
    emu = await startEmulator({ scenario });
    say(`1. Emulated cloud: ${REGION} with ${scenario.instanceTypes.length} real instance types, the guide's ` +
      `${scenario.vSwitches.length} vSwitches, at ${emu.ecsEndpoint} (ECS) and ${emu.githubApiUrl} (GitHub)`);
    step("start the emulated cloud");

    const request = { ...defaultAdviceRequest(options.arch, REGION), zones: scenario.vSwitches.map((v) => v.zoneId).sort() };
    const advice = await guard(advise(request, { queries: createEcsAdvisorQueries({ regionId: REGION, env: emu.env }), now: Date.now }));
    say(`2. Advisor: ${advice.explanation[0]}`);
    for (const [i, c] of advice.candidates.slice(0, 3).entries()) {
      say(`     ${i + 1}. ${c.instanceTypeId.padEnd(18)} ${c.zoneId}  ${c.spotPrice.toFixed(3)} ${advice.currency}/h  ` +
        `${c.pricePerCore.toFixed(4)} per vCPU  limit ${c.priceLimit}`);
    }
    const first = advice.candidates[0];
    if (!first) throw new Error(`the advisor found no ${options.arch} capacity in the bundled scenario:\n${advice.explanation.join("\n")}`);
    // The catalogue says the zone has stock, but the launch is refused: the situation the fallback exists for.
    emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, times: -1, match: { ZoneId: first.zoneId } });
    say(`   Staged: ${first.zoneId} will refuse every launch with OperationDenied.NoStock, so the zone fallback shows.`);
    step("advise (preview)");

    const providerText = (await pulumi.runtime.serializeFunction(() => spotRunnerShim, { allowSecrets: true })).text;
    host = await startProviderHost({
      cwd: path.join(REPO_ROOT, "stacks/runner"),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...emu.env, SPOT_RUNNER_POLL_MS: String(options.pollMs) },
      onStderr: (chunk) => {
        for (const line of chunk.split("\n").filter(Boolean)) say(`     ${elapsed(started)}  ${line.replace(/^\[spot-runner\] /, "")}`);
      },
    });
    await host.configure();
    say(`3. pulumi up: Pulumi's dynamic-provider host runs the serialized SpotRunner provider (${providerText.length} bytes in state, no credentials)`);
    step("start the plugin host");

    const urn = `urn:pulumi:${STACK}::spot-runner-job::pulumi-nodejs:dynamic/aliyun:SpotRunner::runner`;
    const image = scenario.images.find((i) => i.architecture === (options.arch === "arm64" ? "arm64" : "x86_64") && /aliyun_3/.test(i.imageId));
    const news = {
      arch: options.arch,
      region: REGION,
      vSwitchIds: Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
      securityGroupId: scenario.securityGroups[0].securityGroupId,
      imageId: image?.imageId ?? scenario.images[0].imageId,
      namePrefix: "openresty",
      githubRepository: scenario.github.repos[0],
      stackName: STACK,
      __provider: providerText,
    };
    const checked = await guard(host.check(urn, {}, news));
    if (checked.failures.length > 0) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    say(`   check: inputs valid, defaults filled in (ttl ${checked.inputs.ttlMinutes} min, ${checked.inputs.spotStrategy} x${checked.inputs.priceLimitFactor})`);
    created = await guard(host.create(urn, checked.inputs));
    step("pulumi up: create (advise, register, launch, boot, online)");

    const out = created.properties;
    say(`4. Runner online. Stack outputs (what the build job reads):`);
    for (const key of ["label", "instanceId", "instanceType", "zoneId", "cpuCount", "memoryGiB", "spotPrice", "priceLimit", "hourlyCost", "autoReleaseTime"]) {
      say(`     ${key.padEnd(16)} ${String(out[key])}${key === "spotPrice" || key === "hourlyCost" ? ` ${out.currency}/h` : ""}`);
    }
    const attempts = out.attempts as { instanceTypeId: string; zoneId: string; outcome: string; code?: string }[];
    say(`     attempts         ${attempts.map((a) => `${a.instanceTypeId}@${a.zoneId}: ${a.code ?? a.outcome}`).join("; ")}`);
    say(`   In a workflow the build job now runs on: runs-on: ${String(out.label)}`);
    const diff = await guard(host.diff(urn, created.id, created.properties, checked.inputs));
    say(`   A second pulumi up changes nothing (diff: ${diff.changes === DIFF.NONE ? "no changes" : "changes"})`);
    step("diff");

    say("5. pulumi destroy:");
    await guard(host.delete(urn, created.id, created.properties));
    created = undefined;
    step("pulumi destroy: release (verified gone) and remove the runner");

    const state = emu.admin.state();
    const leftovers = { instances: state.instances.length, runners: state.runners.length };
    const calls = emu.admin.calls();
    const byAction = new Map<string, number>();
    for (const c of calls) byAction.set(shortAction(c.action), (byAction.get(shortAction(c.action)) ?? 0) + 1);
    say(`6. Nothing left: ${leftovers.instances} instances and ${leftovers.runners} runners in the emulated cloud.`);
    say(`   ${calls.length} API calls: ${[...byAction].map(([a, n]) => `${a} ${n}`).join(", ")}`);
    say("\nStep timings (emulated cloud: instances boot in seconds here; expect about a minute on Aliyun):");
    for (const s of steps) say(`   ${s.seconds.toFixed(1).padStart(6)} s  ${s.name}`);
    say(`   ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  total`);
    return { ok: leftovers.instances === 0 && leftovers.runners === 0, steps, leftovers };
  } catch (err) {
    if (err instanceof Interrupted) say("\nInterrupted: cleaning up.");
    else say(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, steps, leftovers: { instances: -1, runners: -1 } };
  } finally {
    // Whatever happened, nothing outlives the demo: the runner (if made), the plugin host, the emulator.
    if (created && host) await host.delete("urn:cleanup", created.id, created.properties).catch(() => undefined);
    await host?.close();
    await emu?.close();
  }
}

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1).padStart(5)} s`;
}

function shortAction(action: string): string {
  const github = /^(GET|POST|DELETE) \/(?:repos\/[^/]+\/[^/]+|orgs\/[^/]+)\/actions\/runners(\/.*)?$/.exec(action);
  if (!github) return action;
  const rest = github[2] ?? "";
  return `GitHub ${github[1]} runners${rest.startsWith("/generate-jitconfig") ? "/jitconfig" : rest ? "/{id}" : ""}`;
}
