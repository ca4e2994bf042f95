import { gunzipSync } from "node:zlib";
import type {
  Scenario,
  ScenarioImage,
  ScenarioInstanceType,
  ScenarioOffering,
  ScenarioRegion,
  ScenarioSecurityGroup,
  ScenarioTiming,
  ScenarioVpc,
  ScenarioVSwitch,
} from "../scenario/types";
import { resolveTiming } from "../timing";
import { IdGenerator } from "../ids";
import { goneAt, InstanceRecord, runnerConnectedAt, RunnerOutcome } from "./instance";
import { RunnerRecord, RunnerStore } from "./github";
import { SpotPriceSeries, stringSeed } from "./prices";
import { InFlightTokens } from "../ecs/clientTokens";
import { interruptionDraw, reclaimNoticeAt } from "./interruptions";
import { HOUR_MS } from "../format";
import { CustomImageRecord, imageStatusAt, SnapshotRecord } from "./images";

export type StatusCategory = "WithStock" | "ClosedWithStock" | "WithoutStock" | "ClosedWithoutStock";

/** One (zone, type) that is sold for spot: its remaining stock, its price over time and its interruption rate. */
export interface OfferingState {
  readonly offering: ScenarioOffering;
  readonly instanceType: ScenarioInstanceType;
  /** Units left; null = unlimited. */
  free: number | null;
  /** Percent: DescribeSpotAdvice's InterruptionRate, and the chance per hour that a reclaimable instance is reclaimed. */
  interruptionRate: number;
  /** Times the rate was changed through the admin API (each change draws the remaining instances anew). */
  rateChanges: number;
  /** Spot instances launched in this offering since load or reset: names each launch's interruption draw. */
  launches: number;
  /** The scenario's fixed StatusCategory (stale catalogue); dropped when stock is set through the admin API. */
  statusCategoryOverride?: StatusCategory;
  readonly prices: SpotPriceSeries;
}

export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly instanceIds: readonly string[];
  readonly tradePrice: number;
}

/** A spot reclaim notice that reached its instance (scheduled by the interruption rate, or through the admin API). */
export interface ReclaimRecord {
  readonly instanceId: string;
  readonly regionId: string;
  readonly zoneId: string;
  readonly instanceTypeId: string;
  readonly noticeAt: number;
  readonly cause: "scheduled" | "admin";
}

/** How a runner looks at an instant: derived from its record and the instance that registered it. */
export interface RunnerView {
  readonly record: RunnerRecord;
  readonly status: "online" | "offline";
  readonly busy: boolean;
  readonly os: string;
  readonly arch?: "X64" | "ARM64";
}

/**
 * The emulated cloud: the scenario's catalogue, indexed, plus everything that changes (instances, stock, prices,
 * idempotency records, GitHub runners). Time-driven changes are not run by timers: `settle(now)` applies them in
 * time order whenever something looks, so a manual clock gives the same result however it is advanced.
 */
export class World {
  readonly timing: ScenarioTiming;
  readonly regions = new Map<string, ScenarioRegion>();
  readonly instanceTypes = new Map<string, ScenarioInstanceType>();
  readonly offerings = new Map<string, OfferingState>();
  readonly vpcs = new Map<string, ScenarioVpc>();
  readonly vSwitches = new Map<string, ScenarioVSwitch>();
  readonly securityGroups = new Map<string, ScenarioSecurityGroup>();
  readonly images = new Map<string, ScenarioImage>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  /** Images CreateImage made (the scenario's are in `images`); removed by DeleteImage. */
  readonly customImages = new Map<string, CustomImageRecord>();
  /** Snapshots CreateImage took; they outlive their image until DeleteSnapshot. */
  readonly snapshots = new Map<string, SnapshotRecord>();
  /** CreateImage ClientTokens: `<region>|<token>` -> the request's fingerprint and the image it made. */
  readonly imageIdempotency = new Map<string, { readonly fingerprint: string; readonly imageId: string }>();
  /** ClientTokens of requests still being processed (a fault's latency holds one). */
  readonly inFlight = new InFlightTokens();
  /** Instances created since the scenario was loaded or reset, released ones included (idempotent replays not). */
  launched = 0;
  /** Reclaim notices that have reached their instances since load or reset, in time order. */
  readonly reclaims: ReclaimRecord[] = [];
  private readonly noticed = new Set<string>();
  /** Seeds every interruption draw: the same scenario and the same launches give the same interruptions. */
  readonly interruptionSeed: number;
  readonly runners: RunnerStore;
  private readonly runnerArch = new Map<number, "X64" | "ARM64">();
  private readonly ipCounters = new Map<string, number>();

