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

export type StatusCategory = "WithStock" | "ClosedWithStock" | "WithoutStock" | "ClosedWithoutStock";

/** One (zone, type) that is sold for spot: its remaining stock and its price over time. */
export interface OfferingState {
  readonly offering: ScenarioOffering;
  readonly instanceType: ScenarioInstanceType;
  /** Units left; null = unlimited. */
  free: number | null;
  /** The scenario's fixed StatusCategory (stale catalogue); dropped when stock is set through the admin API. */
  statusCategoryOverride?: StatusCategory;
  readonly prices: SpotPriceSeries;
}

export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly instanceIds: readonly string[];
  readonly tradePrice: number;
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
  /** ClientTokens of requests still being processed (a fault's latency holds one). */
  readonly inFlight = new InFlightTokens();
  /** Instances created since the scenario was loaded or reset, released ones included (idempotent replays not). */
  launched = 0;
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
        statusCategoryOverride: o.statusCategory,
        prices: new SpotPriceSeries(o.spotPrice, instanceType.onDemandPrice, startMs, stringSeed(`${o.zoneId}/${o.instanceTypeId}`)),
      });
    }
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
      if (instance.runnerOutcome === undefined && instance.runningAt <= now && (gone === undefined || instance.runningAt < gone)) {
        events.push({ at: instance.runningAt, order: order++, apply: () => this.bootRunner(instance) });
      }
      if (gone !== undefined && gone <= now) events.push({ at: gone, order: order++, apply: () => this.removeInstance(instance) });
    }
    events.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const e of events) e.apply();
  }

  /** A launched instance joins the world (RunInstances has taken its stock). */
  addInstance(instance: InstanceRecord, _offering: OfferingState): void {
    this.instances.set(instance.instanceId, instance);
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
