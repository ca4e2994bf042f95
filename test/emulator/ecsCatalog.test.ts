import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { startEmulator, RunningEmulator } from "../../emulator";
import { ecsClient, IMAGE_ARM, IMAGE_X86, rejection, SG, tinyScenario, VPC, VSW_B, VSW_K } from "./fixtures";

const HOUR = 3_600_000;

describe("emulator: ECS catalogue, prices and network lookups", () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof ecsClient>;
  before(async () => {
    emu = await startEmulator({ scenario: tinyScenario(), clock: "manual" });
    ecs = ecsClient(emu);
  });
  after(() => emu.close());
  beforeEach(() => emu.admin.reset());

  describe("DescribeInstanceTypes", () => {
    it("filters on family, architecture, vCPU and memory ranges, and ids", async () => {
      const ids = async (request: Partial<$Ecs.DescribeInstanceTypesRequest>) =>
        (await ecs.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest(request))).body!.instanceTypes?.instanceType?.map((t) => t.instanceTypeId);
      assert.deepEqual(await ids({ cpuArchitecture: "ARM" }), ["ecs.c8y.large"]);
      assert.deepEqual(await ids({ instanceTypeFamily: "ecs.g7" }), ["ecs.g7.xlarge"]);
      assert.deepEqual(await ids({ minimumCpuCoreCount: 4 }), ["ecs.g7.xlarge"]);
      assert.deepEqual(await ids({ maximumMemorySize: 4, cpuArchitectures: ["X86"] }), ["ecs.c7.large"]);
      assert.deepEqual(await ids({ instanceTypes: ["ecs.c8y.large", "ecs.c7.large"] }), ["ecs.c7.large", "ecs.c8y.large"]);
      const c8y = (await ecs.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({ instanceTypes: ["ecs.c8y.large"] }))).body!.instanceTypes!.instanceType![0];
      assert.deepEqual([c8y.cpuCoreCount, c8y.memorySize, c8y.cpuArchitecture, c8y.instanceTypeFamily], [2, 4, "ARM", "ecs.c8y"]);
    });

    it("pages the bundled catalogue 100 at a time by default, takes MaxResults up to 1600, and refuses more", async () => {
      const big = await startEmulator({ clock: "manual" });
      try {
        const client = ecsClient(big, { accessKeyId: big.accessKeyId, accessKeySecret: big.accessKeySecret });
        const seen: string[] = [];
        const sizes: number[] = [];
        let token: string | undefined;
        for (let page = 0; page < 10; page++) {
          const body = (await client.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({ nextToken: token }))).body!;
          sizes.push(body.instanceTypes!.instanceType!.length);
          seen.push(...body.instanceTypes!.instanceType!.map((t) => t.instanceTypeId!));
          token = body.nextToken || undefined;
          if (!token) break;
        }
        assert.deepEqual(sizes, [100, 100, 9]);
        assert.equal(new Set(seen).size, 209);
        // The SDK model allows 1600 a page: the whole catalogue in one answer.
        const onePage = (await client.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({ maxResults: 1600 }))).body!;
        assert.deepEqual([onePage.instanceTypes!.instanceType!.length, onePage.nextToken], [209, ""]);
        const tooMany = await rejection(() => client.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({ maxResults: 1601 })));
        assert.deepEqual([tooMany.code, tooMany.statusCode], ["InvalidParameter", 400]);
        const badToken = await rejection(() => client.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({ nextToken: "not-a-token" })));
        assert.equal(badToken.code, "InvalidNextToken");
      } finally {
        await big.close();
      }
    });
  });

  describe("DescribeZones and DescribeAvailableResource", () => {
    it("lists the zones with the types each one sells", async () => {
      const zones = (await ecs.describeZones(new $Ecs.DescribeZonesRequest({ regionId: "cn-hangzhou" }))).body!.zones!.zone!;
      assert.deepEqual(
        zones.map((z) => [z.zoneId, z.availableInstanceTypes?.instanceTypes]),
        [
          ["cn-hangzhou-b", ["ecs.c7.large", "ecs.g7.xlarge"]],
          ["cn-hangzhou-k", ["ecs.c7.large", "ecs.c8y.large"]],
        ],
      );
    });

    it("reports spot stock as Status and StatusCategory, and follows stock changes", async () => {
      const query = async (request: Partial<$Ecs.DescribeAvailableResourceRequest> = {}) => {
        const body = (
          await ecs.describeAvailableResource(
            new $Ecs.DescribeAvailableResourceRequest({ regionId: "cn-hangzhou", destinationResource: "InstanceType", instanceChargeType: "PostPaid", spotStrategy: "SpotWithPriceLimit", ...request }),
          )
        ).body!;
        return body.availableZones!.availableZone!.flatMap((z) =>
          z.availableResources!.availableResource![0].supportedResources!.supportedResource!.map((r) => `${z.zoneId}/${r.value}=${r.status}/${r.statusCategory}`),
        );
      };
      assert.deepEqual(await query(), [
        "cn-hangzhou-b/ecs.c7.large=Available/WithStock",
        "cn-hangzhou-b/ecs.g7.xlarge=SoldOut/WithoutStock",
        "cn-hangzhou-k/ecs.c7.large=Available/WithStock",
        "cn-hangzhou-k/ecs.c8y.large=Available/WithStock",
      ]);
      assert.deepEqual(await query({ zoneId: "cn-hangzhou-k", instanceType: "ecs.c8y.large" }), ["cn-hangzhou-k/ecs.c8y.large=Available/WithStock"]);
      emu.admin.setStock({ regionId: "cn-hangzhou", zoneId: "cn-hangzhou-b", instanceTypeId: "ecs.c7.large", spotStock: 0 });
      assert.ok((await query({ zoneId: "cn-hangzhou-b" })).includes("cn-hangzhou-b/ecs.c7.large=SoldOut/WithoutStock"));
      // Pay-as-you-go stock is not modelled: everything sold is available.
      assert.ok((await query({ zoneId: "cn-hangzhou-b", spotStrategy: "NoSpot" })).includes("cn-hangzhou-b/ecs.g7.xlarge=Available/WithStock"));
    });

    it("can report a catalogue that disagrees with RunInstances (a fixed StatusCategory), and answers DestinationResource=Zone", async () => {
      const scenario = tinyScenario();
      const stale = await startEmulator({
        clock: "manual",
        scenario: { ...scenario, offerings: scenario.offerings.map((o) => (o.instanceTypeId === "ecs.g7.xlarge" ? { ...o, statusCategory: "WithStock" as const } : o)) },
      });
      try {
        const body = (
          await ecsClient(stale).describeAvailableResource(
            new $Ecs.DescribeAvailableResourceRequest({ regionId: "cn-hangzhou", destinationResource: "Zone", instanceType: "ecs.g7.xlarge", spotStrategy: "SpotAsPriceGo" }),
          )
        ).body!;
        const zone = body.availableZones!.availableZone!;
        assert.deepEqual(zone.map((z) => [z.zoneId, z.status, z.statusCategory]), [["cn-hangzhou-b", "Available", "WithStock"]]);
        assert.equal(zone[0].availableResources!.availableResource![0].type, "Zone");
      } finally {
        await stale.close();
      }
    });
  });

  describe("DescribeSpotPriceHistory", () => {
    const history = (request: Partial<$Ecs.DescribeSpotPriceHistoryRequest>) =>
      ecs.describeSpotPriceHistory(new $Ecs.DescribeSpotPriceHistoryRequest({ regionId: "cn-hangzhou", networkType: "vpc", instanceType: "ecs.c7.large", ...request }));

    it("returns the last 3 hours by default, every zone when ZoneId is omitted, oldest first, with OriginPrice", async () => {
      const rows = (await history({})).body!.spotPrices!.spotPriceType!;
      assert.deepEqual(
        rows.map((r) => `${r.timestamp} ${r.zoneId}`),
        [
          "2025-12-31T21:00:00Z cn-hangzhou-k",
          "2025-12-31T22:00:00Z cn-hangzhou-b",
          "2025-12-31T22:00:00Z cn-hangzhou-k",
          "2025-12-31T23:00:00Z cn-hangzhou-b",
          "2025-12-31T23:00:00Z cn-hangzhou-k",
          "2026-01-01T00:00:00Z cn-hangzhou-k",
        ],
      );
      assert.deepEqual(rows.filter((r) => r.zoneId === "cn-hangzhou-b").map((r) => r.spotPrice), [0.06, 0.07]);
      for (const r of rows) {
        assert.equal(r.originPrice, 0.35);
        assert.equal(Math.round(r.spotPrice! * 1000) / 1000, r.spotPrice);
        assert.ok(r.spotPrice! > 0 && r.spotPrice! <= 0.35);
        assert.deepEqual([r.instanceType, r.networkType, r.ioOptimized], ["ecs.c7.large", "vpc", "optimized"]);
      }
    });

    it("honours StartTime/EndTime and ZoneId, shows explicit points at their times, and moves with the clock", async () => {
      const rows = async (request: Partial<$Ecs.DescribeSpotPriceHistoryRequest>) =>
        (await history({ zoneId: "cn-hangzhou-b", ...request })).body!.spotPrices!.spotPriceType!.map((r) => `${r.timestamp}=${r.spotPrice}`);
      assert.deepEqual(await rows({ startTime: "2025-12-31T22:30:00Z", endTime: "2025-12-31T23:59:59Z" }), ["2025-12-31T23:00:00Z=0.07"]);
      // EndTime must lie before the server's clock (the worse reading of an undocumented rule).
      for (const endTime of ["2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"]) {
        const ahead = await rejection(() => history({ endTime }));
        assert.deepEqual([ahead.code, ahead.statusCode], ["InvalidParams.EndTime", 400]);
      }
      // A one-hour window can be empty for a sparse history: callers must widen it.
      emu.clock.advance(2 * HOUR);
      assert.deepEqual(await rows({ startTime: "2026-01-01T01:00:00Z" }), []);
      assert.deepEqual(await rows({ startTime: "2026-01-01T00:00:00Z" }), ["2026-01-01T00:30:00Z=0.09"]);
    });

    it("pages 30 days of hourly rows with Offset/NextOffset (1000 a page, 0 when done) and refuses longer windows", async () => {
      emu.clock.advance(30 * 24 * HOUR);
      const seen: string[] = [];
      const offsets: number[] = [];
      let offset = 0;
      for (let page = 0; page < 5; page++) {
        const body = (await history({ zoneId: "cn-hangzhou-k", startTime: "2026-01-01T00:00:00Z", offset })).body!;
        seen.push(...body.spotPrices!.spotPriceType!.map((r) => r.timestamp!));
        offsets.push(body.nextOffset!);
        if (!body.nextOffset) break;
        offset = body.nextOffset;
      }
      assert.deepEqual(offsets, [0]);
      assert.equal(seen.length, 30 * 24 + 1);
      assert.deepEqual([...seen].sort(), seen);
      const tooLong = await rejection(() => history({ startTime: "2025-12-01T00:00:00Z" }));
      assert.equal(tooLong.code, "InvalidParams.StartTime");
      const malformed = await rejection(() => history({ endTime: "yesterday" }));
      assert.equal(malformed.code, "InvalidParams.EndTime");
    });

    it("pages across zones when a window holds more than a page", async () => {
      const big = await startEmulator({ clock: "manual" });
      try {
        big.clock.advance(30 * 24 * HOUR);
        const client = ecsClient(big, { accessKeyId: big.accessKeyId, accessKeySecret: big.accessKeySecret });
        const request = (offset: number) =>
          client.describeSpotPriceHistory(
            new $Ecs.DescribeSpotPriceHistoryRequest({ regionId: "cn-hangzhou", networkType: "vpc", instanceType: "ecs.c8y.2xlarge", startTime: "2026-01-02T00:00:00Z", offset }),
          );
        const rows: string[] = [];
        const offsets: number[] = [];
        let offset = 0;
        for (let page = 0; page < 10; page++) {
          const body = (await request(offset)).body!;
          rows.push(...body.spotPrices!.spotPriceType!.map((r) => `${r.timestamp} ${r.zoneId}`));
          offsets.push(body.nextOffset!);
          if (!body.nextOffset) break;
          offset = body.nextOffset;
        }
        assert.equal(offsets[0], 1000);
        assert.equal(offsets[offsets.length - 1], 0);
        assert.equal(new Set(rows).size, rows.length);
        const zones = new Set(rows.map((r) => r.split(" ")[1]));
        assert.ok(zones.size >= 2, "several zones in one answer");
        assert.equal(rows.length, zones.size * (29 * 24 + 1));
      } finally {
        await big.close();
      }
    });

    it("follows a price set through the admin API from that instant on", async () => {
      emu.admin.setPrice({ regionId: "cn-hangzhou", zoneId: "cn-hangzhou-b", instanceTypeId: "ecs.c7.large", price: 0.1234 });
      const rows = (await history({ zoneId: "cn-hangzhou-b" })).body!.spotPrices!.spotPriceType!;
      assert.deepEqual(rows.map((r) => `${r.timestamp}=${r.spotPrice}`), ["2025-12-31T22:00:00Z=0.06", "2025-12-31T23:00:00Z=0.07", "2026-01-01T00:00:00Z=0.123"]);
      assert.equal(emu.admin.state().stock.find((s) => s.zoneId === "cn-hangzhou-b" && s.instanceTypeId === "ecs.c7.large")?.spotPrice, 0.123);
    });
  });

  describe("network and images", () => {
    it("DescribeVSwitches filters on VPC and zone", async () => {
      const body = (await ecs.describeVSwitches(new $Ecs.DescribeVSwitchesRequest({ regionId: "cn-hangzhou", vpcId: VPC }))).body!;
      assert.equal(body.totalCount, 2);
      assert.deepEqual(body.vSwitches!.vSwitch!.map((v) => [v.vSwitchId, v.zoneId, v.cidrBlock]), [
        [VSW_B, "cn-hangzhou-b", "172.16.1.0/24"],
        [VSW_K, "cn-hangzhou-k", "172.16.6.0/24"],
      ]);
      const k = (await ecs.describeVSwitches(new $Ecs.DescribeVSwitchesRequest({ regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k" }))).body!;
      assert.deepEqual(k.vSwitches!.vSwitch!.map((v) => v.vSwitchId), [VSW_K]);
    });

    it("DescribeSecurityGroups filters on id, ids and VPC", async () => {
      const byIds = (await ecs.describeSecurityGroups(new $Ecs.DescribeSecurityGroupsRequest({ regionId: "cn-hangzhou", securityGroupIds: JSON.stringify([SG]) }))).body!;
      assert.deepEqual(byIds.securityGroups!.securityGroup!.map((g) => [g.securityGroupId, g.vpcId, g.securityGroupName]), [[SG, VPC, "ci-sg"]]);
      const none = (await ecs.describeSecurityGroups(new $Ecs.DescribeSecurityGroupsRequest({ regionId: "cn-hangzhou", vpcId: "vpc-bp1othervpc00000001" }))).body!;
      assert.equal(none.totalCount, 0);
    });

    it("DescribeImages finds images by id list, name wildcard and architecture; unknown ids match nothing", async () => {
      const ids = async (request: Partial<$Ecs.DescribeImagesRequest>) =>
        (await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId: "cn-hangzhou", ...request }))).body!.images!.image!.map((i) => i.imageId);
      assert.deepEqual(await ids({ imageId: `${IMAGE_ARM},${IMAGE_X86}` }), [IMAGE_X86, IMAGE_ARM]);
      assert.deepEqual(await ids({ imageName: "ubuntu_22_04_*", architecture: "arm64" }), [IMAGE_ARM]);
      assert.deepEqual(await ids({ imageId: "m-bpnotthere" }), []);
      const image = (await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId: "cn-hangzhou", imageId: IMAGE_ARM }))).body!.images!.image![0];
      assert.deepEqual([image.architecture, image.OSType, image.imageOwnerAlias, image.status, image.size], ["arm64", "linux", "system", "Available", 20]);
    });
  });
});
