import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RUNNER_STACK_OUTPUTS } from "./support/runnerStackOutputs";

/**
 * stacks/runner/job.sh run for real, with a fake `pulumi` and a fake `npx` first on PATH. The fakes record
 * every call and play a backend whose state lives in files: does the stack exist, is it locked (a job killed
 * mid-update), does it hold a pending create (a cancelled `up`).
 *
 * What the real Pulumi CLI can show is tested with it, in test/e2e (up, a second up, down, interruptions, a stack
 * never created, a failed up, check-backend, stacks, secrets). What stays here is what it cannot produce offline:
 * Pulumi Cloud, a backend that is down or cannot answer, a refresh, destroy or reap that fails (each on its own,
 * while the rest works), a backend that refuses writes; plus job.sh's own argument and settings checks, which
 * never reach pulumi (the fake proves that) and so run on every machine, Go or not.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");
const JOB_SH = path.join(REPO_ROOT, "stacks/runner/job.sh");

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
  });

  describe("down", () => {
    const reapCall = `--no -- spot-runner reap --stack ${STACK} --yes`;

    it("falls back to editing the pending operations out of the state when refresh fails", () => {
      const b = box({ FAKE_FAIL: "refresh" });
      markState(b, "exists", "pending");
      const r = runJob(b, ["down", STACK, "--arch", "arm64"]);
      assert.equal(r.code, 0, r.stderr);
      const args = pulumiArgs(b);
      const lastExport = args.map((a) => a.startsWith("stack export")).lastIndexOf(true);
      assert.ok(lastExport > indexOfCall(args, "refresh "), "the state is exported again after the failed refresh");
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

  describe("check-backend", () => {
    it("points at the pinned CLI version when the backend refuses writes", () => {
      const b = box({ FAKE_FAIL: "init" });
      const r = runJob(b, ["check-backend", "smoke-1-1"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /refuses writes.*pinned Pulumi CLI version/);
    });
  });

  it("never prints a secret it was given, on its failure paths either", () => {
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
