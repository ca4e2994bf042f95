import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RUNNER_STACK_OUTPUTS } from "./support/runnerStackOutputs";

/**
 * stacks/runner/job.sh run for real, with a fake `pulumi` and a fake `npx` first on PATH. The fakes record
 * every call and play a backend whose state lives in files: does the stack exist, is it locked (a job killed
 * mid-update), does it hold a pending create (a cancelled `up`).
 */
const REPO_ROOT = path.resolve(__dirname, "../..");
const JOB_SH = path.join(REPO_ROOT, "stacks/runner/job.sh");
const RUNNER_DIR = path.join(REPO_ROOT, "stacks/runner");

// State files: exists, locked, pending. FAKE_FAIL: space-separated operations that fail
// (login select output up refresh destroy export import config-refresh set-all init).
const FAKE_PULUMI = `#!/usr/bin/env bash
set -u
state=$FAKE_STATE
{ printf '%s\\t' "$PWD"; printf '%q ' "$@"; printf '\\n'; } >>"$state/pulumi.log"
fails() { [[ " \${FAKE_FAIL:-} " == *" $1 "* ]]; }
has() { local f; for f in "\${@:2}"; do [[ "$f" == "$1" ]] && return 0; done; return 1; }
locked() { if [[ -e "$state/locked" ]]; then echo "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with pulumi cancel." >&2; exit 255; fi; }
words=()
for a in "$@"; do [[ "$a" == -* ]] && break; words+=("$a"); done
case "\${words[0]:-} \${words[1]:-}" in
  "login "*) fails login && { echo "error: could not log in: AccessDenied" >&2; exit 255; }; echo "Logged in" ;;
  "stack select")
    fails select && { echo "error: network unreachable" >&2; exit 255; }
    if has --create "$@"; then touch "$state/exists"; exit 0; fi
    [[ -e "$state/exists" ]] || { echo "error: no stack named '\${words[2]:-?}' found" >&2; exit 255; } ;;
  "stack output") fails output && exit 255; cat "$state/outputs.json" 2>/dev/null || echo "{}" ;;
  "stack init") fails init && { echo "error: AccessDenied" >&2; exit 255; }; touch "$state/exists" ;;
  "stack rm") rm -f "$state/exists" ;;
  "stack ls") echo "NAME LAST UPDATE"; [[ -e "$state/exists" ]] && echo "gha-1-1-amd64 1m" ;;
  "stack export")
    fails export && exit 255
    file=""; prev=""; for a in "$@"; do [[ "$prev" == --file ]] && file=$a; prev=$a; done
    if [[ -e "$state/pending" ]]; then ops='[{"type":"creating"}]'; else ops='[]'; fi
    printf '{"version":3,"deployment":{"resources":[],"pending_operations":%s}}\\n' "$ops" >"$file" ;;
  "stack import")
    fails import && exit 255
    file=""; prev=""; for a in "$@"; do [[ "$prev" == --file ]] && file=$a; prev=$a; done
    grep -q pending_operations "$file" || rm -f "$state/pending" ;;
  "config set-all") fails set-all && exit 255; exit 0 ;;
  "config refresh") fails config-refresh && { echo "error: no previous deployment" >&2; exit 255; }; exit 0 ;;
  "cancel "*) [[ -e "$state/locked" ]] || { echo "error: no update in progress" >&2; exit 255; }; rm -f "$state/locked" ;;
  "up "*)
    locked
    if [[ -n "\${FAKE_UP_BLOCKS:-}" ]]; then
      trap 'echo "got TERM" >>"$state/signals"; exit 143' TERM
      echo started >"$FAKE_UP_BLOCKS"
      read -r _ <"$state/never"
    fi
    fails up && { echo "error: SpotRunner create failed: NoStock in every candidate" >&2; exit 255; }
    cp "$state/up-outputs.json" "$state/outputs.json" 2>/dev/null || true ;;
  "refresh "*)
    locked
    fails refresh && { echo "error: refresh failed: provider read failed" >&2; exit 255; }
    has --clear-pending-creates "$@" && rm -f "$state/pending" ;;
  "destroy "*)
    locked
    [[ -e "$state/pending" ]] && { echo "error: the current deployment has 1 resource(s) with pending operations" >&2; exit 255; }
    fails destroy && { echo "error: deleting SpotRunner: InternalError" >&2; exit 255; }
    has --remove "$@" && rm -f "$state/exists" "$state/outputs.json" ;;
  *) echo "fake pulumi: unexpected call: $*" >&2; exit 99 ;;
esac
exit 0
`;

