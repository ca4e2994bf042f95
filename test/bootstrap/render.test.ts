import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidInputError } from "../../provider/errors";
import { BootstrapInput, PINNED_RUNNER, renderBootstrapScript, USER_DATA_LIMIT_BYTES } from "../../provider/bootstrap";
import { compactScript } from "../../provider/bootstrap/renderScript";
import { shellQuote } from "../../provider/bootstrap/shellQuote";
import { TEST_JIT_CONFIG, testInput } from "./support/sandbox";

/** Base64 of the given number of bytes: GitHub's JIT configs are base64 of a few KB of JSON. */
function jitConfigOfLength(chars: number): string {
  return Buffer.alloc(Math.ceil((chars * 3) / 4), 7).toString("base64").slice(0, chars - (chars % 4));
}

function renderError(overrides: Partial<BootstrapInput>): InvalidInputError {
  try {
    renderBootstrapScript(testInput(overrides));
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
    return error;
  }
  assert.fail("rendering should have failed");
}

/** The value a rendered `NAME='...'` line assigns, as bash reads it. */
function assignedValue(script: string, name: string): string {
  const line = script.split("\n").find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `${name} is assigned`);
  return execFileSync("bash", ["-c", `${line}; printf '%s' "$${name}"`]).toString();
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe("renderBootstrapScript", () => {
  it("is pure: the same input gives the same text, and the input is not touched", () => {
    const input = deepFreeze(testInput({ proxy: { https: "http://10.0.0.5:3128" }, runner: { preinstalledDir: "/srv/runner" } }));
    assert.equal(renderBootstrapScript(input), renderBootstrapScript(structuredClone(input)));
    assert.notEqual(renderBootstrapScript(input), renderBootstrapScript(testInput({ runnerName: "another-runner" })));
  });

  it("holds the JIT config exactly once, as a plain single-quoted assignment", () => {
    const script = renderBootstrapScript(testInput());
    assert.equal(script.split(TEST_JIT_CONFIG).length - 1, 1);
    assert.ok(script.includes(`\nJIT_CONFIG='${TEST_JIT_CONFIG}'\n`));
    assert.doesNotMatch(script, /set -x|set -o xtrace|xtrace/, "tracing would print the JIT config");
    assert.doesNotMatch(script, /export[^\n]*JIT_CONFIG/, "the JIT config never becomes an environment variable");
  });

  it("stays well under the ECS user-data limit", () => {
    const typical = renderBootstrapScript(testInput({ jitConfig: jitConfigOfLength(4096), proxy: { https: "http://10.0.0.5:3128" } }));
    const withoutJit = Buffer.byteLength(typical) - 4096;
    assert.ok(withoutJit < 16 * 1024, `the script around the JIT config is ${withoutJit} bytes`);
    assert.ok(Buffer.byteLength(typical) < 20 * 1024, `${Buffer.byteLength(typical)} bytes with a 4 KB JIT config`);
    const largest = renderBootstrapScript(testInput({ jitConfig: jitConfigOfLength(12 * 1024) }));
    assert.ok(Buffer.byteLength(largest) <= USER_DATA_LIMIT_BYTES - 4 * 1024,
      `${Buffer.byteLength(largest)} bytes with the largest JIT config accepted`);
    assert.equal(USER_DATA_LIMIT_BYTES, 32 * 1024);
  });

  it("passes shellcheck", function () {
    if (spawnSync("shellcheck", ["--version"]).status !== 0) {
      // CI installs shellcheck (.ci/run), so this only skips on a developer machine without it.
      console.log("      shellcheck is not installed: skipping (apt-get install -y shellcheck)");
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), "bootstrap-shellcheck-"));
    try {
      const files = {
        "plain.sh": renderBootstrapScript(testInput()),
        "proxy.sh": renderBootstrapScript(testInput({
          arch: "amd64", proxy: { http: "http://10.0.0.5:3128", https: "http://10.0.0.5:3128", noProxy: "10.0.0.0/8" },
          runner: { preinstalledDir: "/srv/runner", downloadBaseUrl: "https://mirror.example.com/actions-runner/" },
        })),
      };
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      const template = join(__dirname, "..", "..", "provider", "bootstrap", "bootstrap.sh");
      const shared = join(__dirname, "..", "..", "provider", "bootstrap", "packages.sh");
      const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", ...Object.keys(files).map((f) => join(dir, f)), template, shared]);
      assert.equal(result.status, 0, result.stdout.toString() + result.stderr.toString());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pins the runner per architecture, from GitHub by default", () => {
    for (const arch of ["amd64", "arm64"] as const) {
      const script = renderBootstrapScript(testInput({ arch }));
      assert.equal(assignedValue(script, "RUNNER_VERSION"), PINNED_RUNNER.version);
      assert.equal(assignedValue(script, "RUNNER_SHA256"), PINNED_RUNNER.sha256[arch]);
      assert.equal(assignedValue(script, "RUNNER_ARCH"), arch === "amd64" ? "x64" : "arm64");
      assert.equal(assignedValue(script, "RUNNER_DOWNLOAD_BASE"), "https://github.com/actions/runner/releases/download");
    }
    assert.match(PINNED_RUNNER.version, /^2\.\d+\.\d+$/);
    assert.match(PINNED_RUNNER.sha256.amd64, /^[0-9a-f]{64}$/);
    assert.match(PINNED_RUNNER.sha256.arm64, /^[0-9a-f]{64}$/);
    assert.notEqual(PINNED_RUNNER.sha256.amd64, PINNED_RUNNER.sha256.arm64);
  });

  it("takes a mirror, another version with its checksum, and a preinstalled directory", () => {
    const sha256 = "ab".repeat(32);
    const script = renderBootstrapScript(testInput({
      runner: { version: "2.338.0", sha256, downloadBaseUrl: "https://mirror.example.com/runner/", preinstalledDir: "/srv/actions-runner/" },
    }));
    assert.equal(assignedValue(script, "RUNNER_VERSION"), "2.338.0");
    assert.equal(assignedValue(script, "RUNNER_SHA256"), sha256);
    assert.equal(assignedValue(script, "RUNNER_DOWNLOAD_BASE"), "https://mirror.example.com/runner");
    assert.match(script, /\nPREINSTALLED_DIRS=\('\/srv\/actions-runner' '\/opt\/actions-runner'\)\n/);
  });

  it("refuses another runner version without its checksum", () => {
    const error = renderError({ runner: { version: "2.338.0" } });
    assert.match(error.message, /runner\.sha256: is required for runner 2\.338\.0/);
  });

  it("keeps the metadata service, aliyuncs.com and loopback off the proxy", () => {
    const script = renderBootstrapScript(testInput({ proxy: { https: "http://10.0.0.5:3128", noProxy: " git.corp.example , 10.0.0.0/8,localhost" } }));
    assert.equal(assignedValue(script, "PROXY_HTTPS"), "http://10.0.0.5:3128");
    assert.equal(assignedValue(script, "PROXY_HTTP"), "");
    assert.equal(assignedValue(script, "NO_PROXY"),
      "git.corp.example,10.0.0.0/8,localhost,127.0.0.1,100.100.100.200,.aliyuncs.com,aliyuncs.com");
    const direct = renderBootstrapScript(testInput());
    assert.equal(assignedValue(direct, "PROXY_HTTP") + assignedValue(direct, "PROXY_HTTPS") + assignedValue(direct, "NO_PROXY"), "");
  });

  it("renders the setup info the job's 'Set up job' step shows", () => {
    const script = renderBootstrapScript(testInput({ setupInfo: { ...testInput().setupInfo, priceLimit: undefined, spotPrice: 0.1 + 0.2 } }));
    const [group] = JSON.parse(assignedValue(script, "SETUP_INFO_JSON")) as { group: string; detail: string }[];
    assert.equal(group!.group, "Aliyun spot instance");
    assert.deepEqual(group!.detail.split("\n"), [
      "Instance: ci-arm64-spot-20261128000000",
      "Type: ecs.c8y.xlarge (__VCPUS__ vCPUs, exported as RUNNER_CPUS)",
      "Architecture: arm64",
      "Zone: cn-hangzhou-j (cn-hangzhou)",
      "Spot price: 0.3 CNY/hour (pay-as-you-go cap)",
      "Auto-release (TTL): 2026-11-28T02:00:00Z",
      "Limits: no job within 15 min or 115 min in all -> power-off",
      `Runner: ci-arm64-202611280000-ab12cd34 (label ci-arm64-202611280000-ab12cd34), package ${PINNED_RUNNER.version}`,
    ]);
  });

  describe("input validation names the field", () => {
    const cases: [string, Partial<BootstrapInput>, RegExp][] = [
      ["bad arch", { arch: "x86" as never }, /arch: must be "amd64" or "arm64"/],
      ["empty JIT config", { jitConfig: "" }, /jitConfig: is empty/],
      ["JIT config outside base64", { jitConfig: "abc'; poweroff; echo '" }, /jitConfig: has characters outside base64/],
      ["JIT config too long", { jitConfig: jitConfigOfLength(13 * 1024) }, /jitConfig: is \d+ characters/],
      ["idle timeout zero", { idleTimeoutMinutes: 0 }, /idleTimeoutMinutes: must be a whole number of minutes from 1 to 1440, got 0/],
      ["idle timeout fractional", { idleTimeoutMinutes: 1.5 }, /idleTimeoutMinutes: must be a whole number/],
      ["max runtime too long", { maxRuntimeMinutes: 7 * 24 * 60 + 1 }, /maxRuntimeMinutes: must be a whole number of minutes from 5 to 10080/],
      ["max runtime NaN", { maxRuntimeMinutes: Number.NaN }, /maxRuntimeMinutes: must be a whole number/],
      ["idle beyond max runtime", { idleTimeoutMinutes: 60, maxRuntimeMinutes: 30 }, /idleTimeoutMinutes: \(60\) must not exceed maxRuntimeMinutes \(30\)/],
      ["mirror not http(s)", { runner: { downloadBaseUrl: "ftp://mirror.example.com/runner" } }, /runner\.downloadBaseUrl: must be an http\(s\) URL/],
      ["mirror not a URL", { runner: { downloadBaseUrl: "mirror.example.com" } }, /runner\.downloadBaseUrl: must be an http\(s\) URL/],
      ["mirror with credentials", { runner: { downloadBaseUrl: "https://user:pw@mirror.example.com" } }, /runner\.downloadBaseUrl: must not carry credentials/],
      ["proxy not http(s)", { proxy: { https: "socks5://10.0.0.5:1080" } }, /proxy\.https: must be an http\(s\) URL/],
      ["proxy with credentials", { proxy: { http: "http://user:secret@10.0.0.5:3128" } }, /proxy\.http: must not carry credentials/],
      ["bad no_proxy entry", { proxy: { https: "http://10.0.0.5:3128", noProxy: "ok.example,bad host" } }, /proxy\.noProxy: "bad host"/],
      ["bad version", { runner: { version: "latest" } }, /runner\.version: "latest" is not a runner version/],
      ["bad checksum", { runner: { sha256: "ABC" } }, /runner\.sha256: must be 64 lower-case hex digits/],
      ["relative preinstalled dir", { runner: { preinstalledDir: "actions-runner" } }, /runner\.preinstalledDir: must be an absolute path/],
      ["root runner user", { runnerUser: "root" }, /runnerUser: must not be root/],
      ["bad runner user", { runnerUser: "Runner User" }, /runnerUser: must be a POSIX user name/],
      ["runner name with a quote", { runnerName: "it's" }, /runnerName: may hold only/],
      ["empty job label", { jobLabel: "" }, /jobLabel: must not be empty/],
      ["bad TTL", { setupInfo: { ...testInput().setupInfo, autoReleaseTime: "tomorrow" } }, /setupInfo\.autoReleaseTime: must be an ISO 8601 time/],
      ["negative price", { setupInfo: { ...testInput().setupInfo, spotPrice: -1 } }, /setupInfo\.spotPrice: must be a number >= 0/],
      ["zone with a newline", { setupInfo: { ...testInput().setupInfo, zoneId: "cn-hangzhou-j\nrm -rf /" } }, /setupInfo\.zoneId: may hold only/],
    ];
    for (const [name, overrides, expected] of cases) {
      it(name, () => assert.match(renderError(overrides).message, expected));
    }

    it("never echoes the JIT config in an error", () => {
      const secretish = "c2VjcmV0" + "!";
      assert.equal(renderError({ jitConfig: secretish }).message.includes(secretish), false);
    });

    it("reports every bad field at once", () => {
      const error = renderError({ arch: "x86" as never, jitConfig: "", idleTimeoutMinutes: 0 });
      assert.deepEqual(error.failures.map((f) => f.property), ["arch", "jitConfig", "idleTimeoutMinutes"]);
    });
  });
});

