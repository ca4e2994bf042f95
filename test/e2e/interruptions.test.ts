import * as assert from "node:assert/strict";
import type { FaultSpec } from "../../emulator";
import { describeWithGoTool } from "../support/goToolsGate";
import { markedProcesses, processStat } from "./support/processes";
import { waitUntil } from "./support/waitUntil";
import { scenario } from "./support/scenarios";
import { startWorld, World } from "./support/world";

/**
 * A cancelled start job, as GitHub delivers it: SIGINT to the step's shell, SIGTERM 7.5 s later, and at the end
 * of the job the process tree killed. The shell signalled is job.sh's own, which is what GitHub signals both when
 * the step runs `stacks/runner/job.sh ...` from its shell and when it `exec`s it.
 *
 * `up` is held at a chosen point by an emulator fault that delays one kind of call for two minutes; the test sees
 * that point reached in the emulator (the fault has fired), interrupts, then runs the stop job (job.sh down), which
 * must recover the lock and the pending create and leave nothing behind.
 */
const HOLD_MS = 120_000;

interface HoldPoint {
  readonly what: string;
  readonly fault: FaultSpec;
  /** What the cloud holds once `up` is there (checked before interrupting); runners may list what can be either. */
  readonly expect: { readonly instances: number; readonly runners: number | readonly number[] };
}

const POINTS = {
  advisor: {
    what: "during the advisor (spot price history)",
    fault: { action: "DescribeSpotPriceHistory", latencyMs: HOLD_MS, times: -1 },
    // The runner's registration runs beside the advisor: it may be done by now, or not yet.
    expect: { instances: 0, runners: [0, 1] },
  },
  afterRunInstances: {
    what: "right after RunInstances (the first wait for Running)",
    fault: { action: "DescribeInstances", latencyMs: HOLD_MS, times: -1 },
    expect: { instances: 1, runners: 1 },
  },
  waitingForRunner: {
    what: "while waiting for the runner to come online",
    fault: { action: "github:GET /repos/*/*/actions/runners/*", latencyMs: HOLD_MS, times: -1 },
    expect: { instances: 1, runners: 1 },
  },
} satisfies Record<string, HoldPoint>;

type Delivery = "SIGINT then SIGTERM to the shell" | "SIGKILL of pulumi";

const CASES: ReadonlyArray<[HoldPoint, Delivery]> = [
  [POINTS.advisor, "SIGINT then SIGTERM to the shell"],
  [POINTS.afterRunInstances, "SIGKILL of pulumi"],
  [POINTS.waitingForRunner, "SIGINT then SIGTERM to the shell"],
];

describeWithGoTool("pulumi", "job.sh with the real Pulumi CLI: a start job cancelled midway, then the stop job", function () {
  this.timeout(180_000);

  for (const [point, delivery] of CASES) {
    const outcome = scenario(async () => {
      const world = await startWorld();
      try {
        await interruptAndRecover(world, point, delivery);
      } finally {
        await world.close();
      }
    });
    it(`${delivery}, ${point.what}: down removes the lock and the pending create, and nothing is left`, () => outcome());
  }
});

async function interruptAndRecover(world: World, point: HoldPoint, delivery: Delivery): Promise<void> {
  const stack = world.stackName("arm64");
  const fault = world.emu.admin.addFault(point.fault);
  const up = world.job(["up", stack, "--arch", "arm64"]);
  let upEnded = false;
  void up.finished.finally(() => (upEnded = true));
  await waitUntil(`up to reach the point ${point.what}`, () => {
    if (upEnded) throw new Error(`job.sh up ended before reaching the point ${point.what}:\n${up.stdout()}\n${up.stderr()}`);
    return (world.emu.admin.state().faults.find((f) => f.id === fault.id)?.fired ?? 0) > 0;
  }, { timeoutMs: 90_000 });
  const cloud = world.emu.admin.state();
  const runnersNow = typeof point.expect.runners === "number" ? cloud.runners.length : point.expect.runners.includes(cloud.runners.length) ? point.expect.runners : cloud.runners.length;
  assert.deepEqual({ instances: cloud.instances.length, runners: runnersNow }, point.expect, `what exists ${point.what}`);

  if (delivery === "SIGINT then SIGTERM to the shell") {
    process.kill(up.pid, "SIGINT");
    // job.sh passes it on; pulumi starts a graceful cancel, waiting for the held create.
    await up.waitForOutput(/\^C received; cancelling/);
    process.kill(up.pid, "SIGTERM");
    const r = await up.finished;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /SIGTERM received; terminating/, "the second signal reached pulumi too");
    assert.match(r.stderr, new RegExp(`pulumi up was interrupted \\(SIGTERM\\) for stack ${stack}; the stop job \\(job\\.sh down ${stack}\\)`));
  } else {
    const pulumi = markedProcesses(world.marker).find((pid) => {
      const stat = processStat(pid);
      return stat?.comm === "pulumi" && stat.ppid === up.pid;
    });
    assert.ok(pulumi, "pulumi up is running under job.sh");
    process.kill(pulumi, "SIGKILL");
    const r = await up.finished;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(world.backendHolds(stack).locks > 0, "a killed pulumi leaves its lock");
  }
  // The end of a cancelled job: GitHub kills what is left of the step's process tree (Pulumi's plugins run in
  // process groups of their own and outlive a killed pulumi).
  await world.killProcesses();

  const pending = JSON.parse((await world.pulumi(["stack", "export", "--stack", stack])).stdout).deployment.pending_operations ?? [];
  assert.deepEqual(pending.map((op: { type: string; resource: { type: string } }) => `${op.type} ${op.resource.type}`), ["creating pulumi-nodejs:dynamic/aliyun:SpotRunner"]);

  // The stop job runs later, with the cloud answering normally again.
  world.emu.admin.clearFaults();
  const down = await world.job(["down", stack, "--arch", "arm64"]).finished;
  assert.equal(down.code, 0, down.stdout + down.stderr);
  assert.match(down.stdout, new RegExp(`Refreshing \\(${stack}\\)`), "the pending create is cleared by a refresh");
  const after = world.emu.admin.state();
  assert.deepEqual({ instances: after.instances.length, runners: after.runners.length }, { instances: 0, runners: 0 }, "nothing left in the cloud");
  assert.deepEqual(world.backendHolds(stack), { state: false, locks: 0 }, "nothing left in the backend");
}
