import * as assert from "node:assert/strict";
import { smallScenario } from "../../emulator/scenario/small";
import { SpotRunnerProvider } from "../../provider/spotRunnerProvider";
import { depsFor } from "../provider/support/harness";
import { launchRunner, MINUTE, ReaperWorld, registerRunner, REPO, runCommand, startWorld, withoutGitHub } from "./support/emulated";

/** The table's body rows, as arrays of trimmed cells. */
function rows(table: string): string[][] {
  return table.split("\n")
    .filter((l) => /^│ i-/.test(l))
    .map((l) => l.split("│").slice(1, -1).map((c) => c.trim()));
}

describe("spot-runner list against the emulator", function () {
  let world: ReaperWorld;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world.close());

  const list = (args: string[], env: NodeJS.ProcessEnv = world.env) => runCommand("list", args, env, world.tuning);

  /** Four runners at minute 30: online, busy, offline, and one GitHub no longer knows. */
  async function fourRunners() {
    const online = await launchRunner(world, { stack: "gha-1-1-arm64" });
    const busy = await launchRunner(world, { stack: "gha-2-1-arm64", ttlMinutes: 240 });
    world.emu.clock.advance(10 * MINUTE);
    const offline = await launchRunner(world, { stack: "gha-3-1-arm64" });
    const missing = await launchRunner(world, { stack: "gha-4-1-arm64", prefix: "nginx" });
    world.emu.clock.advance(20 * MINUTE);
    world.emu.admin.updateRunner(busy.runnerId, { busy: true });
    world.emu.admin.updateRunner(offline.runnerId, { status: "offline" });
    await world.runners.deleteRunner(REPO, missing.runnerId);
    return { online, busy, offline, missing };
  }

  it("shows each instance with its age, type, zone, limit, TTL left, status and runner status", async () => {
    const r4 = await fourRunners();
    const r = await list([]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^4 instances of ours in cn-hangzhou at 2026-01-01T00:30:00\.000Z\n/);
    // Oldest first; instances made in the same minute in any order.
    assert.deepEqual(rows(r.stdout).sort((a, b) => a[1].localeCompare(b[1])), [
      [r4.online.instanceId, "gha-1-1-arm64", "arm64", "ecs.c8y.2xlarge", "cn-hangzhou-j", "limit 0.24", "30m", "1h 30m", "Running", "online"],
      [r4.busy.instanceId, "gha-2-1-arm64", "arm64", "ecs.c8y.2xlarge", "cn-hangzhou-j", "limit 0.24", "30m", "3h 30m", "Running", "busy"],
      [r4.offline.instanceId, "gha-3-1-arm64", "arm64", "ecs.c8y.2xlarge", "cn-hangzhou-j", "limit 0.24", "20m", "1h 40m", "Running", "offline"],
      [r4.missing.instanceId, "gha-4-1-arm64", "arm64", "ecs.c8y.2xlarge", "cn-hangzhou-j", "limit 0.24", "20m", "1h 40m", "Running", "missing"],
    ]);
    assert.match(r.stdout, /│ Instance +│ Stack +│ Arch +│ Type +│ Zone +│ Spot +│ Age +│ TTL left +│ Status +│ Runner +│/);
  });

  it("gives the same facts as JSON, narrowed by --prefix", async () => {
    const r4 = await fourRunners();
    const r = await list(["--json", "--prefix", "openresty"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.region, "cn-hangzhou");
    assert.equal(out.now, "2026-01-01T00:30:00.000Z");
    const byStack = [...out.instances].sort((a: { stack: string }, b: { stack: string }) => a.stack.localeCompare(b.stack));
    assert.deepEqual(byStack.map((i: { instanceId: string }) => i.instanceId), [r4.online.instanceId, r4.busy.instanceId, r4.offline.instanceId]);
    assert.deepEqual(byStack[1], {
      instanceId: r4.busy.instanceId,
      instanceName: "openresty-arm64-spot-test",
      status: "Running",
      locks: [],
      instanceType: "ecs.c8y.2xlarge",
      zoneId: "cn-hangzhou-j",
      spotStrategy: "SpotWithPriceLimit",
      spotPriceLimit: 0.24,
      createdAt: "2026-01-01T00:00Z",
      ageMinutes: 30,
      autoReleaseTime: "2026-01-01T04:00Z",
      ttlLeftMinutes: 210,
      prefix: "openresty",
      stack: "gha-2-1-arm64",
      arch: "arm64",
      runner: { name: r4.busy.runnerName, state: "busy", id: r4.busy.runnerId, scope: "dianplus/openresty" },
    });
    assert.deepEqual(out.warnings, []);
  });

  it("narrows by --stack", async () => {
    const r4 = await fourRunners();
    const out = JSON.parse((await list(["--json", "--stack", "gha-3-1-arm64"])).stdout);
    assert.deepEqual(out.instances.map((i: { instanceId: string; runner: { state: string } }) => [i.instanceId, i.runner.state]), [[r4.offline.instanceId, "offline"]]);
  });

  it("shows the Recycling lock of an instance being reclaimed", async () => {
    const launched = await launchRunner(world);
    world.emu.clock.advance(MINUTE);
    world.emu.admin.reclaimInstance(launched.instanceId);
    const r = await list([]);
    assert.deepEqual(rows(r.stdout)[0].slice(8), ["Running, Recycling", "online"]);
  });

  it("without GitHub credentials still lists the instances, with the runner unknown, and says why", async () => {
    const launched = await launchRunner(world);
    world.emu.clock.advance(5 * MINUTE);
    const r = await list([], withoutGitHub(world.env));
    assert.equal(r.code, 0);
    assert.deepEqual(rows(r.stdout).map((cells) => [cells[0], cells[9]]), [[launched.instanceId, "unknown (no GitHub token)"]]);
    assert.match(r.stderr, /^warning: runner status not checked: GitHub credentials are not set: set GITHUB_TOKEN/);
    const json = JSON.parse((await list(["--json"], withoutGitHub(world.env))).stdout);
    assert.deepEqual(json.instances[0].runner, { name: launched.runnerName, state: "unknown", why: "no GitHub token", scope: "dianplus/openresty" });
  });

  it("lists runners with our names that no instance carries (from --repo or GITHUB_REPOSITORY)", async () => {
    await registerRunner(world, "openresty-arm64-202601010000-lone0001");
    await registerRunner(world, "openresty-builder");
    const r = await list(["--repo", "dianplus/openresty"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "0 instances of ours in cn-hangzhou at 2026-01-01T00:00:00.000Z\n" +
      "Runners with our names and no instance of ours in cn-hangzhou:\n" +
      "  openresty-arm64-202601010000-lone0001 (dianplus/openresty): offline\n");
    const viaEnv = await list(["--json"], { ...world.env, GITHUB_REPOSITORY: "dianplus/openresty" });
    assert.deepEqual(JSON.parse(viaEnv.stdout).runnersWithoutInstance.map((x: { name: string }) => x.name), ["openresty-arm64-202601010000-lone0001"]);
  });

  it("reads the region from SPOT_RUNNER_REGION, and --region wins over it", async () => {
    const fromEnv = await list([], { ...world.env, SPOT_RUNNER_REGION: "cn-shanghai" });
    assert.equal(fromEnv.code, 1);
    assert.match(fromEnv.stderr, /^error: could not list the instances of cn-shanghai: ECS DescribeInstances failed: InvalidRegionId\.NotFound/);
    const fromFlag = await list(["--region", "cn-hangzhou"], { ...world.env, SPOT_RUNNER_REGION: "cn-shanghai" });
    assert.equal(fromFlag.code, 0, fromFlag.stderr);
  });

  it("says which variable is missing when there are no Aliyun credentials, before any call", async () => {
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: _id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: _secret, ...env } = world.env;
    const r = await list([], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Aliyun credentials are not set: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
    assert.deepEqual(world.emu.admin.calls(), []);
  });

  it("lists and reaps a runner the provider itself made (its tags are what the reaper reads)", async () => {
    const logs: string[] = [];
    const provider = new SpotRunnerProvider(depsFor(world.emu, world.env, logs));
    const scenario = smallScenario();
    const { id, outs } = await provider.create({
      arch: "arm64",
      region: "cn-hangzhou",
      vSwitchIds: Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
      securityGroupId: scenario.securityGroups[0].securityGroupId,
      imageId: scenario.images.find((i) => i.architecture === "arm64")!.imageId,
      namePrefix: "openresty",
      githubRepository: "dianplus/openresty",
      stackName: "gha-9-1-arm64",
      __provider: "serialized-provider-text",
    });
    world.emu.clock.advance(20 * MINUTE);
    const listed = JSON.parse((await list(["--json"])).stdout);
    assert.deepEqual(listed.instances.map((i: { instanceId: string; stack: string; runner: { name: string; state: string } }) =>
      [i.instanceId, i.stack, i.runner.name, i.runner.state]), [[id, "gha-9-1-arm64", outs.runnerName, "online"]]);

    // The job ended and `pulumi destroy` never ran: the runner is offline, the instance still runs.
    world.emu.admin.updateRunner(outs.runnerId, { status: "offline" });
    const reaped = await runCommand("reap", ["--yes"], world.env, world.tuning);
    assert.equal(reaped.code, 0, reaped.stderr);
    assert.deepEqual(world.leftovers(), { instances: [], runners: [] });
  });
});
