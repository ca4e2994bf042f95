import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RUNNER_STACK_OUTPUTS } from "../stacks/support/runnerStackOutputs";

const root = path.resolve(__dirname, "../..");

/** What a fresh process loaded to run `spot-runner <args>`, and how it ended. */
interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly loaded: readonly string[];
}

/**
 * Runs the built CLI's main (what bin/spot-runner.js runs) in a fresh node, since the test runner itself has loaded
 * everything, and lists require.cache when the command has returned.
 */
function runFresh(args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
  const script = `
    const { main } = require(${JSON.stringify(path.join(root, "dist/cli/main.js"))});
    const { createCliServices } = require(${JSON.stringify(path.join(root, "dist/cli/context.js"))});
    let stdout = "", stderr = "";
    const io = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: ${JSON.stringify(env)}, interrupted: new Promise(() => {}) };
    main(["node", "spot-runner", ...${JSON.stringify(args)}], { ...io, services: createCliServices(io) }).then((code) => {
      process.stdout.write(JSON.stringify({ code, stdout, stderr, loaded: Object.keys(require.cache) }));
    });`;
  const out = execFileSync(process.execPath, ["-e", script], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as Run;
}

/** Packages that only some commands need, by the path they are loaded from. */
const HEAVY = {
  "the ECS SDK": /node_modules[\\/]@alicloud[\\/]/,
  "the Pulumi SDK": /node_modules[\\/]@pulumi[\\/]/,
  "Octokit": /node_modules[\\/]@octokit[\\/]/,
  "gRPC": /node_modules[\\/]@grpc[\\/]/,
};

function heavyLoaded(run: Run): string[] {
  return Object.entries(HEAVY).filter(([, pattern]) => run.loaded.some((file) => pattern.test(file))).map(([name]) => name);
}

describe("what the CLI loads", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    // `npm test` builds first; this keeps a lone run of this file honest too (a no-op when the build is current).
    execFileSync(process.execPath, [path.join(root, "tools/build.cjs"), "--if-stale"], { cwd: root, stdio: "inherit" });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-startup-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("--help loads commander and the command declarations: no SDK, no schema library, no table renderer", () => {
    for (const args of [["--help"], ["advise", "--help"], ["reap", "--help"]]) {
      const run = runFresh(args);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(heavyLoaded(run), [], args.join(" "));
      const packages = new Set(run.loaded.filter((f) => f.includes("node_modules")).map((f) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(f)![1]));
      assert.deepEqual([...packages], ["commander"], args.join(" "));
    }
  });

  it("a usage error loads no SDK", () => {
    for (const args of [["list", "--bogus"], ["advise", "--min-cpu", "1e9"], ["advise", "--zones", "cn-shanghai-b"], ["reap", "--max-age", "0"], ["list", "--region", ""], ["demo", "--arch", "mips"]]) {
      const run = runFresh(args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.deepEqual(heavyLoaded(run), [], args.join(" "));
    }
  });

  it("summary loads no SDK", () => {
    const file = path.join(dir, "outputs.json");
    fs.writeFileSync(file, JSON.stringify(RUNNER_STACK_OUTPUTS));
    const run = runFresh(["summary", "--outputs", file, "--finished-at", "2026-11-28T01:20:00Z"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /### Spot runner cost/);
    assert.deepEqual(heavyLoaded(run), []);
  });

  it("the commands that talk to the cloud load its SDK when they run (the check above can see it)", () => {
    const run = runFresh(["list"], { ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tExample", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "secret", ALIBABA_CLOUD_ECS_ENDPOINT: "http://127.0.0.1:9" });
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(heavyLoaded(run), ["the ECS SDK"]);
  });
});
