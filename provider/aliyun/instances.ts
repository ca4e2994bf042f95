import * as $Ecs from "@alicloud/ecs20140526";
import Ecs from "@alicloud/ecs20140526";
import { AliyunApiError } from "../errors";
import { callEcs, CallEcsOptions } from "./callEcs";
import { createEcsClient, EcsClientOptions } from "./ecsClient";

/** What we need to know about an instance, from DescribeInstances. */
export interface InstanceInfo {
  readonly instanceId: string;
  readonly instanceName: string;
  /** Pending | Starting | Running | Stopping | Stopped */
  readonly status: string;
  readonly instanceType: string;
  readonly zoneId: string;
  readonly vSwitchId?: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly creationTime?: string;
  readonly autoReleaseTime?: string;
  readonly spotStrategy?: string;
  readonly spotPriceLimit?: number;
  readonly tags: Readonly<Record<string, string>>;
  /** e.g. "Recycling" while a spot instance is being reclaimed. */
  readonly lockReasons: readonly string[];
}

export interface ImageInfo {
  readonly imageId: string;
  readonly architecture: string;
  readonly osType?: string;
  readonly imageName?: string;
}

/** Spot terms of a launch; absent for a pay-as-you-go (on-demand) launch. */
export interface SpotTerms {
  readonly strategy: "SpotWithPriceLimit" | "SpotAsPriceGo";
  /** The ceiling, with SpotWithPriceLimit. */
  readonly priceLimit?: number;
  /** Hours protected from reclaim: 1, or 0 for none. */
  readonly duration: 0 | 1;
}