const FAKE_NPX = `#!/usr/bin/env bash
{ printf '%s\\t' "$PWD"; printf '%q ' "$@"; printf '\\n'; } >>"$FAKE_STATE/npx.log"
exit "\${FAKE_REAP_EXIT:-0}"
`;

const STACK = "gha-1234-1-arm64";
const UP_OUTPUTS = RUNNER_STACK_OUTPUTS;
const SECRETS = { passphrase: "pass-phrase-s3cr3t-value", token: "ghp_runnerAdminS3cretToken", aliyun: "aliyunS3cretKeyValue" };

interface Sandbox {
  readonly dir: string;
  readonly state: string;
  readonly githubOutput: string;
  readonly env: NodeJS.ProcessEnv;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function sandbox(extraEnv: NodeJS.ProcessEnv = {}): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "job-sh-"));
  const bin = path.join(dir, "bin");
  const state = path.join(dir, "state");
  fs.mkdirSync(bin);
  fs.mkdirSync(state);
  fs.writeFileSync(path.join(bin, "pulumi"), FAKE_PULUMI, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "npx"), FAKE_NPX, { mode: 0o755 });
  fs.writeFileSync(path.join(state, "up-outputs.json"), JSON.stringify(UP_OUTPUTS));
  const githubOutput = path.join(dir, "github_output");
  fs.writeFileSync(githubOutput, "");
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    HOME: dir,
    TMPDIR: dir,
    RUNNER_TEMP: dir,
    FAKE_STATE: state,
    GITHUB_OUTPUT: githubOutput,
    GITHUB_REPOSITORY: "dianplus/openresty",
    GITHUB_RUN_ID: "1234",
    PULUMI_BACKEND_URL: "s3://ci-state?endpoint=s3.oss-cn-hangzhou.aliyuncs.com&region=cn-hangzhou",
    PULUMI_CONFIG_PASSPHRASE: SECRETS.passphrase,
    SPOT_RUNNER_INFRA_STACK: "organization/spot-runner-infra/prod",
    SPOT_RUNNER_IMAGE_ID_AMD64: "aliyun_3_x64_20G_alibase_20241216.vhd",
    SPOT_RUNNER_IMAGE_ID_ARM64: "aliyun_3_arm64_20G_alibase_20241216.vhd",
    GITHUB_TOKEN: SECRETS.token,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRETS.aliyun,
    ...extraEnv,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return { dir, state, githubOutput, env };
}

