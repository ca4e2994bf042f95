import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { ClientError, ServerError, ThrottlingError } from "@alicloud/openapi-core";
import { startEmulator, RunningEmulator } from "../../emulator";
import { DISABLED_KEY, ecsClient, rawAcs3, rawV1, rejection, ROOT_KEY, tinyScenario } from "./fixtures";

describe("emulator: ECS wire protocol", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ scenario: tinyScenario(), clock: "manual" });
  });
  after(() => emu.close());
  beforeEach(() => emu.admin.reset());

  it("accepts the SDK's ACS3-HMAC-SHA256 signature and the older HMAC-SHA1 query signature", async () => {
    for (const v2 of [false, true]) {
      const res = await ecsClient(emu, ROOT_KEY, { v2 }).describeRegions(new $Ecs.DescribeRegionsRequest({}));
      assert.equal(res.statusCode, 200);
      assert.equal(res.body!.regions?.region?.[0].regionId, "cn-hangzhou");
      assert.match(res.body!.requestId ?? "", /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    }
  });

  it("rejects a wrong secret with SignatureDoesNotMatch, as a ClientError, for both signature styles", async () => {
    for (const v2 of [false, true]) {
      const err = await rejection(() => ecsClient(emu, { ...ROOT_KEY, accessKeySecret: "wrong" }, { v2 }).describeRegions(new $Ecs.DescribeRegionsRequest({})));
      assert.ok(err instanceof ClientError);
      assert.equal(err.code, "SignatureDoesNotMatch");
      assert.equal(err.statusCode, 400);
    }
  });

  it("rejects an unknown key (404 InvalidAccessKeyId.NotFound) and a disabled one (403 Forbidden.AccessKeyDisabled)", async () => {
    const unknown = await rejection(() => ecsClient(emu, { accessKeyId: "LTAI-nobody", accessKeySecret: "x" }).describeRegions(new $Ecs.DescribeRegionsRequest({})));
    assert.ok(unknown instanceof ClientError);
    assert.equal(unknown.code, "InvalidAccessKeyId.NotFound");
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.data.Message, "Specified access key is not found.");
    const disabled = await rejection(() => ecsClient(emu, DISABLED_KEY).describeRegions(new $Ecs.DescribeRegionsRequest({})));
    assert.equal(disabled.code, "Forbidden.AccessKeyDisabled");
    assert.equal(disabled.statusCode, 403);
  });

  it("rejects a request whose query was changed after signing", async () => {
    const res = await rawAcs3(emu, "DescribeZones", { RegionId: "cn-hangzhou" }, { tamper: (url) => url.searchParams.set("RegionId", "cn-shanghai") });
    assert.equal(res.status, 400);
    assert.equal(res.body.Code, "SignatureDoesNotMatch");
  });

  it("rejects a replayed nonce (SignatureNonceUsed) and a stale timestamp (InvalidTimeStamp.Expired), on wall time", async () => {
    const nonce = "nonce-used-twice-0001";
    assert.equal((await rawAcs3(emu, "DescribeRegions", {}, { nonce })).status, 200);
    const replay = await rawAcs3(emu, "DescribeRegions", {}, { nonce });
    assert.deepEqual([replay.status, replay.body.Code], [400, "SignatureNonceUsed"]);
    const stale = await rawAcs3(emu, "DescribeRegions", {}, { date: new Date(Date.now() - 20 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z") });
    assert.deepEqual([stale.status, stale.body.Code], [400, "InvalidTimeStamp.Expired"]);
    // The emulated clock may be anywhere: freshness is about the caller's wall clock, not the scenario's.
    emu.clock.advance(30 * 24 * 3_600_000);
    assert.equal((await rawAcs3(emu, "DescribeRegions", {})).status, 200);
  });

  it("answers errors as {RequestId, HostId, Code, Message, Recommend}", async () => {
    const res = await rawAcs3(emu, "DescribeZones", {});
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.body).sort(), ["Code", "HostId", "Message", "Recommend", "RequestId"]);
    assert.equal(res.body.Code, "MissingParameter");
    assert.match(res.body.Message, /"RegionId"/);
    assert.match(res.body.Recommend, /^https:\/\/api\.aliyun\.com\/troubleshoot\?q=MissingParameter/);
  });

  it("accepts GET and a form body, routes on Action/Version parameters too, and refuses unknown actions and versions", async () => {
    const get = await rawAcs3(emu, "DescribeZones", { RegionId: "cn-hangzhou" }, { method: "GET" });
    assert.equal(get.status, 200);
    assert.equal(get.body.Zones.Zone.length, 2);
    const form = await rawAcs3(emu, "DescribeZones", {}, { form: { RegionId: "cn-hangzhou" } });
    assert.equal(form.status, 200);
    const unknown = await rawAcs3(emu, "DescribeNothing", {});
    assert.deepEqual([unknown.status, unknown.body.Code], [404, "InvalidAction.NotFound"]);
    const badVersion = await rawV1(emu, { Action: "DescribeRegions", Version: "2016-04-28" });
    assert.deepEqual([badVersion.status, badVersion.body.Code], [400, "InvalidVersion"]);
    // The aliyun CLI / Go SDK style: Action and Version only in the query string, HMAC-SHA1 over GET.
    const v1 = await rawV1(emu, { Action: "DescribeZones", RegionId: "cn-hangzhou" });
    assert.equal(v1.status, 200);
    assert.deepEqual(v1.body.Zones.Zone.map((z: { ZoneId: string }) => z.ZoneId), ["cn-hangzhou-b", "cn-hangzhou-k"]);
  });

  it("requires RegionId everywhere except DescribeRegions, DescribeInstanceTypes and DeleteInstance", async () => {
    const ecs = ecsClient(emu);
    for (const call of [
      () => ecs.describeZones(new $Ecs.DescribeZonesRequest({})),
      () => ecs.describeInstances(new $Ecs.DescribeInstancesRequest({})),
      () => ecs.describeAvailableResource(new $Ecs.DescribeAvailableResourceRequest({ destinationResource: "InstanceType" })),
      () => ecs.describeImages(new $Ecs.DescribeImagesRequest({})),
    ]) {
      const err = await rejection(call);
      assert.equal(err.code, "MissingParameter");
      assert.match(err.data.Message, /RegionId/);
    }
    await ecs.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({}));
    const del = await rejection(() => ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: "i-bpnothere0000000000" })));
    assert.equal(del.code, "InvalidInstanceId.NotFound");
    const region = await rejection(() => ecs.describeZones(new $Ecs.DescribeZonesRequest({ regionId: "cn-nowhere" })));
    assert.deepEqual([region.code, region.statusCode], ["InvalidRegionId.NotFound", 404]);
  });

  it("makes the SDK raise ThrottlingError, ServerError and ClientError with the production codes", async () => {
    const ecs = ecsClient(emu);
    emu.admin.addFault({ action: "DescribeRegions", code: "Throttling.User" });
    const throttled = await rejection(() => ecs.describeRegions(new $Ecs.DescribeRegionsRequest({})));
    assert.ok(throttled instanceof ThrottlingError);
    assert.equal(throttled.code, "Throttling.User");
    assert.equal(throttled.retryAfter, 1000);
    emu.admin.addFault({ action: "DescribeRegions", code: "ServiceUnavailable" });
    const unavailable = await rejection(() => ecs.describeRegions(new $Ecs.DescribeRegionsRequest({})));
    assert.ok(unavailable instanceof ServerError);
    assert.deepEqual([unavailable.code, unavailable.statusCode], ["ServiceUnavailable", 503]);
    emu.admin.addFault({ action: "DescribeRegions", status: 500 });
    const internal = await rejection(() => ecs.describeRegions(new $Ecs.DescribeRegionsRequest({})));
    assert.deepEqual([internal.name, internal.code], ["ServerError", "InternalError"]);
    const ok = await ecs.describeRegions(new $Ecs.DescribeRegionsRequest({}));
    assert.equal(ok.statusCode, 200);
  });
});