  constructor(
    readonly scenario: Scenario,
    /** Scenario start on this clock: minutes in the scenario are relative to it. */
    readonly startMs: number,
    readonly ids: IdGenerator,
    githubServerUrl: string,
  ) {
    this.timing = resolveTiming(scenario.timing);
    this.interruptionSeed = scenario.interruptionSeed ?? 0;
    this.runners = new RunnerStore(githubServerUrl);
    for (const r of scenario.regions) this.regions.set(r.regionId, r);
    for (const t of scenario.instanceTypes) this.instanceTypes.set(t.instanceTypeId, t);
    for (const v of scenario.vpcs) this.vpcs.set(v.vpcId, v);
    for (const v of scenario.vSwitches) this.vSwitches.set(v.vSwitchId, v);
    for (const g of scenario.securityGroups) this.securityGroups.set(g.securityGroupId, g);
    for (const i of scenario.images) this.images.set(i.imageId, i);
    for (const o of scenario.offerings) {
      const instanceType = this.instanceTypes.get(o.instanceTypeId);
      if (!instanceType) continue; // validateScenario rejects this; skip rather than crash on an unvalidated object
      this.offerings.set(offeringKey(o.regionId, o.zoneId, o.instanceTypeId), {
        offering: o,
        instanceType,
        free: o.spotStock === undefined ? null : o.spotStock,
        interruptionRate: o.interruptionRate ?? 0,
        rateChanges: 0,
        launches: 0,
        statusCategoryOverride: o.statusCategory,
        prices: new SpotPriceSeries(o.spotPrice, instanceType.onDemandPrice, startMs, stringSeed(`${o.zoneId}/${o.instanceTypeId}`)),
      });
    }
  }

  /** An image instances can boot from now: a scenario image, or a custom image once Available. */
  bootableImage(imageId: string, now: number): ScenarioImage | undefined {
    const custom = this.customImages.get(imageId);
    if (custom) return imageStatusAt(custom, now) === "Available" ? custom : undefined;
    return this.images.get(imageId);
  }

  offering(regionId: string, zoneId: string, instanceTypeId: string): OfferingState | undefined {
    return this.offerings.get(offeringKey(regionId, zoneId, instanceTypeId));
  }

  /** DescribeAvailableResource's view of an offering's stock. */
  statusCategory(state: OfferingState): StatusCategory {
    if (state.statusCategoryOverride) return state.statusCategoryOverride;
    return state.free === null || state.free > 0 ? "WithStock" : "WithoutStock";
  }

