import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { ClientError } from "@alicloud/openapi-core";
import { startEmulator, RunningEmulator } from "../../emulator";
import { ecsClient, IMAGE_ARM, IMAGE_X86, LISTING_DELAY_MS, rejection, SG, START, tinyScenario, VSW_B, VSW_K, VSW_OTHER_VPC, zoneOf } from "./fixtures";

const MINUTE = 60_000;
const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("emulator: ECS instances", () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof ecsClient>;
  before(async () => {
    emu = await startEmulator({ scenario: tinyScenario(), clock: "manual" });
    ecs = ecsClient(emu);
  });
  after(() => emu.close());
  beforeEach(() => emu.admin.reset());

  /** A valid spot launch of ecs.c7.large in zone b (stock 2, price 0.07), changed by `overrides`. */
  const request = (overrides: Partial<$Ecs.RunInstancesRequest> = {}) =>
    new $Ecs.RunInstancesRequest({
      regionId: "cn-hangzhou",
      imageId: IMAGE_X86,
      instanceType: "ecs.c7.large",
      securityGroupId: SG,
      vSwitchId: VSW_B,
      zoneId: zoneOf(overrides.vSwitchId ?? VSW_B),
      instanceName: "ci-amd64-spot-1",
      instanceChargeType: "PostPaid",
      spotStrategy: "SpotWithPriceLimit",
      spotPriceLimit: 0.084,
      spotDuration: 0,
      systemDisk: new $Ecs.RunInstancesRequestSystemDisk({ category: "cloud_essd", size: "40" }),
      tag: [new $Ecs.RunInstancesRequestTag({ key: "managed-by", value: "spot-runner" }), new $Ecs.RunInstancesRequestTag({ key: "spot-runner-prefix", value: "ci" })],
      httpTokens: "required",
      ...overrides,
    });
  const launch = async (overrides: Partial<$Ecs.RunInstancesRequest> = {}) => (await ecs.runInstances(request(overrides))).body!.instanceIdSets!.instanceIdSet!;
  const describe_ = async (request: Partial<$Ecs.DescribeInstancesRequest> = {}) =>
    (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou", ...request }))).body!;
  const statusOf = async (id: string) => (await describe_({ instanceIds: JSON.stringify([id]) })).instances!.instance![0]?.status;

  it("launches a spot instance that goes Pending -> Starting -> Running on the scenario's timing", async () => {
    const [id] = await launch({ autoReleaseTime: utc(START + 60 * MINUTE + 42_000) });
    assert.match(id, /^i-bp[a-z0-9]{18}$/);
    emu.clock.advance(LISTING_DELAY_MS);
    const instance = (await describe_({ instanceIds: JSON.stringify([id]) })).instances!.instance![0];
    assert.equal(instance.status, "Pending");
    assert.deepEqual(
      [instance.instanceType, instance.zoneId, instance.cpu, instance.memory, instance.spotStrategy, instance.spotPriceLimit, instance.spotDuration],
      ["ecs.c7.large", "cn-hangzhou-b", 2, 4096, "SpotWithPriceLimit", 0.084, 0],
    );
    assert.equal(instance.autoReleaseTime, "2026-01-01T01:00Z");
    assert.equal(instance.creationTime, "2026-01-01T00:00Z");
    assert.deepEqual(instance.tags!.tag!.map((t) => [t.tagKey, t.tagValue]), [["managed-by", "spot-runner"], ["spot-runner-prefix", "ci"]]);
    assert.equal(instance.metadataOptions!.httpTokens, "required");
    assert.deepEqual([instance.vpcAttributes!.vSwitchId, instance.vpcAttributes!.privateIpAddress!.ipAddress![0].startsWith("172.16.1.")], [VSW_B, true]);
    assert.deepEqual(instance.securityGroupIds!.securityGroupId, [SG]);
    assert.deepEqual(instance.operationLocks!.lockReason, []);
    emu.clock.advance(5_000 - LISTING_DELAY_MS);
    assert.equal(await statusOf(id), "Starting");
    emu.clock.advance(10_000);
    assert.equal(await statusOf(id), "Running");
  });

  it("returns the same instances for a retried ClientToken and rejects the token with other parameters", async () => {
    const first = await launch({ clientToken: "token-1" });
    const again = await launch({ clientToken: "token-1" });
    assert.deepEqual(again, first);
    emu.clock.advance(LISTING_DELAY_MS);
    assert.equal((await describe_()).totalCount, 1);
    const mismatch = await rejection(() => launch({ clientToken: "token-1", spotPriceLimit: 0.09 }));
    assert.ok(mismatch instanceof ClientError);
    assert.deepEqual([mismatch.code, mismatch.statusCode], ["IdempotentParameterMismatch", 400]);
    // The retry took no second unit of stock: one unit is left for another token.
    await launch({ clientToken: "token-2" });
    const sold = await rejection(() => launch({ clientToken: "token-3" }));
    assert.deepEqual([sold.code, sold.statusCode], ["OperationDenied.NoStock", 403]);
  });

  it("validates a DryRun and creates nothing", async () => {
    const dry = await rejection(() => launch({ dryRun: true }));
    assert.deepEqual([dry.name, dry.code, dry.statusCode], ["ClientError", "DryRunOperation", 400]);
    assert.equal((await describe_()).totalCount, 0);
    const dryBad = await rejection(() => launch({ dryRun: true, imageId: "m-bpnothere" }));
    assert.equal(dryBad.code, "InvalidImageId.NotFound");
  });

  it("rejects what the API rejects, with the documented codes and statuses", async () => {
    const cases: [string, Partial<$Ecs.RunInstancesRequest>, string, number][] = [
      ["no image", { imageId: undefined }, "MissingParameter", 400],
      ["no price limit", { spotPriceLimit: undefined }, "MissingParameter", 400],
      ["four decimals", { spotPriceLimit: 0.0845 }, "InvalidSpotPriceLimit", 400],
      ["limit below the price", { spotPriceLimit: 0.069 }, "InvalidSpotPriceLimit.LowerThanPublicPrice", 400],
      ["sold out", { instanceType: "ecs.g7.xlarge", spotPriceLimit: 0.2 }, "OperationDenied.NoStock", 403],
      ["type not sold in the zone", { instanceType: "ecs.c8y.large", imageId: IMAGE_ARM }, "InvalidInstanceType.ZoneNotSupported", 403],
      ["unknown type", { instanceType: "ecs.nope.large" }, "InvalidInstanceType.ValueNotSupported", 400],
      ["unknown vSwitch", { vSwitchId: "vsw-bpnothere" }, "InvalidVSwitchId.NotExist", 404],
      ["zone and vSwitch disagree", { zoneId: "cn-hangzhou-k" }, "InvalidParameter.Mismatch", 400],
      ["unknown security group", { securityGroupId: "sg-bpnothere" }, "InvalidSecurityGroupId.NotFound", 404],
      ["security group and vSwitch in different VPCs", { vSwitchId: VSW_OTHER_VPC }, "InvalidParameter.Mismatch", 400],
      ["unknown image", { imageId: "m-bpnothere" }, "InvalidImageId.NotFound", 404],
      ["ARM image on x86", { imageId: IMAGE_ARM }, "ImageNotSupportInstanceType", 403],
      ["TTL too soon", { autoReleaseTime: utc(START + 10 * MINUTE) }, "InvalidAutoReleaseTime.Malformed", 400],
      ["TTL malformed", { autoReleaseTime: "2026-01-01 02:00:00" }, "InvalidAutoReleaseTime.Malformed", 400],
      ["user data over 32 KB", { userData: "A".repeat(32 * 1024 + 4) }, "InvalidUserData.SizeExceeded", 400],
      ["user data not base64", { userData: "not base64!" }, "InvalidUserData.Base64FormatInvalid", 400],
      ["reserved tag key", { tag: [new $Ecs.RunInstancesRequestTag({ key: "aliyun-x", value: "y" })] }, "InvalidTagKey.Malformed", 400],
      ["bad HttpTokens", { httpTokens: "sometimes" }, "InvalidHttpTokens.NotSupported", 400],
    ];
    for (const [what, overrides, code, status] of cases) {
      const err = await rejection(() => launch(overrides));
      assert.deepEqual([what, err.code, err.statusCode], [what, code, status]);
    }
    const disk = await rejection(() =>
      launch({ instanceType: "ecs.c8y.large", imageId: IMAGE_ARM, vSwitchId: VSW_K, systemDisk: new $Ecs.RunInstancesRequestSystemDisk({ category: "cloud_ssd" }) }),
    );
    assert.equal(disk.code, "InvalidSystemDiskCategory.ValueNotSupported");
    assert.equal((await describe_()).totalCount, 0, "no failed launch leaves an instance");
    // The largest user data the API takes fits in the SDK's query string.
    await launch({ userData: "A".repeat(32 * 1024) });
  });

  it("launches at the current price with SpotAsPriceGo, and a limit above pay-as-you-go is accepted", async () => {
    const res = await ecs.runInstances(request({ spotStrategy: "SpotAsPriceGo", spotPriceLimit: undefined }));
    assert.equal(res.body!.tradePrice, 0.07);
    await launch({ spotPriceLimit: 0.5 });
  });

  it("filters DescribeInstances by ids, name wildcard, tags, status and zone, and pages with NextToken", async () => {
    const k = await launch({ vSwitchId: VSW_K, amount: 24, instanceName: "ci-arm-bulk", tag: [new $Ecs.RunInstancesRequestTag({ key: "batch", value: "k" })] });
    emu.clock.advance(15_000);
    const [b] = await launch();
    emu.clock.advance(LISTING_DELAY_MS);
    assert.equal(k.length, 24);
    const ids = (body: $Ecs.DescribeInstancesResponseBody) => body.instances!.instance!.map((i) => i.instanceId!);
    assert.deepEqual(ids(await describe_({ instanceIds: JSON.stringify([b, "i-bpunknown00000000000"]) })), [b]);
    assert.deepEqual(ids(await describe_({ instanceIds: "[]" })), []);
    assert.equal((await describe_({ instanceName: "ci-amd64-*" })).totalCount, 1);
    assert.equal((await describe_({ instanceName: "*bulk" })).totalCount, 24);
    assert.equal((await describe_({ tag: [new $Ecs.DescribeInstancesRequestTag({ key: "batch", value: "k" })] })).totalCount, 24);
    assert.equal((await describe_({ tag: [new $Ecs.DescribeInstancesRequestTag({ key: "managed-by" })] })).totalCount, 1);
    assert.equal((await describe_({ status: "Running" })).totalCount, 24);
    assert.equal((await describe_({ status: "Pending", zoneId: "cn-hangzhou-b" })).totalCount, 1);
    const pages: number[] = [];
    const all: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const body = await describe_({ maxResults: 10, nextToken: token });
      pages.push(body.instances!.instance!.length);
      all.push(...ids(body));
      token = body.nextToken || undefined;
      if (!token) break;
    }
    assert.deepEqual(pages, [10, 10, 5]);
    assert.deepEqual(new Set(all), new Set([...k, b]));
    const malformed = await rejection(() => describe_({ instanceIds: "i-abc" }));
    assert.equal(malformed.code, "InvalidInstanceIds.Malformed");
  });

  it("enforces the delete status rules, shows Stopping during release, and returns the stock", async () => {
    const [id] = await launch();
    const pending = await rejection(() => ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true })));
    assert.deepEqual([pending.code, pending.statusCode], ["IncorrectInstanceStatus.Initializing", 403]);
    emu.clock.advance(15_000);
    const running = await rejection(() => ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id })));
    assert.deepEqual([running.code, running.statusCode], ["IncorrectInstanceStatus", 403]);
    await launch();
    const sold = await rejection(() => launch());
    assert.equal(sold.code, "OperationDenied.NoStock");

    await ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: "cn-hangzhou", instanceId: [id], force: true }));
    assert.equal(await statusOf(id), "Stopping");
    emu.clock.advance(5_000);
    assert.equal(await statusOf(id), undefined);
    const gone = await rejection(() => ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true })));
    assert.deepEqual([gone.code, gone.statusCode], ["InvalidInstanceId.NotFound", 404]);
    await launch();
  });

  it("checks every id of DeleteInstances before releasing any", async () => {
    const [id] = await launch();
    emu.clock.advance(15_000);
    const err = await rejection(() => ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: "cn-hangzhou", instanceId: [id, "i-bpunknown00000000000"], force: true })));
    assert.equal(err.code, "InvalidInstanceId.NotFound");
    assert.equal(await statusOf(id), "Running");
    const dry = await rejection(() => ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: "cn-hangzhou", instanceId: [id], force: true, dryRun: true })));
    assert.equal(dry.code, "DRYRUN.SUCCESS");
    assert.equal(await statusOf(id), "Running");
  });

  it("releases an instance at its AutoReleaseTime", async () => {
    const [id] = await launch({ autoReleaseTime: utc(START + 30 * MINUTE) });
    emu.clock.advance(30 * MINUTE - 1);
    assert.equal(await statusOf(id), "Running");
    emu.clock.advance(1);
    assert.equal(await statusOf(id), "Stopping");
    emu.clock.advance(5_000);
    assert.equal(await statusOf(id), undefined);
    assert.equal(emu.admin.state().stock.find((s) => s.zoneId === "cn-hangzhou-b" && s.instanceTypeId === "ecs.c7.large")?.spotStock, 2);
  });

  it("reclaims a spot instance: the Recycling lock first, the release after the notice period", async () => {
    const [id] = await launch();
    emu.clock.advance(60_000);
    emu.admin.reclaimInstance(id);
    const locked = (await describe_({ instanceIds: JSON.stringify([id]) })).instances!.instance![0];
    assert.equal(locked.status, "Running");
    assert.deepEqual(locked.operationLocks!.lockReason!.map((l) => l.lockReason), ["Recycling"]);
    assert.equal((await describe_({ lockReason: "Recycling" })).totalCount, 1);
    emu.clock.advance(300_000);
    assert.equal(await statusOf(id), "Stopping");
    emu.clock.advance(5_000);
    assert.equal(await statusOf(id), undefined);
  });

  it("serves the console log of an instance whose user data has no JIT config", async () => {
    const [id] = await launch({ userData: Buffer.from("#!/bin/bash\necho hello\n").toString("base64") });
    emu.clock.advance(15_000);
    const out = (await ecs.getInstanceConsoleOutput(new $Ecs.GetInstanceConsoleOutputRequest({ regionId: "cn-hangzhou", instanceId: id }))).body!;
    const text = Buffer.from(out.consoleOutput!, "base64").toString("utf8");
    assert.equal(out.instanceId, id);
    assert.match(text, /no JIT config in user data/);
    assert.equal(out.lastUpdateTime, "2026-01-01T00:00:15Z");
    const missing = await rejection(() => ecs.getInstanceConsoleOutput(new $Ecs.GetInstanceConsoleOutputRequest({ regionId: "cn-hangzhou", instanceId: "i-bpunknown00000000000" })));
    assert.equal(missing.code, "InvalidInstanceId.NotFound");
  });
});
