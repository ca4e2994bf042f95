import * as assert from "node:assert/strict";
import { smallScenario, withOffering } from "../../emulator/scenario/small";
import { NoSpotCapacityError } from "../../provider/advisor";
import { AliyunApiError, ImageUnusableError, InvalidInputError, MissingEnvironmentError, NoInstanceLaunchedError,
  RunnerNeverOnlineError } from "../../provider/errors";
import { TAG_KEYS } from "../../provider/tags";
import { Harness, startHarness } from "./support/harness";

describe("SpotRunner provider against the emulator", function () {
  let h: Harness;
  afterEach(async () => h?.close());

  it("creates the cheapest runner, online and tagged, and delete removes instance and runner", async () => {
    h = await startHarness();
    const { id, outs } = await h.provider.create(h.props());
    // smallScenario: the cheapest ARM 1:2 pair is ecs.c8y.2xlarge in zone j (0.025 per vCPU).
    assert.equal(outs.instanceType, "ecs.c8y.2xlarge");
    assert.equal(outs.zoneId, "cn-hangzhou-j");
    assert.equal(outs.spotPrice, 0.2);
    assert.equal(outs.priceLimit, 0.24);
    assert.equal(outs.cpuCount, 8);
    assert.equal(outs.label, outs.runnerName);
    assert.match(outs.instanceName, /^openresty-arm64-spot-\d{14}$/);
    assert.deepEqual(outs.attempts.map((a: { outcome: string }) => a.outcome), ["launched"]);

    const state = h.emu.admin.state();
    const instance = state.instances.find((i) => i.instanceId === id)!;
    assert.equal(instance.status, "Running");
    assert.equal(instance.spotStrategy, "SpotWithPriceLimit");
    assert.equal(instance.spotPriceLimit, 0.24);
    assert.equal(instance.tags[TAG_KEYS.prefix], "openresty");
    assert.equal(instance.tags[TAG_KEYS.runnerName], outs.runnerName);
    assert.ok(instance.autoReleaseTime, "every instance carries a cloud-side TTL");
    const runner = state.runners.find((r) => r.name === outs.runnerName)!;
    assert.equal(runner.status, "online");
    assert.ok(runner.labels.includes(outs.label));

    await h.provider.delete(id, outs);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("registers the runner with the stack's label too, so the stop job's sweep finds it without an instance", async () => {
    h = await startHarness();
    const { outs } = await h.provider.create(h.props({ stackName: "gha-7-1-arm64", labels: ["extra"] }));
    const runner = h.emu.admin.state().runners.find((r) => r.name === outs.runnerName)!;
    assert.deepEqual(runner.labels, [outs.label, "spot-runner-stack-gha-7-1-arm64", "extra"]);
  });

  it("keeps secrets out of outputs: no JIT config, no credential", async () => {
    h = await startHarness();
    const { outs } = await h.provider.create(h.props());
    const text = JSON.stringify(outs);
    assert.ok(!text.includes(h.emu.accessKeySecret));
    assert.ok(!text.includes(h.emu.githubToken));
    assert.doesNotMatch(text, /jit/i);
    const userData = h.emu.admin.calls().find((c) => c.action === "RunInstances");
    assert.ok(userData && !JSON.stringify(userData).includes(h.emu.githubToken));
  });

  it("falls back to the next zone when the first is out of stock", async () => {
    h = await startHarness({ scenario: withOffering(smallScenario(), { zoneId: "cn-hangzhou-j", instanceTypeId: "ecs.c8y.2xlarge", spotStock: 0, statusCategory: "WithStock" }) });
    const { outs } = await h.provider.create(h.props());
    assert.deepEqual(outs.attempts.map((a: { zoneId: string; outcome: string; code?: string }) => [a.zoneId, a.outcome, a.code]), [
      ["cn-hangzhou-j", "capacity", "OperationDenied.NoStock"],
      ["cn-hangzhou-b", "launched", undefined],
    ]);
    assert.equal(outs.zoneId, "cn-hangzhou-b");
    assert.equal(h.emu.admin.state().instances.length, 1, "the failed candidate left nothing");
  });

  it("moves on when the spot price rose above the limit between advice and launch", async () => {
    h = await startHarness({
      deps: {
        log: (line) => {
          // The moment the plan is made, zone j's price jumps above its 0.24 limit.
          if (line.startsWith("launch plan")) h.emu.admin.setPrice({ regionId: "cn-hangzhou", zoneId: "cn-hangzhou-j", instanceTypeId: "ecs.c8y.2xlarge", price: 0.3 });
        },
      },
    });
    const { outs } = await h.provider.create(h.props());
    assert.deepEqual(outs.attempts[0], { instanceTypeId: "ecs.c8y.2xlarge", zoneId: "cn-hangzhou-j", source: "ranked", chargeType: "spot", outcome: "price", code: "InvalidSpotPriceLimit.LowerThanPublicPrice" });
    assert.equal(outs.zoneId, "cn-hangzhou-b");
  });

  it("treats an instance that is accepted and then vanishes as a capacity failure", async () => {
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", effect: "vanish", times: 1 });
    const { outs } = await h.provider.create(h.props());
    assert.equal(outs.attempts[0].outcome, "vanished");
    assert.equal(outs.attempts[1].outcome, "launched");
    assert.equal(h.emu.admin.state().instances.length, 1);
  });

  it("fails clearly when every candidate is exhausted, leaving nothing behind", async () => {
    h = await startHarness();
    h.emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, times: -1 });
    await assert.rejects(h.provider.create(h.props({ maxLaunchAttempts: 3 })), (err: unknown) => {
      assert.ok(err instanceof NoInstanceLaunchedError);
      assert.equal(err.attempts.length, 3);
      assert.match(err.message, /ecs\.c8y\.2xlarge@cn-hangzhou-j: OperationDenied\.NoStock/);
      assert.match(err.message, /Nothing was left behind/);
      return true;
    });
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("explains why nothing qualifies, launches nothing, and removes the runner registered meanwhile", async () => {
    h = await startHarness();
    await assert.rejects(h.provider.create(h.props({ families: ["ecs.c8r"] })), NoSpotCapacityError);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
    assert.equal(h.emu.admin.calls().filter((c) => c.action === "RunInstances").length, 0);
    // The registration ran beside the advisor (issue 14): it is undone, not skipped.
    const github = h.emu.admin.calls().filter((c) => c.api === "github").map((c) => c.action);
    assert.ok(github.some((a) => /generate-jitconfig/.test(a)) && github.some((a) => /^DELETE /.test(a)), github.join(", "));
  });

  it("releases the instance and removes the runner when the runner never comes online, quoting the console", async () => {
    h = await startHarness({ deps: { renderUserData: () => "#!/bin/bash\necho broken bootstrap\n" } });
    await assert.rejects(h.provider.create(h.props({ onlineTimeoutMinutes: 2 })), (err: unknown) => {
      assert.ok(err instanceof RunnerNeverOnlineError);
      assert.match(err.message, /did not come online within 2 min/);
      assert.match(err.message, /Last console output/);
      return true;
    });
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("retries throttled calls", async () => {
    h = await startHarness();
    h.emu.admin.addFault({ action: "DescribeSpotPriceHistory", code: "Throttling.User", status: 400, times: 2 });
    h.emu.admin.addFault({ action: "RunInstances", code: "Throttling.User", status: 400, times: 1 });
    const { outs } = await h.provider.create(h.props());
    assert.equal(outs.attempts.length, 1);
    const runs = h.emu.admin.calls().filter((c) => c.action === "RunInstances");
    assert.equal(runs.length, 2, "one throttled RunInstances, one retry with the same ClientToken");
    assert.equal(h.emu.admin.state().instances.length, 1);
  });

  it("names the variable when credentials are missing, before any call", async () => {
    h = await startHarness({ env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: "" } });
    await assert.rejects(h.provider.create(h.props()), (err: unknown) =>
      err instanceof MissingEnvironmentError && err.variables.includes("ALIBABA_CLOUD_ACCESS_KEY_SECRET"));
    assert.equal(h.emu.admin.calls().length, 0);
  });

  it("says which variables to check when the secret is wrong", async () => {
    h = await startHarness({ env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: "wrong-secret" } });
    await assert.rejects(h.provider.create(h.props()), (err: unknown) =>
      err instanceof AliyunApiError && err.kind === "credentials" && /SignatureDoesNotMatch/.test(err.message) &&
      /ALIBABA_CLOUD_ACCESS_KEY_SECRET/.test(err.message));
  });

  it("names GITHUB_TOKEN when the GitHub token is rejected, and registers nothing", async () => {
    h = await startHarness({ env: { GITHUB_TOKEN: "ghp_not_a_real_token" } });
    await assert.rejects(h.provider.create(h.props()), /GITHUB_TOKEN/);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("rejects an image of the other architecture before launching", async () => {
    h = await startHarness();
    const amd64Image = smallScenario().images.find((i) => i.architecture === "x86_64")!.imageId;
    await assert.rejects(h.provider.create(h.props({ imageId: amd64Image })), (err: unknown) =>
      err instanceof ImageUnusableError && /x86_64 but the runner is arm64/.test(err.message));
    assert.equal(h.emu.admin.calls().filter((c) => c.action === "RunInstances").length, 0);
  });

  it("rejects invalid inputs per property with no API call", async () => {
    h = await startHarness();
    const check = await h.provider.check({}, h.props({ ttlMinutes: 10, arch: "mips" }));
    assert.deepEqual(check.failures?.map((f) => f.property).sort(), ["arch", "ttlMinutes"]);
    await assert.rejects(h.provider.create(h.props({ ttlMinutes: 10 })), InvalidInputError);
    assert.equal(h.emu.admin.calls().length, 0);
  });

  it("deletes idempotently: an instance already gone, and a second delete", async () => {
    h = await startHarness();
    const { id, outs } = await h.provider.create(h.props());
    await h.provider.delete(id, outs);
    await h.provider.delete(id, outs);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("waits until the instance is really gone (Stopping is not gone)", async () => {
    h = await startHarness();
    const { id, outs } = await h.provider.create(h.props());
    const before = h.emu.clock.now();
    await h.provider.delete(id, outs);
    assert.ok(h.emu.clock.now() - before >= 1_000, "the emulator takes 1 s to release; delete waited for it");
    assert.equal(h.emu.admin.state().instances.length, 0);
    const describes = h.emu.admin.calls().filter((c) => c.action === "DescribeInstances");
    assert.ok(describes.length >= 2);
  });

  it("refresh drops a reclaimed instance from state", async () => {
    h = await startHarness();
    const { id, outs } = await h.provider.create(h.props());
    h.emu.admin.reclaimInstance(id);
    const during = await h.provider.read(id, outs);
    assert.equal(during.id, id);
    assert.deepEqual(during.props?.lockReasons, ["Recycling"]);
    h.emu.clock.advance(5 * 60_000 + 1_000 + 1); // the notice, then the release itself
    const after = await h.provider.read(id, outs);
    assert.equal(after.id, "");
    await h.provider.delete(id, outs);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });

  it("replaces on any input change and ignores code-only changes", async () => {
    h = await startHarness();
    const olds = { ...h.props(), instanceId: "i-1", __provider: "old code" };
    assert.deepEqual(await h.provider.diff("i-1", olds, { ...h.props(), __provider: "new code" }), { changes: false });
    const changed = await h.provider.diff("i-1", olds, h.props({ maxCpu: 16 }));
    assert.deepEqual(changed, { changes: true, replaces: ["maxCpu"], deleteBeforeReplace: true });
  });
});
