import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as $Ecs from "@alicloud/ecs20140526";
import { Command } from "commander";
import { register } from "../../cli/commands/emulator";
import type { CliIo } from "../../cli/io";
import { UsageError } from "../../cli/io";
import { ecsClient, rejection, tinyScenario } from "./fixtures";

/** A CLI run in-process: captured output, an interrupt the test fires, and the exit code. */
function harness() {
  let interrupt!: () => void;
  let firstOutput!: (text: string) => void;
  const output = new Promise<string>((resolve) => (firstOutput = resolve));
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (text) => (out.push(text), firstOutput(text)),
    stderr: (text) => err.push(text),
    env: {},
    interrupted: new Promise<void>((resolve) => (interrupt = resolve)),
  };
  let code: number | undefined;
  const program = new Command("spot-runner").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  register(program, io, (c) => (code = c));
  return { program, output, out, err, interrupt: () => interrupt(), code: () => code };
}

describe("spot-runner emulator (CLI)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "emulator-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("--json prints one line with endpoints and credentials, serves until interrupted, then exits 0", async () => {
    const file = join(dir, "scenario.json");
    writeFileSync(file, JSON.stringify(tinyScenario()));
    const h = harness();
    const run = h.program.parseAsync(["node", "spot-runner", "emulator", "--json", "--scenario", file]);
    const line = await h.output;
    assert.match(line, /^\{.*\}\n$/);
    const info = JSON.parse(line);
    assert.deepEqual(Object.keys(info), ["ecsEndpoint", "githubApiUrl", "adminUrl", "accessKeyId", "accessKeySecret", "githubToken"]);
    assert.equal(info.githubApiUrl, `${info.ecsEndpoint}/api/v3`);
    assert.equal(info.adminUrl, `${info.ecsEndpoint}/_emulator`);
    assert.equal((await fetch(`${info.adminUrl}/state`)).status, 200, "the admin URL serves the admin API");
    const regions = await ecsClient(info, info).describeRegions(new $Ecs.DescribeRegionsRequest({}));
    assert.equal(regions.body!.regions!.region![0].regionId, "cn-hangzhou");
    assert.equal(h.code(), undefined, "still serving");
    h.interrupt();
    await run;
    assert.equal(h.code(), 0);
    assert.deepEqual(h.out, [line]);
    await assert.rejects(fetch(`${info.ecsEndpoint}/_emulator/state`));
  });

  it("prints a readable summary with the exports to copy, on the bundled scenario by default", async () => {
    const h = harness();
    const run = h.program.parseAsync(["node", "spot-runner", "emulator"]);
    const text = await h.output;
    assert.match(text, /export ALIBABA_CLOUD_ECS_ENDPOINT=http:\/\/127\.0\.0\.1:\d+\n/);
    assert.match(text, /export GITHUB_API_URL=http:\/\/127\.0\.0\.1:\d+\/api\/v3\n/);
    assert.match(text, /bundled cn-hangzhou/);
    h.interrupt();
    await run;
    assert.equal(h.code(), 0);
  });

  it("exits 1 naming the problem for an invalid scenario file, and refuses a bad --port as a usage error", async () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, "{ not json");
    const h = harness();
    await h.program.parseAsync(["node", "spot-runner", "emulator", "--scenario", file]);
    assert.equal(h.code(), 1);
    assert.match(h.err.join(""), /broken\.json.*not valid JSON/s);
    const bad = harness();
    const err = await rejection(() => bad.program.parseAsync(["node", "spot-runner", "emulator", "--port", "http"]));
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /--port/);
  });
});
