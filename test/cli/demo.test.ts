import * as assert from "node:assert/strict";
import { Command } from "commander";
import { register } from "../../cli/commands/demo";
import { CliIo } from "../../cli/io";
import { runDemo } from "../../cli/demo/runDemo";

const FAST = { pendingMs: 100, startingMs: 200, runnerOnlineMs: 300, releaseMs: 100 };

function fakeIo(interrupted: Promise<void> = new Promise(() => undefined)) {
  let stdout = "";
  const io: CliIo = { stdout: (t) => { stdout += t; }, stderr: (t) => { stdout += t; }, env: {}, interrupted };
  return { io, output: () => stdout };
}

describe("spot-runner demo", function () {
  it("runs the whole life of a runner through Pulumi's plugin host and leaves nothing", async () => {
    const { io, output } = fakeIo();
    let code = -1;
    const program = new Command().exitOverride();
    register(program, io, (c) => { code = c; }, { timing: FAST, pollMs: 50, pulumi: null });
    await program.parseAsync(["node", "spot-runner", "demo", "--arch", "arm64"]);
    const text = output();
    assert.equal(code, 0, text);
    assert.match(text, /^Path: no Pulumi CLI found .* plugin host/, "the first line says which path the demo took");
    // The staged stock-out made the provider fall back to another zone.
    assert.match(text, /OperationDenied\.NoStock; next candidate/);
    const attempts = /attempts\s+(.*)/.exec(text)?.[1] ?? "";
    const launchedZone = /@(cn-hangzhou-\w): launched/.exec(attempts)?.[1];
    const refusedZone = /@(cn-hangzhou-\w): OperationDenied\.NoStock/.exec(attempts)?.[1];
    assert.ok(launchedZone && refusedZone && launchedZone !== refusedZone, attempts);
    assert.match(text, /runs-on: openresty-arm64-/);
    assert.match(text, /diff: no changes/);
    assert.match(text, /Nothing left: 0 instances and 0 runners/);
    assert.doesNotMatch(text, /ghp_|Secret/i, "no credential is printed");
  });

  it("stops cleanly when interrupted (Ctrl-C), closing the plugin host and the emulator", async () => {
    let interrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => { interrupt = resolve; });
    const lines: string[] = [];
    const result = await runDemo({ arch: "amd64", timing: FAST, pollMs: 50, interrupted }, (line) => {
      lines.push(line);
      if (line.includes("launching")) interrupt();
    });
    assert.equal(result.ok, false);
    assert.ok(lines.some((l) => l.includes("Interrupted: cleaning up")), lines.join("\n"));
  });

  it("rejects an unknown architecture as a usage error", async () => {
    const { io } = fakeIo();
    const program = new Command().exitOverride();
    register(program, io, () => undefined);
    await assert.rejects(program.parseAsync(["node", "spot-runner", "demo", "--arch", "sparc"]), /--arch: "sparc"/);
  });
});
