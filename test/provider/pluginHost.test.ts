import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator, RunningEmulator } from "../../emulator";
import { smallScenario, withTiming } from "../../emulator/scenario/small";
import { spotRunnerShim } from "../../provider/shim";
import { DIFF, ProviderHost, startProviderHost } from "../../cli/demo/pluginHost";

const repoRoot = path.resolve(__dirname, "../..");
const URN = "urn:pulumi:gha-1-1-arm64::spot-runner-job::pulumi-nodejs:dynamic/aliyun:SpotRunner::runner";

/**
 * `pulumi up` and `pulumi destroy` without the CLI: Pulumi's own dynamic-provider host (plain node, started in
 * the project directory as the engine starts it) runs the serialized provider against the emulator, driven over
 * gRPC the way the engine drives it.
 */
describe("SpotRunner through Pulumi's dynamic-provider host", function () {
  let emu: RunningEmulator;
  let host: ProviderHost;
  let providerText: string;

  before(async () => {
    // Sentinels in the environment while serializing: none may end up in the text stored in state.
    const saved = { ...process.env };
    Object.assign(process.env, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: "SENTINEL_AK_ID", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "SENTINEL_AK_SECRET",
      GITHUB_TOKEN: "SENTINEL_GH_TOKEN", ALICLOUD_SECRET_KEY: "SENTINEL_ALICLOUD_SECRET",
    });
    try {
      const serialized = await pulumi.runtime.serializeFunction(() => spotRunnerShim, { allowSecrets: true });
      assert.equal(serialized.containsSecrets, false);
      providerText = serialized.text;
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    // Fast emulated cloud on the real clock: the host is another process and sleeps for real.
    emu = await startEmulator({ scenario: withTiming(smallScenario(), { pendingMs: 100, startingMs: 200, runnerOnlineMs: 300, releaseMs: 100 }) });
    host = await startProviderHost({
      cwd: path.join(repoRoot, "stacks/runner"),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...emu.env, SPOT_RUNNER_POLL_MS: "100" },
    });
    await host.configure();
  });

  after(async () => {
    await host?.close();
    await emu?.close();
  });

  const props = () => {
    const s = smallScenario();
    return {
      arch: "arm64",
      region: "cn-hangzhou",
      vSwitchIds: Object.fromEntries(s.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
      securityGroupId: s.securityGroups[0].securityGroupId,
      imageId: s.images.find((i) => i.architecture === "arm64")!.imageId,
      namePrefix: "openresty",
      githubRepository: s.github.repos[0],
      stackName: "gha-1-1-arm64",
      __provider: providerText,
    };
  };

  it("serializes to a small shim with no credential, no client and no deep require", () => {
    for (const sentinel of ["SENTINEL_AK_ID", "SENTINEL_AK_SECRET", "SENTINEL_GH_TOKEN", "SENTINEL_ALICLOUD_SECRET"]) {
      assert.ok(!providerText.includes(sentinel), `${sentinel} leaked into the serialized provider`);
    }
    assert.match(providerText, /require\("aliyun-spot-runner\/runtime"\)/);
    assert.doesNotMatch(providerText, /ts-node/, "the host loads compiled JavaScript, no TypeScript loader");
    assert.doesNotMatch(providerText, /@alicloud|@octokit/);
    assert.ok(providerText.length < 4000, `${providerText.length} characters`);
  });

  it("check reports bad inputs per property", async () => {
    const { failures } = await host.check(URN, {}, { ...props(), ttlMinutes: 5, arch: "sparc" });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["arch", "ttlMinutes"]);
  });

  it("check -> create -> diff -> read -> delete, as pulumi up and pulumi destroy run them", async () => {
    const { inputs, failures } = await host.check(URN, {}, props());
    assert.deepEqual(failures, []);
    assert.equal(inputs.ttlMinutes, 120, "defaults are filled in and stored");
    assert.equal(inputs.__provider, providerText);

    const created = await host.create(URN, inputs);
    assert.match(created.id, /^i-/);
    assert.equal(created.properties.instanceType, "ecs.c8y.2xlarge");
    assert.equal(created.properties.__provider, providerText, "state keeps the provider for destroy");
    assert.equal(emu.admin.state().runners.find((r) => r.name === created.properties.label)?.status, "online");
    const stored = JSON.stringify(created.properties);
    for (const secret of [emu.accessKeySecret, emu.githubToken]) assert.ok(!stored.includes(secret), "a secret reached state");

    const same = await host.diff(URN, created.id, created.properties, inputs);
    assert.equal(same.changes, DIFF.NONE);
    const changed = await host.diff(URN, created.id, created.properties, { ...inputs, maxCpu: 16 });
    assert.deepEqual(changed, { changes: DIFF.SOME, replaces: ["maxCpu"], deleteBeforeReplace: true });

    const read = await host.read(URN, created.id, created.properties);
    assert.equal(read.id, created.id);

    await host.delete(URN, created.id, created.properties);
    assert.deepEqual(emu.admin.state().instances, []);
    assert.deepEqual(emu.admin.state().runners, []);
  });

  it("falls back to pay-as-you-go through the host when spot is sold out, and destroys it", async () => {
    emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, match: { SpotStrategy: "SpotWithPriceLimit" }, times: -1 });
    const { inputs, failures } = await host.check(URN, {}, { ...props(), onDemandFallback: true, maxLaunchAttempts: 1 });
    assert.deepEqual(failures, []);
    const created = await host.create(URN, inputs);
    assert.equal(created.properties.chargeType, "on-demand");
    assert.equal(emu.admin.state().instances.find((i) => i.instanceId === created.id)?.spotStrategy, "NoSpot");
    emu.admin.clearFaults();
    await host.delete(URN, created.id, created.properties);
    assert.deepEqual(emu.admin.state().instances, []);
    assert.deepEqual(emu.admin.state().runners, []);
  });

  it("reports a create whose cleanup failed as a partially created resource that delete can finish", async () => {
    emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", status: 403, times: -1 });
    // The runner cannot be removed either: 403 is not retried.
    emu.admin.addFault({ action: "github:DELETE /repos/*/*/actions/runners/*", status: 403, message: "Forbidden", times: -1 });
    const { inputs } = await host.check(URN, {}, { ...props(), maxLaunchAttempts: 2 });
    const failure = await host.create(URN, inputs).then(() => undefined, (err: { initFailure?: { id: string; properties: Record<string, unknown>; reasons: string[] } }) => err);
    assert.ok(failure?.initFailure, "the host must report ErrorResourceInitFailed");
    const { id, properties, reasons } = failure.initFailure;
    assert.match(id, /^runner-openresty-arm64-/);
    assert.equal(properties.__provider, providerText, "properties keep __provider so destroy can load the provider");
    assert.ok(reasons.some((r) => /runner removal not verified/.test(r)));
    assert.equal(emu.admin.state().runners.length, 1);

    emu.admin.clearFaults();
    await host.delete(URN, id, properties);
    assert.deepEqual(emu.admin.state().runners, []);
    assert.deepEqual(emu.admin.state().instances, []);
  });
});
