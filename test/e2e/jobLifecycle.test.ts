import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeWithGoTool } from "../support/goToolsGate";
import { scenario, Steps } from "./support/scenarios";
import { RUNNER_DIR, startWorld, World } from "./support/world";

/**
 * stacks/runner/job.sh driving the real Pulumi CLI (built from the Go module proxy) on a file backend, against the
 * emulator: what a start job and a stop job do to one runner stack, and what each leaves behind.
 */
describeWithGoTool("pulumi", "job.sh with the real Pulumi CLI: one runner's life", function () {
  this.timeout(240_000);
  const life = scenario(async () => {
    const steps = new Steps<"up" | "upAgain" | "down" | "secrets">();
    const world = await startWorld();
    try {
      const stack = world.stackName("arm64");
      await steps.run("up", () => upCreatesTheRunner(world, stack));
      await steps.run("upAgain", () => upAgainChangesNothing(world, stack));
      const state = (await world.pulumi(["stack", "export", "--stack", stack])).stdout;
      await steps.run("down", () => downLeavesNothing(world, stack));
      await steps.run("secrets", async () => noSecretAnywhere(world, state));
    } finally {
      await world.close();
    }
    return steps;
  });

  it("up: creates the stack, reads the infra stack through a StackReference, and returns once the runner is online, with the step outputs written", async () =>
    (await life()).check("up"));
  it("a second up changes nothing: no launch, no release, the same runner", async () => (await life()).check("upAgain"));
  it("down, on a machine without the start job's Pulumi.<stack>.yaml: destroys, removes the stack, and nothing is left in the cloud or the backend", async () =>
    (await life()).check("down"));
  it("never prints a secret it was given, nor writes one to the step outputs or the stack's state", async () => (await life()).check("secrets"));
});

// Settings from both sources: --set wins over SPOT_RUNNER_SETTINGS.
const UP_ARGS = ["--arch", "arm64", "--set", "minCpu=8"];
const UP_ENV = { SPOT_RUNNER_SETTINGS: "minCpu=4\nmaxCpu=16" };

async function upCreatesTheRunner(world: World, stack: string): Promise<void> {
  const outputsFile = path.join(world.dir, "up-outputs.json");
  // No SPOT_RUNNER_INFRA_STACK: on a DIY backend job.sh defaults to organization/spot-runner-infra/prod, which must
  // then resolve for real.
  const r = await world.job(["up", stack, ...UP_ARGS, "--outputs-file", outputsFile], UP_ENV).finished;
  assert.equal(r.code, 0, r.stdout + r.stderr);

  const cloud = world.emu.admin.state();
  assert.equal(cloud.instances.length, 1, "one instance");
  const [instance] = cloud.instances;
  assert.equal(instance.status, "Running");
  assert.equal(instance.tags["spot-runner-stack"], stack);
  assert.equal(instance.tags["spot-runner-run-id"], world.runId);
  assert.equal(cloud.runners.length, 1, "one runner");
  const [runner] = cloud.runners;
  assert.equal(runner.status, "online", "up returns once the runner is online");

  const out = world.stepOutputs();
  assert.equal(out.stack, stack);
  assert.equal(out.label, runner.name, "the label the build job runs on is the online runner's");
  assert.ok(runner.labels.includes(out.label));
  assert.equal(out.instance_id, instance.instanceId);
  assert.equal(out.instance_type, instance.instanceType);
  assert.equal(out.zone, instance.zoneId);
  assert.equal(out.region, "cn-hangzhou", "the region comes from the infra stack");
  assert.match(out.spot_price, /^\d+(\.\d+)?$/);
  assert.equal(JSON.parse(fs.readFileSync(outputsFile, "utf8")).instanceId, instance.instanceId, "full outputs saved for the cost summary");

  const config = JSON.parse((await world.pulumi(["config", "--stack", stack, "--json"])).stdout);
  const value = (key: string) => config[`spot-runner-job:${key}`]?.value;
  assert.equal(value("infraStack"), "organization/spot-runner-infra/prod");
  assert.equal(value("minCpu"), "8", "--set wins over SPOT_RUNNER_SETTINGS");
  assert.equal(value("maxCpu"), "16");
  assert.equal(value("runId"), world.runId);
  const exported = JSON.parse((await world.pulumi(["stack", "export", "--stack", stack])).stdout);
  assert.equal(exported.deployment.secrets_providers.type, "passphrase");
}

async function upAgainChangesNothing(world: World, stack: string): Promise<void> {
  const before = world.emu.admin.state();
  const since = world.emu.admin.calls().at(-1)?.seq ?? 0;
  const r = await world.job(["up", stack, ...UP_ARGS], UP_ENV).finished;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Resources:\s+\d+ unchanged\s/);
  assert.doesNotMatch(r.stdout, /\d+ (created|updated|replaced|deleted)/);
  const after = world.emu.admin.state();
  assert.equal(after.launched, before.launched, "no instance launched");
  assert.deepEqual(after.instances.map((i) => i.instanceId), before.instances.map((i) => i.instanceId));
  const writes = world.emu.admin.calls(since).filter((c) => /RunInstances|DeleteInstances|generate-jitconfig|^DELETE /.test(c.action));
  assert.deepEqual(writes.map((c) => c.action), [], "no write call reached the cloud");
}

async function downLeavesNothing(world: World, stack: string): Promise<void> {
  // The stop job runs on another machine: the start job's stack config file is not there.
  fs.rmSync(path.join(RUNNER_DIR, `Pulumi.${stack}.yaml`));
  const outputsFile = path.join(world.dir, "down-outputs.json");
  const r = await world.job(["down", stack, "--arch", "arm64", "--outputs-file", outputsFile]).finished;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`stack ${stack} is destroyed and removed; nothing is left running`));
  assert.doesNotMatch(r.stdout, /Refreshing \(/, "no pending operation, so no refresh");
  assert.equal(JSON.parse(fs.readFileSync(outputsFile, "utf8")).instanceType, world.stepOutputs().instance_type, "outputs saved before the destroy");

  const cloud = world.emu.admin.state();
  assert.deepEqual({ instances: cloud.instances.length, runners: cloud.runners.length }, { instances: 0, runners: 0 });
  assert.deepEqual(world.backendHolds(stack), { state: false, locks: 0 });
  const ls = JSON.parse((await world.pulumi(["stack", "ls", "--json"])).stdout) as { name: string }[];
  assert.ok(!ls.some((s) => s.name.endsWith(stack)), `${stack} still listed: ${JSON.stringify(ls)}`);
  assert.ok(!fs.existsSync(path.join(RUNNER_DIR, `Pulumi.${stack}.yaml`)), "the stack's config file is removed with it");
}

function noSecretAnywhere(world: World, state: string): void {
  const env = world.env();
  const secrets = ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "GITHUB_TOKEN", "PULUMI_CONFIG_PASSPHRASE"].map((name) => [name, env[name]!] as const);
  const places = { "job.sh output": world.transcript(), "GITHUB_OUTPUT": fs.readFileSync(world.githubOutputFile, "utf8"), "the stack's state": state };
  assert.ok(world.transcript().includes("runner is online"), "the transcript holds the runs");
  for (const [name, value] of secrets) {
    assert.ok(value.length >= 8, `${name} is set`);
    for (const [place, text] of Object.entries(places)) assert.ok(!text.includes(value), `${name} appears in ${place}`);
  }
}
