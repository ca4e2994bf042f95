import type { EcsImageApi } from "../aliyun/images";
import { AliyunApiError } from "../errors";
import type { Clock } from "../wait";
import { waitFor } from "../wait";
import { ImageInUseError } from "./errors";
import { IMAGE_TAG_KEYS } from "./naming";

export interface RemoveImageContext {
  readonly images: EcsImageApi;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly pollMs: number;
  /** Per image, and per snapshot. */
  readonly timeoutMs: number;
  readonly subject: string;
}

/**
 * Deletes images and then their snapshots (DeleteImage leaves them, and storage is what an image costs): an image
 * still Creating is waited out (DeleteImage refuses it), deletion is verified by DescribeImages no longer listing
 * it, and each snapshot is deleted once no image holds it. An image that instances still use is not forced: the
 * error says so and a later `pulumi destroy` finishes. With `bakeId`, images carrying that bake's tag are found
 * too (a CreateImage whose answer was lost).
 */
export async function removeImages(ctx: RemoveImageContext, what: { imageIds: readonly string[]; snapshotIds?: readonly string[]; bakeId?: string }): Promise<void> {
  const ids = new Set(what.imageIds.filter(Boolean));
  const snapshots = new Set(what.snapshotIds ?? []);
  if (what.bakeId) for (const image of await ctx.images.describeImages({ tags: { [IMAGE_TAG_KEYS.bake]: what.bakeId } })) ids.add(image.imageId);
  for (const imageId of ids) {
    await waitFor(async () => {
      const [image] = await ctx.images.describeImages({ imageId });
      if (!image) return { done: true, value: undefined };
      for (const s of image.snapshotIds) snapshots.add(s);
      if (image.status === "Creating" || image.status === "Waiting") return { done: false, observation: `${imageId} ${image.status}` };
      try {
        await ctx.images.deleteImage(imageId);
      } catch (err) {
        if (err instanceof AliyunApiError && err.code === "ImageIsCreating") return { done: false, observation: `${imageId} still being created` };
        if (err instanceof AliyunApiError && err.code === "ImageUsingByInstance") {
          throw new ImageInUseError(imageId, `${ctx.subject}: image ${imageId} is still used by instances (${err.message.replace(/^ECS DeleteImage failed: /, "")}). ` +
            "Runners started from it end within their ttlMinutes: run `pulumi destroy` again after that; it is not forced, so no running job loses its image.");
        }
        throw err;
      }
      ctx.log(`${ctx.subject}: deleted image ${imageId}`);
      return { done: false, observation: `${imageId} deleted, still listed` };
    }, { what: `image ${imageId} to be deleted`, timeoutMs: ctx.timeoutMs, intervalMs: ctx.pollMs, clock: ctx.clock });
  }
  for (const snapshotId of snapshots) {
    await waitFor(async () => {
      try {
        await ctx.images.deleteSnapshot(snapshotId);
        ctx.log(`${ctx.subject}: deleted snapshot ${snapshotId}`);
        return { done: true, value: undefined };
      } catch (err) {
        // The image's deletion has not reached the snapshot yet.
        if (err instanceof AliyunApiError && err.code === "SnapshotCreatedImage") return { done: false, observation: `${snapshotId} still held by an image` };
        throw err;
      }
    }, { what: `snapshot ${snapshotId} to be deleted`, timeoutMs: ctx.timeoutMs, intervalMs: ctx.pollMs, clock: ctx.clock });
  }
}
