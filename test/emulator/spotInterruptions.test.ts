import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { startEmulator, RunningEmulator } from "../../emulator";
import type { Scenario } from "../../emulator/scenario/types";
import { ecsClient, IMAGE_X86, LISTING_DELAY_MS, SG, START, tinyScenario, VSW_K } from "./fixtures";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The tiny scenario's timing: Running 15 s after the launch, released 5 min after a notice, then 5 s Stopping. */
const RUNNING_AFTER = 15_000;
const NOTICE_MS = 300_000;
const RELEASE_MS = 5_000;

/** The tiny scenario with ecs.c7.large in zone k (unlimited stock) interrupted at `rate` percent per hour. */
function scenario(rate: number, seed?: number): Scenario {
  const base = tinyScenario(seed === undefined ? {} : { interruptionSeed: seed });
  return {
    ...base,
    offerings: base.offerings.map((o) => (o.zoneId === "cn-hangzhou-k" && o.instanceTypeId === "ecs.c7.large" ? { ...o, interruptionRate: rate } : o)),
  };
}

describe("emulator: spot interruptions at the offering's rate", () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof ecsClient>;
  afterEach(() => emu?.close());

  async function start(s: Scenario): Promise<void> {
    emu = await startEmulator({ scenario: s, clock: "manual" });
    ecs = ecsClient(emu);
  }
  const launch = async (overrides: Partial<$Ecs.RunInstancesRequest> = {}) =>
    (
      await ecs.runInstances(
        new $Ecs.RunInstancesRequest({
          regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", vSwitchId: VSW_K, imageId: IMAGE_X86, instanceType: "ecs.c7.large",
          securityGroupId: SG, spotStrategy: "SpotAsPriceGo", spotDuration: 0, ...overrides,
        }),
      )
    ).body!.instanceIdSets!.instanceIdSet!;
  const instance = async (id: string) =>
    (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou", instanceIds: JSON.stringify([id]) }))).body!.instances!.instance![0];
  const noticeOf = (id: string) => emu.admin.state().instances.find((i) => i.instanceId === id)?.reclaimNoticeAt;

  it("reclaims with the usual notice and release: at 100% an unprotected instance gets its notice once Running", async () => {
    await start(scenario(100));
    const [id] = await launch();
    assert.equal(noticeOf(id), "2026-01-01T00:00:15Z", "the emulator shows the notice it has drawn, ahead of time");
    emu.clock.advance(RUNNING_AFTER - 1);
    assert.deepEqual((await instance(id)).operationLocks!.lockReason, []);
    emu.clock.advance(1);
    const noticed = await instance(id);
    assert.deepEqual([noticed.status, noticed.operationLocks!.lockReason!.map((l) => l.lockReason)], ["Running", ["Recycling"]]);
    assert.deepEqual(emu.admin.state().reclaims, [{ instanceId: id, regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", instanceTypeId: "ecs.c7.large", noticeAt: "2026-01-01T00:00:15Z", cause: "scheduled" }]);
    emu.clock.advance(NOTICE_MS);
    assert.equal((await instance(id)).status, "Stopping");
    emu.clock.advance(RELEASE_MS);
    assert.equal(await instance(id), undefined);
    assert.equal(emu.admin.state().reclaims.length, 1, "the record outlives the instance");
  });

  it("never reclaims within the protection period (SpotDuration 1: the first hour)", async () => {
    await start(scenario(100));
    const [id] = await launch({ spotDuration: 1 });
    assert.equal(noticeOf(id), "2026-01-01T01:00:00Z");
    emu.clock.advance(HOUR - 1);
    assert.equal(emu.admin.state().reclaims.length, 0);
    emu.clock.advance(1);
    assert.deepEqual((await instance(id)).operationLocks!.lockReason!.map((l) => l.lockReason), ["Recycling"]);
  });

  it("never reclaims at 0%, nor pay-as-you-go instances, nor an instance released or past its TTL first", async () => {
    await start(scenario(0));
    const [calm] = await launch();
    await startOver(scenario(100));
    const [payg] = await launch({ spotStrategy: "NoSpot" });
    const [deleted] = await launch({ spotDuration: 1 });
    const [ttl] = await launch({ spotDuration: 1, autoReleaseTime: "2026-01-01T00:59:00Z" });
    assert.equal(noticeOf(calm), undefined);
    assert.deepEqual([noticeOf(payg), noticeOf(ttl)], [undefined, undefined]);
    emu.clock.advance(RUNNING_AFTER);
    await ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: "cn-hangzhou", instanceId: [deleted], force: true }));
    assert.equal(noticeOf(deleted), undefined, "a release under way drops the notice drawn for later");
    emu.clock.advance(7 * 24 * HOUR);
    assert.deepEqual(emu.admin.state().reclaims, []);
  });

  it("reclaims at the band's rate per hour: about 10% of unprotected instances in each hour at 10%", async () => {
    await start(scenario(10));
    const ids: string[] = [];
    for (let batch = 0; batch < 5; batch++) ids.push(...(await launch({ amount: 100 })));
    const notices = new Map(emu.admin.state().instances.map((i) => [i.instanceId, i.reclaimNoticeAt]));
    const reclaimedBy = (hours: number) =>
      ids.filter((id) => {
        const at = notices.get(id);
        return at !== undefined && Date.parse(at) < START + RUNNING_AFTER + hours * HOUR;
      }).length;
    // P(notice within h hours) = 1 - 0.9^h: 10%, 19%, 41% of 500 (binomial bands, about 3 sigma).
    const [one, two, five] = [reclaimedBy(1), reclaimedBy(2), reclaimedBy(5)];
    assert.ok(one >= 30 && one <= 70, `${one} of 500 in the first hour`);
    assert.ok(two >= 70 && two <= 120, `${two} of 500 in two hours`);
    assert.ok(five >= 170 && five <= 240, `${five} of 500 in five hours`);
    // What the clock then does agrees with the schedule.
    emu.clock.advance(RUNNING_AFTER + HOUR - 1);
    assert.equal(emu.admin.state().reclaims.length, one);
  });

  it("is deterministic: the same seed and launches give the same notices; another seed, others", async () => {
    const draw = async (seed: number) => {
      await startOver(scenario(20, seed));
      const ids = await launch({ amount: 20 });
      return ids.map(noticeOf);
    };
    const first = await draw(7);
    assert.deepEqual(await draw(7), first);
    assert.notDeepEqual(await draw(8), first);
    assert.ok(first.filter((n) => n !== undefined).length === 20, "every instance gets a notice some day at 20%");
  });

  it("redraws when the admin API changes the rate, and keeps admin reclaims", async () => {
    await start(scenario(0));
    const [a, b] = await launch({ amount: 2 });
    emu.clock.advance(HOUR);
    emu.admin.reclaimInstance(a);
    assert.equal(noticeOf(a), "2026-01-01T01:00:00Z");
    emu.admin.setInterruptionRate({ regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", instanceTypeId: "ecs.c7.large", interruptionRate: 100 });
    assert.equal(noticeOf(b), "2026-01-01T01:00:00Z", "at 100% the notice comes now");
    const stock = emu.admin.state().stock.find((s) => s.zoneId === "cn-hangzhou-k" && s.instanceTypeId === "ecs.c7.large")!;
    assert.deepEqual([stock.interruptionRate, stock.interruptRateDesc], [100, "10-100%"]);
    const advice = (await ecs.describeSpotAdvice(new $Ecs.DescribeSpotAdviceRequest({ regionId: "cn-hangzhou", instanceTypes: ["ecs.c7.large"], zoneId: "cn-hangzhou-k" }))).body!;
    assert.equal(advice.availableSpotZones!.availableSpotZone![0].availableSpotResources!.availableSpotResource![0].interruptRateDesc, "10-100%");
    emu.clock.advance(1);
    assert.deepEqual(emu.admin.state().reclaims.map((r) => [r.instanceId, r.cause]), [[a, "admin"], [b, "scheduled"]]);
    const bad = await fetch(`${emu.adminUrl}/interruption-rates`, { method: "POST", body: JSON.stringify({ regionId: "cn-hangzhou", zoneId: "cn-hangzhou-k", instanceTypeId: "ecs.c7.large", interruptionRate: 101 }) });
    assert.equal(bad.status, 400);
  });

  it("starts over on reset: no reclaims, the same draws again", async () => {
    await start(scenario(50));
    const [first] = await launch();
    const notice = noticeOf(first);
    emu.clock.advance(24 * HOUR);
    assert.equal(emu.admin.state().reclaims.length, 1);
    emu.admin.reset();
    assert.deepEqual(emu.admin.state().reclaims, []);
    const [again] = await launch();
    emu.clock.advance(LISTING_DELAY_MS);
    assert.equal(noticeOf(again), notice);
  });

  async function startOver(s: Scenario): Promise<void> {
    await emu.close();
    await start(s);
  }
});
