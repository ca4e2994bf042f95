import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { evaluate, Value } from "./support/expressions";
import { Json, workflow } from "./support/workflowFiles";

/**
 * "Re-run failed jobs" re-runs the failed build job (and the jobs that need it) with the outputs of the earlier
 * attempt's start job, whose runner that attempt's stop job already removed. The build job must then not wait
 * for a label no runner has (GitHub queues such a job for up to 24 hours) but fail at once, saying what to do.
 * The expressions are evaluated as GitHub evaluates them (support/expressions.ts), and the guard step's script runs.
 */
const LABEL = "openresty-arm64-202601010000-t0001";

function buildJob(): Json {
  return workflow("spot-runner-build.yml").doc.jobs.build as Json;
}

/** The context of the build job in attempt `attempt`, with start's outputs from attempt `startedBy`. */
function contextFor(attempt: string, startedBy: string) {
  return (path: readonly string[]): Value => {
    const key = path.join(".");
    if (key === "github.run_attempt") return attempt;
    if (key === "needs.start.outputs.run-attempt") return startedBy;
    if (key === "needs.start.outputs.label") return LABEL;
    throw new Error(`the build job reads ${key}, which this test does not model`);
  };
}

describe("workflows: a partial re-run fails at once instead of waiting 24 hours", () => {
  it("the start job publishes the attempt that started the runner", () => {
    const start = workflow("spot-runner-build.yml").doc.jobs.start as Json;
    assert.equal(start.outputs["run-attempt"], "${{ github.run_attempt }}");
  });

  const cases: Array<[string, string, string, string, boolean]> = [
    ["the first attempt", "1", "1", LABEL, false],
    ["Re-run all jobs (start ran again)", "2", "2", LABEL, false],
    ["Re-run failed jobs (start's outputs are attempt 1's)", "2", "1", "ubuntu-latest", true],
    ["a third attempt on the first attempt's runner", "3", "1", "ubuntu-latest", true],
  ];
  for (const [what, attempt, startedBy, runsOn, guarded] of cases) {
    it(`${what}: runs on ${runsOn === LABEL ? "the spot runner" : runsOn}${guarded ? " and fails in its first step" : ""}`, () => {
      const job = buildJob();
      assert.equal(evaluate(job["runs-on"], contextFor(attempt, startedBy)), runsOn);
      const guard = (job.steps as Json[])[0]!;
      assert.equal(Boolean(evaluate(guard.if, contextFor(attempt, startedBy))), guarded);
    });
  }

  it("the guard is the build job's first step and says to use Re-run all jobs, naming both attempts", () => {
    const guard = (buildJob().steps as Json[])[0]!;
    assert.match(guard.name, /Re-run all jobs/);
    const r = spawnSync("bash", ["-e", "-c", guard.run], {
      env: { PATH: process.env.PATH, GITHUB_RUN_ATTEMPT: "2", STARTED_BY: "1" },
      encoding: "utf8",
    });
    assert.equal(r.status, 1);
    assert.equal(
      r.stdout.trim(),
      '::error title=Use Re-run all jobs::This is attempt 2 of the build job, but its spot runner was started by attempt 1 and removed when that attempt ended: "Re-run failed jobs" re-runs this job alone. Use "Re-run all jobs", which starts a new runner.',
    );
    assert.deepEqual(Object.keys(guard.env), ["STARTED_BY"]);
    assert.equal(guard.env.STARTED_BY, "${{ needs.start.outputs.run-attempt }}");
  });
});
