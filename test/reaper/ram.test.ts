import * as assert from "node:assert/strict";
import { smallScenario, withAccessKey } from "../../emulator/scenario/small";
import { buildRunnerPolicy } from "../../infra/ramPolicy";
import { launchRunner, MINUTE, ReaperWorld, registerRunner, runCommand, startWorld } from "./support/emulated";

const CI_KEY = { accessKeyId: "LTAI5tCiRunnerUser0001", accessKeySecret: "CiRunnerUserSecret0000000001" };

describe("spot-runner list and reap under the infra stack's RAM policy", function () {
  let world: ReaperWorld;
  afterEach(async () => world?.close());

  it("need nothing the policy does not grant", async () => {
    const scenario = smallScenario();
    const policy = buildRunnerPolicy({ level: "vpc", regionId: "cn-hangzhou", prefix: "openresty", vpcId: scenario.vpcs[0].vpcId });
    world = await startWorld({
      scenario: withAccessKey(scenario, { ...CI_KEY, policies: [policy] }),
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: CI_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: CI_KEY.accessKeySecret },
    });
    const orphan = await launchRunner(world);
    await launchRunner(world, { stack: "gha-5-1-arm64" });
    await registerRunner(world, "openresty-arm64-202601010000-ram00001");
    world.emu.clock.advance(30 * MINUTE);
    world.emu.admin.updateRunner(orphan.runnerId, { status: "offline" });

    const env = { ...world.env, GITHUB_REPOSITORY: "dianplus/openresty" };
    assert.equal((await runCommand("list", [], env, world.tuning)).code, 0);
    const stack = await runCommand("reap", ["--stack", "gha-5-1-arm64", "--yes"], env, world.tuning);
    assert.equal(stack.code, 0, stack.stdout + stack.stderr);
    const all = await runCommand("reap", ["--yes"], env, world.tuning);
    assert.equal(all.code, 0, all.stdout + all.stderr);

    assert.deepEqual(world.emu.admin.calls().filter((c) => c.code === "Forbidden.RAM"), []);
    assert.ok(world.emu.admin.calls().some((c) => c.action === "DeleteInstances" && c.accessKeyId === CI_KEY.accessKeyId));
    assert.deepEqual(world.leftovers(), { instances: [], runners: [] });
  });
});
