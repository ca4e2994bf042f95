import { resolveBake } from "../bake/renderBakeScript";
import { describeAttempts, errorText, PartialCreateError } from "../errors";
import { LISTING_GRACE_MS, releaseInstances } from "../teardown";
import type { BakeContext } from "./context";
import { launchBuilder, prepareBuilder } from "./launchBuilder";
import { IMAGE_TAG_KEYS } from "./naming";
import { removeImages } from "./removeImage";
import { createImageOf, stopBuilder, waitBakeDone, waitImageAvailable } from "./steps";

/** Outputs beyond the inputs (outs = inputs + these: delete and read need nothing else). */
export interface RunnerImageOutputs {
  /** Bumped when the shape of outputs changes; delete and read must handle every earlier version. */
  readonly schemaVersion: 1;
  /** What runner stacks set as imageId. */
  readonly imageId: string;
  readonly imageName: string;
  readonly bakeId: string;
  /** The snapshots the image holds: deleted after it. */
  readonly snapshotIds: readonly string[];
  /** Released before create returns. */
  readonly builderInstanceId: string;
  readonly builderInstanceType: string;
  readonly builderZoneId: string;
  /** What the image carries (/etc/spot-runner/baked.json), as the bake printed it. */
  readonly manifest: Record<string, unknown>;
  readonly bakedAt: string;
  /** From the builder's launch to the image Available, minutes. */
  readonly bakeMinutes: number;
}

/**
 * One bake: advise and check the stock image, launch the builder, wait for the bake's marker, stop the builder,
 * CreateImage and wait until Available, release the builder. Whatever fails, the same cleanup releases the builder
 * (by id and by the bake's tag) and deletes an image (found by id or tag) with its snapshots; if that cannot be
 * verified, a PartialCreateError keeps the resource in state so `pulumi destroy` finishes.
 */
export async function bakeRunnerImage(ctx: BakeContext, raw: Record<string, unknown>): Promise<RunnerImageOutputs> {
  const { deps } = ctx;
  const started = deps.clock.now();
  const runnerVersion = resolveBake({ arch: ctx.inputs.arch, bakeId: ctx.bakeId, runner: ctx.inputs.runnerVersion ? { version: ctx.inputs.runnerVersion, sha256: ctx.inputs.runnerSha256 } : {} }).manifest.runnerVersion;
  try {
    const advice = await prepareBuilder(ctx);
    const { instance, candidate } = await launchBuilder(ctx, advice);
    const manifest = await waitBakeDone(ctx, instance.instanceId);
    deps.log(`${ctx.subject}: the bake finished; stopping ${instance.instanceId} and imaging it`);
    await stopBuilder(ctx, instance.instanceId);
    const imageId = await createImageOf(ctx, instance.instanceId, runnerVersion);
    const image = await waitImageAvailable(ctx, imageId);
    await releaseInstances(releaseContext(ctx), ctx.made.builderIds, { runnerName: ctx.bakeId, tagKey: IMAGE_TAG_KEYS.bake });
    deps.log(`${ctx.subject}: image ${imageId} is Available; the builder is released`);
    return {
      schemaVersion: 1,
      imageId,
      imageName: ctx.imageName,
      bakeId: ctx.bakeId,
      snapshotIds: [...image.snapshotIds],
      builderInstanceId: instance.instanceId,
      builderInstanceType: candidate.instanceTypeId,
      builderZoneId: candidate.zoneId,
      manifest,
      bakedAt: new Date(deps.clock.now()).toISOString(),
      bakeMinutes: Math.round((deps.clock.now() - started) / 6_000) / 10,
    };
  } catch (err) {
    await cleanUpFailedBake(ctx, raw, err);
    throw err;
  }
}

export function releaseContext(ctx: Pick<BakeContext, "ecs" | "deps" | "subject">) {
  const { deps } = ctx;
  return { ecs: ctx.ecs, clock: deps.clock, log: deps.log, pollMs: deps.pollMs, releaseTimeoutMs: deps.releaseTimeoutMs, subject: ctx.subject };
}

async function cleanUpFailedBake(ctx: BakeContext, raw: Record<string, unknown>, cause: unknown): Promise<void> {
  const { made, deps } = ctx;
  deps.log(`${ctx.subject}: the bake failed (${errorText(cause)}); removing what it made`);
  const reasons: string[] = [];
  const launchSent = made.unansweredLaunchAt !== undefined || made.builderIds.length > 0 || ctx.attempts.length > 0;
  if (launchSent) {
    try {
      await releaseInstances(releaseContext(ctx), made.builderIds, {
        runnerName: ctx.bakeId, tagKey: IMAGE_TAG_KEYS.bake,
        ...(made.unansweredLaunchAt !== undefined ? { untilMs: made.unansweredLaunchAt + LISTING_GRACE_MS } : {}),
      });
    } catch (err) {
      reasons.push(`builder release not verified: ${errorText(err)}`);
    }
  }
  if (made.createImageSent) {
    try {
      await removeImages({ images: ctx.images, clock: deps.clock, log: deps.log, pollMs: deps.pollMs, timeoutMs: deps.releaseTimeoutMs, subject: ctx.subject },
        { imageIds: made.imageId ? [made.imageId] : [], bakeId: ctx.bakeId });
    } catch (err) {
      reasons.push(`image deletion not verified: ${errorText(err)}`);
    }
  }
  if (reasons.length === 0) {
    deps.log(`${ctx.subject}: nothing was left behind`);
    return;
  }
  const id = made.imageId ?? `bake-${ctx.bakeId}`;
  throw new PartialCreateError(
    `${ctx.subject}: the bake failed (${errorText(cause)}) and cleanup could not be verified (${reasons.join("; ")}). ` +
      `The resource is kept in state as ${id}: run \`pulumi destroy\` to remove it (the builder's AutoReleaseTime releases it regardless).` +
      (ctx.attempts.length ? ` Attempts: ${describeAttempts(ctx.attempts)}.` : ""),
    id,
    { ...raw, ...ctx.inputs, __provider: raw.__provider, bakeId: ctx.bakeId, imageId: made.imageId ?? "", builderInstanceId: made.builderIds.at(-1) ?? "" },
    [errorText(cause), ...reasons],
  );
}
