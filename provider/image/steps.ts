import type { CustomImageInfo } from "../aliyun/images";
import { AliyunApiError, errorText, InstanceLostError } from "../errors";
import { clientTokenFor } from "../naming";
import { waitFor, WaitTimeoutError } from "../wait";
import type { BakeContext } from "./context";
import { BakeFailedError, ImageCreationError } from "./errors";
import { IMAGE_TAG_KEYS, imageTagsFor } from "./naming";

/** What the bake script prints on the console (provider/bake/bake.sh). */
const DONE = /spot-runner-bake: done manifest=(\{.*\})/;
const FAILED = /spot-runner-bake: failed: (.*)/;
/** The bake takes minutes: reading the console every 10 s adds at most 10 s, and stays far inside the API's limits. */
const CONSOLE_POLL_MS = 10_000;
/** A stop takes seconds to a minute. */
const STOP_TIMEOUT_MS = 10 * 60_000;

/** Waits for the bake script's marker on the console; returns the manifest it printed. */
export async function waitBakeDone(ctx: BakeContext, instanceId: string): Promise<Record<string, unknown>> {
  const { deps, inputs } = ctx;
  let tail = "";
  try {
    return await waitFor(async () => {
      const text = (await ctx.ecs.consoleOutput(instanceId)) ?? "";
      tail = text.trimEnd().split("\n").slice(-20).join("\n");
      const done = DONE.exec(text);
      if (done) return { done: true, value: JSON.parse(done[1]) as Record<string, unknown> };
      const failed = FAILED.exec(text);
      if (failed) {
        throw new BakeFailedError(ctx.bakeId, `${ctx.subject}: the bake on ${instanceId} failed: ${failed[1].trim()}. Console:\n${tail}`);
      }
      const [instance] = await ctx.ecs.describeInstances({ instanceIds: [instanceId] });
      if (instance && instance.status !== "Running") {
        throw new InstanceLostError(instanceId, `${ctx.subject}: builder ${instanceId} went ${instance.status} during the bake (a spot reclaim is the usual cause); run \`pulumi up\` again.`);
      }
      return { done: false, observation: tail.split("\n").at(-1) || "no console output yet" };
    }, { what: `the bake on ${instanceId} to finish`, timeoutMs: inputs.bakeTimeoutMinutes * 60_000, intervalMs: Math.max(deps.pollMs, CONSOLE_POLL_MS), clock: deps.clock });
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    throw new BakeFailedError(ctx.bakeId, `${ctx.subject}: the bake on ${instanceId} did not finish within ${inputs.bakeTimeoutMinutes} min ` +
      `(raise bakeTimeoutMinutes, or check the builder's access to the package mirrors, GitHub and the BuildKit registry). Console:\n${tail}`);
  }
}

/** StopInstance, then Stopped. A stop whose answer was lost is retried by callEcs and refused once under way: read the status. */
export async function stopBuilder(ctx: BakeContext, instanceId: string): Promise<void> {
  const { deps } = ctx;
  try {
    await ctx.images.stopInstance(instanceId);
  } catch (err) {
    if (!(err instanceof AliyunApiError && err.code === "IncorrectInstanceStatus")) throw err;
    const [instance] = await ctx.ecs.describeInstances({ instanceIds: [instanceId] });
    if (instance?.status !== "Stopping" && instance?.status !== "Stopped") throw err;
  }
  await waitFor(async () => {
    const [instance] = await ctx.ecs.describeInstances({ instanceIds: [instanceId] });
    if (instance?.status === "Stopped") return { done: true, value: undefined };
    if (!instance) throw new InstanceLostError(instanceId, `${ctx.subject}: builder ${instanceId} was released while stopping (a spot reclaim?); run \`pulumi up\` again.`);
    return { done: false, observation: instance.status };
  }, { what: `builder ${instanceId} to stop`, timeoutMs: STOP_TIMEOUT_MS, intervalMs: deps.pollMs, clock: deps.clock });
}

/**
 * CreateImage with the bake's ClientToken: a retry after a lost answer returns the same image. If the answer is
 * still lost after callEcs's retries, the image is looked up by the bake's tag (an image that exists is found;
 * one that does not leaves the error standing).
 */
export async function createImageOf(ctx: BakeContext, instanceId: string, runnerVersion: string): Promise<string> {
  ctx.made.createImageSent = true;
  try {
    const imageId = await ctx.images.createImage({
      instanceId, imageName: ctx.imageName, clientToken: clientTokenFor(ctx.bakeId, "image"),
      description: `GitHub Actions runner ${runnerVersion} (${ctx.inputs.arch}), baked by spot-runner (${ctx.bakeId})`,
      tags: imageTagsFor(ctx.inputs, ctx.bakeId, runnerVersion),
    });
    ctx.made.imageId = imageId;
    return imageId;
  } catch (err) {
    if (!(err instanceof AliyunApiError && err.kind === "transient")) throw err;
    const [found] = await ctx.images.describeImages({ tags: { [IMAGE_TAG_KEYS.bake]: ctx.bakeId } });
    if (!found) throw err;
    ctx.deps.log(`${ctx.subject}: CreateImage's answer was lost; found ${found.imageId} by the bake's tag`);
    ctx.made.imageId = found.imageId;
    return found.imageId;
  }
}

/** Polls until the image is Available; CreateFailed, UnAvailable or a vanished image fail at once. */
export async function waitImageAvailable(ctx: BakeContext, imageId: string): Promise<CustomImageInfo> {
  const { deps, inputs } = ctx;
  try {
    return await waitFor(async () => {
      const [image] = await ctx.images.describeImages({ imageId });
      if (image?.status === "Available") return { done: true, value: image };
      if (!image || image.status === "CreateFailed" || image.status === "UnAvailable") {
        throw new ImageCreationError(imageId, `${ctx.subject}: image ${imageId} ${image ? `is ${image.status}` : "disappeared while being created"}; run \`pulumi up\` again.`);
      }
      return { done: false, observation: `${image.status} ${image.progress ?? ""}`.trim() };
    }, { what: `image ${imageId} to be Available`, timeoutMs: inputs.imageTimeoutMinutes * 60_000, intervalMs: Math.max(deps.pollMs, CONSOLE_POLL_MS), clock: deps.clock });
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    throw new ImageCreationError(imageId, `${ctx.subject}: image ${imageId} was not Available within ${inputs.imageTimeoutMinutes} min (${errorText(err)}); raise imageTimeoutMinutes.`);
  }
}
