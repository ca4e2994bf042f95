import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { METADATA_TOKEN_PATH, TERMINATION_TIME_PATH } from "./support/fakeServers";
import { BootstrapSandbox, FAKE_RUNNER_VERSION, ScenarioResult, ScenarioSpec, TEST_JIT_CONFIG } from "./support/sandbox";

/**
 * The rendered script executed for real: bash, curl, tar and sha256sum are real; power, users, services,
 * packages and docker are PATH stubs; the metadata service and the runner download are fake servers on
 * 127.0.0.1; the runner is a fake run.sh. All scenarios run at once in `before` (each takes one to a few
 * seconds of mostly waiting), and each `it` checks one of them.
 */
const SCENARIOS = {
  normalJob: { runner: "job", os: "alinux", dockerInstalled: false },
  runnerFailsToStart: { runner: "fail", hooks: { SPOT_RUNNER_FAILURE_GRACE_SECONDS: "1" } },
  // The watchdogs' clock jumps past the limit once the runner (or its job) is running: see ScenarioSpec.
  noJobPickedUp: { runner: "idle", clockJump: { when: "runner-started", seconds: 31 } },
  maxRuntimeReached: { runner: "long-job", clockJump: { when: "job-started", seconds: 61 } },
  reclaimNotice: {
    runner: "spot-job", terminationTime: "2026-11-28T01:05:00Z", hooks: { SPOT_RUNNER_NOTICE_POLL_SECONDS: "0.3" },
  },
  checksumMismatch: { runner: "job", wrongChecksum: true },
  preinstalledRunner: { runner: "job", preinstalled: true, os: "ubuntu", dockerInstalled: false },
  behindProxy: { runner: "job", viaProxy: true },
  packageMissing: { runner: "job", noPackage: true },
  dockerNeverReady: { runner: "job", dockerReady: false, hooks: { SPOT_RUNNER_DOCKER_READY_SECONDS: "1" } },
  userCreationFails: { runner: "job", useraddFails: true },
} satisfies Record<string, ScenarioSpec>;

type ScenarioName = keyof typeof SCENARIOS;

