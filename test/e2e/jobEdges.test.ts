import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeWithGoTool } from "../support/goToolsGate";
import { scenario } from "./support/scenarios";
import { startWorld } from "./support/world";

/**
 * job.sh's other paths with the real Pulumi CLI: an `up` that fails, a stop job for a stack that was never
 * created, and the backend check. Each depends on what the real CLI prints and returns (job.sh reads
 * `pulumi stack select`'s error text to tell "no such stack" from "backend unreachable").
 */
describeWithGoTool("pulumi", "job.sh with the real Pulumi CLI: failures and edges", function () {
  this.timeout(240_000);

  const noStock = scenario(async () => {
    const world = await startWorld();
    try {
      const stack = world.stackName("arm64");
      world.emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, times: -1 });
      const up = await world.job(["up", stack, "--arch", "arm64"], { GITHUB_ACTIONS: "true" }).finished;
      const cloud = world.emu.admin.state();
      const stacks = await world.job(["stacks"]).finished;
      return { stack, up, cloud, stepOutputs: fs.readFileSync(world.githubOutputFile, "utf8"), stacks };
    } finally {
      await world.close();
    }
  });

  it("up that finds no stock: exits 1 with Pulumi's error and the cleanup path, annotated, with no label written and nothing left running", async () => {
    const { stack, up, cloud, stepOutputs } = await noStock();
    assert.equal(up.code, 1, up.stdout + up.stderr);
    assert.match(up.stdout + up.stderr, /OperationDenied\.NoStock/, "the provider's reason reaches the log");
    assert.match(up.stderr, new RegExp(`pulumi up failed for stack ${stack} .*job\\.sh down ${stack}`));
    assert.match(up.stdout, new RegExp(`^::error title=spot runner::pulumi up failed for stack ${stack}`, "m"));
    assert.equal(stepOutputs, "", "no label for the build job to wait on");
    assert.deepEqual({ instances: cloud.instances.length, runners: cloud.runners.length }, { instances: 0, runners: 0 }, "a failed create cleans up after itself");
  });

  it("stacks: lists the runner stacks in the backend", async () => {
    const { stack, stacks } = await noStock();
    assert.equal(stacks.code, 0, stacks.stderr);
    assert.match(stacks.stdout, new RegExp(`^${stack}\\b`, "m"));
  });

  const neverCreated = scenario(async () => {
    const world = await startWorld();
    try {
      const stack = world.stackName("amd64");
      const outputsFile = path.join(world.dir, "outputs.json");
      const down = await world.job(["down", stack, "--arch", "amd64", "--outputs-file", outputsFile]).finished;
      return { stack, down, outputs: fs.readFileSync(outputsFile, "utf8"), holds: world.backendHolds(stack) };
    } finally {
      await world.close();
    }
  });

  it("down of a stack that was never created (start failed early): succeeds, still sweeps by tag, and creates nothing", async () => {
    const { stack, down, outputs, holds } = await neverCreated();
    assert.equal(down.code, 0, down.stdout + down.stderr);
    assert.match(down.stderr, new RegExp(`stack ${stack} does not exist`));
    assert.match(down.stderr, new RegExp(`sweeping instances and runners tagged with stack ${stack}`));
    assert.equal(outputs, "{}\n");
    assert.deepEqual(holds, { state: false, locks: 0 });
  });

  const backendCheck = scenario(async () => {
    const world = await startWorld();
    try {
      const stack = `smoke-${world.runId}-1`;
      const r = await world.job(["check-backend", stack]).finished;
      return { stack, r, holds: world.backendHolds(stack) };
    } finally {
      await world.close();
    }
  });

  it("check-backend: creates and removes a throwaway stack", async () => {
    const { stack, r, holds } = await backendCheck();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`backend OK: created and removed stack ${stack}`));
    assert.deepEqual(holds, { state: false, locks: 0 });
  });
});
