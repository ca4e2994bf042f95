import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeWithGoTool } from "../support/goToolsGate";
import { copyProject } from "./support/projectCopy";
import { scenario } from "./support/scenarios";
import { startWorld } from "./support/world";

/**
 * `up` with one version of the provider, `destroy` with another: the state holds only the shim, which loads
 * whatever provider the checkout has built when destroy runs. The change made between the two is a refactor that
 * moves the provider class to another module (what would break a provider serialized whole, with its module
 * paths) and marks its log lines, so the test can see which code the destroy ran.
 */
describeWithGoTool("pulumi", "destroy after the provider's code changed, with the real Pulumi CLI", function () {
  this.timeout(240_000);
  const changed = scenario(async () => {
    const world = await startWorld();
    try {
      const { root, runnerDir } = copyProject(world.dir);
      const stack = world.stackName("arm64");
      const pulumi = async (...args: string[]) => {
        const r = await world.pulumi(args, { cwd: runnerDir });
        assert.equal(r.code, 0, `pulumi ${args.join(" ")}: ${r.stdout}${r.stderr}`);
        return r;
      };
      await pulumi("stack", "init", stack, "--non-interactive", "--secrets-provider", "passphrase");
      await pulumi("config", "set-all", "--stack", stack, "--plaintext", "arch=arm64", "--plaintext", "infraStack=organization/spot-runner-infra/prod",
        "--plaintext", "imageId=aliyun_3_arm64_20G_alibase_20241216.vhd", "--plaintext", "githubRepository=dianplus/openresty");
      const up = await pulumi("up", "--stack", stack, "--yes", "--skip-preview", "--non-interactive");
      assert.match(up.stdout, /\[spot-runner\] runner \S+ is online/);
      assert.equal(world.emu.admin.state().instances.length, 1);

      // The next commit, built: the provider class moves to another module, and its log lines say which code this is.
      const provider = path.join(root, "dist", "provider");
      fs.renameSync(path.join(provider, "spotRunnerProvider.js"), path.join(provider, "runnerLifecycle.js"));
      for (const file of fs.readdirSync(provider, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"))) {
        const text = fs.readFileSync(path.join(provider, file), "utf8");
        fs.writeFileSync(path.join(provider, file), text.replace(/require\("((?:\.\.?\/)+)spotRunnerProvider"\)/g, 'require("$1runnerLifecycle")'));
      }
      const runtime = path.join(provider, "runtime.js");
      fs.writeFileSync(runtime, fs.readFileSync(runtime, "utf8").replace("`[spot-runner] ${line}\\n`", "`[spot-runner v2] ${line}\\n`"));
      assert.match(fs.readFileSync(runtime, "utf8"), /\[spot-runner v2\]/, "the test's edit applied");
      assert.match(fs.readFileSync(runtime, "utf8"), /require\("\.\/runnerLifecycle"\)/, "the test's move applied");

      const destroy = await pulumi("destroy", "--stack", stack, "--yes", "--skip-preview", "--non-interactive", "--remove");
      assert.match(destroy.stdout, /\[spot-runner v2\] releasing i-/, "destroy ran the new code");
      const cloud = world.emu.admin.state();
      assert.deepEqual({ instances: cloud.instances.length, runners: cloud.runners.length }, { instances: 0, runners: 0 });
    } finally {
      await world.close();
    }
  });

  it("still releases the runner: the shim in state loads the provider the checkout has now", () => changed());
});