  /** Applies every time-driven change up to `now`, in time order. Idempotent. */
  settle(now: number): void {
    type Event = { at: number; order: number; apply: () => void };
    const events: Event[] = [];
    let order = 0;
    for (const instance of this.instances.values()) {
      if (instance.gone) continue;
      const gone = goneAt(instance, this.timing);
      const notice = instance.reclaimNoticeAt;
      if (notice !== undefined && notice <= now && !this.noticed.has(instance.instanceId)) {
        events.push({ at: notice, order: order++, apply: () => this.recordReclaim(instance, notice) });
      }
      if (instance.runnerOutcome === undefined && instance.runningAt <= now && (gone === undefined || instance.runningAt < gone)) {
        events.push({ at: instance.runningAt, order: order++, apply: () => this.bootRunner(instance) });
      }
      if (gone !== undefined && gone <= now) events.push({ at: gone, order: order++, apply: () => this.removeInstance(instance) });
    }
    events.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const e of events) e.apply();
  }

  /**
   * A launched instance joins the world (RunInstances has taken its stock). A spot instance gets its reclaim notice
   * drawn now, from its offering's interruption rate: it takes effect when the clock reaches it, unless the instance
   * is released first.
   */
  addInstance(instance: InstanceRecord, offering: OfferingState): InstanceRecord {
    let added = instance;
    if (instance.spotStrategy !== "NoSpot") {
      offering.launches += 1;
      added = { ...instance, interruptionKey: `${offeringKey(instance.regionId, instance.zoneId, instance.instanceType.instanceTypeId)}#${offering.launches}` };
      this.scheduleReclaim(added, offering.interruptionRate, reclaimableFrom(added), added.interruptionKey!);
    }
    this.instances.set(added.instanceId, added);
    return added;
  }

  /**
   * The offering's interruption rate from `now` on (admin API). Instances of the offering whose notice has not come
   * yet are drawn anew from now (the wait is memoryless, so nothing is lost by redrawing).
   */
  setInterruptionRate(state: OfferingState, ratePercent: number, now: number): void {
    state.interruptionRate = ratePercent;
    state.rateChanges += 1;
    const key = offeringKey(state.offering.regionId, state.offering.zoneId, state.offering.instanceTypeId);
    for (const instance of this.instances.values()) {
      if (instance.gone || instance.spotStrategy === "NoSpot" || instance.interruptionKey === undefined) continue;
      if (offeringKey(instance.regionId, instance.zoneId, instance.instanceType.instanceTypeId) !== key) continue;
      if (instance.reclaimCause === "admin" || (instance.reclaimNoticeAt !== undefined && instance.reclaimNoticeAt <= now)) continue;
      if (instance.releaseRequestedAt !== undefined) continue;
      instance.reclaimNoticeAt = undefined;
      instance.reclaimCause = undefined;
      this.scheduleReclaim(instance, ratePercent, Math.max(now, reclaimableFrom(instance)), `${instance.interruptionKey}~${state.rateChanges}`);
    }
  }

  /** A spot reclaim now (admin API): the Recycling lock at once, unless a notice already came. */
  reclaimNow(instance: InstanceRecord, now: number): void {
    if (instance.reclaimNoticeAt !== undefined && instance.reclaimNoticeAt <= now) return;
    instance.reclaimNoticeAt = now;
    instance.reclaimCause = "admin";
  }

  /** DeleteInstance(s) accepted: the release starts now, and a notice drawn for later will never come. */
  requestRelease(instance: InstanceRecord, now: number): void {
    if (instance.releaseRequestedAt === undefined) instance.releaseRequestedAt = now;
    if (instance.reclaimCause === "scheduled" && instance.reclaimNoticeAt !== undefined && instance.reclaimNoticeAt > now) {
      instance.reclaimNoticeAt = undefined;
      instance.reclaimCause = undefined;
    }
  }

  private scheduleReclaim(instance: InstanceRecord, ratePercent: number, from: number, key: string): void {
    const at = reclaimNoticeAt(ratePercent, from, interruptionDraw(this.interruptionSeed, key));
    // A notice after the instance is due to go anyway (its TTL, a vanish) never comes.
    const ends = [instance.autoReleaseAt, instance.vanishAt].filter((t): t is number => t !== undefined);
    if (at === undefined || ends.some((end) => at >= end)) return;
    instance.reclaimNoticeAt = at;
    instance.reclaimCause = "scheduled";
  }

  private recordReclaim(instance: InstanceRecord, noticeAt: number): void {
    this.noticed.add(instance.instanceId);
    this.reclaims.push({
      instanceId: instance.instanceId,
      regionId: instance.regionId,
      zoneId: instance.zoneId,
      instanceTypeId: instance.instanceType.instanceTypeId,
      noticeAt,
      cause: instance.reclaimCause ?? "admin",
    });
  }

  takeStock(state: OfferingState, units: number): void {
    if (state.free !== null) state.free -= units;
  }

  /** A private address in the vSwitch's CIDR, handed out in order. */
  allocatePrivateIp(vSwitch: ScenarioVSwitch): string {
    const [base, bits] = vSwitch.cidrBlock.split("/");
    const octets = base.split(".").map(Number);
    const start = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const size = 2 ** (32 - Number(bits));
    const used = (this.ipCounters.get(vSwitch.vSwitchId) ?? 0) + 1;
    this.ipCounters.set(vSwitch.vSwitchId, used);
    // .0-.2 are reserved by Aliyun in every vSwitch; wrap rather than overflow in long runs.
    const offset = 3 + ((used - 1) % Math.max(1, size - 4));
    const ip = (start + offset) >>> 0;
    return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
  }

  runnerView(record: RunnerRecord, now: number): RunnerView {
    const instance = record.registeredBy ? this.instances.get(record.registeredBy) : undefined;
    const connected = instance !== undefined && !instance.gone && runnerConnectedAt(instance, this.timing, now);
    const arch = this.runnerArch.get(record.id);
    return {
      record,
      status: record.statusOverride ?? (connected ? "online" : "offline"),
      busy: record.busyOverride ?? false,
      os: arch ? "Linux" : "unknown",
      arch,
    };
  }

  /** The instance boots: its user data's JIT config (if any) registers the runner, once. */
  private bootRunner(instance: InstanceRecord): void {
    instance.runnerOutcome = this.decideRunner(instance);
  }

  private decideRunner(instance: InstanceRecord): RunnerOutcome {
    if (instance.userData === undefined) return { kind: "noUserData" };
    const issued = this.runners.findJitConfigIn(decodeUserData(instance.userData));
    if (!issued) return { kind: "noJitConfig" };
    const runner = this.runners.get(issued.runnerId);
    if (issued.usedBy !== undefined || !runner) return { kind: "rejected", runnerName: issued.runnerName };
    issued.usedBy = instance.instanceId;
    runner.registeredBy = instance.instanceId;
    this.runnerArch.set(runner.id, instance.instanceType.cpuArchitecture === "ARM" ? "ARM64" : "X64");
    return { kind: "registered", runnerId: runner.id, runnerName: runner.name };
  }

  private removeInstance(instance: InstanceRecord): void {
    instance.gone = true;
    this.instances.delete(instance.instanceId);
    if (instance.holdsStock) {
      const state = this.offering(instance.regionId, instance.zoneId, instance.instanceType.instanceTypeId);
      if (state && state.free !== null) state.free += 1;
    }
  }
}

/** When a spot instance can first be reclaimed: once Running, and past its protection period (SpotDuration hours). */
export function reclaimableFrom(instance: InstanceRecord): number {
  return Math.max(instance.runningAt, instance.createdAt + instance.spotDuration * HOUR_MS);
}

export function offeringKey(regionId: string, zoneId: string, instanceTypeId: string): string {
  return `${regionId}|${zoneId}|${instanceTypeId}`;
}

/** User data as the instance sees it: base64-decoded, and gunzipped when compressed (cloud-init accepts both). */
export function decodeUserData(base64: string): string {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString("utf8");
    } catch {
      return bytes.toString("latin1");
    }
  }
  return bytes.toString("utf8");
}