export interface RunInstanceParams {
  readonly zoneId: string;
  readonly vSwitchId: string;
  readonly securityGroupId: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly instanceName: string;
  readonly hostName?: string;
  /** Spot terms; undefined launches pay-as-you-go. */
  readonly spot?: SpotTerms;
  readonly internetMaxBandwidthOut: number;
  readonly systemDisk: { readonly category: string; readonly sizeGiB: number };
  readonly userDataBase64: string;
  readonly clientToken: string;
  /**
   * Computed for each try from the time of that try: a launch retried minutes later must still ask for at least
   * the API's 30-minute minimum, or the retry is refused.
   */
  readonly autoReleaseTime: () => string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface LaunchedInstance {
  readonly instanceId: string;
  /** What the successful try asked for (a lost answer's retry returns the first try's instance: read it back). */
  readonly autoReleaseTime: string;
}

/** The instance operations of the provider, reaper and CLI; each one a retried, classified ECS call. */
export interface EcsInstanceApi {
  describeImage(imageId: string): Promise<ImageInfo | undefined>;
  /** Launches exactly one instance (spot, or pay-as-you-go without spot terms). Retries (same ClientToken) are idempotent. */
  runInstance(params: RunInstanceParams): Promise<LaunchedInstance>;
  /** All pages. With `instanceIds: []` nothing is returned. */
  describeInstances(filter: { instanceIds?: readonly string[]; tags?: Readonly<Record<string, string>> }): Promise<InstanceInfo[]>;
  /** Force-release (Running instances included). Up to 100 ids per call. */
  deleteInstances(instanceIds: readonly string[]): Promise<void>;
  /** The instance's serial console log as text, undefined when none is available yet. */
  consoleOutput(instanceId: string): Promise<string | undefined>;
}

export interface EcsInstanceApiOptions extends Omit<EcsClientOptions, "regionId">, CallEcsOptions {
  readonly regionId: string;
}

export function createEcsInstanceApi(options: EcsInstanceApiOptions): EcsInstanceApi {
  const { regionId } = options;
  // A client per operation: credentials are read from the environment each time (see ecsClient.ts).
  const client = (): Ecs => createEcsClient(options);
  const call = <T>(action: string, run: (ecs: Ecs) => Promise<T>) => callEcs(action, () => run(client()), options);

  return {
    describeImage: (imageId) =>
      call("DescribeImages", async (ecs) => {
        const res = await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId, imageId, showExpired: true }));
        const image = res.body?.images?.image?.[0];
        if (!image?.imageId) return undefined;
        return { imageId: image.imageId, architecture: image.architecture ?? "", osType: image.OSType, imageName: image.imageName };
      }),

    runInstance: (p) =>
      call("RunInstances", async (ecs) => {
        const autoReleaseTime = p.autoReleaseTime();
        const res = await ecs.runInstances(
          new $Ecs.RunInstancesRequest({
            regionId,
            zoneId: p.zoneId,
            vSwitchId: p.vSwitchId,
            securityGroupId: p.securityGroupId,
            imageId: p.imageId,
            instanceType: p.instanceType,
            instanceName: p.instanceName,
            hostName: p.hostName,
            instanceChargeType: "PostPaid",
            // Without spot terms: pay-as-you-go (NoSpot is the API's default and is sent to say so).
            spotStrategy: p.spot?.strategy ?? "NoSpot",
            spotPriceLimit: p.spot?.strategy === "SpotWithPriceLimit" ? p.spot.priceLimit : undefined,
            // Sent explicitly: a user report says the documented default of 1 is not always applied.
            spotDuration: p.spot?.duration,
            spotInterruptionBehavior: p.spot ? "Terminate" : undefined,
            internetChargeType: p.internetMaxBandwidthOut > 0 ? "PayByTraffic" : undefined,
            internetMaxBandwidthOut: p.internetMaxBandwidthOut,
            systemDisk: new $Ecs.RunInstancesRequestSystemDisk({ category: p.systemDisk.category, size: String(p.systemDisk.sizeGiB) }),
            userData: p.userDataBase64,
            clientToken: p.clientToken,
            autoReleaseTime,
            // Hardened metadata: tokens required, so a job cannot read metadata with a plain GET (SSRF).
            httpTokens: "required",
            httpEndpoint: "enabled",
            amount: 1,
            tag: Object.entries(p.tags).map(([key, value]) => new $Ecs.RunInstancesRequestTag({ key, value })),
          }),
        );
        const id = res.body?.instanceIdSets?.instanceIdSet?.[0];
        if (!id) {
          throw new AliyunApiError(`ECS RunInstances answered without an instance id (request id ${res.body?.requestId ?? "unknown"})`,
            "RunInstances", "transient", "MissingInstanceId", undefined, res.body?.requestId);
        }
        return { instanceId: id, autoReleaseTime };
      }),

    describeInstances: async (filter) => {
      if (filter.instanceIds && filter.instanceIds.length === 0) return [];
      const ids = filter.instanceIds ? [...filter.instanceIds] : undefined;
      const all: InstanceInfo[] = [];
      // DescribeInstances takes at most 100 ids; paging is bounded by the instance count.
      const idBatches = ids ? chunk(ids, 100) : [undefined];
      for (const batch of idBatches) {
        let nextToken: string | undefined;
        for (let page = 0; page < 1000; page++) {
          const body = await call("DescribeInstances", async (ecs) =>
            (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({
              regionId,
              instanceIds: batch ? JSON.stringify(batch) : undefined,
              tag: filter.tags
                ? Object.entries(filter.tags).map(([key, value]) => new $Ecs.DescribeInstancesRequestTag({ key, value }))
                : undefined,
              maxResults: 100,
              nextToken,
            }))).body);
          for (const raw of body?.instances?.instance ?? []) all.push(toInstanceInfo(raw));
          nextToken = body?.nextToken || undefined;
          if (!nextToken) break;
        }
      }
      return all;
    },

    deleteInstances: async (instanceIds) => {
      for (const batch of chunk([...instanceIds], 100)) {
        await call("DeleteInstances", (ecs) =>
          ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId, instanceId: batch, force: true })));
      }
    },

    consoleOutput: (instanceId) =>
      call("GetInstanceConsoleOutput", async (ecs) => {
        const res = await ecs.getInstanceConsoleOutput(new $Ecs.GetInstanceConsoleOutputRequest({ regionId, instanceId }));
        const encoded = res.body?.consoleOutput;
        return encoded ? Buffer.from(encoded, "base64").toString("utf8") : undefined;
      }),
  };
}

function toInstanceInfo(raw: $Ecs.DescribeInstancesResponseBodyInstancesInstance): InstanceInfo {
  const tags: Record<string, string> = {};
  for (const t of raw.tags?.tag ?? []) if (t.tagKey) tags[t.tagKey] = t.tagValue ?? "";
  return {
    instanceId: raw.instanceId ?? "",
    instanceName: raw.instanceName ?? "",
    status: raw.status ?? "",
    instanceType: raw.instanceType ?? "",
    zoneId: raw.zoneId ?? "",
    vSwitchId: raw.vpcAttributes?.vSwitchId,
    cpu: raw.cpu ?? 0,
    memoryMiB: raw.memory ?? 0,
    creationTime: raw.creationTime,
    autoReleaseTime: raw.autoReleaseTime || undefined,
    spotStrategy: raw.spotStrategy,
    spotPriceLimit: raw.spotPriceLimit,
    tags,
    lockReasons: (raw.operationLocks?.lockReason ?? []).map((l) => l.lockReason ?? "").filter(Boolean),
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
