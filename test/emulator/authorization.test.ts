import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { ClientError } from "@alicloud/openapi-core";
import { startEmulator, RunningEmulator } from "../../emulator";
import { ACCOUNT, ecsClient, IMAGE_X86, rejection, ROOT_KEY, SG, tinyScenario, VPC, VSW_B, VSW_OTHER_VPC, zoneOf } from "./fixtures";

/** A CI key scoped the way the infra stack scopes it: tagged launches in one VPC, deletes of tagged instances only. */
const CI_KEY = {
  accessKeyId: "LTAI5tTestCiRunner00001",
  accessKeySecret: "TestCiSecret00000000000000001",
  policies: [
    {
      Version: "1",
      Statement: [
        {
          Effect: "Allow",
          Action: "ecs:RunInstances",
          Resource: "*",
          Condition: { StringEquals: { "acs:RequestTag/spot-runner-prefix": "ci", "vpc:VPC": `acs:vpc:cn-hangzhou:${ACCOUNT}:vpc/${VPC}` } },
        },
        {
          Effect: "Allow",
          Action: ["ecs:DeleteInstance", "ecs:DeleteInstances"],
          Resource: `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/*`,
          Condition: { StringEquals: { "acs:ResourceTag/spot-runner-prefix": "ci" } },
        },
        { Effect: "Allow", Action: ["ecs:DescribeInstances", "ecs:GetInstanceConsoleOutput"], Resource: `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/*` },
        { Effect: "Allow", Action: ["ecs:DescribeRegions", "ecs:DescribeInstanceTypes"], Resource: "*", Condition: { DateLessThan: { "acs:CurrentTime": "2026-01-01T01:00:00Z" } } },
        { Effect: "Allow", Action: "vpc:DescribeVSwitches", Resource: `acs:vpc:cn-hangzhou:${ACCOUNT}:vswitch/*` },
        { Effect: "Deny", Action: "ecs:RunInstances", Resource: "*", Condition: { Bool: { "ecs:SecurityHardeningMode": "false" } } },
        { Effect: "Deny", Action: "ecs:DeleteInstances", Resource: "*", Condition: { IpAddress: { "acs:SourceIp": "127.0.0.1/32" } } },
      ],
    },
  ],
};

