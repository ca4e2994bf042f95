import * as assert from "node:assert/strict";
import { describeWithGoTool } from "../support/goToolsGate";
import { scenario } from "./support/scenarios";
import { waitUntil } from "./support/waitUntil";
import { startWorld } from "./support/world";

/**
 * A spot instance reclaimed while its stack still records it: `pulumi refresh` asks the provider's read, which
 * finds no instance, and the engine drops the runner from state, so a later destroy has nothing stale to delete.
 * (Expiry at AutoReleaseTime ends the same way, an instance DescribeInstances no longer returns; the emulator's
 * real clock cannot reach a TTL of 30 minutes or more in a test, so reclaim stands for both.)
 */
describeWithGoTool("pulumi", "pulumi refresh with the real Pulumi CLI", function () {
  this.timeout(240_000);
  const refreshed = scenario(async () => {
    const world = await startWorld();
    try {
      const stack = world.stackName("amd64");
      const up = await world.job(["up", stack, "--arch", "amd64"]).finished;
      assert.equal(up.code, 0, up.stdout + up.stderr);
      const instanceId = world.stepOutputs().instance_id;

      world.emu.admin.reclaimInstance(instanceId);
      await waitUntil(`the reclaimed instance ${instanceId} to be released`, () => !world.emu.admin.state().instances.some((i) => i.instanceId === instanceId));

      const refresh = await world.pulumi(["refresh", "--stack", stack, "--yes", "--skip-preview", "--non-interactive"]);
      assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
      assert.match(refresh.stdout, /1 deleted/, "the refresh reports the runner gone");
      const resources = JSON.parse((await world.pulumi(["stack", "export", "--stack", stack])).stdout).deployment.resources as { type: string }[];
      assert.deepEqual(resources.filter((r) => r.type.includes("SpotRunner")), [], "the runner is no longer in state");

      const destroy = await world.pulumi(["destroy", "--stack", stack, "--yes", "--skip-preview", "--non-interactive", "--remove"]);
      assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
      assert.equal(world.emu.admin.calls().filter((c) => c.action === "DeleteInstances").length, 0, "nothing stale to delete");
    } finally {
      await world.close();
    }
  });

  it("drops a runner whose instance was reclaimed, and destroy then has nothing to delete", () => refreshed());
});
