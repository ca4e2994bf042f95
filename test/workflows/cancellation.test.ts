import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allSteps, JobStep, REPO_ROOT, workflow } from "./support/workflowFiles";

/**
 * Cancelling a run: the runner signals only the step's own process, `kill(pid, SIGINT)`, then SIGTERM 7.5 s later,
 * then SIGKILL 2.5 s after that (actions/runner src/Runner.Sdk/ProcessInvoker.cs: SendSIGINT, SendSIGTERM,
 * NixKillProcessTree, which kills that one process). A step's script runs as `bash -e {0}` (a file) on Linux. So
 * job.sh (and the reaper's CLI) hear of a cancellation only if the step's shell `exec`s them. These tests run the
 * real step scripts in that shell and signal only its pid, as the runner does.
 */

/** Steps that start something that changes the cloud or the state: they must hand the step's process over to it. */
const LONG_RUNNING = /stacks\/runner\/job\.sh"? (up|down|check-backend)\b|job\.sh "\$\{args\[@\]\}"|bin\/spot-runner\.js "\$\{args\[@\]\}"|spot-runner reap/;
const longRunningSteps = (): JobStep[] => allSteps().filter(({ step }) => LONG_RUNNING.test(String(step.run ?? "")));

/** The last command of a script, ignoring comments and blank lines. */
const lastCommand = (script: string): string =>
  script.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")).at(-1) ?? "";

interface Run {
  readonly child: ChildProcess;
  /** Resolves with stderr once `line` appears in it (no sleeping: the child says when it is ready). */
  readonly waitFor: (line: RegExp) => Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly closed: Promise<void>;
  stderr(): string;
}

/** Runs `script` the way the runner runs a step: `bash -e <file>` (or `bash -e -c <script>`). */
function runStep(script: string, cwd: string, env: NodeJS.ProcessEnv, form: "file" | "-c"): Run {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "step-")), "step.sh");
  fs.writeFileSync(file, script);
  const child = spawn("bash", form === "file" ? ["-e", file] : ["-e", "-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  const waiters: { line: RegExp; resolve: (s: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiters.filter((x) => x.line.test(stderr))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(stderr);
    }
  };
  child.stderr!.on("data", onData);
  child.stdout!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  return {
    child,
    exited,
    closed,
    stderr: () => stderr,
    waitFor: (line) =>
      new Promise<string>((resolve, reject) => {
        if (line.test(stderr)) return resolve(stderr);
        waiters.push({ line, resolve });
        void exited.then(() => setImmediate(() => (line.test(stderr) ? resolve(stderr) : reject(new Error(`the step exited before printing ${line}:\n${stderr}`)))));
      }),
  };
}

/** Stand-ins for job.sh and the CLI: say they are ready, record their arguments, report the signal they get. */
function sandboxWithStubs(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spot-runner-stubs-"));
  fs.mkdirSync(path.join(dir, "stacks/runner"), { recursive: true });
  fs.mkdirSync(path.join(dir, "bin"));
  // job.sh's stand-in hands its process to node, whose signal handling cannot miss a signal that arrives while
  // it starts waiting (a bash trap + `wait` can: a signal just before `wait` is handled only when the child ends).
  fs.writeFileSync(
    path.join(dir, "stacks/runner/job.sh"),
    `exec node "$(dirname "$0")/../../bin/stub.js" job.sh "$@"\n`,
  );
  fs.writeFileSync(
    path.join(dir, "bin/stub.js"),
    `process.on("SIGINT", () => { console.error("stub got SIGINT"); process.exit(130); });
console.error("stub ready: " + process.argv.slice(2).join(" "));
setTimeout(() => { console.error("stub timed out"); process.exit(99); }, 30_000);
`,
  );
  fs.writeFileSync(path.join(dir, "bin/spot-runner.js"), `process.argv.splice(2, 0, "spot-runner");\nrequire("./stub.js");\n`);
  return dir;
}

/** Values for a step's env: its literal ones, and a plausible value for each expression. */
function stepEnvironment(step: JobStep, sandbox: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: sandbox, RUNNER_TEMP: sandbox, GITHUB_OUTPUT: path.join(sandbox, "out"), GITHUB_STEP_SUMMARY: path.join(sandbox, "summary"), GITHUB_RUN_ID: "1234", GITHUB_RUN_ATTEMPT: "1" };
  const sample: Record<string, string> = { ARCH: "arm64", STACK: "manual-1-1-arm64", REGION: "cn-hangzhou", DRY_RUN: "false", SPOT_RUNNER_STACK: "gha-1234-1-arm64" };
  for (const name of Object.keys({ ...(step.step.env ?? {}), ...(step.jobDoc.env ?? {}) })) env[name] = sample[name] ?? "x";
  env.SPOT_RUNNER_STACK = "gha-1234-1-arm64";
  return env;
}

