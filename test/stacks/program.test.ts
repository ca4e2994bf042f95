import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { readRunnerStackConfig } from "../../stacks/runner/config";
import { defineRunnerStack } from "../../stacks/runner/program";

const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise<T>((resolve) => output.apply(resolve));

/** What the infra stack exports, as a StackReference sees it. */
const INFRA_OUTPUTS = {
  region: "cn-hangzhou",
  prefix: "openresty",
  vpcId: "vpc-1",
  vSwitchIds: { "cn-hangzhou-b": "vsw-b", "cn-hangzhou-j": "vsw-j", "cn-hangzhou-k": "vsw-k" },
  securityGroupId: "sg-1",
};

describe("the runner stack program (stacks/runner)", () => {
  const registered: pulumi.runtime.MockResourceArgs[] = [];

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registered.push(args);
          if (args.type === "pulumi:pulumi:StackReference") {
            return { id: args.inputs.name, state: { ...args.inputs, outputs: INFRA_OUTPUTS } };
          }
          // What the provider's create would return: inputs plus computed outputs.
          return { id: "i-mock", state: { ...args.inputs, label: "openresty-arm64-202611281030-abcd1234", instanceType: "ecs.c8y.2xlarge", cpuCount: 8 } };
        },
        call: (args) => args.inputs,
      },
      "spot-runner-job",
      "gha-42-1-arm64",
      false,
    );
  });

  const config = (values: Record<string, string>) =>
    readRunnerStackConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`spot-runner-job:${k}`, v])));

  it("declares one SpotRunner on the infra stack's network, prefix and region, tagged with the stack", async () => {
    const outputs = defineRunnerStack(config({
      infraStack: "organization/spot-runner-infra/prod", arch: "arm64", imageId: "aliyun_3_arm64_20G_alibase_20241216.vhd",
      githubRepository: "dianplus/openresty", labels: '["docker","big"]', maxCpu: "16", runId: "42",
    }));
    assert.equal(await valueOf(outputs.label), "openresty-arm64-202611281030-abcd1234");
    assert.equal(await valueOf(outputs.cpuCount), 8);
    assert.equal(await valueOf(outputs.region), "cn-hangzhou");

    const ref = registered.find((r) => r.type === "pulumi:pulumi:StackReference");
    assert.equal(ref?.inputs.name, "organization/spot-runner-infra/prod");
    const runner = registered.find((r) => r.type === "pulumi-nodejs:dynamic/aliyun:SpotRunner");
    assert.ok(runner, "a SpotRunner is declared");
    assert.equal(runner.name, "runner");
    assert.equal(runner.inputs.region, "cn-hangzhou");
    assert.equal(runner.inputs.namePrefix, "openresty", "the prefix RAM is scoped on comes from the infra stack");
    assert.deepEqual(runner.inputs.vSwitchIds, INFRA_OUTPUTS.vSwitchIds);
    assert.equal(runner.inputs.securityGroupId, "sg-1");
    assert.equal(runner.inputs.stackName, "gha-42-1-arm64");
    assert.deepEqual(runner.inputs.labels, ["docker", "big"]);
    assert.equal(runner.inputs.maxCpu, 16, "typed from the config text");
    assert.equal(runner.inputs.runId, "42");
    assert.match(String(runner.inputs.__provider), /aliyun-spot-runner\/runtime/, "the serialized shim");
  });

  it("names every missing required key", () => {
    assert.throws(() => config({ arch: "arm64" }), /missing infraStack, imageId, githubRepository \(or githubOrganization\)/);
  });

  it("rejects a malformed JSON list with the key", () => {
    assert.throws(() => config({ infraStack: "s", arch: "arm64", imageId: "i", githubRepository: "o/r", labels: "[oops" }), /labels: looks like a JSON list/);
  });

  it("ignores the keys of other namespaces (the provider's own config)", () => {
    const read = readRunnerStackConfig({ "spot-runner-job:infraStack": "s", "spot-runner-job:arch": "arm64", "spot-runner-job:imageId": "i",
      "spot-runner-job:githubRepository": "o/r", "alicloud:region": "cn-hangzhou" });
    assert.equal(read.infraStack, "s");
  });
});
