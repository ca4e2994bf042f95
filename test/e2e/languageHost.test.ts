import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeWithGoTool } from "../support/goToolsGate";
import { scenario } from "./support/scenarios";
import { startWorld } from "./support/world";

const FIXTURE = path.join(__dirname, "fixtures/host-probe");

/**
 * Our stand-in Node.js language host (tools/pulumi/pulumi-language-nodejs, docs/pulumi-cli.md) seen from a
 * program: the stack's configuration, secrets kept secret, the stack, project and organization names; and a
 * program that throws, whose error must reach the user once, as Pulumi's runner reported it.
 */
describeWithGoTool("pulumi", "the stand-in language host, with the real Pulumi CLI", function () {
  this.timeout(240_000);
  const probe = scenario(async () => {
    const world = await startWorld();
    const stack = `e2e-host-${world.runId}`;
    const pulumi = (...args: string[]) => world.pulumi(args, { cwd: FIXTURE });
    try {
      await pulumi("stack", "init", stack, "--non-interactive", "--secrets-provider", "passphrase");
      await pulumi("config", "set", "--stack", stack, "greeting", "hello from config");
      await pulumi("config", "set", "--stack", stack, "--secret", "token", "probe-secret-value");
      const up = await pulumi("up", "--stack", stack, "--yes", "--skip-preview", "--non-interactive");
      const outputs = await pulumi("stack", "output", "--stack", stack, "--json");
      const revealed = await pulumi("stack", "output", "--stack", stack, "--json", "--show-secrets");
      await pulumi("config", "set", "--stack", stack, "fail", "true");
      const failing = await pulumi("preview", "--stack", stack, "--non-interactive");
      return { stack, up, outputs, revealed, failing };
    } finally {
      await pulumi("stack", "rm", stack, "--yes", "--force", "--non-interactive");
      fs.rmSync(path.join(FIXTURE, `Pulumi.${stack}.yaml`), { force: true });
      await world.close();
    }
  });

  it("passes the program its configuration, with secrets still secret, and the stack, project and organization", async () => {
    const { stack, up, outputs, revealed } = await probe();
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.deepEqual(JSON.parse(outputs.stdout), {
      greeting: "hello from config",
      token: "[secret]",
      stack,
      project: "spot-runner-e2e-host-probe",
      organization: "organization",
    });
    assert.equal(JSON.parse(revealed.stdout).token, "probe-secret-value");
    assert.doesNotMatch(up.stdout + up.stderr, /probe-secret-value/);
  });

  it("reports a program that throws once, with its message, and fails the command", async () => {
    const { failing } = await probe();
    assert.notEqual(failing.code, 0);
    const text = failing.stdout + failing.stderr;
    assert.match(text, /host-probe: failing on purpose/);
    assert.equal(text.match(/host-probe: failing on purpose/g)?.length, 1, "shown once");
    assert.doesNotMatch(text, /the Node\.js program in .* exited with code/, "the runner reported it; the host adds nothing");
  });
});
