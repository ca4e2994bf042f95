import * as $Ecs from "@alicloud/ecs20140526";
import Ecs from "@alicloud/ecs20140526";
import { AliyunApiError } from "../errors";
import { callEcs, CallEcsOptions } from "./callEcs";
import { createEcsClient, EcsClientOptions } from "./ecsClient";

/** A custom image as DescribeImages shows it, reduced to what RunnerImage needs. */
export interface CustomImageInfo {
  readonly imageId: string;
  readonly imageName: string;
  /** Creating | Waiting | Available | UnAvailable | CreateFailed | Deprecated */
  readonly status: string;
  readonly progress?: string;
  readonly architecture: string;
  readonly snapshotIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface CreateImageParams {
  readonly instanceId: string;
  readonly imageName: string;
  readonly description: string;
  readonly clientToken: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The image operations of RunnerImage, each a retried, classified ECS call (callEcs): StopInstance belongs here
 * rather than in EcsInstanceApi because only the image builder stops an instance.
 */
export interface EcsImageApi {
  /** Stop (not release) an instance; IncorrectInstanceStatus when it is not Running (already stopping, say). */
  stopInstance(instanceId: string): Promise<void>;
  /** CreateImage from an instance; retries carry the same ClientToken, so a lost answer returns the same image. */
  createImage(params: CreateImageParams): Promise<string>;
  /** Custom images by id or by tags, in every status (an image still Creating included). */
  describeImages(filter: { imageId?: string; tags?: Readonly<Record<string, string>> }): Promise<CustomImageInfo[]>;
  /** DeleteImage without Force: an image an instance still uses is refused (ImageUsingByInstance); a missing one is ignored. */
  deleteImage(imageId: string): Promise<void>;
  /** DeleteSnapshot: a missing one is ignored; one an image still uses is refused (SnapshotCreatedImage). */
  deleteSnapshot(snapshotId: string): Promise<void>;
}

export interface EcsImageApiOptions extends Omit<EcsClientOptions, "regionId">, CallEcsOptions {
  readonly regionId: string;
}

const EVERY_STATUS = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated";

export function createEcsImageApi(options: EcsImageApiOptions): EcsImageApi {
  const { regionId } = options;
  // A client per operation: credentials are read from the environment each time (see ecsClient.ts).
  const client = (): Ecs => createEcsClient(options);
  const call = <T>(action: string, run: (ecs: Ecs) => Promise<T>) => callEcs(action, () => run(client()), options);

  return {
    stopInstance: async (instanceId) => {
      await call("StopInstance", (ecs) => ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId, forceStop: false })));
    },

    createImage: (p) =>
      call("CreateImage", async (ecs) => {
        const res = await ecs.createImage(new $Ecs.CreateImageRequest({
          regionId,
          instanceId: p.instanceId,
          imageName: p.imageName,
          description: p.description,
          clientToken: p.clientToken,
          tag: Object.entries(p.tags).map(([key, value]) => new $Ecs.CreateImageRequestTag({ key, value })),
        }));
        const imageId = res.body?.imageId;
        if (!imageId) {
          throw new AliyunApiError(`ECS CreateImage answered without an image id (request id ${res.body?.requestId ?? "unknown"})`,
            "CreateImage", "transient", "MissingImageId", undefined, res.body?.requestId);
        }
        return imageId;
      }),

    describeImages: async (filter) => {
      const all: CustomImageInfo[] = [];
      // Bounded: a bake's tag matches one image, an id one; 100 a page.
      for (let pageNumber = 1; pageNumber <= 100; pageNumber++) {
        const body = await call("DescribeImages", async (ecs) => (await ecs.describeImages(new $Ecs.DescribeImagesRequest({
          regionId,
          imageId: filter.imageId,
          imageOwnerAlias: "self",
          status: EVERY_STATUS,
          showExpired: true,
          tag: filter.tags ? Object.entries(filter.tags).map(([key, value]) => new $Ecs.DescribeImagesRequestTag({ key, value })) : undefined,
          pageNumber,
          pageSize: 100,
        }))).body);
        const page = body?.images?.image ?? [];
        for (const raw of page) all.push(toImageInfo(raw));
        if (page.length < 100 || all.length >= (body?.totalCount ?? 0)) break;
      }
      return all;
    },

    deleteImage: async (imageId) => {
      await call("DeleteImage", (ecs) => ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId, imageId, force: false })));
    },

    deleteSnapshot: async (snapshotId) => {
      await call("DeleteSnapshot", (ecs) => ecs.deleteSnapshot(new $Ecs.DeleteSnapshotRequest({ snapshotId })));
    },
  };
}

function toImageInfo(raw: $Ecs.DescribeImagesResponseBodyImagesImage): CustomImageInfo {
  const tags: Record<string, string> = {};
  for (const t of raw.tags?.tag ?? []) if (t.tagKey) tags[t.tagKey] = t.tagValue ?? "";
  return {
    imageId: raw.imageId ?? "",
    imageName: raw.imageName ?? "",
    status: raw.status ?? "",
    progress: raw.progress,
    architecture: raw.architecture ?? "",
    snapshotIds: (raw.diskDeviceMappings?.diskDeviceMapping ?? []).map((d) => d.snapshotId ?? "").filter(Boolean),
    tags,
  };
}
