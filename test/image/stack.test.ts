import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ImageStackConfigError, readImageStackConfig } from "../../stacks/image/config";
import { defineImageStack } from "../../stacks/image/program";

const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise<T>((resolve) => output.apply(resolve));
const INFRA_OUTPUTS = { region: "cn-hangzhou", prefix: "openresty", vSwitchIds: { "cn-hangzhou-j": "vsw-j" }, securityGroupId: "sg-1" };
const config = (values: Record<string, string>) =>
  readImageStackConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`spot-runner-image:${k}`, v])));

describe("the image stack program (stacks/image)", () => {
  const registered: pulumi.runtime.MockResourceArgs[] = [];
  before(async () => {
    await pulumi.runtime.setMocks({
      newResource(args) {
        registered.push(args);
        if (args.type === "pulumi:pulumi:StackReference") return { id: args.inputs.name, state: { ...args.inputs, outputs: INFRA_OUTPUTS } };
        return { id: `m-${args.inputs.arch}`, state: { ...args.inputs, imageId: `m-${args.inputs.arch}`, imageName: `openresty-runner-${args.inputs.arch}`, manifest: { runnerVersion: "2.337.0" } } };
      },
      call: (args) => args.inputs,
    }, "spot-runner-image", "bake-20261128", false);
  });

  it("bakes both architectures by default, on the infra stack's network and prefix, and exports arch -> image id", async () => {
    registered.length = 0;
    const outputs = defineImageStack(config({ infraStack: "organization/spot-runner-infra/prod", buildkitSource: "registry.cn-hangzhou.aliyuncs.com/m/buildkit:v0.33.0" }));
    assert.deepEqual(await valueOf(outputs.imageIds), { amd64: "m-amd64", arm64: "m-arm64" });
    assert.deepEqual(await valueOf(outputs.runnerVersions), { amd64: "2.337.0", arm64: "2.337.0" });
    const images = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/aliyun:RunnerImage");
    assert.deepEqual(images.map((i) => [i.name, i.inputs.baseImageId]), [
      ["runner-image-amd64", "aliyun_3_x64_20G_alibase_20241216.vhd"], ["runner-image-arm64", "aliyun_3_arm64_20G_alibase_20241216.vhd"],
    ]);
    for (const image of images) {
      assert.equal(image.inputs.namePrefix, "openresty", "the prefix RAM is scoped on comes from the infra stack");
      assert.equal(image.inputs.stackName, "bake-20261128");
      assert.equal(image.inputs.buildkitSource, "registry.cn-hangzhou.aliyuncs.com/m/buildkit:v0.33.0");
    }
  });

  it("bakes one architecture when asked, and refuses unknown keys and architectures, all at once", () => {
    assert.deepEqual(config({ infraStack: "x/y/z", arches: "arm64" }).arches, ["arm64"]);
    assert.throws(() => config({ arches: "sparc", minCPU: "2", ttlMinutes: "soon" }), (err: unknown) =>
      err instanceof ImageStackConfigError && err.problems.length === 4 && /infraStack is required/.test(err.message));
  });
});
