import type { Scenario } from "../scenario/types";
import type { CallLogEntry } from "../callLog";
import type { EmulatorCore } from "../core";
import type { ActiveFault, FaultSpec } from "../faults";
import { InvalidFaultError } from "../faults";
import { isoMinutes, isoSeconds, round3 } from "../format";
import { statusAt } from "../state/instance";
import { BakeManifest, imageStatusAt } from "../state/images";
import { interruptRateDesc } from "../state/interruptions";
import type { World } from "../state/world";

/** A problem with an admin request; `status` is the HTTP status the admin API answers with. */
export class AdminRequestError extends Error {
  override name = "AdminRequestError";
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

export interface InstanceSummary {
  readonly instanceId: string;
  readonly regionId: string;
  readonly zoneId: string;
  readonly instanceType: string;
  readonly status: string;
  readonly spotStrategy: string;
  readonly spotPriceLimit?: number;
  readonly createdAt: string;
  readonly autoReleaseTime?: string;
  readonly locks: readonly string[];
  /** Spot instances: hours of protection (SpotDuration). */
  readonly spotDuration?: number;
  /**
   * The reclaim notice the emulator has drawn for this spot instance from its offering's interruption rate (or set
   * through the admin API), also while it lies ahead: the emulator's own knowledge, which no API call reveals. A
   * test or a benchmark can advance the clock to it. Omitted when no notice will come.
   */
  readonly reclaimNoticeAt?: string;
  /** Whether DescribeInstances lists it yet (a new instance is missing for timing.listingDelayMs). */
  readonly listed: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /** What became of the GitHub runner its user data named: pending (not booted yet), noUserData, noJitConfig, rejected, registered. */
  readonly runner: string;
  readonly runnerName?: string;
  readonly imageId: string;
  /** The manifest of the baked image it booted from; absent for a stock image. */
  readonly imageCarries?: BakeManifest;
}

export interface RunnerSummary {
  readonly id: number;
  readonly name: string;
  /** "repo:owner/name" or "org:name" */
  readonly scope: string;
  readonly status: "online" | "offline";
  readonly busy: boolean;
  readonly labels: readonly string[];
  readonly instanceId?: string;
}

export interface StockSummary {
  readonly regionId: string;
  readonly zoneId: string;
  readonly instanceTypeId: string;
  /** null = unlimited */
  readonly spotStock: number | null;
  readonly statusCategory: string;
  readonly spotPrice: number;
  /** Percent, DescribeSpotAdvice's InterruptionRate; also the chance per hour that a reclaimable instance is reclaimed. */
  readonly interruptionRate: number;
  /** DescribeSpotAdvice's InterruptRateDesc for that rate: "0-3%", "3-5%", "5-10%" or "10-100%". */
  readonly interruptRateDesc: string;
}

/** A reclaim notice that reached its instance. */
export interface ReclaimSummary {
  readonly instanceId: string;
  readonly regionId: string;
  readonly zoneId: string;
  readonly instanceTypeId: string;
  /** When the notice came (the Recycling lock); the instance is released reclaimNoticeMs later. */
  readonly noticeAt: string;
  /** "scheduled": drawn from the offering's interruption rate; "admin": POST instances/<id>/reclaim. */
  readonly cause: "scheduled" | "admin";
}

export interface FaultSummary extends FaultSpec {
  readonly id: string;
  /** Calls left; -1 = unlimited. */
  readonly remaining: number;
  readonly fired: number;
}

/** The network the scenario defines, as the API names its parts (what an infra stack would have created). */
export interface NetworkSummary {
  readonly vpcs: readonly { readonly vpcId: string; readonly regionId: string; readonly vpcName: string; readonly cidrBlock: string }[];
  readonly vSwitches: readonly {
    readonly vSwitchId: string;
    readonly vpcId: string;
    readonly regionId: string;
    readonly zoneId: string;
    readonly vSwitchName: string;
    readonly cidrBlock: string;
  }[];
  readonly securityGroups: readonly { readonly securityGroupId: string; readonly vpcId: string; readonly regionId: string; readonly securityGroupName: string }[];
}

export interface ImageSummary {
  readonly imageId: string;
  readonly regionId: string;
  readonly imageName: string;
  readonly architecture: string;
  readonly osType: string;
  readonly osName: string;
  readonly imageOwnerAlias: string;
  readonly size: number;
  /** Custom images (CreateImage): Creating or Available, their tags and snapshots, and what a bake put in them. */
  readonly status?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly snapshotIds?: readonly string[];
  readonly sourceInstanceId?: string;
  readonly carries?: BakeManifest;
}

/** A snapshot CreateImage took; it outlives its image until DeleteSnapshot. */
export interface SnapshotSummary {
  readonly snapshotId: string;
  readonly regionId: string;
  readonly imageId: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface EmulatorState {
  readonly description?: string;
  readonly clock: { readonly kind: "real" | "manual"; readonly now: string };
  readonly instances: readonly InstanceSummary[];
  readonly runners: readonly RunnerSummary[];
  readonly stock: readonly StockSummary[];
  readonly network: NetworkSummary;
  readonly images: readonly ImageSummary[];
  readonly snapshots: readonly SnapshotSummary[];
  readonly faults: readonly FaultSummary[];
  /** Instances launched since load or reset, released ones included: a retried launch must not add one. */
  readonly launched: number;
  /** Reclaim notices that reached their instances since load or reset, oldest first (released instances included). */
  readonly reclaims: readonly ReclaimSummary[];
}

export interface InterruptionRateUpdate {
  readonly regionId: string;
  readonly zoneId: string;
  readonly instanceTypeId: string;
  /** Percent, 0-100. */
  readonly interruptionRate: number;
}

export interface StockUpdate {
  readonly regionId: string;
  readonly zoneId: string;
  readonly instanceTypeId: string;
  /** null = unlimited */
  readonly spotStock: number | null;
}

export interface PriceUpdate {
  readonly regionId: string;
  readonly zoneId: string;
  readonly instanceTypeId: string;
  readonly price: number;
}

export interface RunnerUpdate {
  readonly busy?: boolean;
  readonly status?: "online" | "offline";
}

/** The admin API, typed, in-process; `/_emulator/*` over HTTP maps onto these one to one. */
export interface EmulatorAdmin {
  state(): EmulatorState;
  /** Replaces the scenario (validated) and resets everything to it. */
  replaceScenario(scenario: Scenario | unknown): void;
  addFault(fault: FaultSpec): FaultSummary;
  removeFault(id: string): void;
  clearFaults(): void;
  calls(sinceSeq?: number): readonly CallLogEntry[];
  clearCalls(): void;
  /** Back to the scenario as loaded: no instances or runners, scenario stock and prices, no faults, empty call log; a manual clock rewinds to its start. */
  reset(): void;
  /** Manual clock only. Returns the new emulated time. */
  advanceClock(ms: number): string;
  setStock(update: StockUpdate): void;
  setPrice(update: PriceUpdate): void;
  /** Spot reclaim: the Recycling lock now, released after timing.reclaimNoticeMs. */
  reclaimInstance(instanceId: string): void;
  /**
   * An offering's interruption rate from now on: what DescribeSpotAdvice reports, and the rate its instances are
   * reclaimed at (instances without a notice yet are drawn anew).
   */
  setInterruptionRate(update: InterruptionRateUpdate): void;
  updateRunner(runnerId: number, update: RunnerUpdate): RunnerSummary;
}

export function createAdmin(core: EmulatorCore): EmulatorAdmin {
  const offeringOf = (world: World, u: { regionId: unknown; zoneId: unknown; instanceTypeId: unknown }) => {
    for (const key of ["regionId", "zoneId", "instanceTypeId"] as const) {
      if (typeof u[key] !== "string" || u[key] === "") throw new AdminRequestError(400, `${key} must be a non-empty string`);
    }
    const state = world.offering(u.regionId as string, u.zoneId as string, u.instanceTypeId as string);
    if (!state) throw new AdminRequestError(404, `no spot offering for ${u.instanceTypeId} in ${u.zoneId} (${u.regionId}) in the scenario`);
    return state;
  };
  return {
    state: () => snapshot(core),
    replaceScenario: (scenario) => {
      try {
        core.replaceScenario(scenario);
      } catch (err) {
        throw new AdminRequestError(400, err instanceof Error ? err.message : String(err));
      }
    },
    addFault: (fault) => {
      try {
        return faultSummary(core.faults.add(fault));
      } catch (err) {
        if (err instanceof InvalidFaultError) throw new AdminRequestError(400, err.message);
        throw err;
      }
    },
    removeFault: (id) => {
      if (!core.faults.remove(id)) throw new AdminRequestError(404, `no fault ${id} (it may have fired its last time)`);
    },
    clearFaults: () => core.faults.clear(),
    calls: (sinceSeq = 0) => core.calls.list(sinceSeq),
    clearCalls: () => core.calls.clear(),
    reset: () => core.reset(),
    advanceClock: (ms) => {
      if (core.clock.kind !== "manual") throw new AdminRequestError(400, "the emulator runs on the real clock; only a manual clock (startEmulator({clock: \"manual\"})) can be advanced");
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw new AdminRequestError(400, `advanceMs must be a non-negative number of milliseconds, got ${JSON.stringify(ms)}`);
      core.clock.advance(ms);
      return isoSeconds(core.now());
    },
    setStock: (update) => {
      const world = core.world();
      const state = offeringOf(world, update);
      const stock = update.spotStock;
      if (stock !== null && (!Number.isInteger(stock) || stock < 0)) throw new AdminRequestError(400, `spotStock must be a non-negative integer or null (unlimited), got ${JSON.stringify(stock)}`);
      state.free = stock;
      // Stock set now describes the market now: the scenario's fixed StatusCategory no longer applies.
      state.statusCategoryOverride = undefined;
    },
    setPrice: (update) => {
      const world = core.world();
      const state = offeringOf(world, update);
      if (typeof update.price !== "number" || !(update.price > 0)) throw new AdminRequestError(400, `price must be a positive number, got ${JSON.stringify(update.price)}`);
      state.prices.setPrice(core.now(), update.price);
    },
    reclaimInstance: (instanceId) => {
      const world = core.world();
      const instance = world.instances.get(instanceId);
      if (!instance || statusAt(instance, world.timing, core.now()) === undefined) throw new AdminRequestError(404, `no instance ${instanceId} (it may already be released)`);
      if (instance.spotStrategy === "NoSpot") throw new AdminRequestError(400, `${instanceId} is not a spot instance; only spot instances are reclaimed`);
      world.reclaimNow(instance, core.now());
    },
    setInterruptionRate: (update) => {
      const world = core.world();
      const state = offeringOf(world, update);
      const rate = update.interruptionRate;
      if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0 || rate > 100) {
        throw new AdminRequestError(400, `interruptionRate must be a percentage between 0 and 100, got ${JSON.stringify(rate)}`);
      }
      world.setInterruptionRate(state, rate, core.now());
    },
    updateRunner: (runnerId, update) => {
      const world = core.world();
      const runner = world.runners.get(runnerId);
      if (!runner) throw new AdminRequestError(404, `no runner ${runnerId}`);
      if (update.busy !== undefined && typeof update.busy !== "boolean") throw new AdminRequestError(400, "busy must be true or false");
      if (update.status !== undefined && update.status !== "online" && update.status !== "offline") throw new AdminRequestError(400, "status must be online or offline");
      if (update.busy !== undefined) runner.busyOverride = update.busy;
      if (update.status !== undefined) runner.statusOverride = update.status;
      return runnerSummary(world, runner.id, core.now())!;
    },
  };
}

function snapshot(core: EmulatorCore): EmulatorState {
  const world = core.world();
  const now = core.now();
  const instances: InstanceSummary[] = [...world.instances.values()]
    .filter((i) => statusAt(i, world.timing, now) !== undefined)
    .map((i) => ({
      instanceId: i.instanceId,
      regionId: i.regionId,
      zoneId: i.zoneId,
      instanceType: i.instanceType.instanceTypeId,
      status: statusAt(i, world.timing, now)!,
      spotStrategy: i.spotStrategy,
      ...(i.spotPriceLimit !== undefined ? { spotPriceLimit: i.spotPriceLimit } : {}),
      createdAt: isoSeconds(i.createdAt),
      ...(i.autoReleaseAt !== undefined ? { autoReleaseTime: isoMinutes(i.autoReleaseAt) } : {}),
      locks: i.reclaimNoticeAt !== undefined && now >= i.reclaimNoticeAt ? ["Recycling"] : [],
      ...(i.spotStrategy !== "NoSpot" ? { spotDuration: i.spotDuration } : {}),
      ...(i.reclaimNoticeAt !== undefined ? { reclaimNoticeAt: isoSeconds(i.reclaimNoticeAt) } : {}),
      listed: now >= i.listedAt,
      tags: Object.fromEntries(i.tags.map((t) => [t.key, t.value])),
      runner: i.runnerOutcome?.kind ?? "pending",
      imageId: i.image.imageId,
      ...((i.image as { carries?: BakeManifest }).carries ? { imageCarries: (i.image as { carries?: BakeManifest }).carries } : {}),
      ...(i.runnerOutcome?.kind === "registered" || (i.runnerOutcome?.kind === "rejected" && i.runnerOutcome.runnerName) ? { runnerName: i.runnerOutcome.runnerName } : {}),
    }));
  const stock: StockSummary[] = [...world.offerings.values()].map((o) => ({
    regionId: o.offering.regionId,
    zoneId: o.offering.zoneId,
    instanceTypeId: o.offering.instanceTypeId,
    spotStock: o.free,
    statusCategory: world.statusCategory(o),
    spotPrice: round3(o.prices.priceAt(now)),
    interruptionRate: o.interruptionRate,
    interruptRateDesc: interruptRateDesc(o.interruptionRate),
  }));
  return {
    ...(world.scenario.description ? { description: world.scenario.description } : {}),
    clock: { kind: core.clock.kind, now: isoSeconds(now) },
    instances,
    runners: world.runners.all().map((r) => runnerSummary(world, r.id, now)!),
    stock,
    network: {
      vpcs: [...world.vpcs.values()].map((v) => ({ vpcId: v.vpcId, regionId: v.regionId, vpcName: v.vpcName, cidrBlock: v.cidrBlock })),
      vSwitches: [...world.vSwitches.values()].map((v) => ({
        vSwitchId: v.vSwitchId,
        vpcId: v.vpcId,
        regionId: v.regionId,
        zoneId: v.zoneId,
        vSwitchName: v.vSwitchName,
        cidrBlock: v.cidrBlock,
      })),
      securityGroups: [...world.securityGroups.values()].map((g) => ({
        securityGroupId: g.securityGroupId,
        vpcId: g.vpcId,
        regionId: g.regionId,
        securityGroupName: g.securityGroupName,
      })),
    },
    images: [...world.images.values()].map((i) => ({
      imageId: i.imageId,
      regionId: i.regionId,
      imageName: i.imageName,
      architecture: i.architecture,
      osType: i.osType,
      osName: i.osName,
      imageOwnerAlias: i.imageOwnerAlias,
      size: i.size,
    })).concat([...world.customImages.values()].map((i) => ({
      imageId: i.imageId,
      regionId: i.regionId,
      imageName: i.imageName,
      architecture: i.architecture,
      osType: i.osType,
      osName: i.osName,
      imageOwnerAlias: i.imageOwnerAlias,
      size: i.size,
      status: imageStatusAt(i, now),
      tags: Object.fromEntries(i.tags.map((t) => [t.key, t.value])),
      snapshotIds: [...i.snapshotIds],
      sourceInstanceId: i.sourceInstanceId,
      ...(i.carries ? { carries: i.carries } : {}),
    }))),
    snapshots: [...world.snapshots.values()].map((x) => ({
      snapshotId: x.snapshotId, regionId: x.regionId, imageId: x.imageId, tags: Object.fromEntries(x.tags.map((t) => [t.key, t.value])),
    })),
    faults: core.faults.list().map(faultSummary),
    launched: world.launched,
    reclaims: world.reclaims.map((r) => ({ ...r, noticeAt: isoSeconds(r.noticeAt) })),
  };
}

function runnerSummary(world: World, id: number, now: number): RunnerSummary | undefined {
  const record = world.runners.get(id);
  if (!record) return undefined;
  const view = world.runnerView(record, now);
  return {
    id: record.id,
    name: record.name,
    scope: `${record.scope.kind}:${record.scope.name}`,
    status: view.status,
    busy: view.busy,
    labels: world.runners.labelsOf(record).map((l) => l.name),
    ...(record.registeredBy ? { instanceId: record.registeredBy } : {}),
  };
}

function faultSummary(fault: ActiveFault): FaultSummary {
  return { ...fault.spec, id: fault.id, remaining: fault.remaining, fired: fault.fired };
}
