import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { startEmulator, RunningEmulator } from "../../emulator";
import type { Scenario } from "../../emulator/scenario/types";
import {
  ecsClient,
  IMAGE_X86,
  LISTING_DELAY_MS,
  rejection,
  ROOT_KEY,
  SG,
  START,
  tinyScenario,
  untilFaultsTaken,
  VSW_B,
  VSW_K,
  VSW_OTHER_VPC,
  zoneOf,
} from "./fixtures";

const MINUTE = 60_000;
const OTHER_VPC_SG = "sg-bp1othervpcgroup00001";
const NO_PROTECTION_TYPE = "ecs.c7.xlarge";
const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The tiny scenario plus what these rules need: a security group in the second VPC, a type without spot
 * protection-period support (an explicit test fixture: no source says which real types lack it), and images of
 * every owner kind.
 */
function scenario(): Scenario {
  const base = tinyScenario();
  return {
    ...base,
    instanceTypes: [
      ...base.instanceTypes,
      { instanceTypeId: NO_PROTECTION_TYPE, instanceTypeFamily: "ecs.c7", cpuCoreCount: 4, memorySize: 8, cpuArchitecture: "X86", onDemandPrice: 0.7, spotDurationSupported: false },
    ],
    offerings: [...base.offerings, { regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", instanceTypeId: NO_PROTECTION_TYPE, spotPrice: { points: [{ minutes: -60, price: 0.14 }] } }],
    securityGroups: [...base.securityGroups, { securityGroupId: OTHER_VPC_SG, vpcId: "vpc-bp1othervpc00000001", regionId: "cn-hangzhou", securityGroupName: "other-sg" }],
    images: [
      ...base.images,
      ...(["self", "others", "marketplace"] as const).map((owner) => ({
        imageId: `m-bp1${owner}image0000001`,
        regionId: "cn-hangzhou",
        imageName: `${owner}-image`,
        architecture: "x86_64" as const,
        osType: "linux" as const,
        osName: "Ubuntu 22.04 64 bit",
        imageOwnerAlias: owner,
        size: 20,
      })),
    ],
  };
}

describe("emulator: ECS behaves as the real API does", () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof ecsClient>;
  before(async () => {
    emu = await startEmulator({ scenario: scenario(), clock: "manual" });
    ecs = ecsClient(emu);
  });
  after(() => emu.close());
  beforeEach(() => emu.admin.reset());

  /** A valid spot launch of ecs.c7.large in zone k (unlimited stock), changed by `overrides`. */
  const request = (overrides: Partial<$Ecs.RunInstancesRequest> = {}) =>
    new $Ecs.RunInstancesRequest({
      regionId: "cn-hangzhou",
      imageId: IMAGE_X86,
      instanceType: "ecs.c7.large",
      securityGroupId: SG,
      vSwitchId: VSW_K,
      zoneId: zoneOf(overrides.vSwitchId ?? VSW_K),
      spotStrategy: "SpotAsPriceGo",
      spotDuration: 1,
      ...overrides,
    });
  const launch = async (overrides: Partial<$Ecs.RunInstancesRequest> = {}) => (await ecs.runInstances(request(overrides))).body!.instanceIdSets!.instanceIdSet!;
  const listed = async (query: Partial<$Ecs.DescribeInstancesRequest> = {}) =>
    (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou", ...query }))).body!;

  describe("RunInstances parameter errors carry the API's own codes and statuses", () => {
    const cases: [string, Partial<$Ecs.RunInstancesRequest>, string, number][] = [
      ["a ClientToken over 64 characters", { clientToken: "t".repeat(65) }, "InvalidClientToken.ValueNotSupported", 400],
      ["a ClientToken that is not ASCII", { clientToken: "令牌" }, "InvalidClientToken.ValueNotSupported", 400],
      ["one tag key twice", { tag: [new $Ecs.RunInstancesRequestTag({ key: "k", value: "1" }), new $Ecs.RunInstancesRequestTag({ key: "k", value: "2" })] }, "Duplicate.TagKey", 400],
      ["HttpTokens other than optional/required", { httpTokens: "always" }, "InvalidHttpTokens.NotSupported", 400],
      ["InternetMaxBandwidthOut above 100", { internetMaxBandwidthOut: 101 }, "InvalidInternetMaxBandwidthOut.Malformed", 400],
      ["security groups in two VPCs", { securityGroupId: undefined, securityGroupIds: [SG, OTHER_VPC_SG] }, "InvalidSecurityGroup.VpcMismatch", 400],
      ["user data that is not Base64", { userData: "#!/bin/bash" }, "InvalidUserData.Base64FormatInvalid", 400],
      ["a security group outside the vSwitch's VPC", { securityGroupId: OTHER_VPC_SG }, "InvalidParameter.Mismatch", 400],
      ["a spot launch without ZoneId", { zoneId: undefined }, "InvalidSpotParam.EmptyZoneID", 400],
      ["Amount above 100", { amount: 101 }, "InvalidParam.Amount", 403],
      ["SecurityGroupId and SecurityGroupIds.N together", { securityGroupIds: [SG] }, "InvalidSecurityGroupId.SingleIdAndMultiIdConflict", 400],
    ];
    for (const [what, overrides, code, status] of cases) {
      it(`${what}: ${status} ${code}`, async () => {
        const err = await rejection(() => launch(overrides));
        assert.equal(err.name, "ClientError");
        assert.deepEqual([err.code, err.statusCode], [code, status]);
        // The body the SDK parsed is the gateway's error format.
        assert.deepEqual(Object.keys(err.data).sort(), ["Code", "HostId", "Message", "Recommend", "RequestId"]);
        assert.deepEqual([err.data.Code, err.data.HostId], [code, "ecs.cn-hangzhou.aliyuncs.com"]);
        assert.match(err.data.RequestId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
        assert.equal(emu.admin.state().launched, 0, "a refused launch creates nothing");
      });
    }

    it("a pay-as-you-go launch may leave ZoneId to the vSwitch; only spot needs it", async () => {
      const [id] = await launch({ spotStrategy: "NoSpot", zoneId: undefined });
      assert.equal(emu.admin.state().instances.find((i) => i.instanceId === id)?.zoneId, "cn-hangzhou-k");
    });
  });

  describe("OperationDenied.FlavorNotSupported: a type without a spot protection period", () => {
    it("refuses SpotDuration 1, and SpotDuration left out (its default is 1), with 403 and the API's message", async () => {
      for (const spotDuration of [1, undefined]) {
        const err = await rejection(() => launch({ instanceType: NO_PROTECTION_TYPE, spotDuration }));
        assert.deepEqual([err.code, err.statusCode], ["OperationDenied.FlavorNotSupported", 403]);
        assert.match(err.data.Message, /^Flavor not support spot duration instance/);
      }
    });

    it("launches it with SpotDuration 0, and launches other types with a protection period", async () => {
      await launch({ instanceType: NO_PROTECTION_TYPE, spotDuration: 0 });
      await launch({ spotDuration: 1 });
      assert.equal(emu.admin.state().launched, 2);
    });
  });

  describe("AutoReleaseTime: yyyy-MM-ddTHH:mm:ssZ, 30 minutes to 3 years after the server's clock", () => {
    it("accepts exactly 30 minutes ahead (seconds dropped) and 3 x 365 days ahead", async () => {
      emu.clock.advance(7 * MINUTE);
      const now = START + 7 * MINUTE;
      await launch({ autoReleaseTime: utc(now + 30 * MINUTE + 59_000) });
      await launch({ autoReleaseTime: utc(now + 3 * 365 * 24 * 60 * MINUTE) });
    });

    const refused: [string, (now: number) => string][] = [
      ["29 minutes 59 seconds ahead (seconds are dropped: 29 minutes)", (now) => utc(now + 29 * MINUTE + 59_000)],
      ["in the past", (now) => utc(now - MINUTE)],
      ["more than 3 x 365 days ahead", (now) => utc(now + 3 * 365 * 24 * 60 * MINUTE + MINUTE)],
      ["without seconds", (now) => utc(now + 60 * MINUTE).replace(/:00Z$/, "Z")],
      ["with an offset instead of Z", (now) => utc(now + 60 * MINUTE).replace(/Z$/, "+08:00")],
      ["with milliseconds", (now) => new Date(now + 60 * MINUTE).toISOString()],
      ["a date that does not exist", () => "2026-02-30T00:00:00Z"],
    ];
    for (const [what, value] of refused) {
      it(`refuses one ${what}: 400 InvalidAutoReleaseTime.Malformed`, async () => {
        // The server's clock, not the caller's: 2 hours into the scenario.
        emu.clock.advance(120 * MINUTE);
        const err = await rejection(() => launch({ autoReleaseTime: value(START + 120 * MINUTE) }));
        assert.deepEqual([err.code, err.statusCode], ["InvalidAutoReleaseTime.Malformed", 400]);
      });
    }
  });

  describe("IdempotentProcessing: the ClientToken of a request still in flight", () => {
    it("answers 400 IdempotentProcessing while the first request is processed, then the retry returns its instance", async () => {
      emu.admin.addFault({ action: "RunInstances", latencyMs: 60_000 });
      const impatient = ecsClient(emu, ROOT_KEY, { timeoutMs: 90_000 });
      const first = impatient.runInstances(request({ clientToken: "in-flight-1" })).then(
        (res) => ({ ids: res.body!.instanceIdSets!.instanceIdSet! }),
        (error: unknown) => ({ error }),
      );
      await untilFaultsTaken(emu);

      const busy = await rejection(() => launch({ clientToken: "in-flight-1" }));
      assert.deepEqual([busy.name, busy.code, busy.statusCode], ["ClientError", "IdempotentProcessing", 400]);
      // Another token is not held up.
      await launch({ clientToken: "in-flight-2" });
      assert.equal(emu.admin.state().launched, 1);

      // The reset cancels the held request: the client hears nothing, and nothing of it survives.
      emu.admin.reset();
      const outcome = await first;
      assert.ok("error" in outcome, "the cancelled request gets no answer");
      assert.match(String((outcome.error as Error).message), /socket hang up|ECONNRESET/);
      assert.deepEqual([emu.admin.state().launched, emu.admin.calls().length], [0, 0]);
      // With the token released, the retry runs.
      const [id] = await launch({ clientToken: "in-flight-1" });
      assert.deepEqual(await launch({ clientToken: "in-flight-1" }), [id]);
    });

    it("releases the token when the held request fails, so a retry runs instead of waiting forever", async () => {
      emu.admin.addFault({ action: "RunInstances", code: "ServiceUnavailable", latencyMs: 20 });
      const err = await rejection(() => launch({ clientToken: "fails-once" }));
      assert.deepEqual([err.code, err.statusCode], ["ServiceUnavailable", 503]);
      await launch({ clientToken: "fails-once" });
    });
  });

  describe("per-type and per-zone refusals, injected as faults, answer with the documented status and message", () => {
    const codes: [string, number, string, RegExp][] = [
      ["OperationDenied.FlavorNotSupported", 403, "ClientError", /Flavor not support spot duration instance/],
      ["OperationDenied", 400, "ClientError", /instanceType or zone is not available or not authorized/],
      ["InvalidInstanceType.ValueUnauthorized", 400, "ClientError", /not authorized/],
      ["CategoryNotSupported", 403, "ClientError", /zone does not offer the specified disk category/],
      ["InvalidDiskCategory.NotSupported", 403, "ClientError", /disk category is not support the specified instance type/],
      ["InvalidInstanceType.NotSupportDiskCategory", 403, "ClientError", /does not support this disk category/],
      ["IoOptimized.NotSupported", 404, "ClientError", /instancetype is not support IoOptimized/],
      ["QuotaExceed.ElasticQuota", 403, "ClientError", /No additional quota/],
      ["QuotaExceeded.PrivateIpAddress", 400, "ClientError", /enough private IPs/],
      ["QuotaExceed.DiskCapacity", 400, "ClientError", /capacity of disk type has exceeded the quota in the zone/],
      ["Zone.NotOnSale", 403, "ClientError", /no longer available for sale/],
      ["IdempotentProcessing", 400, "ClientError", /still processing/],
      ["Account.Arrearage", 400, "ClientError", /in arrears/],
      ["Throttling.Resource", 429, "ThrottlingError", /throttle/],
    ];
    for (const [code, status, kind, message] of codes) {
      it(`${code}: ${status}`, async () => {
        emu.admin.addFault({ action: "RunInstances", code, match: { ZoneId: "cn-hangzhou-k", InstanceType: "ecs.c7.large" } });
        const err = await rejection(() => launch());
        assert.deepEqual([err.name, err.code, err.statusCode], [kind, code, status]);
        assert.match(err.data.Message, message);
        // The fault was for that type in that zone only.
        await launch();
      });
    }
  });

  describe("catalogue and listing limits", () => {
    it("DescribeImages without ImageOwnerAlias lists system, self and others' images, not marketplace ones", async () => {
      const names = async (request: Partial<$Ecs.DescribeImagesRequest>) =>
        (await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId: "cn-hangzhou", pageSize: 100, ...request }))).body!.images!.image!.map((i) => i.imageOwnerAlias).sort();
      assert.deepEqual(await names({}), ["others", "self", "system", "system"]);
      assert.deepEqual(await names({ imageOwnerAlias: "marketplace" }), ["marketplace"]);
    });

    it("DescribeInstances treats MaxResults above 100 as 100", async () => {
      await launch({ amount: 100 });
      await launch({ amount: 20 });
      emu.clock.advance(LISTING_DELAY_MS);
      const body = await listed({ maxResults: 500 });
      assert.deepEqual([body.instances!.instance!.length, body.pageSize, body.totalCount], [100, 100, 120]);
      assert.ok(body.nextToken, "the rest is on the next page");
      assert.equal((await listed({ maxResults: 500, nextToken: body.nextToken })).instances!.instance!.length, 20);
    });
  });

  describe("eventual consistency (assumed, modelled against the product)", () => {
    it("lists a new instance only after the listing delay, while the rest of the API knows it at once", async () => {
      const tag = new $Ecs.RunInstancesRequestTag({ key: "spot-runner-runner", value: "r-1" });
      const [id] = await launch({ tag: [tag], clientToken: "visible-1" });
      const byId = async () => (await listed({ instanceIds: JSON.stringify([id]) })).instances!.instance!.map((i) => i.instanceId);
      const byTag = async () => (await listed({ tag: [new $Ecs.DescribeInstancesRequestTag({ key: tag.key, value: tag.value })] })).totalCount;
      assert.deepEqual([await byId(), await byTag()], [[], 0]);
      // Known to every other call: delete refuses it for its status, not as unknown; a retry returns it.
      const del = await rejection(() => ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: "cn-hangzhou", instanceId: [id], force: true })));
      assert.equal(del.code, "IncorrectInstanceStatus.Initializing");
      assert.deepEqual(await launch({ tag: [tag], clientToken: "visible-1" }), [id]);
      emu.clock.advance(LISTING_DELAY_MS - 1);
      assert.deepEqual(await byId(), []);
      emu.clock.advance(1);
      assert.deepEqual([await byId(), await byTag()], [[id], 1]);
      assert.equal(emu.admin.state().instances.length, 1, "the admin state shows it all along");
    });
  });

  describe("the admin API", () => {
    it("GET /_emulator/state shows the network (VPCs, vSwitches, security groups) and the images", async () => {
      const state = (await (await fetch(`${emu.adminUrl}/state`)).json()) as any;
      assert.deepEqual(state.network.vpcs.map((v: any) => [v.vpcId, v.cidrBlock]), [["vpc-bp1testvpc0000000001", "172.16.0.0/16"], ["vpc-bp1othervpc00000001", "10.0.0.0/16"]]);
      assert.deepEqual(state.network.vSwitches.map((v: any) => [v.vSwitchId, v.vpcId, v.zoneId]), [
        [VSW_B, "vpc-bp1testvpc0000000001", "cn-hangzhou-b"],
        [VSW_K, "vpc-bp1testvpc0000000001", "cn-hangzhou-k"],
        [VSW_OTHER_VPC, "vpc-bp1othervpc00000001", "cn-hangzhou-b"],
      ]);
      assert.deepEqual(state.network.securityGroups.map((g: any) => [g.securityGroupId, g.vpcId]), [[SG, "vpc-bp1testvpc0000000001"], [OTHER_VPC_SG, "vpc-bp1othervpc00000001"]]);
      assert.deepEqual(state.images.map((i: any) => i.imageOwnerAlias), ["system", "system", "self", "others", "marketplace"]);
      assert.ok(state.images.every((i: any) => i.imageId && i.architecture && i.size));
    });

    it("POST /_emulator/reset cancels a GitHub request held by a fault's latency", async () => {
      emu.admin.addFault({ action: "github:GET /repos/*/*/actions/runners", latencyMs: 60_000 });
      const held = fetch(`${emu.githubApiUrl}/repos/acme/app/actions/runners`, { headers: { authorization: "token ghp_testtoken00000000000000000000000000a1" } }).then(
        () => "answered",
        () => "cut off",
      );
      await untilFaultsTaken(emu);
      const started = Date.now();
      assert.equal((await fetch(`${emu.adminUrl}/reset`, { method: "POST" })).status, 200);
      assert.equal(await held, "cut off");
      assert.ok(Date.now() - started < 5_000, "not after the 60 s latency");
      assert.deepEqual(emu.admin.calls(), []);
    });
  });
});
