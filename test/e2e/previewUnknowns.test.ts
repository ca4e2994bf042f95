import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeWithGoTool } from "../support/goToolsGate";
import { scenario } from "./support/scenarios";
import { startWorld } from "./support/world";

const FIXTURE = path.join(__dirname, "fixtures/unknown-inputs");

/**
 * A first `pulumi preview` of a program whose SpotRunner takes its network and image from resources that do not
 * exist yet: the engine sends check() unknown values, and the preview must still pass, without calling the cloud.
 * The control: the same program with every input known and one invalid, where check() must fail naming it (so
 * the passing preview is the check accepting unknowns, not the check never running).
 */
describeWithGoTool("pulumi", "pulumi preview with unknown inputs, with the real Pulumi CLI", function () {
  this.timeout(240_000);
  const previews = scenario(async () => {
    const world = await startWorld();
    const stack = `e2e-unknowns-${world.runId}`;
    const pulumi = (...args: string[]) => world.pulumi(args, { cwd: FIXTURE });
    try {
      const init = await pulumi("stack", "init", stack, "--non-interactive", "--secrets-provider", "passphrase");
      assert.equal(init.code, 0, init.stderr);
      const unknowns = await pulumi("preview", "--stack", stack, "--non-interactive");
      const known = await (async () => {
        await pulumi("config", "set-all", "--stack", stack, "--plaintext", "knownInputs=true", "--plaintext", "minCpu=-4");
        return pulumi("preview", "--stack", stack, "--non-interactive");
      })();
      return { unknowns, known, calls: world.emu.admin.calls().length };
    } finally {
      await pulumi("stack", "rm", stack, "--yes", "--force", "--non-interactive");
      fs.rmSync(path.join(FIXTURE, `Pulumi.${stack}.yaml`), { force: true });
      await world.close();
    }
  });

  it("passes check while the runner's network and image are unknown, and calls no cloud API", async () => {
    const { unknowns, calls } = await previews();
    assert.equal(unknowns.code, 0, unknowns.stdout + unknowns.stderr);
    assert.match(unknowns.stdout, /\+\s+pulumi-nodejs:dynamic\/aliyun:SpotRunner runner create/);
    assert.equal(calls, 0, "a preview calls no cloud API");
  });

  it("still fails check, naming the property, when every input is known and one is invalid", async () => {
    const { known } = await previews();
    assert.notEqual(known.code, 0, known.stdout);
    assert.match(known.stdout, /resource .runner.: property minCpu value \{-4\} has a problem/);
  });
});
