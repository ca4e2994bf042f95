import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { buildCnHangzhouScenario } from "../../emulator/scenario/cnHangzhou";
import { withTiming } from "../../emulator/scenario/small";
import { advise, createEcsAdvisorQueries, defaultAdviceRequest } from "../../provider/advisor";
import { importInfraStack, INFRA_PROJECT, INFRA_STACK, infraOutputsOf } from "./infraStack";
import { pulumiOutputFilter } from "./pulumiOutput";
import { PulumiCli, runPulumi, RunningPulumi, startPulumi } from "./pulumiCli";
import type { DemoOptions, DemoResult } from "./runDemo";

const REGION = "cn-hangzhou";
// A demo backend in a temporary directory: the passphrase protects nothing and is not a secret.
const DEMO_PASSPHRASE = "spot-runner-demo";

class Interrupted extends Error {
  override name = "Interrupted";
}

/**
 * The main job on the bundled emulator, through the real Pulumi CLI: `pulumi up` of stacks/runner on a file
 * backend, whose StackReference reads an infra stack made from the emulator's network, with a staged stock-out so
 * the zone fallback shows; then `pulumi destroy`. Leaves no process, stack file, instance or runner behind.
 */
export async function runRealCliDemo(cli: PulumiCli, runnerDir: string, options: DemoOptions, say: (line: string) => void): Promise<DemoResult> {
  const RUNNER_DIR = runnerDir;
  const steps: { name: string; seconds: number }[] = [];
  const started = Date.now();
  let mark = started;
  const step = (name: string) => {
    const now = Date.now();
    steps.push({ name, seconds: (now - mark) / 1000 });
    mark = now;
  };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "spot-runner-demo-"));
  const stack = `demo-${randomBytes(3).toString("hex")}`;
  let emu: RunningEmulator | undefined;
  let current: RunningPulumi | undefined;
  let stopped = false;
  void options.interrupted?.then(() => {
    stopped = true;
    current?.interrupt();
  });
  const guard = () => {
    if (stopped) throw new Interrupted("interrupted");
  };

  try {
    say(`Path: the real Pulumi CLI ${cli.version} (${cli.source === ".tools" ? `${path.relative(path.resolve(runnerDir, "../.."), cli.bin)}, built by npm run pulumi:build` : `${cli.bin}, from PATH`}): ` +
      "pulumi up and pulumi destroy of stacks/runner, on a local file backend");
    say(`spot-runner demo: the life of one ${options.arch} runner, on the bundled emulator (no cloud account needed)\n`);

    const scenario = withTiming(buildCnHangzhouScenario(), options.timing);
    emu = await startEmulator({ scenario });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...emu.env,
      PATH: `${path.dirname(cli.bin)}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(work, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}`,
      PULUMI_CONFIG_PASSPHRASE: DEMO_PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      SPOT_RUNNER_POLL_MS: String(options.pollMs),
    };
    delete env.PULUMI_ACCESS_TOKEN;
    fs.mkdirSync(path.join(work, "backend"));
    await importInfraStack(cli, work, env, infraOutputsOf(scenario));
    say(`1. Emulated cloud: ${REGION} with ${scenario.instanceTypes.length} real instance types, the guide's ${scenario.vSwitches.length} vSwitches, ` +
      `at ${emu.ecsEndpoint}. The infra stack ${INFRA_PROJECT}/${INFRA_STACK} holds the emulator's network as its outputs.`);
    step("start the emulated cloud and the backend");
    guard();

    const request = { ...defaultAdviceRequest(options.arch, REGION), zones: scenario.vSwitches.map((v) => v.zoneId).sort() };
    const advice = await advise(request, { queries: createEcsAdvisorQueries({ regionId: REGION, env: emu.env }), now: Date.now });
    say(`2. Advisor: ${advice.explanation[0]}`);
    for (const [i, c] of advice.candidates.slice(0, 3).entries()) {
      say(`     ${i + 1}. ${c.instanceTypeId.padEnd(18)} ${c.zoneId}  ${c.spotPrice.toFixed(3)} ${advice.currency}/h  ${c.pricePerCore.toFixed(4)} per vCPU  limit ${c.priceLimit}`);
    }
    const first = advice.candidates[0];
    if (!first) throw new Error(`the advisor found no ${options.arch} capacity in the bundled scenario:\n${advice.explanation.join("\n")}`);
    emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, times: -1, match: { ZoneId: first.zoneId } });
    say(`   Staged: ${first.zoneId} will refuse every launch with OperationDenied.NoStock, so the zone fallback shows.`);
    step("advise");
    guard();

    const image = scenario.images.find((i) => i.architecture === (options.arch === "arm64" ? "arm64" : "x86_64") && /aliyun_3/.test(i.imageId));
    const pulumi = (...args: string[]) => runPulumi(cli, args, { cwd: RUNNER_DIR, env });
    await pulumi("stack", "init", stack, "--non-interactive", "--secrets-provider", "passphrase");
    await pulumi("config", "set-all", "--stack", stack, "--plaintext", `arch=${options.arch}`, "--plaintext", `infraStack=organization/${INFRA_PROJECT}/${INFRA_STACK}`,
      "--plaintext", `imageId=${image?.imageId ?? scenario.images[0].imageId}`, "--plaintext", `githubRepository=${scenario.github.repos[0]}`);
    say(`3. pulumi up --stack ${stack} (stacks/runner):`);
    const stream = (args: string[]) => {
      current = startPulumi(cli, [...args, "--stack", stack, "--yes", "--non-interactive", "--color", "never"], { cwd: RUNNER_DIR, env, timeoutMs: 10 * 60_000, onLine: pulumiOutputFilter(say) });
      if (stopped) current.interrupt();
      return current.done;
    };
    const up = await stream(["up", "--skip-preview"]);
    guard();
    if (up.code !== 0) throw new Error(`pulumi up failed (exit ${up.code}); its output is above`);
    step("pulumi up: advise, register, launch (with the fallback), boot, online");

    const outputs = JSON.parse(await pulumi("stack", "output", "--stack", stack, "--json")) as Record<string, unknown>;
    say("4. Runner online. Stack outputs (what the build job reads):");
    for (const key of ["label", "instanceId", "instanceType", "zoneId", "cpuCount", "memoryGiB", "spotPrice", "priceLimit", "hourlyCost", "autoReleaseTime"]) {
      say(`     ${key.padEnd(16)} ${String(outputs[key])}${key === "spotPrice" || key === "hourlyCost" ? ` ${String(outputs.currency)}/h` : ""}`);
    }
    say(`   In a workflow the build job now runs on: runs-on: [self-hosted, ${String(outputs.label)}]`);
    const again = await startPulumi(cli, ["preview", "--stack", stack, "--expect-no-changes", "--non-interactive", "--color", "never"], { cwd: RUNNER_DIR, env, timeoutMs: 5 * 60_000 }).done;
    say(`   A second pulumi up would change nothing (pulumi preview --expect-no-changes: ${again.code === 0 ? "no changes" : `exit ${again.code}`})`);
    step("preview");
    guard();

    say(`5. pulumi destroy --stack ${stack} --remove:`);
    const destroy = await stream(["destroy", "--skip-preview", "--remove"]);
    guard();
    if (destroy.code !== 0) throw new Error(`pulumi destroy failed (exit ${destroy.code}); its output is above`);
    step("pulumi destroy: release (verified gone), remove the runner and the stack");

    const state = emu.admin.state();
    const leftovers = { instances: state.instances.length, runners: state.runners.length };
    const stacks = JSON.parse(await pulumi("stack", "ls", "--json")) as { name: string }[];
    say(`6. Nothing left: ${leftovers.instances} instances and ${leftovers.runners} runners in the emulated cloud; ` +
      `${stacks.some((s) => s.name.endsWith(stack)) ? `stack ${stack} still in the backend` : "the stack is gone from the backend"}.`);
    say(`   ${emu.admin.calls().length} API calls to the emulated ECS and GitHub.`);
    say("\nStep timings (emulated cloud: instances boot in seconds here; expect about a minute on Aliyun):");
    for (const s of steps) say(`   ${s.seconds.toFixed(1).padStart(6)} s  ${s.name}`);
    say(`   ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  total`);
    return { ok: leftovers.instances === 0 && leftovers.runners === 0 && !stacks.some((s) => s.name.endsWith(stack)), steps, leftovers };
  } catch (err) {
    if (err instanceof Interrupted || stopped) say("\nInterrupted: cleaning up.");
    else say(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, steps, leftovers: { instances: -1, runners: -1 } };
  } finally {
    // The emulated cloud, and everything in it, ends with the demo; the backend is a temporary directory. Only the
    // stack's config file lives in the checkout (destroy --remove deletes it; an interrupted run may not have).
    current?.interrupt();
    await current?.done.catch(() => undefined);
    await emu?.close();
    fs.rmSync(path.join(RUNNER_DIR, `Pulumi.${stack}.yaml`), { force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}
