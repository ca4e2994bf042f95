import * as assert from "node:assert/strict";
import { smallScenario, withTiming } from "../../emulator/scenario/small";
import { createEcsInstanceApi } from "../../provider/aliyun/instances";
import { PINNED_RUNNER } from "../../provider/bootstrap";
import { PartialCreateError } from "../../provider/errors";
import { BakeFailedError, ImageInUseError } from "../../provider/image/errors";
import { ImageHarness, startImageHarness } from "./support";

const NOTHING = { instances: [], images: [], snapshots: [] };

describe("RunnerImage against the emulator", function () {
  let h: ImageHarness | undefined;
  afterEach(async () => h?.close());

  it("bakes: a spot builder, the bake, Stopped, CreateImage, Available, the builder released; destroy deletes image and snapshot", async () => {
    h = await startImageHarness();
    const { id, outs } = await h.provider.create(h.props());
    assert.match(id, /^m-bp/);
    assert.equal(outs.imageId, id);
    assert.match(String(outs.imageName), new RegExp(`^openresty-runner-arm64-${PINNED_RUNNER.version.replace(/\./g, "-")}-20260101-\\w{4}$`));
    assert.deepEqual(outs.manifest, {
      schema: 1, arch: "arm64", runnerVersion: PINNED_RUNNER.version, runnerSha256: PINNED_RUNNER.sha256.arm64,
      runnerDir: "/opt/actions-runner", runnerUser: "runner", buildkitImage: "moby/buildkit:v0.33.0",
    });
    const state = h.emu.admin.state();
    const image = state.images.find((i) => i.imageId === id)!;
    assert.equal(image.status, "Available");
    assert.deepEqual(image.carries, outs.manifest, "the image carries what the bake printed");
    assert.equal(image.tags!["spot-runner-prefix"], "openresty");
    assert.equal(image.tags!["spot-runner-runner-version"], PINNED_RUNNER.version);
    assert.deepEqual(state.instances, [], "the builder is released");
    const launch = h.emu.admin.calls().find((c) => c.action === "RunInstances")!;
    assert.equal(launch.params.SpotStrategy, "SpotWithPriceLimit");
    assert.match(String(launch.params.AutoReleaseTime), /^2026-01-01T02:0\dZ?/);
    assert.equal(launch.params["Tag.1.Value"] ?? "", "spot-runner-image-builder", "not a runner: the reaper leaves builders to RunnerImage and their TTL");
    const order = h.emu.admin.calls().map((c) => c.action).filter((a) => ["RunInstances", "GetInstanceConsoleOutput", "StopInstance", "CreateImage", "DeleteInstances"].includes(a));
    assert.deepEqual([...new Set(order)], ["RunInstances", "GetInstanceConsoleOutput", "StopInstance", "CreateImage", "DeleteInstances"]);
    assert.ok(order.lastIndexOf("GetInstanceConsoleOutput") < order.indexOf("StopInstance"), "stops only after the done marker");

    await h.provider.delete(id, outs);
    assert.deepEqual(h.leftovers(), NOTHING);
  });

  it("recovers every lost answer: RunInstances, StopInstance and CreateImage (once, and every time) make one builder and one image", async () => {
    for (const lost of [
      [{ action: "RunInstances", effect: "afterCommit" as const, times: 1 }],
      [{ action: "StopInstance", effect: "afterCommit" as const, times: 1 }],
      [{ action: "CreateImage", effect: "afterCommit" as const, times: 1 }],
      [{ action: "CreateImage", effect: "afterCommit" as const, times: -1 }],
    ]) {
      h = await startImageHarness();
      for (const fault of lost) h.emu.admin.addFault(fault);
      const { id, outs } = await h.provider.create(h.props());
      const state = h.emu.admin.state();
      assert.equal(state.launched, 1, `${JSON.stringify(lost)}: one builder`);
      assert.deepEqual(state.images.filter((i) => i.imageOwnerAlias === "self").map((i) => i.imageId), [id], `${JSON.stringify(lost)}: one image`);
      await h.provider.delete(id, outs);
      assert.deepEqual(h.leftovers(), NOTHING);
      await h.close();
      h = undefined;
    }
  });

  it("a bake that never finishes fails at its own deadline and leaves nothing", async () => {
    h = await startImageHarness({ scenario: withTiming(smallScenario(), { bakeMs: 3 * 60 * 60_000 }) });
    await assert.rejects(h.provider.create(h.props({ bakeTimeoutMinutes: 5 })), (err: unknown) =>
      err instanceof BakeFailedError && /did not finish within 5 min/.test(err.message) && /spot-runner-bake/.test(err.message));
    assert.deepEqual(h.leftovers(), NOTHING);
  });

  it("an image still Creating at its deadline cannot be deleted yet: a partial create, which destroy finishes later", async () => {
    h = await startImageHarness({ scenario: withTiming(smallScenario(), { imageCreateMs: 3 * 60 * 60_000 }) });
    const err = await h.provider.create(h.props({ imageTimeoutMinutes: 5 })).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PartialCreateError && /was not Available within 5 min/.test(err.message), String(err));
    assert.match(err.id, /^m-/, "kept in state under the image's id");
    assert.deepEqual(h.leftovers().instances, [], "the builder is released all the same");
    h.emu.clock.advance(3 * 60 * 60_000);
    await h.provider.delete(err.id, err.properties);
    assert.deepEqual(h.leftovers(), NOTHING);
  });

  it("a failed create whose cleanup cannot be verified is a partial create that destroy finishes", async () => {
    h = await startImageHarness({ deps: { releaseTimeoutMs: 60_000 } });
    h.emu.admin.addFault({ action: "StopInstance", code: "OperationDenied", times: 1 });
    h.emu.admin.addFault({ action: "DeleteInstances", status: 500, times: -1 });
    const err = await h.provider.create(h.props()).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PartialCreateError, String(err));
    assert.equal(err.properties.__provider, "serialized-provider-text", "the provider is kept so destroy can run");
    assert.match(String(err.properties.builderInstanceId), /^i-/);
    h.emu.admin.clearFaults();
    await h.provider.delete(err.id, err.properties);
    assert.deepEqual(h.leftovers(), NOTHING);
  });

  it("destroy refuses to force away an image a runner still boots from, and finishes once it is gone", async () => {
    h = await startImageHarness();
    const { id, outs } = await h.provider.create(h.props());
    const user = await runFrom(h, id);
    await assert.rejects(h.provider.delete(id, outs), (e: unknown) => e instanceof ImageInUseError && /run `pulumi destroy` again/.test((e as Error).message));
    assert.ok(h.leftovers().images.includes(id));
    h.emu.clock.advance(10_000);
    await deleteInstance(h, user);
    await h.provider.delete(id, outs);
    assert.deepEqual(h.leftovers(), NOTHING);
  });
});

async function runFrom(h: ImageHarness, imageId: string): Promise<string> {
  const ecs = createEcsInstanceApi({ regionId: "cn-hangzhou", env: h.emu.env });
  const scenario = smallScenario();
  const v = scenario.vSwitches.find((s) => s.zoneId === "cn-hangzhou-j")!;
  return (await ecs.runInstance({
    zoneId: v.zoneId, vSwitchId: v.vSwitchId, securityGroupId: scenario.securityGroups[0].securityGroupId, imageId, instanceType: "ecs.c8y.2xlarge",
    instanceName: "openresty-arm64-spot-x", spot: { strategy: "SpotAsPriceGo", duration: 1 }, internetMaxBandwidthOut: 0,
    systemDisk: { category: "cloud_essd", sizeGiB: 40 }, userDataBase64: "", clientToken: "user-1", autoReleaseTime: () => "2026-01-01T06:00:00Z",
    tags: { "spot-runner-prefix": "openresty" },
  })).instanceId;
}

async function deleteInstance(h: ImageHarness, instanceId: string): Promise<void> {
  await createEcsInstanceApi({ regionId: "cn-hangzhou", env: h.emu.env }).deleteInstances([instanceId]);
  h.emu.clock.advance(10_000);
}