describe("workflows: a cancelled run reaches job.sh and pulumi", function () {
  it("every step that starts job.sh up/down/check-backend or the reaper hands its process over with exec", () => {
    const steps = longRunningSteps();
    assert.deepEqual(
      steps.map((s) => `${s.file} ${s.job} ${s.step.name ?? s.step.id}`).sort(),
      [
        "runner-image-check.yml start Bring up the runner",
        "runner-image-check.yml stop Destroy the runner stack and sweep by tag",
        "spot-runner-build.yml start Bring up the runner",
        "spot-runner-build.yml stop Destroy the runner stack and sweep by tag",
        "spot-runner-manager.yml manage Check the state backend",
        "spot-runner-manager.yml manage Create a runner",
        "spot-runner-manager.yml manage Destroy a runner stack",
        "spot-runner-reaper.yml reap Reap leaked instances and runners",
      ].sort(),
    );
    for (const s of steps) {
      assert.match(lastCommand(String(s.step.run)), /^exec (bash stacks\/runner\/job\.sh|node bin\/spot-runner\.js) /, `${s.file} ${s.job}: the long-running command must be the step's last, exec'd`);
    }
  });

  for (const form of ["file", "-c"] as const) {
    describe(`signalled as the runner does (bash -e ${form === "file" ? "{0}" : "-c"}, SIGINT to the step's pid only)`, () => {
      for (const s of longRunningSteps()) {
        it(`${s.file} ${s.job}: "${s.step.name}" receives it`, async () => {
          const sandbox = sandboxWithStubs();
          const run = runStep(String(s.step.run), sandbox, stepEnvironment(s, sandbox), form);
          const ready = await run.waitFor(/stub ready: .*\n/);
          assert.match(ready, /stub ready: (job\.sh (up|down|check-backend)|spot-runner reap) /);
          run.child.kill("SIGINT");
          const { code } = await run.exited;
          await run.closed;
          assert.match(run.stderr(), /stub got SIGINT/);
          assert.equal(code, 130);
        });
      }
    });
  }

  describe("the start step, with the real job.sh and a pulumi that listens for signals", () => {
    const start = () => workflow("spot-runner-build.yml").doc.jobs.start.steps.find((x: { id?: string }) => x.id === "up");

    /** A pulumi whose `up` runs until signalled, like the real CLI (Go re-enables SIGINT when it listens for it). */
    function sandboxWithFakePulumi(): { dir: string; env: NodeJS.ProcessEnv } {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
      fs.writeFileSync(
        path.join(dir, "pulumi"),
        `#!/usr/bin/env node
const args = process.argv.slice(2);
if (args[0] !== "up") process.exit(0);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { console.error("fake-pulumi got " + sig); process.exit(sig === "SIGINT" ? 130 : 143); });
console.error("fake-pulumi up started pid=" + process.pid);
setTimeout(() => { console.error("fake-pulumi timed out"); process.exit(99); }, 60_000);
`,
        { mode: 0o755 },
      );
      const env: NodeJS.ProcessEnv = {
        PATH: `${dir}:${process.env.PATH}`,
        HOME: dir,
        RUNNER_TEMP: dir,
        SPOT_RUNNER_STACK: "gha-1234-1-arm64",
        ARCH: "arm64",
        SPOT_RUNNER_INFRA_STACK: "organization/spot-runner-infra/prod",
        SPOT_RUNNER_IMAGE_ID_ARM64: "aliyun_3_arm64_20G_alibase_20241216.vhd",
        PULUMI_BACKEND_URL: `file://${dir}/state`,
        PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
        GITHUB_REPOSITORY: "dianplus/openresty",
        GITHUB_RUN_ID: "1234",
      };
      return { dir, env };
    }

    it("passes the runner's SIGINT on to pulumi, which saves its state, and job.sh says what happened", async () => {
      const { env } = sandboxWithFakePulumi();
      const run = runStep(String(start().run), REPO_ROOT, env, "file");
      await run.waitFor(/fake-pulumi up started/);
      run.child.kill("SIGINT");
      const { code } = await run.exited;
      await run.closed;
      assert.match(run.stderr(), /fake-pulumi got SIGINT/);
      assert.match(run.stderr(), /pulumi up was interrupted \(SIGINT\) for stack gha-1234-1-arm64/);
      assert.equal(code, 1);
    });

    it("without exec the same signal never reaches pulumi (why exec is there; the test can fail)", async () => {
      const { env } = sandboxWithFakePulumi();
      const script = String(start().run).replace(/^exec /, "");
      assert.notEqual(script, String(start().run));
      const run = runStep(script, REPO_ROOT, env, "file");
      const started = await run.waitFor(/fake-pulumi up started pid=\d+/);
      const fakePid = Number(/pid=(\d+)/.exec(started)![1]);
      run.child.kill("SIGINT");
      // The runner's next move: SIGTERM to the same pid. The step's shell dies; job.sh and pulumi run on, orphaned.
      run.child.kill("SIGTERM");
      const { signal } = await run.exited;
      assert.equal(signal, "SIGTERM");
      assert.doesNotMatch(run.stderr(), /fake-pulumi got/);
      assert.doesNotThrow(() => process.kill(fakePid, 0), "pulumi is still running, never told");
      process.kill(fakePid, "SIGKILL");
      await run.closed;
    });
  });
});
