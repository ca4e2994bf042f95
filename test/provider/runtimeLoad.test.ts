import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

/**
 * What Pulumi's plugin host loads for the provider: the compiled runtime, and for `check` (every preview and
 * every `up` runs it first) nothing of the SDKs; they load when a create or delete first builds a client.
 */
const runtime = path.resolve(__dirname, "../../dist/provider/runtime.js");

function loadedAfter(step: string): string[] {
  const script = `
    const r = require(${JSON.stringify(runtime)});
    Promise.resolve(${step}).then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8", env: { PATH: process.env.PATH } })) as string[];
}
const sdk = (loaded: readonly string[]) => loaded.filter((m) => /[\\/](@alicloud[\\/]ecs20140526|@octokit)[\\/]/.test(m));

describe("the provider in Pulumi's plugin host loads the SDKs only when a client is built", () => {
  it("check loads neither the ECS SDK nor Octokit", () => {
    assert.deepEqual(sdk(loadedAfter(`r.spotRunnerProvider.check({}, { arch: "arm64" })`)), []);
  });

  it("building the clients does (the check above can fail)", () => {
    const loaded = sdk(loadedAfter(`(() => { const d = r.productionDeps({}); d.ecs("cn-hangzhou"); d.runners(); })()`));
    assert.ok(loaded.some((m) => /ecs20140526/.test(m)) && loaded.some((m) => /@octokit/.test(m)));
  });
});