function runJob(box: Sandbox, args: string[]): Run {
  const r = spawnSync("bash", [JOB_SH, ...args], { env: box.env, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Each pulumi call as [cwd, "arg arg ..."]. */
function pulumiCalls(box: Sandbox): Array<[string, string]> {
  return readLines(path.join(box.state, "pulumi.log")).map((l) => l.split("\t") as [string, string]);
}
function pulumiArgs(box: Sandbox): string[] {
  return pulumiCalls(box).map(([, args]) => args.trim());
}
function npxCalls(box: Sandbox): string[] {
  return readLines(path.join(box.state, "npx.log")).map((l) => l.split("\t")[1].trim());
}
function readLines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}
function indexOfCall(calls: string[], prefix: string): number {
  return calls.findIndex((c) => c.startsWith(prefix));
}
function stateHas(box: Sandbox, name: string): boolean {
  return fs.existsSync(path.join(box.state, name));
}
function markState(box: Sandbox, ...names: string[]): void {
  for (const n of names) fs.writeFileSync(path.join(box.state, n), "");
}

describe("stacks/runner/job.sh", function () {
  const boxes: Sandbox[] = [];
  const box = (env?: NodeJS.ProcessEnv) => {
    const b = sandbox(env);
    boxes.push(b);
    return b;
  };
  after(() => {
    for (const b of boxes) fs.rmSync(b.dir, { recursive: true, force: true });
  });

  describe("up", () => {
    it("logs in, creates the stack with the passphrase provider, configures it, brings it up and writes the step outputs", () => {
      const b = box();
      const r = runJob(b, ["up", STACK, "--arch", "arm64", "--set", "minCpu=16", "--set", "labels=gpu,fast"]);
      assert.equal(r.code, 0, r.stderr);

      const calls = pulumiCalls(b);
      assert.ok(calls.every(([cwd]) => cwd === RUNNER_DIR), "pulumi runs in stacks/runner, the runner project");
      const args = calls.map(([, a]) => a.trim());
      assert.match(args[0], /^login --non-interactive s3:\/\/ci-state/);
      assert.equal(args[1], `stack select --create --non-interactive ${STACK} --secrets-provider passphrase`);
      assert.equal(
        args[2],
        `config set-all --stack ${STACK} --non-interactive --plaintext arch=arm64 ` +
          "--plaintext githubRepository=dianplus/openresty --plaintext imageId=aliyun_3_arm64_20G_alibase_20241216.vhd " +
          "--plaintext infraStack=organization/spot-runner-infra/prod --plaintext labels=gpu\\,fast --plaintext minCpu=16 " +
          "--plaintext runId=1234",
      );
      assert.equal(args[3], `up --stack ${STACK} --yes --skip-preview --non-interactive`);
      assert.equal(args[4], `stack output --stack ${STACK} --json`);
      assert.equal(args.length, 5);

      const out = Object.fromEntries(readLines(b.githubOutput).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
      assert.deepEqual(out, {
        stack: STACK,
        label: UP_OUTPUTS.label,
        runner_name: UP_OUTPUTS.runnerName,
        instance_id: "i-bp1abc",
        instance_name: UP_OUTPUTS.instanceName,
        instance_type: "ecs.c8y.2xlarge",
        zone: "cn-hangzhou-j",
        region: "cn-hangzhou",
        cpu_count: "8",
        memory_gib: "16",
        spot_price: "0.24",
        price_limit: "0.288",
        hourly_cost: "0.24",
        currency: "CNY",
        auto_release_time: UP_OUTPUTS.autoReleaseTime,
        launched_at: UP_OUTPUTS.launchedAt,
      });
      const saved = JSON.parse(fs.readFileSync(path.join(b.dir, `spot-runner-${STACK}.outputs.json`), "utf8"));
      assert.equal(saved.instanceId, "i-bp1abc", "the full outputs are saved for the cost summary");
    });

    it("takes settings from SPOT_RUNNER_SETTINGS lines, lets --set win, and drops githubRepository for an organization runner", () => {
      const b = box({ SPOT_RUNNER_SETTINGS: "# sizes\nminCpu=8\n\n  maxCpu=32\r\ngithubOrganization=dianplus\n" });
      const r = runJob(b, ["up", STACK, "--arch", "arm64", "--set", "minCpu=16"]);
      assert.equal(r.code, 0, r.stderr);
      const setAll = pulumiArgs(b).find((a) => a.startsWith("config set-all"))!;
      assert.match(setAll, /--plaintext minCpu=16 /);
      assert.match(setAll, /--plaintext maxCpu=32 /);
      assert.match(setAll, /--plaintext githubOrganization=dianplus /);
      assert.doesNotMatch(setAll, /githubRepository/);
    });

    it("uses Pulumi Cloud (no passphrase provider) when there is no DIY backend URL", () => {
      const b = box({ PULUMI_BACKEND_URL: undefined, PULUMI_CONFIG_PASSPHRASE: undefined, PULUMI_ACCESS_TOKEN: "pul-xyz" });
      const r = runJob(b, ["up", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 0, r.stderr);
      const args = pulumiArgs(b);
      assert.equal(args[0], "login --non-interactive");
      assert.equal(args[1], `stack select --create --non-interactive ${STACK}`);
    });

    it("fails with the reason and the cleanup path when pulumi up fails, and writes no label", () => {
      const b = box({ FAKE_FAIL: "up" });
      const r = runJob(b, ["up", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /NoStock/, "pulumi's own error is shown");
      assert.match(r.stderr, new RegExp(`pulumi up failed for stack ${STACK}.*job\\.sh down ${STACK}`));
      assert.equal(fs.readFileSync(b.githubOutput, "utf8"), "");
    });

    it("annotates the failure on the run page inside GitHub Actions", () => {
      const b = box({ FAKE_FAIL: "up", GITHUB_ACTIONS: "true" });
      const r = runJob(b, ["up", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^::error title=spot runner::pulumi up failed for stack gha-1234-1-arm64/m);
    });

    it("refuses to start without an image id, the infra stack or a passphrase, before touching the backend", () => {
      const cases: Array<[NodeJS.ProcessEnv, RegExp, number]> = [
        [{ SPOT_RUNNER_IMAGE_ID_ARM64: "" }, /missing settings: SPOT_RUNNER_IMAGE_ID_ARM64/, 2],
        [{ PULUMI_BACKEND_URL: "https://api.pulumi.com", PULUMI_ACCESS_TOKEN: "t", SPOT_RUNNER_INFRA_STACK: "" }, /missing settings: SPOT_RUNNER_INFRA_STACK/, 2],
        [{ PULUMI_CONFIG_PASSPHRASE: "" }, /PULUMI_CONFIG_PASSPHRASE is empty.*Add the PULUMI_CONFIG_PASSPHRASE secret/, 1],
        [{ PULUMI_BACKEND_URL: "", PULUMI_ACCESS_TOKEN: "" }, /neither PULUMI_BACKEND_URL nor PULUMI_ACCESS_TOKEN is set/, 1],
      ];
      for (const [env, message, code] of cases) {
        const b = box(env);
        const r = runJob(b, ["up", STACK, "--arch", "arm64"]);
        assert.equal(r.code, code, `${message}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.ok(!pulumiArgs(b).some((a) => a.startsWith("up ")), "no pulumi up");
      }
    });

    it("defaults the infra stack on a DIY backend to organization/spot-runner-infra/prod", () => {
      const b = box({ SPOT_RUNNER_INFRA_STACK: "" });
      assert.equal(runJob(b, ["up", STACK, "--arch", "arm64"]).code, 0);
      assert.match(pulumiArgs(b)[2], /--plaintext infraStack=organization\/spot-runner-infra\/prod /);
    });

    it("rejects bad arguments with exit code 2 and a message naming the problem", () => {
      const cases: Array<[string[], RegExp]> = [
        [["up", "gha/1", "--arch", "arm64"], /stack name 'gha\/1' is not valid/],
        [["up", "x".repeat(101), "--arch", "arm64"], /is not valid: use 1-100 letters/],
        [["up", STACK, "--arch", "riscv64"], /--arch 'riscv64' is not supported/],
        [["up", STACK], /give --arch amd64 or --arch arm64/],
        [["up", STACK, "--arch", "arm64", "--set", "minCpu"], /--set: 'minCpu' is not key=value/],
        [["up", STACK, "--arch", "arm64", "--set", "aws:region=x"], /'aws:region' is not a runner setting name/],
        [["up", STACK, "--arch", "arm64", "--set", "arch=amd64"], /arch is set by --arch/],
        [["up", STACK, "--arch", "arm64", "--bogus"], /unknown option --bogus/],
        [["launch"], /unknown command 'launch'/],
      ];
      for (const [args, message] of cases) {
        const b = box();
        const r = runJob(b, args);
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.deepEqual(pulumiArgs(b), []);
      }
    });

    it("passes a cancellation on to pulumi so it can stop cleanly", async () => {
      const b = box();
      const started = path.join(b.state, "started.fifo");
      const never = path.join(b.state, "never");
      spawnSync("mkfifo", [started, never]);
      const child = spawn("bash", [JOB_SH, "up", STACK, "--arch", "arm64"], {
        env: { ...b.env, FAKE_UP_BLOCKS: started },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      try {
        // Resolves once the fake `pulumi up` is running and has set its trap.
        const startedRead = fs.promises.readFile(started, "utf8");
        const first = await Promise.race([startedRead.then(() => "started"), exited.then(() => "exited")]);
        if (first === "exited") {
          fs.writeFileSync(started, ""); // release the pending read, or it would keep mocha alive
          await startedRead;
          assert.fail(`job.sh exited before pulumi up started: ${stderr}`);
        }
        child.kill("SIGTERM");
        const code = await exited;
        assert.equal(code, 1);
        assert.equal(fs.readFileSync(path.join(b.state, "signals"), "utf8"), "got TERM\n");
        if (!child.stderr.closed) await new Promise((resolve) => child.stderr.once("close", resolve));
        assert.match(stderr, /pulumi up was interrupted \(SIGTERM\).*job\.sh down gha-1234-1-arm64/);
      } finally {
        // If the signal never reached the fake, it is still blocked reading this FIFO: let it finish.
        try {
          fs.closeSync(fs.openSync(never, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
        } catch {
          // ENXIO: no reader left, nothing to release.
        }
        child.stderr.destroy();
      }
    });
  });

  describe("down", () => {
    const reapCall = `--no -- spot-runner reap --stack ${STACK} --yes`;

    it("destroys and removes an existing stack, after saving its outputs, then reaps by tag", () => {
      const b = box();
      markState(b, "exists");
      fs.copyFileSync(path.join(b.state, "up-outputs.json"), path.join(b.state, "outputs.json"));
      const outputsFile = path.join(b.dir, "out", "stack-outputs.json");
      const r = runJob(b, ["down", STACK, "--arch", "arm64", "--outputs-file", outputsFile]);
      assert.equal(r.code, 0, r.stderr);
      const args = pulumiArgs(b);
      const destroy = indexOfCall(args, "destroy ");
      assert.equal(args[destroy], `destroy --stack ${STACK} --yes --skip-preview --non-interactive --remove`);
      assert.ok(indexOfCall(args, "config set-all") < destroy, "the stack config is rebuilt before destroy");
      assert.ok(indexOfCall(args, "stack output") < destroy, "outputs are read before destroy");
      assert.ok(!stateHas(b, "exists"), "stack removed");
      assert.equal(JSON.parse(fs.readFileSync(outputsFile, "utf8")).instanceType, "ecs.c8y.2xlarge");
      assert.deepEqual(npxCalls(b), [reapCall]);
      assert.equal(pulumiCalls(b).length > 0 && readLines(path.join(b.state, "npx.log"))[0].split("\t")[0], REPO_ROOT);
    });

    it("rebuilds the same configuration as up (the stop job has no Pulumi.<stack>.yaml)", () => {
      const up = box({ SPOT_RUNNER_SETTINGS: "minCpu=16" });
      assert.equal(runJob(up, ["up", STACK, "--arch", "arm64"]).code, 0);
      const down = box({ SPOT_RUNNER_SETTINGS: "minCpu=16" });
      markState(down, "exists");
      assert.equal(runJob(down, ["down", STACK, "--arch", "arm64"]).code, 0);
      const setAll = (b: Sandbox) => pulumiArgs(b).find((a) => a.startsWith("config set-all"));
      assert.equal(setAll(down), setAll(up));
      const refresh = indexOfCall(pulumiArgs(down), "config refresh");
      assert.ok(refresh >= 0 && refresh < indexOfCall(pulumiArgs(down), "config set-all"), "tries config refresh first");
    });

    it("does nothing in Pulumi when the stack never existed, still reaps, and succeeds", () => {
      const b = box();
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /stack gha-1234-1-arm64 does not exist/);
      assert.ok(!pulumiArgs(b).some((a) => /^(destroy|refresh|cancel) /.test(a)));
      assert.deepEqual(npxCalls(b), [reapCall]);
      assert.equal(fs.readFileSync(path.join(b.dir, `spot-runner-${STACK}.outputs.json`), "utf8"), "{}\n");
    });

    it("removes the lock a killed job left, before refreshing and destroying", () => {
      const b = box();
      markState(b, "exists", "locked");
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 0, r.stderr);
      const args = pulumiArgs(b);
      const cancel = indexOfCall(args, "cancel ");
      assert.equal(args[cancel], `cancel --stack ${STACK} --yes --non-interactive`);
      assert.ok(cancel < indexOfCall(args, "refresh ") && cancel < indexOfCall(args, "destroy "));
      assert.ok(!stateHas(b, "exists"));
    });

    it("clears the pending create of a cancelled up so destroy can run", () => {
      const b = box();
      markState(b, "exists", "pending");
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 0, r.stderr);
      const args = pulumiArgs(b);
      const refresh = indexOfCall(args, "refresh ");
      assert.equal(args[refresh], `refresh --stack ${STACK} --clear-pending-creates --yes --skip-preview --non-interactive`);
      assert.ok(refresh < indexOfCall(args, "destroy "));
      assert.ok(!stateHas(b, "exists"));
      assert.deepEqual(npxCalls(b), [reapCall]);
    });

    it("falls back to editing the pending operations out of the state when refresh fails", () => {
      const b = box({ FAKE_FAIL: "refresh" });
      markState(b, "exists", "pending");
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 0, r.stderr);
      const args = pulumiArgs(b);
      assert.ok(indexOfCall(args, "stack export") > indexOfCall(args, "refresh "));
      assert.ok(indexOfCall(args, "stack import") < indexOfCall(args, "destroy "));
      assert.match(r.stderr, /dropped 1 pending operation/);
      assert.ok(!stateHas(b, "exists"));
      assert.deepEqual(fs.readdirSync(b.dir).filter((f) => f.startsWith("spot-runner-state.")), [], "scratch state file removed");
    });

    it("still reaps when destroy fails, and exits non-zero saying what failed and what to do", () => {
      const b = box({ FAKE_FAIL: "destroy" });
      markState(b, "exists");
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 1);
      assert.deepEqual(npxCalls(b), [reapCall]);
      assert.match(r.stderr, /pulumi destroy failed for stack gha-1234-1-arm64.*Spot Runner Manager's destroy/);
      assert.ok(stateHas(b, "exists"), "the stack is kept for a retry");
    });

    it("still reaps when login fails", () => {
      const b = box({ FAKE_FAIL: "login" });
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /pulumi login failed/);
      assert.deepEqual(npxCalls(b), [reapCall]);
    });

    it("still reaps when the backend cannot say whether the stack exists", () => {
      const b = box({ FAKE_FAIL: "select" });
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /network unreachable/);
      assert.match(r.stderr, /could not tell whether stack gha-1234-1-arm64 exists/);
      assert.deepEqual(npxCalls(b), [reapCall]);
    });

    it("exits non-zero when the reap fails, even after a clean destroy", () => {
      const b = box({ FAKE_REAP_EXIT: "1" });
      markState(b, "exists");
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /spot-runner reap --stack gha-1234-1-arm64 failed/);
      assert.ok(!stateHas(b, "exists"));
    });

    it("reports every failure, not only the first", () => {
      const b = box({ FAKE_FAIL: "destroy", FAKE_REAP_EXIT: "3" });
      markState(b, "exists");
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /pulumi destroy failed/);
      assert.match(r.stderr, /reap --stack .* failed/);
    });
  });

  describe("check-backend and stacks", () => {
    it("creates and removes a throwaway stack", () => {
      const b = box();
      const r = runJob(b, ["check-backend", "smoke-1-1"]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(pulumiArgs(b).slice(1), [
        "stack init --non-interactive smoke-1-1 --secrets-provider passphrase",
        "stack rm smoke-1-1 --yes --non-interactive",
      ]);
    });

    it("points at the pinned CLI version when the backend refuses writes", () => {
      const b = box({ FAKE_FAIL: "init" });
      const r = runJob(b, ["check-backend", "smoke-1-1"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /refuses writes.*pinned Pulumi CLI version/);
    });

    it("lists the runner stacks", () => {
      const b = box();
      const r = runJob(b, ["stacks"]);
      assert.equal(r.code, 0, r.stderr);
      const args = pulumiArgs(b);
      assert.match(args[0], /^login --non-interactive s3:\/\/ci-state/);
      assert.deepEqual(args.slice(1), ["stack ls --non-interactive"]);
    });
  });

  it("never prints a secret it was given", () => {
    const b = box({ GITHUB_ACTIONS: "true", FAKE_FAIL: "destroy" });
    const runs = [runJob(b, ["up", STACK, "--arch", "arm64"]), runJob(b, ["down", STACK, "--arch", "arm64"])];
    const printed = runs.map((r) => r.stdout + r.stderr).join("") + fs.readFileSync(b.githubOutput, "utf8") +
      fs.readFileSync(path.join(b.state, "pulumi.log"), "utf8");
    for (const secret of Object.values(SECRETS)) assert.ok(!printed.includes(secret), `${secret.slice(0, 6)}... leaked`);
  });

  it("passes shellcheck", function () {
    const probe = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
    if (probe.error) assert.fail("shellcheck is not installed: apt-get install -y shellcheck (.ci/run installs it)");
    const r = spawnSync("shellcheck", ["--shell=bash", "--severity=style", JOB_SH], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
