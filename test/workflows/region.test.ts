import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadWorkflows, REPO_ROOT, stepsOf, workflow } from "./support/workflowFiles";

/**
 * The stop job's sweep and the reaper search the region the runners really are in: the runner stack's `region`
 * output, else the infra stack's. Never a variable that quietly defaults to cn-hangzhou (a runner in another region
 * would leak past both). job.sh runs for real here, with a fake pulumi that answers `stack output` per stack and a
 * fake npx that records the region the CLI would search (it reads SPOT_RUNNER_REGION).
 */
const JOB_SH = path.join(REPO_ROOT, "stacks/runner/job.sh");
const STACK = "gha-1234-1-arm64";
const INFRA = "organization/spot-runner-infra/prod";

const FAKE_PULUMI = `#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const state = process.env.FAKE_STATE;
const args = process.argv.slice(2);
fs.appendFileSync(path.join(state, "pulumi.log"), args.join(" ") + "\\n");
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
// Positional words, without flags and the values of the flags that take one.
const words = args.filter((a, i) => !a.startsWith("-") && !["--stack", "--file", "--config-file"].includes(args[i - 1]));
const stackFile = (stack) => path.join(state, "outputs-" + encodeURIComponent(stack) + ".json");
switch (words.slice(0, 2).join(" ")) {
  case "login": console.log("Logged in"); break;
  case "stack select": {
    if (!fs.existsSync(stackFile(flag("--stack") ?? words[2]))) { console.error("error: no stack named found"); process.exit(255); }
    break;
  }
  case "stack output": {
    const file = stackFile(flag("--stack"));
    if (!fs.existsSync(file)) { console.error("error: no stack named '" + flag("--stack") + "' found"); process.exit(255); }
    const outputs = JSON.parse(fs.readFileSync(file, "utf8"));
    const name = words[2];
    if (name === undefined) { console.log(JSON.stringify(outputs)); break; }
    if (!(name in outputs)) { console.error("error: current stack does not have output property '" + name + "'"); process.exit(255); }
    console.log(outputs[name]);
    break;
  }
  case "destroy": fs.rmSync(stackFile(flag("--stack"))); break;
  default: break; // config, cancel, refresh: nothing to model here
}
`;

const FAKE_NPX = `#!/usr/bin/env bash
printf '%s|%s\\n' "\${SPOT_RUNNER_REGION:-<unset>}" "$*" >>"$FAKE_STATE/npx.log"
`;

interface Box {
  readonly state: string;
  readonly env: NodeJS.ProcessEnv;
}

/** `stacks` maps a stack name to its outputs; a missing entry is a stack the backend does not have. */
function sandbox(stacks: Record<string, Record<string, unknown>>, extraEnv: NodeJS.ProcessEnv = {}): Box {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "job-region-"));
  const bin = path.join(dir, "bin");
  const state = path.join(dir, "state");
  fs.mkdirSync(bin);
  fs.mkdirSync(state);
  fs.writeFileSync(path.join(bin, "pulumi"), FAKE_PULUMI, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "npx"), FAKE_NPX, { mode: 0o755 });
  for (const [stack, outputs] of Object.entries(stacks)) {
    fs.writeFileSync(path.join(state, `outputs-${encodeURIComponent(stack)}.json`), JSON.stringify(outputs));
  }
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    HOME: dir,
    TMPDIR: dir,
    RUNNER_TEMP: dir,
    FAKE_STATE: state,
    GITHUB_REPOSITORY: "dianplus/openresty",
    GITHUB_RUN_ID: "1234",
    PULUMI_BACKEND_URL: "s3://ci-state?endpoint=s3.oss-cn-hangzhou.aliyuncs.com&region=cn-hangzhou",
    PULUMI_CONFIG_PASSPHRASE: "pass-phrase",
    SPOT_RUNNER_INFRA_STACK: INFRA,
    SPOT_RUNNER_IMAGE_ID_ARM64: "aliyun_3_arm64_20G_alibase_20241216.vhd",
    ...extraEnv,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return { state, env };
}

