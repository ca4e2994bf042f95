import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { RUNNER_STACK_OUTPUTS } from "../../provider/contract/outputs";
import { createGitHubClient } from "../../provider/github/client";
import { Harness, startHarness } from "../provider/support/harness";
import { evaluate } from "./support/expressions";

/**
 * Can the build job really be scheduled on the runner the start job made? A runner is created through the
 * provider against the emulator (which, like GitHub, gives a just-in-time runner exactly the labels of its
 * registration request); then every workflow job whose `runs-on` reads another job's outputs is resolved the
 * way GitHub resolves it (job output -> step output -> what job.sh writes from the stack outputs) and matched
 * with GitHub's rule: every requested label must be one of the runner's labels, case-insensitively.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");
const WORKFLOW_DIR = path.join(REPO_ROOT, ".github/workflows");

type Json = Record<string, any>;
const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;
const STEP_OUTPUT = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$/;

/** Step output -> stack output names, as job.sh writes them (the contract's RUNNER_STACK_OUTPUTS). */
function jobScriptOutputNames(): Map<string, string> {
  return new Map(RUNNER_STACK_OUTPUTS.map(({ key, step }) => [step as string, key as string]));
}

interface ScheduledJob {
  readonly where: string;
  readonly runsOn: unknown;
  readonly jobs: Json;
}

function jobsReadingOutputsInRunsOn(): ScheduledJob[] {
  const found: ScheduledJob[] = [];
  for (const file of fs.readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const doc = YAML.parse(fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8")) as Json;
    for (const [name, job] of Object.entries((doc.jobs ?? {}) as Json)) {
      const runsOn = (job as Json)["runs-on"];
      if (runsOn !== undefined && /needs\./.test(JSON.stringify(runsOn))) {
        found.push({ where: `${file} job ${name}`, runsOn, jobs: doc.jobs as Json });
      }
    }
  }
  return found;
}

/**
 * What GitHub puts in place of `${{ needs.<job>.outputs.<name> }}`, given the runner stack's outputs and the run
 * attempt the needed job ran in (an output may be `${{ github.run_attempt }}`).
 */
function resolveNeedsOutput(jobs: Json, needed: string, output: string, stackOutputs: Record<string, unknown>, where: string, startedBy = "1"): string {
  const expression = jobs[needed]?.outputs?.[output];
  assert.equal(typeof expression, "string", `${where}: job ${needed} has no output ${output}`);
  if (/^\$\{\{\s*github\.run_attempt\s*\}\}$/.test(expression)) return startedBy;
  const step = STEP_OUTPUT.exec(expression);
  assert.ok(step, `${where}: job ${needed} output ${output} is not a step output (${expression})`);
  const producer = (jobs[needed].steps as Json[]).find((s) => s.id === step[1]);
  assert.ok(producer && /job\.sh"? up\b|job\.sh up /.test(String(producer.run)), `${where}: step ${step[1]} does not run job.sh up`);
  const stackKey = jobScriptOutputNames().get(step[2]);
  assert.ok(stackKey, `${where}: job.sh writes no step output ${step[2]}`);
  const value = stackOutputs[stackKey];
  assert.equal(typeof value, "string", `${where}: the runner has no ${stackKey} output`);
  return value as string;
}

/**
 * The labels a `runs-on` asks for once GitHub has evaluated its expressions (support/expressions.ts): job outputs
 * through `resolve`, and the run attempt of this job (1 unless a re-run is being modelled).
 */
function requestedLabels(runsOn: unknown, resolve: (needed: string, output: string) => string, runAttempt = "1"): string[] {
  const entries = Array.isArray(runsOn) ? runsOn : [runsOn];
  return entries.map((entry) =>
    String(entry).replace(EXPRESSION, (_m, expression: string) =>
      String(
        evaluate(expression, (path) => {
          if (path.length === 4 && path[0] === "needs" && path[2] === "outputs") return resolve(path[1]!, path[3]!);
          if (path.join(".") === "github.run_attempt") return runAttempt;
          throw new Error(`runs-on reads ${path.join(".")}, which this test does not model`);
        }),
      ),
    ),
  );
}

describe("workflows: jobs that run on a spot runner can be scheduled on it", function () {
  let h: Harness;
  after(async () => h?.close());

  it("every runs-on that reads a job output names only labels the created runner has", async () => {
    const scheduled = jobsReadingOutputsInRunsOn();
    assert.ok(scheduled.length >= 1, "the build workflow runs a job on the spot runner");

    h = await startHarness();
    const { outs } = await h.provider.create(h.props({ labels: ["openresty-build"] }));
    // The runner as GitHub lists it once it is online.
    const octokit = createGitHubClient({ env: h.emu.env, retries: 0, throttle: false });
    const [owner, repo] = String(outs.githubRepository).split("/");
    const { data: runner } = await octokit.rest.actions.getSelfHostedRunnerForRepo({ owner, repo, runner_id: Number(outs.runnerId) });
    assert.equal(runner.status, "online");
    const runnerLabels = new Set(runner.labels.map((l) => l.name.toLowerCase()));
    assert.deepEqual([...runnerLabels].sort(), [String(outs.label).toLowerCase(), "openresty-build"].sort(),
      "a JIT runner has exactly its registered labels");

    for (const job of scheduled) {
      const wanted = requestedLabels(job.runsOn, (needed, output) => resolveNeedsOutput(job.jobs, needed, output, outs, job.where));
      const unmatched = wanted.filter((label) => !runnerLabels.has(label.toLowerCase()));
      assert.deepEqual(unmatched, [], `${job.where}: runs-on ${JSON.stringify(job.runsOn)} asks for labels runner ` +
        `${String(outs.runnerName)} does not have (${[...runnerLabels].join(", ")}); GitHub would queue it for 24 hours`);
    }
  });

  it("the matching rule rejects the old form [self-hosted, <label>] (the test can fail)", () => {
    const runnerLabels = new Set(["openresty-arm64-202612041600-abcd1234"]);
    const wanted = requestedLabels(["self-hosted", "${{ needs.start.outputs.label }}"], () => "openresty-arm64-202612041600-abcd1234");
    assert.deepEqual(wanted.filter((l) => !runnerLabels.has(l.toLowerCase())), ["self-hosted"]);
  });
});
