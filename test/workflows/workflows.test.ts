import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import * as YAML from "yaml";
import { describeWithGoTool, goToolBinDir } from "../support/goToolsGate";

/**
 * The workflows users copy: linted with actionlint (built from the Go module proxy, `npm run tools:build`) and
 * the shellcheck it runs on every `run:` script, and their structure checked for what keeps runners from leaking
 * and secrets from escaping, which no linter knows about.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");
const WORKFLOW_DIR = path.join(REPO_ROOT, ".github/workflows");
const REUSABLE = "spot-runner-build.yml";

/** Parsed workflow YAML: loosely typed on purpose, the assertions check the shape. */
type Json = Record<string, any>;
interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly doc: Json;
}

const workflows: Workflow[] = fs
  .readdirSync(WORKFLOW_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((file) => {
    const text = fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8");
    return { file, text, doc: YAML.parse(text) as Json };
  });
const byFile = (file: string): Workflow => {
  const w = workflows.find((x) => x.file === file);
  assert.ok(w, `.github/workflows/${file} is missing`);
  return w;
};
const byName = (name: string): Workflow => {
  const w = workflows.find((x) => x.doc.name === name);
  assert.ok(w, `no workflow named "${name}"`);
  return w;
};
const jobsOf = (w: Workflow): Array<[string, Json]> => Object.entries(w.doc.jobs as Json);
const stepsOf = (w: Workflow): Array<{ job: string; step: Json }> =>
  jobsOf(w).flatMap(([job, j]) => ((j.steps ?? []) as Json[]).map((step) => ({ job, step })));
/** `on:` with the YAML 1.1 "on: true" trap avoided (the yaml package parses YAML 1.2, where on is a string). */
const triggersOf = (w: Workflow): Json => w.doc.on as Json;
const EXACT_VERSION = /^\d+\.\d+\.\d+$/;

describe("GitHub Actions workflows", function () {
  it("are the guide's set, by the names the guide uses", () => {
    for (const name of [
      "Auto AMD64 Build with Spot Instance",
      "Auto ARM64 Build with Spot Instance",
      "Manifest Merge (Multi-Arch)",
      "Aliyun Spot Runner Manager",
      "Aliyun Spot Runner Reaper",
    ]) byName(name);
    // The guide runs it by file name: gh workflow run manifest-merge.yml
    assert.equal(byFile("manifest-merge.yml").doc.name, "Manifest Merge (Multi-Arch)");
  });

  it("are valid YAML", () => {
    for (const w of workflows) {
      const doc = YAML.parseDocument(w.text);
      assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => e.message), [], w.file);
    }
  });

  describeWithGoTool("actionlint", "actionlint v1.7.12 with shellcheck", () => {
    it("finds nothing in any workflow", () => {
      const findings = actionlint(workflows.map((w) => path.join(WORKFLOW_DIR, w.file)));
      assert.deepEqual(findings.map((f) => `${path.basename(f.filepath)}:${f.line}:${f.column} [${f.kind}] ${f.message}`), []);
    });

    it("still catches what it should, shellcheck findings included (the linter is live, not a no-op)", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-"));
      try {
        const broken = path.join(dir, "broken.yml");
        fs.writeFileSync(broken,
          "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n" +
          "      - run: echo ${{ github.event.head_commit.message }}\n" +
          "      - run: echo $HOME\n" +
          "      - run: echo \"${{ vars.KNOWN_SINCE_1_6_23 }}\"\n");
        const findings = actionlint([broken]);
        assert.ok(findings.some((f) => /potentially untrusted/.test(f.message)), JSON.stringify(findings));
        assert.ok(findings.some((f) => f.kind === "shellcheck" && /SC2086/.test(f.message)), "shellcheck runs on run: scripts");
        assert.ok(!findings.some((f) => /"vars"/.test(f.message)), "the vars context is known");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("pin every action to a full commit SHA with its version in a comment", () => {
    for (const w of workflows) {
      for (const line of w.text.split("\n")) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!m || m[1].startsWith("./")) continue;
        assert.match(m[1], /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${w.file}: ${m[1]} is not pinned to a commit SHA`);
        assert.match(m[2], /^\s+# v\d+\.\d+\.\d+$/, `${w.file}: ${m[1]} needs its release in a comment, e.g. # v4.3.1`);
      }
    }
  });

  it("pin one version per action across all workflows", () => {
    const versions = new Map<string, Set<string>>();
    for (const w of workflows) {
      for (const m of w.text.matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@(\S+)/g)) {
        versions.set(m[1], (versions.get(m[1]) ?? new Set()).add(m[2]));
      }
    }
    for (const [action, refs] of versions) assert.equal(refs.size, 1, `${action} is pinned to ${[...refs].join(" and ")}`);
  });

  it("grant no permissions at the top and the least each job needs", () => {
    const callsReusable = (job: Json) => job.uses === `./.github/workflows/${REUSABLE}`;
    const pushes = (job: Json) =>
      ((job.steps ?? []) as Json[]).some((s) => /docker\/build-push-action@/.test(s.uses ?? "") || /imagetools create/.test(s.run ?? "")) ||
      callsReusable(job);
    // An OIDC token only where it is exchanged for Aliyun credentials (or for the reusable workflow's jobs that do).
    const exchangesToken = (job: Json) =>
      ((job.steps ?? []) as Json[]).some((s) => /\/\.github\/actions\/aliyun-credentials$/.test(s.uses ?? "")) || callsReusable(job) ||
      job.uses === "./.github/workflows/runner-image-check.yml";
    for (const w of workflows) {
      assert.deepEqual(w.doc.permissions, {}, `${w.file}: top-level permissions must be {}`);
      for (const [name, job] of jobsOf(w)) {
        assert.ok(job.permissions && typeof job.permissions === "object", `${w.file} ${name}: no permissions block`);
        for (const [scope, level] of Object.entries(job.permissions as Json)) {
          const allowed =
            scope === "contents" ? level === "read"
            : scope === "packages" ? level === "write" && pushes(job)
            : scope === "id-token" ? level === "write" && exchangesToken(job)
            : false;
          assert.ok(allowed, `${w.file} ${name}: permission ${scope}: ${String(level)} is not needed`);
        }
      }
    }
  });

  it("give every job a timeout (reusable-workflow calls take the called jobs' timeouts)", () => {
    for (const w of workflows) {
      for (const [name, job] of jobsOf(w)) {
        if (job.uses) continue;
        assert.ok(job["timeout-minutes"] !== undefined, `${w.file} ${name}: no timeout-minutes`);
      }
    }
  });

  it("install a pinned Pulumi CLI and let job.sh drive it", () => {
    let found = 0;
    for (const w of workflows) {
      for (const { job, step } of stepsOf(w)) {
        if (!/^pulumi\/actions@/.test(step.uses ?? "")) continue;
        found++;
        assert.equal(step.with?.command, undefined, `${w.file} ${job}: pulumi/actions only installs the CLI here`);
        const version = String(step.with?.["pulumi-version"] ?? "");
        const resolved =
          version === "${{ inputs.pulumi-version }}"
            ? String(w.doc.on.workflow_call.inputs["pulumi-version"].default)
            : version === "${{ env.PULUMI_CLI_VERSION }}"
              ? String(w.doc.env?.PULUMI_CLI_VERSION)
              : version;
        assert.match(resolved, EXACT_VERSION, `${w.file} ${job}: pulumi-version "${version}" is not an exact version`);
      }
    }
    assert.ok(found >= 3, "start, stop and the manager install the CLI");
  });

  describe("shell", () => {
    const runSteps = () => workflows.flatMap((w) => stepsOf(w).filter(({ step }) => step.run).map((s) => ({ w, ...s })));

    it("passes shellcheck", () => {
      const probe = spawnSync("shellcheck", ["--version"]);
      if (probe.error) assert.fail("shellcheck is not installed: apt-get install -y shellcheck (.ci/run installs it)");
      for (const { w, job, step } of runSteps()) {
        // Runs as `bash -e {0}` on ubuntu-latest.
        const script = `#!/usr/bin/env bash\nset -e\n${String(step.run)}`;
        const r = spawnSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
        assert.equal(r.status, 0, `${w.file} ${job} "${step.name ?? step.run}":\n${r.stdout}`);
      }
    });

    it("never interpolates expressions into scripts: inputs, payloads and secrets reach them only as env", () => {
      for (const { w, job, step } of runSteps()) {
        assert.doesNotMatch(String(step.run), /\$\{\{/, `${w.file} ${job}: \${{ }} inside run: (script injection); pass it through env`);
      }
    });

    it("never prints a secret: secret env vars are only inherited by child processes, never expanded, no xtrace", () => {
      for (const w of workflows) {
        for (const { job, step } of stepsOf(w)) {
          const env = { ...(w.doc.env ?? {}), ...(w.doc.jobs[job].env ?? {}), ...(step.env ?? {}) } as Json;
          const secretVars = Object.entries(env).filter(([, v]) => /secrets\./.test(String(v))).map(([k]) => k);
          const run = String(step.run ?? "");
          for (const v of secretVars) {
            assert.doesNotMatch(run, new RegExp(`\\$\\{?${v}\\b`), `${w.file} ${job}: the script expands secret variable ${v}`);
          }
          assert.doesNotMatch(run, /set -[a-z]*x|set -o xtrace/, `${w.file} ${job}: xtrace would print expanded commands`);
        }
      }
      const jobSh = fs.readFileSync(path.join(REPO_ROOT, "stacks/runner/job.sh"), "utf8");
      assert.doesNotMatch(jobSh, /set -[a-z]*x|set -o xtrace/);
    });

    it("pass the GitHub-issued token only to the registry login", () => {
      for (const w of workflows) {
        for (const { job, step } of stepsOf(w)) {
          if (!JSON.stringify(step).includes("secrets.GITHUB_TOKEN")) continue;
          assert.match(step.uses ?? "", /^docker\/login-action@/, `${w.file} ${job}: GITHUB_TOKEN given to ${step.uses ?? "a script"}`);
        }
      }
    });

    it("run job.sh through bash, so it does not depend on the file's executable bit", () => {
      const calls = runSteps().filter(({ step }) => /job\.sh/.test(step.run));
      assert.ok(calls.length >= 6);
      for (const { w, job, step } of calls) assert.match(step.run, /\bbash stacks\/runner\/job\.sh /, `${w.file} ${job}`);
    });
  });

  describe("the reusable build (start, build, stop)", () => {
    const w = () => byFile(REUSABLE);
    const job = (name: string) => w().doc.jobs[name] as Json;
    const stepRunning = (jobName: string, pattern: RegExp) => {
      const s = (job(jobName).steps as Json[]).find((x) => pattern.test(x.run ?? ""));
      assert.ok(s, `${jobName}: no step runs ${pattern}`);
      return s;
    };

    it("is called through workflow_call with the arch as an input", () => {
      assert.equal(w().doc.on.workflow_call.inputs.arch.required, true);
    });

    it("brings the runner up on a GitHub-hosted runner and publishes its label", () => {
      assert.equal(job("start")["runs-on"], "ubuntu-latest");
      const up = stepRunning("start", /job\.sh up /);
      assert.equal(up.id, "up");
      assert.equal(job("start").outputs.label, "${{ steps.up.outputs.label }}");
    });

    it("builds on the runner with that label, natively, with the vCPU count as build arg and a registry cache", () => {
      const build = job("build");
      assert.equal(build.needs, "start");
      // The label alone: a JIT runner has exactly its registered labels (runnerLabels.test.ts proves it schedules);
      // a partial re-run goes to a GitHub-hosted runner instead (reruns.test.ts).
      assert.equal(build["runs-on"], "${{ needs.start.outputs.run-attempt == github.run_attempt && needs.start.outputs.label || 'ubuntu-latest' }}");
      const push = (build.steps as Json[]).find((s) => /^docker\/build-push-action@/.test(s.uses ?? ""))!;
      assert.equal(push.with.platforms, "linux/${{ inputs.arch }}");
      assert.equal(push.with.push, true);
      assert.match(push.with.tags, /:\$\{\{ steps\.names\.outputs\.tag \}\}-\$\{\{ inputs\.arch \}\}$/);
      assert.match(push.with["cache-from"], /^type=registry,ref=.*:buildcache-\$\{\{ inputs\.arch \}\}$/);
      assert.match(push.with["cache-to"], /:buildcache-\$\{\{ inputs\.arch \}\},mode=max$/);
      assert.equal(push.with["build-args"], "${{ steps.names.outputs.build-args }}");
      assert.match(stepRunning("build", /nproc/).run, /build_args="\$PARALLELISM_ARG=\$\(nproc\)"/);
      assert.equal(w().doc.on.workflow_call.inputs["parallelism-build-arg"].default, "RESTY_J");
    });

    it("always stops: after start and build, whatever happened to them", () => {
      const stop = job("stop");
      assert.match(String(stop.if), /^\$\{\{ always\(\) \}\}$/);
      assert.deepEqual([...stop.needs].sort(), ["build", "start"]);
      assert.equal(stop["runs-on"], "ubuntu-latest");
      stepRunning("stop", /job\.sh down /);
      const summary = stepRunning("stop", /spot-runner summary/);
      assert.match(String(summary.if), /always\(\)/, "the summary is written even when destroy failed");
      // A start that failed before creating the stack leaves {} behind: `summary` refuses {} unless told it may be empty.
      assert.match(String(summary.run), /--allow-empty/);
    });

    it("computes the stack name once, from the run, never from start's outputs", () => {
      const name = String(w().doc.env.SPOT_RUNNER_STACK);
      assert.match(name, /^gha-\$\{\{ github\.run_id \}\}-\$\{\{ github\.run_attempt \}\}-\$\{\{ inputs\.arch \}\}/);
      assert.doesNotMatch(name, /needs\./);
      for (const [jobName, j] of jobsOf(w())) {
        assert.equal(j.env?.SPOT_RUNNER_STACK, undefined, `${jobName} overrides the stack name`);
        for (const s of (j.steps ?? []) as Json[]) assert.equal(s.env?.SPOT_RUNNER_STACK, undefined, `${jobName} overrides the stack name`);
      }
      assert.match(stepRunning("start", /job\.sh up /).run, /job\.sh up "\$SPOT_RUNNER_STACK"/);
      assert.match(stepRunning("stop", /job\.sh down /).run, /job\.sh down "\$SPOT_RUNNER_STACK"/);
    });

    it("gives up and down the same settings, so down can rebuild the stack's configuration", () => {
      const up = stepRunning("start", /job\.sh up /);
      const down = stepRunning("stop", /job\.sh down /);
      assert.deepEqual(down.env, up.env);
      assert.match(up.run, /--arch "\$ARCH"/);
      assert.match(down.run, /--arch "\$ARCH"/);
    });

    it("declares every secret it uses", () => {
      const declared = new Set(Object.keys(w().doc.on.workflow_call.secrets));
      for (const m of w().text.matchAll(/secrets\.([A-Z0-9_]+)/g)) {
        assert.ok(m[1] === "GITHUB_TOKEN" || declared.has(m[1]), `secrets.${m[1]} is not declared under workflow_call.secrets`);
      }
    });
  });

  describe("the AMD64 and ARM64 callers", () => {
    for (const arch of ["amd64", "arm64"]) {
      it(`${arch}: pushes to develop/master, v* tags and manual runs with a custom tag; passes what the reusable workflow declares`, () => {
        const w = byName(`Auto ${arch.toUpperCase()} Build with Spot Instance`);
        const on = triggersOf(w);
        assert.deepEqual(on.push.branches, ["develop", "master"]);
        assert.deepEqual(on.push.tags, ["v*"]);
        assert.equal(on.workflow_dispatch.inputs.tag.required, false);
        const [, job] = jobsOf(w)[0];
        assert.equal(job.uses, `./.github/workflows/${REUSABLE}`);
        assert.equal(job.with.arch, arch);
        assert.equal(job.with.tag, "${{ inputs.tag }}");

        const reusable = byFile(REUSABLE).doc.on.workflow_call;
        for (const key of Object.keys(job.with)) assert.ok(key in reusable.inputs, `${w.file}: unknown input ${key}`);
        for (const key of Object.keys(job.secrets)) assert.ok(key in reusable.secrets, `${w.file}: unknown secret ${key}`);
        for (const [key, spec] of Object.entries(reusable.secrets as Json)) {
          if (spec.required) assert.ok(key in job.secrets, `${w.file}: required secret ${key} not passed`);
        }
        assert.deepEqual(Object.keys(job.secrets).sort(), Object.keys(reusable.secrets).sort(), "passes each secret by name (no secrets: inherit)");
        assert.equal(w.doc.concurrency.group, `spot-build-${arch}-\${{ github.ref }}`);
      });
    }
  });

  it("manifest merge: tag, image_name and push_latest by hand or by repository_dispatch merge-manifest", () => {
    const w = byName("Manifest Merge (Multi-Arch)");
    const on = triggersOf(w);
    assert.deepEqual(Object.keys(on.workflow_dispatch.inputs).sort(), ["image_name", "push_latest", "tag"]);
    assert.equal(on.workflow_dispatch.inputs.tag.required, true);
    assert.equal(on.workflow_dispatch.inputs.push_latest.type, "boolean");
    assert.deepEqual(on.repository_dispatch.types, ["merge-manifest"]);
    const run = stepsOf(w).map(({ step }) => String(step.run ?? "")).join("\n");
    assert.match(run, /docker buildx imagetools create "\$\{targets\[@\]\}" "\$IMAGE:\$TAG-amd64" "\$IMAGE:\$TAG-arm64"/);
    assert.match(run, /targets\+=\(--tag "\$IMAGE:latest"\)/);
    const request = stepsOf(w).find(({ step }) => step.id === "request")!.step;
    assert.match(request.env.TAG, /client_payload\.tag/);
    assert.match(request.env.IMAGE_NAME, /client_payload\.image_name/);
    assert.match(request.env.PUSH_LATEST, /client_payload\.push_latest/);
  });

  it("manager: manual create, destroy and list", () => {
    const w = byName("Aliyun Spot Runner Manager");
    const inputs = triggersOf(w).workflow_dispatch.inputs;
    assert.deepEqual(Object.keys(triggersOf(w)), ["workflow_dispatch"]);
    for (const op of ["create", "destroy", "list"]) assert.ok(inputs.operation.options.includes(op), op);
    const runs = stepsOf(w).map(({ step }) => ({ if: String(step.if ?? ""), run: String(step.run ?? "") }));
    const forOp = (op: string) => runs.find((r) => r.if.includes(`'${op}'`))!.run;
    const createSteps = runs.filter((r) => r.if.includes("'create'")).map((r) => r.run).join("\n");
    assert.match(createSteps, /exec bash stacks\/runner\/job\.sh "\$\{args\[@\]\}"/);
    assert.match(createSteps, /args=\(up "\$stack"/);
    assert.match(createSteps, /echo "runs-on: \$label"/);
    assert.doesNotMatch(createSteps, /self-hosted/);
    assert.match(forOp("destroy"), /job\.sh down "\$STACK"/);
    assert.match(forOp("list"), /spot-runner list --region "\$region"/);
  });

  it("reaper: every 30 minutes and by hand, acting unless it is a dry run", () => {
    const w = byName("Aliyun Spot Runner Reaper");
    const on = triggersOf(w);
    assert.deepEqual(on.schedule, [{ cron: "*/30 * * * *" }]);
    assert.ok("workflow_dispatch" in on);
    const run = stepsOf(w).map(({ step }) => String(step.run ?? "")).join("\n");
    assert.match(run, /args=\(reap --region "\$REGION"\)/);
    assert.match(run, /if \[\[ "\$DRY_RUN" != "true" \]\]; then args\+=\(--yes\); fi/);
    assert.match(run, /exec node bin\/spot-runner\.js "\$\{args\[@\]\}"/);
    assert.equal(w.doc.concurrency["cancel-in-progress"], false);
  });

  it("use only secrets and variables that docs/workflows.md documents", () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/workflows.md"), "utf8");
    for (const w of workflows) {
      for (const m of w.text.matchAll(/\b(secrets|vars)\.([A-Z0-9_]+)/g)) {
        if (m[2] === "GITHUB_TOKEN") continue;
        assert.ok(doc.includes(`\`${m[2]}\``), `${w.file}: ${m[1]}.${m[2]} is not documented in docs/workflows.md`);
      }
    }
  });
});

interface ActionlintFinding {
  readonly message: string;
  readonly filepath: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

/** Runs the built actionlint with the Debian shellcheck, and returns its findings (exit 1 means "found some"). */
function actionlint(files: readonly string[]): ActionlintFinding[] {
  const shellcheck = spawnSync("sh", ["-c", "command -v shellcheck"], { encoding: "utf8" }).stdout.trim();
  assert.ok(shellcheck, "shellcheck is not installed: apt-get install -y shellcheck (.ci/run installs it)");
  const r = spawnSync(path.join(goToolBinDir("actionlint"), "actionlint"), ["-format", "{{json .}}", "-shellcheck", shellcheck, "-no-color", ...files], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.ok(r.status === 0 || r.status === 1, `actionlint failed to run (exit ${r.status}): ${r.stderr}`);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as ActionlintFinding[]) : [];
}