describe("emulator: RAM authorization of ECS calls", () => {
  let emu: RunningEmulator;
  const root = () => ecsClient(emu, ROOT_KEY);
  const ci = () => ecsClient(emu, CI_KEY);
  before(async () => {
    const scenario = tinyScenario();
    emu = await startEmulator({ scenario: { ...scenario, accessKeys: [...scenario.accessKeys, CI_KEY] }, clock: "manual" });
  });
  after(() => emu.close());
  beforeEach(() => emu.admin.reset());

  const tagged = [new $Ecs.RunInstancesRequestTag({ key: "spot-runner-prefix", value: "ci" })];
  const launch = (client: ReturnType<typeof ecsClient>, overrides: Partial<$Ecs.RunInstancesRequest> = {}) =>
    client.runInstances(
      new $Ecs.RunInstancesRequest({ regionId: "cn-hangzhou", imageId: IMAGE_X86, instanceType: "ecs.c7.large", securityGroupId: SG, vSwitchId: VSW_B, zoneId: zoneOf(overrides.vSwitchId ?? VSW_B), spotStrategy: "SpotAsPriceGo", httpTokens: "required", tag: tagged, ...overrides }),
    );
  const denial = async (call: () => Promise<unknown>) => {
    const err = await rejection(call);
    assert.ok(err instanceof ClientError, `expected a ClientError, got ${err.name}: ${err.message}`);
    assert.deepEqual([err.code, err.statusCode], ["Forbidden.RAM", 403]);
    assert.equal(err.data.Message, "User not authorized to operate on the specified resource, or this API doesn't support RAM.");
    return err.accessDeniedDetail as { AuthAction: string; NoPermissionType: string; EncodedDiagnosticMessage: string };
  };

  it("lets a key without policies do everything (the account's own key)", async () => {
    await launch(root(), { tag: [], httpTokens: undefined });
  });

  it("allows a tagged launch into the allowed VPC, and denies one without the tag or in another VPC", async () => {
    await launch(ci());
    const untagged = await denial(() => launch(ci(), { tag: [] }));
    assert.deepEqual([untagged.AuthAction, untagged.NoPermissionType], ["ecs:RunInstances", "ImplicitDeny"]);
    const diagnostic = JSON.parse(Buffer.from(untagged.EncodedDiagnosticMessage, "base64").toString("utf8"));
    assert.equal(diagnostic.AuthResource, "*");
    assert.match(diagnostic.Reason, /acs:RequestTag\/spot-runner-prefix/);
    await denial(() => launch(ci(), { vSwitchId: VSW_OTHER_VPC }));
  });

  it("passes ecs:SecurityHardeningMode: an explicit Deny of launches without IMDSv2 wins", async () => {
    const detail = await denial(() => launch(ci(), { httpTokens: "optional" }));
    assert.equal(detail.NoPermissionType, "ExplicitDeny");
  });

  it("authorizes deletes per instance ARN with the instance's own tags", async () => {
    const ours = (await launch(ci())).body!.instanceIdSets!.instanceIdSet![0];
    const foreign = (await launch(root(), { tag: [] })).body!.instanceIdSets!.instanceIdSet![0];
    emu.clock.advance(15_000);
    const detail = await denial(() => ci().deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: foreign, force: true })));
    assert.equal(detail.AuthAction, "ecs:DeleteInstance");
    assert.equal(JSON.parse(Buffer.from(detail.EncodedDiagnosticMessage, "base64").toString()).AuthResource, `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/${foreign}`);
    await ci().deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: ours, force: true }));
    const denied = emu.admin.calls().find((c) => c.code === "Forbidden.RAM");
    assert.equal(denied?.denied?.resource, `acs:ecs:cn-hangzhou:${ACCOUNT}:instance/${foreign}`);
  });

  it("passes acs:SourceIp from the socket: DeleteInstances from 127.0.0.1 is explicitly denied", async () => {
    const ours = (await launch(ci())).body!.instanceIdSets!.instanceIdSet![0];
    emu.clock.advance(15_000);
    const detail = await denial(() => ci().deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: "cn-hangzhou", instanceId: [ours], force: true })));
    assert.deepEqual([detail.AuthAction, detail.NoPermissionType], ["ecs:DeleteInstances", "ExplicitDeny"]);
  });

  it("passes acs:CurrentTime from the emulated clock", async () => {
    await ci().describeRegions(new $Ecs.DescribeRegionsRequest({}));
    emu.clock.advance(2 * 3_600_000);
    const detail = await denial(() => ci().describeRegions(new $Ecs.DescribeRegionsRequest({})));
    assert.equal(detail.AuthAction, "ecs:DescribeRegions");
  });

  it("denies Describe calls too, and checks DescribeVSwitches as vpc:DescribeVSwitches", async () => {
    const images = await denial(() => ci().describeImages(new $Ecs.DescribeImagesRequest({ regionId: "cn-hangzhou" })));
    assert.equal(images.AuthAction, "ecs:DescribeImages");
    await denial(() => ci().describeSpotPriceHistory(new $Ecs.DescribeSpotPriceHistoryRequest({ regionId: "cn-hangzhou", networkType: "vpc", instanceType: "ecs.c7.large" })));
    const vSwitches = await ci().describeVSwitches(new $Ecs.DescribeVSwitchesRequest({ regionId: "cn-hangzhou" }));
    assert.equal(vSwitches.body!.totalCount, 3);
    await ci().describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou" }));
  });

  it("checks the request against a DescribeInstances policy scoped by tag filter (acs:RequestTag)", async () => {
    const scenario = tinyScenario();
    const key = {
      accessKeyId: "LTAI5tTestTagReader0001",
      accessKeySecret: "TestTagReaderSecret0000000001",
      policies: [{ Version: "1", Statement: [{ Effect: "Allow", Action: "ecs:DescribeInstances", Resource: "*", Condition: { StringEquals: { "acs:RequestTag/team": "ci" } } }] }],
    };
    const own = await startEmulator({ scenario: { ...scenario, accessKeys: [...scenario.accessKeys, key] }, clock: "manual" });
    try {
      const reader = ecsClient(own, key);
      await reader.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou", tag: [new $Ecs.DescribeInstancesRequestTag({ key: "team", value: "ci" })] }));
      await denial(() => reader.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou" })));
    } finally {
      await own.close();
    }
  });
});
