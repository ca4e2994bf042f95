import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { Command } from "commander";
import { register } from "../../cli/commands/demo";
import { CliIo } from "../../cli/io";
import { describeWithGoTool } from "../support/goToolsGate";
import { scenario } from "./support/scenarios";
import { FAST_TIMING, RUNNER_DIR } from "./support/world";

/** `npm start` when the Pulumi CLI is built: the demo is a real `pulumi up` and `pulumi destroy` of stacks/runner. */
describeWithGoTool("pulumi", "spot-runner demo with the real Pulumi CLI", function () {
  this.timeout(240_000);
  const demo = scenario(async () => {
    let output = "";
    const io: CliIo = { stdout: (t) => (output += t), stderr: (t) => (output += t), env: process.env, interrupted: new Promise(() => undefined) };
    let code = -1;
    const stackFilesBefore = fs.readdirSync(RUNNER_DIR).filter((f) => /^Pulumi\.demo-/.test(f));
    const program = new Command().exitOverride();
    register(program, io, (c) => (code = c), { timing: FAST_TIMING, pollMs: 50 });
    await program.parseAsync(["node", "spot-runner", "demo", "--arch", "arm64"]);
    const stackFilesAfter = fs.readdirSync(RUNNER_DIR).filter((f) => /^Pulumi\.demo-/.test(f));
    return { code, output, leftStackFiles: stackFilesAfter.filter((f) => !stackFilesBefore.includes(f)) };
  });

  it("says first that it takes the real CLI and which version, runs pulumi up with the zone fallback and pulumi destroy, and leaves nothing", async () => {
    const { code, output, leftStackFiles } = await demo();
    assert.equal(code, 0, output);
    assert.match(output.split("\n")[0], /^Path: the real Pulumi CLI v3\.248\.0 \(\.tools\/pulumi\/bin\/pulumi, built by npm run pulumi:build\)/);
    assert.match(output, /\[spot-runner\]\s+OperationDenied\.NoStock; next candidate/, "the staged stock-out made the provider fall back");
    assert.match(output, /runs-on: \[self-hosted, openresty-arm64-/);
    assert.match(output, /pulumi preview --expect-no-changes: no changes/);
    assert.match(output, /Nothing left: 0 instances and 0 runners in the emulated cloud; the stack is gone from the backend/);
    assert.deepEqual(leftStackFiles, [], "no stack file left in stacks/runner");
    assert.doesNotMatch(output, /ghp_|EmulatorRootSecret/, "no credential is printed");
  });
});