function job(box: Box, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", [JOB_SH, ...args], { env: box.env, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : []);
/** Each sweep as "<region the CLI searched>|<arguments>". */
const sweeps = (box: Box): string[] => lines(path.join(box.state, "npx.log"));
const pulumiCalls = (box: Box): string[] => lines(path.join(box.state, "pulumi.log"));
const down = (box: Box) => job(box, ["down", STACK, "--arch", "arm64", "--outputs-file", path.join(box.env.RUNNER_TEMP!, "out.json")]);
const REAP = `--no -- spot-runner reap --stack ${STACK} --yes`;

describe("regions: the stop job's sweep and the reaper search the runners' region", () => {
  describe("job.sh down", () => {
    it("sweeps the region of the runner stack's outputs, not the CLI's cn-hangzhou default", () => {
      const box = sandbox({ [STACK]: { region: "ap-southeast-1", instanceId: "i-1" }, [INFRA]: { region: "cn-shanghai" } });
      const r = down(box);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(sweeps(box), [`ap-southeast-1|${REAP}`]);
      assert.match(r.stderr, /sweeping instances and runners tagged with stack gha-1234-1-arm64 in ap-southeast-1/);
    });

    it("a stale SPOT_RUNNER_REGION does not override the stack's region", () => {
      const box = sandbox({ [STACK]: { region: "ap-southeast-1" } }, { SPOT_RUNNER_REGION: "cn-hangzhou" });
      assert.equal(down(box).code, 0);
      assert.deepEqual(sweeps(box), [`ap-southeast-1|${REAP}`]);
    });

    it("when up never created the stack (cancelled early), sweeps the infra stack's region", () => {
      const box = sandbox({ [INFRA]: { region: "cn-shanghai" } });
      const r = down(box);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(sweeps(box), [`cn-shanghai|${REAP}`]);
      assert.ok(pulumiCalls(box).includes(`stack output --stack ${INFRA} region --non-interactive`), pulumiCalls(box).join("\n"));
    });

    it("when neither stack says, sweeps the default and warns, naming both stacks and the reaper", () => {
      const box = sandbox({});
      const r = down(box);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(sweeps(box), [`cn-hangzhou|${REAP}`]);
      assert.match(r.stderr, new RegExp(`warning: could not read the region from stack ${STACK} or the infra stack ${INFRA}; sweeping cn-hangzhou\\. .*Reaper workflow`));
    });

    it("ignores a region output that is not a region id (no injection into the CLI's environment)", () => {
      const box = sandbox({ [STACK]: { region: "cn-shanghai; rm -rf /" }, [INFRA]: { region: "eu-central-1" } });
      assert.equal(down(box).code, 0);
      assert.deepEqual(sweeps(box), [`eu-central-1|${REAP}`]);
    });
  });

  describe("job.sh region", () => {
    it("prints only the infra stack's region on stdout (pulumi's login chatter goes to stderr)", () => {
      const box = sandbox({ [INFRA]: { region: "cn-shanghai" } });
      const r = job(box, ["region"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "cn-shanghai\n");
    });

    it("fails naming the infra stack and the command to check it when the stack has no region", () => {
      const box = sandbox({});
      const r = job(box, ["region"]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, new RegExp(`could not read the region output of the infra stack ${INFRA}: check SPOT_RUNNER_INFRA_STACK .*pulumi stack output --stack ${INFRA} region`));
    });

    it("on Pulumi Cloud (no default infra stack), fails with a usage error naming the variable when none is set", () => {
      const box = sandbox({}, { SPOT_RUNNER_INFRA_STACK: undefined, PULUMI_BACKEND_URL: undefined });
      const r = job(box, ["region"]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /SPOT_RUNNER_INFRA_STACK is not set: set the repository variable/);
    });

    it("on a self-managed backend without the variable, reads the default infra stack", () => {
      const box = sandbox({ [INFRA]: { region: "cn-beijing" } }, { SPOT_RUNNER_INFRA_STACK: undefined });
      const r = job(box, ["region"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "cn-beijing\n");
    });
  });

  describe("the workflows", () => {
    it("no workflow reads a region variable (the old SPOT_RUNNER_REGION defaulted to cn-hangzhou)", () => {
      for (const w of loadWorkflows()) assert.doesNotMatch(w.text, /SPOT_RUNNER_REGION|vars\.[A-Z_]*REGION/, w.file);
    });

    it("the reaper searches the region job.sh reads from the infra stack", () => {
      const steps = stepsOf(workflow("spot-runner-reaper.yml")).map((s) => s.step);
      const find = steps.findIndex((s) => s.id === "region");
      const reap = steps.findIndex((s) => /spot-runner\.js/.test(String(s.run ?? "")));
      assert.ok(find >= 0 && reap > find, "a step with id region runs before the reap");
      assert.match(String(steps[find].run), /region=\$\(bash stacks\/runner\/job\.sh region\)\n\s*echo "region=\$region" >>"\$GITHUB_OUTPUT"/);
      assert.equal(steps[reap].env.REGION, "${{ steps.region.outputs.region }}");
      assert.match(String(steps[reap].run), /args=\(reap --region "\$REGION"\)/);
    });

    it("the manager's list searches the infra stack's region", () => {
      const list = stepsOf(workflow("spot-runner-manager.yml")).find((s) => /spot-runner list/.test(String(s.step.run ?? "")));
      assert.ok(list);
      assert.match(String(list.step.run), /if region=\$\(bash stacks\/runner\/job\.sh region\); then\n\s*npx --no -- spot-runner list --region "\$region"/);
    });

    it("the region step runs job.sh region as a command substitution whose failure fails the step (bash -e)", () => {
      // bash -e exits on a failed assignment from $(...): the reap never runs against the wrong region.
      const box = sandbox({});
      const step = stepsOf(workflow("spot-runner-reaper.yml")).find((s) => s.step.id === "region")!;
      const out = path.join(box.env.RUNNER_TEMP!, "github_output");
      const r = spawnSync("bash", ["-e", "-c", String(step.step.run)], { cwd: REPO_ROOT, env: { ...box.env, GITHUB_OUTPUT: out }, encoding: "utf8", timeout: 30_000 });
      assert.equal(r.status, 1, r.stderr);
      assert.ok(!fs.existsSync(out) || !/region=/.test(fs.readFileSync(out, "utf8")));

      const ok = sandbox({ [INFRA]: { region: "cn-shanghai" } });
      const r2 = spawnSync("bash", ["-e", "-c", String(step.step.run)], { cwd: REPO_ROOT, env: { ...ok.env, GITHUB_OUTPUT: out }, encoding: "utf8", timeout: 30_000 });
      assert.equal(r2.status, 0, r2.stderr);
      assert.equal(fs.readFileSync(out, "utf8"), "region=cn-shanghai\n");
    });
  });
});