describe("bootstrap template", () => {
  // The template and the part it shares with the bake (inlined at load time): the rules hold for both.
  const source = ["bootstrap.sh", "packages.sh"].map((f) => readFileSync(join(__dirname, "..", "..", "provider", "bootstrap", f), "utf8")).join("\n");

  it("has no heredocs, so dropping comment lines and indentation cannot change data", () => {
    assert.doesNotMatch(source.replace(/<<</g, ""), /<</);
  });

  it("compacts to the commands alone: no comments, blank lines or indentation, shebang and directives kept", () => {
    const compact = compactScript("#!/bin/bash\n# about\n\nf() {\n  # why\n  echo '#not a comment'\n  # shellcheck disable=SC2086\n  echo $x\n}\n");
    assert.equal(compact, "#!/bin/bash\nf() {\necho '#not a comment'\n# shellcheck disable=SC2086\necho $x\n}\n");
  });

  it("reads its test hooks only from SPOT_RUNNER_* variables, with production defaults", () => {
    assert.match(source, /METADATA_URL="\$\{SPOT_RUNNER_METADATA_URL:-http:\/\/100\.100\.100\.200\}"/);
    assert.match(source, /UPTIME_FILE="\$\{SPOT_RUNNER_UPTIME_FILE:-\/proc\/uptime\}"/);
    assert.match(source, /ROOT_PREFIX="\$\{SPOT_RUNNER_ROOT:-\}"/);
  });
});

describe("shellQuote", () => {
  it("round-trips any text through bash", () => {
    for (const value of ["plain", "it's", "$(poweroff)", "`id`", "a\\b", "", "'", "\"$HOME\"", "line\nbreak"]) {
      const out = execFileSync("bash", ["-c", `x=${shellQuote(value)}; printf '%s' "$x"`]).toString();
      assert.equal(out, value);
    }
  });
});
