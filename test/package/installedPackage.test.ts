import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startProviderHost } from "../../cli/demo/pluginHost";
import { startEmulator, RunningEmulator } from "../../emulator";
import { smallScenario, withTiming } from "../../emulator/scenario/small";

/**
 * The package as a user gets it: `npm pack`, then `npm install` of the tarball in a program of another directory
 * (no TypeScript, no ts-node there). That program declares a SpotRunner under Pulumi's mocks; the provider it
 * serialized then runs in Pulumi's plugin host started from the program's own @pulumi/pulumi, and creates and
 * deletes a runner on the emulator. So: the files the package ships, its exports, the compiled shim and the CLI
 * work where only the package and its dependencies are installed.
 *
 * The install is seeded with hard links of this checkout's node_modules, so it takes seconds instead of half a
 * minute: npm still resolves the program's tree from the tarball's dependencies and removes everything else
 * (TypeScript and ts-node among them; a test checks they are gone).
 */
const REPO_ROOT = path.resolve(__dirname, "../..");
const DEV_ONLY = ["typescript", "ts-node", "mocha", "fast-check", "yaml", "@pulumi/alicloud", "aliyun-spot-runner", ".package-lock.json"];

describe("the package installed from its tarball in another directory", function () {
  let dir: string;
  let emu: RunningEmulator | undefined;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "spot-runner-consumer-"));
    const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: REPO_ROOT, encoding: "utf8" }).trim().split("\n").pop()!;
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    execFileSync("cp", ["-al", path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules")]);
    for (const name of DEV_ONLY) fs.rmSync(path.join(dir, "node_modules", name), { recursive: true, force: true });
    const install = (mode: string) => spawnSync("npm", ["install", "--no-audit", "--no-fund", mode, `./${packed}`, "@pulumi/pulumi@3.248.0"],
      { cwd: dir, encoding: "utf8" });
    // Offline from npm's cache (filled by `npm ci`); the registry only if the cache lacks something.
    const result = install("--offline").status === 0 ? { status: 0 } : install("--prefer-offline");
    assert.equal(result.status, 0, `npm install of ${packed} failed`);
  });

  after(async () => {
    await emu?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (script: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });

  it("installs without TypeScript or ts-node, and loads from its compiled build", () => {
    const out = run(`
      for (const dev of ["typescript", "ts-node"]) { try { require.resolve(dev); console.log("found " + dev); } catch {} }
      const pkg = require("aliyun-spot-runner");
      console.log(typeof pkg.SpotRunner, require.resolve("aliyun-spot-runner").replace(process.cwd(), "."));
    `);
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout.trim(), "function ./node_modules/aliyun-spot-runner/dist/provider/index.js");
  });

  it("its CLI runs (spot-runner --help)", () => {
    const out = spawnSync(path.join(dir, "node_modules/.bin/spot-runner"), ["--help"], { cwd: dir, encoding: "utf8" });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /Usage: spot-runner/);
  });

  it("a program declares a SpotRunner under mocks, and its serialized provider creates and deletes a runner in Pulumi's plugin host", async () => {
    const scenario = withTiming(smallScenario(), { pendingMs: 50, startingMs: 50, runnerOnlineMs: 100, releaseMs: 50 });
    emu = await startEmulator({ scenario, clock: "real" });
    const props = {
      arch: "arm64", region: "cn-hangzhou", namePrefix: "openresty", githubRepository: scenario.github.repos[0],
      vSwitchIds: Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
      securityGroupId: scenario.securityGroups[0].securityGroupId,
      imageId: scenario.images.find((i) => i.architecture === "arm64")!.imageId,
    };
    // The program: plain JavaScript, as a user's after `npm install aliyun-spot-runner`.
    const program = run(`
      const pulumi = require("@pulumi/pulumi");
      const { SpotRunner } = require("aliyun-spot-runner");
      pulumi.runtime.setMocks({
        newResource: (args) => { console.log(JSON.stringify({ type: args.type, inputs: args.inputs })); return { id: "i-mock", state: args.inputs }; },
        call: (args) => args.inputs,
      }, "consumer", "dev", false).then(() => new SpotRunner("runner", ${JSON.stringify(props)}));
    `);
    assert.equal(program.status, 0, program.stderr);
    const registered = JSON.parse(program.stdout.trim().split("\n").pop()!);
    assert.equal(registered.type, "pulumi-nodejs:dynamic/aliyun:SpotRunner");
    const providerText = String(registered.inputs.__provider);
    assert.match(providerText, /require\("aliyun-spot-runner\/runtime"\)/);

    const host = await startProviderHost({
      cwd: dir, pulumiDir: path.join(dir, "node_modules/@pulumi/pulumi"),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...emu.env, SPOT_RUNNER_POLL_MS: "50" },
    });
    try {
      const urn = "urn:pulumi:dev::consumer::pulumi-nodejs:dynamic/aliyun:SpotRunner::runner";
      const checked = await host.check(urn, {}, { ...props, __provider: providerText });
      assert.deepEqual(checked.failures, []);
      const created = await host.create(urn, checked.inputs);
      assert.match(created.id, /^i-/);
      assert.equal(emu.admin.state().runners.find((r) => r.name === created.properties.runnerName)?.status, "online");
      await host.delete(urn, created.id, created.properties);
      assert.deepEqual(emu.admin.state().instances, []);
      assert.deepEqual(emu.admin.state().runners, []);
    } finally {
      await host.close();
    }
  });
});