describe("bootstrap script in a sandbox", function () {
  this.timeout(60_000);
  const sandboxes: BootstrapSandbox[] = [];
  const results = {} as Record<ScenarioName, ScenarioResult>;

  before(async () => {
    await Promise.all((Object.entries(SCENARIOS) as [ScenarioName, ScenarioSpec][]).map(async ([name, spec]) => {
      const sandbox = BootstrapSandbox.create();
      sandboxes.push(sandbox);
      results[name] = await sandbox.run(spec);
    }));
  });

  after(async () => {
    await Promise.all(sandboxes.map((s) => s.dispose()));
  });

  /** What every scenario must end with: one power-off, the reason logged, the JIT config nowhere in output. */
  function assertEndedSafely(r: ScenarioResult): void {
    assert.equal(r.timedOut, false, `the script or a watchdog was still running at the deadline\n${r.log}`);
    assert.deepEqual(r.calls.poweroff, [""], `poweroff exactly once\n${r.log}`);
    assert.equal(r.calls.shutdown, undefined);
    assert.notEqual(r.poweroffReason, "");
    assert.match(r.log, /powering off \((ok|failed)\): /);
    assert.match(r.console, /powering off \((ok|failed)\): /, "the reason reaches the serial console");
    for (const [where, text] of [["log", r.log], ["console", r.console], ["stdio", r.stdio]] as const) {
      assert.equal(text.includes(TEST_JIT_CONFIG), false, `the JIT config leaked into the ${where}`);
      assert.equal(text.includes(TEST_JIT_CONFIG.slice(0, 40)), false, `part of the JIT config leaked into the ${where}`);
    }
  }

  function assertRunnerNeverStarted(r: ScenarioResult): void {
    assert.equal(r.calls.runuser, undefined, "the runner must not start");
    assert.equal(r.record("runner-args"), undefined);
  }

  it("normal job: runs the runner once with the JIT config as the non-root user, then powers off", () => {
    const r = results.normalJob;
    assertEndedSafely(r);
    assert.equal(r.poweroffReason, "the runner finished");
    assert.match(r.log, /powering off \(ok\)/);
    assert.doesNotMatch(r.log, /before power-off/, "no grace wait after a finished job");

    assert.deepEqual(r.record("runner-args")?.split("\n").slice(0, -1), ["--jitconfig", TEST_JIT_CONFIG]);
    assert.equal(r.calls.runuser?.length, 1);
    assert.ok(r.calls.runuser![0]!.startsWith("-u runner -- env -i "), r.calls.runuser![0]);
    assert.ok(r.calls.runuser![0]!.includes(`${r.runnerDir}/run.sh --jitconfig ${TEST_JIT_CONFIG}`));
    const runnerEnv = r.record("runner-env") ?? "";
    assert.match(runnerEnv, /^USER=runner$/m);
    assert.match(runnerEnv, /^HOME=\/home\/runner$/m);
    assert.doesNotMatch(runnerEnv, /SPOT_RUNNER_/, "the job gets a clean environment");

    assert.deepEqual(r.calls.useradd, ["--create-home --shell /bin/bash runner"]);
    assert.deepEqual(r.calls.groupadd, ["-f docker"]);
    assert.deepEqual(r.calls.usermod, ["-aG docker runner"]);
    assert.deepEqual(r.calls.chown, [`-R runner: ${r.runnerDir}`]);
  });

  it("normal job: installs docker with buildx on Alibaba Cloud Linux 3 and starts it", () => {
    const r = results.normalJob;
    assert.deepEqual(r.calls.dnf, [
      "-y install dnf-plugin-releasever-adapter --repo alinux3-plus",
      "config-manager --add-repo https://mirrors.aliyun.com/docker-ce/linux/centos/docker-ce.repo",
      "-y install docker-ce docker-ce-cli containerd.io docker-buildx-plugin",
    ]);
    assert.deepEqual(r.calls.systemctl, ["enable --now --no-block docker"]);
    assert.ok(r.calls.docker?.includes("info"), "waits until the daemon answers");
  });

  it("normal job: downloads and verifies the package, installs its dependencies", () => {
    const r = results.normalJob;
    assert.deepEqual(r.downloads.map((d) => `${d.method} ${d.path}`),
      [`GET /download/v${FAKE_RUNNER_VERSION}/actions-runner-linux-arm64-${FAKE_RUNNER_VERSION}.tar.gz`]);
    assert.match(r.log, /checksum verified: [0-9a-f]{64}/);
    assert.equal(r.record("installdependencies"), "installdependencies\n");
    assert.ok(r.runnerDir.endsWith(`/opt/spot-runner/actions-runner-${FAKE_RUNNER_VERSION}`), r.runnerDir);
  });

  it("normal job: arms the watchdogs and the systemd power-off timer before anything else", () => {
    const r = results.normalJob;
    // Max runtime 60 s (test hook) + 300 s of slack.
    assert.deepEqual(r.calls["systemd-run"], [
      `--unit=spot-runner-deadline --on-active=360s --timer-property=AccuracySec=1s ${r.calls["systemd-run"]![0]!.split(" ").at(-2)} poweroff`,
    ]);
    const firstStep = r.log.indexOf("step: ");
    assert.ok(r.log.indexOf("systemd timer armed") < firstStep);
    for (const watchdog of ["max-runtime", "idle", "spot-notice"]) {
      assert.ok(r.file(`run/spot-runner/watchdog-${watchdog}.pid`), `${watchdog} watchdog started`);
    }
  });

  it("normal job: exports the CPU count and writes the setup info for the job log", () => {
    const r = results.normalJob;
    const cpus = execFileSync("nproc").toString().trim();
    const env = r.file(`opt/spot-runner/actions-runner-${FAKE_RUNNER_VERSION}/.env`) ?? "";
    assert.match(env, new RegExp(`^RUNNER_CPUS=${cpus}$`, "m"));
    assert.match(env, new RegExp(`^RESTY_J=${cpus}$`, "m"));
    const setupInfo = JSON.parse(r.file(`opt/spot-runner/actions-runner-${FAKE_RUNNER_VERSION}/.setup_info`) ?? "null");
    assert.equal(setupInfo[0].group, "Aliyun spot instance");
    const detail: string = setupInfo[0].detail;
    for (const expected of [
      `Type: ecs.c8y.xlarge (${cpus} vCPUs`, "Architecture: arm64", "Zone: cn-hangzhou-j (cn-hangzhou)",
      "Spot price: 0.1234 CNY/hour (limit 0.149)", "Auto-release (TTL): 2026-11-28T02:00:00Z",
    ]) assert.ok(detail.includes(expected), `${expected} in ${detail}`);
  });

  it("normal job: polls the hardened metadata service with a token on every request", () => {
    const r = results.normalJob;
    const gets = r.metadata.filter((q) => q.method === "GET");
    assert.ok(gets.length >= 1, "polled for a termination notice");
    assert.equal(r.metadata[0]!.method, "PUT");
    assert.equal(r.metadata[0]!.path, METADATA_TOKEN_PATH);
    for (const get of gets) {
      assert.equal(get.path, TERMINATION_TIME_PATH);
      assert.ok(r.metadataTokens.includes(String(get.headers["x-aliyun-ecs-metadata-token"])), "token on every GET");
    }
    assert.doesNotMatch(r.log, /reclaim/i, "no notice, no warning");
  });

  it("runner fails to start: powers off after the grace time and puts the story on the console", () => {
    const r = results.runnerFailsToStart;
    assertEndedSafely(r);
    assert.equal(r.poweroffReason, "the runner exited with code 1");
    assert.match(r.log, /waiting 1 s before power-off/);
    assert.match(r.console, /----- tail of .*spot-runner-bootstrap\.log -----/);
    assert.match(r.console, /fake runner: cannot connect to GitHub/, "the runner's own output reaches the console");
  });

  it("no job picked up: the idle watchdog stops the runner and powers off", () => {
    const r = results.noJobPickedUp;
    assertEndedSafely(r);
    assert.equal(r.poweroffReason, "no job was picked up within 30 s (idle timeout)");
    assert.match(r.log, /spot-runner\[watchdog:idle\]: powering off \(failed\)/);
    assert.ok(r.record("runner-args"), "the runner was running");
    assert.equal(r.record("runner-signals"), "TERM\n", "the runner was stopped before the power-off");
  });

  it("max runtime reached: the max-runtime watchdog stops a running job and powers off", () => {
    const r = results.maxRuntimeReached;
    assertEndedSafely(r);
    assert.equal(r.poweroffReason, "maximum runtime of 1 min reached");
    assert.match(r.log, /watchdog:idle\]: a job has started; the idle watchdog stands down/);
    assert.equal(r.record("runner-signals"), "TERM\n");
  });

  it("spot termination notice: warns once in the job log, the console and the log file", () => {
    const r = results.reclaimNotice;
    assertEndedSafely(r);
    assert.equal(r.poweroffReason, "the runner finished", "the fake job ends once it has seen the warning");
    const stepOutput = r.record("step-output") ?? "";
    const annotations = stepOutput.split("\n").filter((line) => line.startsWith("::warning title=Spot instance reclaim notice::"));
    assert.equal(annotations.length, 1, stepOutput);
    assert.match(annotations[0]!, /at 2026-11-28T01:05:00Z/);
    assert.match(annotations[0]!, /ecs\.c8y\.xlarge in cn-hangzhou-j/);
    assert.equal(r.console.match(/WARNING: Aliyun will reclaim this spot instance at 2026-11-28T01:05:00Z/g)?.length, 1);
    assert.equal(r.log.match(/reclaim warning written to the job log/g)?.length, 1);
    for (const get of r.metadata.filter((q) => q.method === "GET")) {
      assert.ok(r.metadataTokens.includes(String(get.headers["x-aliyun-ecs-metadata-token"])));
    }
  });

  it("checksum mismatch: refuses to run the package and powers off", () => {
    const r = results.checksumMismatch;
    assertEndedSafely(r);
    assert.match(r.poweroffReason, /^checksum mismatch for actions-runner-linux-arm64-9\.9\.9\.tar\.gz: expected 0{64}, got [0-9a-f]{64}; refusing to run it$/);
    assertRunnerNeverStarted(r);
    assert.equal(r.file(`opt/spot-runner/actions-runner-${FAKE_RUNNER_VERSION}/run.sh`), undefined, "never unpacked");
  });

  it("preinstalled runner: uses it as-is with no download (Ubuntu, docker from apt)", () => {
    const r = results.preinstalledRunner;
    assertEndedSafely(r);
    assert.equal(r.poweroffReason, "the runner finished");
    assert.deepEqual(r.downloads, []);
    assert.ok(r.runnerDir.endsWith("/root/opt/actions-runner"), r.runnerDir);
    assert.equal(r.record("runner-cwd")?.trim(), r.runnerDir);
    assert.match(r.log, /using the runner baked into the image at .*\/opt\/actions-runner \(no download\)/);
    assert.equal(r.record("installdependencies"), undefined, "a baked image brings its dependencies");
    assert.deepEqual(r.calls["apt-get"], ["update -y", "install -y --no-install-recommends docker.io"]);
  });

  it("proxy: downloads through it and exports it to the job, with metadata, aliyuncs.com and loopback direct", () => {
    const r = results.behindProxy;
    assertEndedSafely(r);
    assert.deepEqual(r.downloads.map((d) => [d.path, d.proxied]),
      [[`/download/v${FAKE_RUNNER_VERSION}/actions-runner-linux-arm64-${FAKE_RUNNER_VERSION}.tar.gz`, true]]);
    assert.ok(r.metadata.length > 0 && r.metadata.every((q) => !q.proxied), "metadata requests go direct");

    const noProxy = "git.corp.example,localhost,127.0.0.1,100.100.100.200,.aliyuncs.com,aliyuncs.com";
    const runnerEnv = r.record("runner-env") ?? "";
    const env = r.file(`opt/spot-runner/actions-runner-${FAKE_RUNNER_VERSION}/.env`) ?? "";
    for (const text of [runnerEnv, env]) {
      for (const name of ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"]) assert.match(text, new RegExp(`^${name}=http://127\\.0\\.0\\.1:\\d+$`, "m"));
      assert.ok(text.includes(`\nno_proxy=${noProxy}\n`), text);
      assert.ok(text.includes(`\nNO_PROXY=${noProxy}\n`), text);
    }
    const dropIn = r.file("etc/systemd/system/docker.service.d/spot-runner-proxy.conf") ?? "";
    assert.match(dropIn, /^\[Service\]\nEnvironment="HTTP_PROXY=http:\/\/127\.0\.0\.1:\d+" "HTTPS_PROXY=http:\/\/127\.0\.0\.1:\d+" "NO_PROXY=git\.corp\.example,.*100\.100\.100\.200,\.aliyuncs\.com,aliyuncs\.com"\n$/);
    assert.deepEqual(r.calls.systemctl, ["daemon-reload", "enable --now --no-block docker"]);
  });

  it("package missing: retries, then powers off saying where it looked", () => {
    const r = results.packageMissing;
    assertEndedSafely(r);
    assert.equal(r.downloads.length, 4, "four attempts");
    assert.match(r.poweroffReason, /^could not download the runner from http:\/\/127\.0\.0\.1:\d+\/download\/v9\.9\.9\//);
    assertRunnerNeverStarted(r);
  });

  it("docker never ready: powers off with the reason", () => {
    const r = results.dockerNeverReady;
    assertEndedSafely(r);
    assert.equal(r.poweroffReason, "docker did not become ready within 1 s");
    assertRunnerNeverStarted(r);
  });

  it("user creation fails: powers off with the reason", () => {
    const r = results.userCreationFails;
    assertEndedSafely(r);
    assert.equal(r.poweroffReason, "could not create the user runner");
    assertRunnerNeverStarted(r);
  });
});
