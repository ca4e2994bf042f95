import { advise } from "../advisor/advise";
import { NoSpotCapacityError } from "../advisor/errors";
import type { Advice } from "../advisor/types";
import type { InstanceInfo } from "../aliyun/instances";
import { renderBakeScript } from "../bake/renderBakeScript";
import { archOfImage } from "../contract/arch";
import { AliyunApiError, ImageUnusableError, InstanceLostError, NoInstanceLaunchedError } from "../errors";
import { LaunchCandidate, planLaunches } from "../launchPlan";
import { autoReleaseTimeFor, clientTokenFor, compactTimestamp } from "../naming";
import { LISTING_GRACE_MS } from "../teardown";
import { waitFor } from "../wait";
import type { BakeContext } from "./context";
import { builderTagsFor } from "./naming";

export interface Builder {
  readonly instance: InstanceInfo;
  readonly candidate: LaunchCandidate;
}

/** The stock image exists and fits the architecture, and the advisor's spot candidates: at once, both before any launch. */
export async function prepareBuilder(ctx: BakeContext): Promise<Advice> {
  const { inputs, deps } = ctx;
  const [image, advice] = await Promise.allSettled([
    ctx.ecs.describeImage(inputs.baseImageId),
    advise({
      regionId: inputs.region, arch: inputs.arch, minCpu: inputs.minCpu, maxCpu: inputs.maxCpu, minMemGiB: inputs.minMemoryGiB,
      maxMemGiB: inputs.maxMemoryGiB, ratios: [1, 2, 4], families: inputs.families, zones: Object.keys(inputs.vSwitchIds).sort(),
      spotDuration: 1, priceLimitFactor: inputs.priceLimitFactor,
    }, { queries: deps.advisorQueries(inputs.region), now: () => deps.clock.now() }),
  ]);
  if (image.status === "rejected") throw image.reason;
  if (!image.value) {
    throw new ImageUnusableError(inputs.baseImageId, `${ctx.subject}: the base image ${inputs.baseImageId} does not exist in ${inputs.region}; ` +
      `list stock images with \`aliyun ecs DescribeImages --RegionId ${inputs.region} --ImageOwnerAlias system\` and set baseImageId.`);
  }
  const imageArch = archOfImage(image.value.architecture);
  if (imageArch && imageArch !== inputs.arch) {
    throw new ImageUnusableError(inputs.baseImageId, `${ctx.subject}: the base image ${inputs.baseImageId} is ${image.value.architecture}, not ${inputs.arch}; use an image of that architecture.`);
  }
  if (advice.status === "rejected") throw advice.reason;
  if (advice.value.candidates.length === 0) throw new NoSpotCapacityError(advice.value);
  return advice.value;
}

/**
 * Launches the builder on the first candidate that takes it, and waits until it is Running. Each attempt has its own
 * ClientToken (a retried call returns the same instance), AutoReleaseTime and the bake's tags; every id is recorded
 * in ctx.made before any wait. Capacity, price and per-type refusals move to the next candidate.
 */
export async function launchBuilder(ctx: BakeContext, advice: Advice): Promise<Builder> {
  const { inputs, deps } = ctx;
  const plan = planLaunches(advice, { vSwitchIds: inputs.vSwitchIds, fallbackZones: [], maxAttempts: inputs.maxLaunchAttempts });
  const userData = Buffer.from(renderBakeScript({
    arch: inputs.arch, bakeId: ctx.bakeId, buildkitImage: inputs.buildkitImage,
    ...(inputs.buildkitSource ? { buildkitSource: inputs.buildkitSource } : {}),
    runner: {
      ...(inputs.runnerVersion ? { version: inputs.runnerVersion } : {}), ...(inputs.runnerSha256 ? { sha256: inputs.runnerSha256 } : {}),
      ...(inputs.runnerDownloadUrl ? { downloadBaseUrl: inputs.runnerDownloadUrl } : {}),
    },
  }), "utf8").toString("base64");
  for (const [index, candidate] of plan.entries()) {
    const where = { instanceTypeId: candidate.instanceTypeId, zoneId: candidate.zoneId, source: candidate.source, chargeType: "spot" as const };
    const nowMs = deps.clock.now();
    let launched;
    try {
      deps.log(`${ctx.subject}: launching a builder ${candidate.instanceTypeId} in ${candidate.zoneId} (limit ${candidate.priceLimit})`);
      ctx.made.unansweredLaunchAt = nowMs;
      launched = await ctx.ecs.runInstance({
        zoneId: candidate.zoneId, vSwitchId: candidate.vSwitchId, securityGroupId: inputs.securityGroupId, imageId: inputs.baseImageId,
        instanceType: candidate.instanceTypeId, instanceName: `${inputs.namePrefix}-${inputs.arch}-bake-${compactTimestamp(nowMs)}`,
        hostName: ctx.bakeId, spot: { strategy: "SpotWithPriceLimit", priceLimit: candidate.priceLimit, duration: 1 },
        internetMaxBandwidthOut: inputs.internetMaxBandwidthOut, systemDisk: { category: inputs.systemDiskCategory, sizeGiB: inputs.systemDiskSizeGiB },
        userDataBase64: userData, clientToken: clientTokenFor(ctx.bakeId, `builder/${index}`),
        autoReleaseTime: () => autoReleaseTimeFor(deps.clock.now(), inputs.ttlMinutes), tags: builderTagsFor(inputs, ctx.bakeId),
      });
      ctx.made.unansweredLaunchAt = undefined;
    } catch (err) {
      if (err instanceof AliyunApiError && (err.kind === "capacity" || err.kind === "price" || err.kind === "candidate")) {
        ctx.made.unansweredLaunchAt = undefined;
        ctx.attempts.push({ ...where, outcome: err.kind, code: err.code });
        deps.log(`  ${err.code}; next candidate`);
        continue;
      }
      throw err;
    }
    ctx.made.builderIds.push(launched.instanceId);
    const instance = await waitRunning(ctx, launched.instanceId);
    if (!instance) {
      ctx.attempts.push({ ...where, outcome: "vanished", code: "SystemFailure.Delete", instanceId: launched.instanceId });
      continue;
    }
    ctx.attempts.push({ ...where, outcome: "launched", instanceId: launched.instanceId });
    deps.log(`${ctx.subject}: builder ${launched.instanceId} is Running; baking`);
    return { instance, candidate };
  }
  throw new NoInstanceLaunchedError(`${ctx.subject} (${inputs.arch} builder in ${inputs.region})`, ctx.attempts);
}

/** The instance Running, or undefined when it vanished while starting (accepted, then released for capacity). */
async function waitRunning(ctx: BakeContext, instanceId: string): Promise<InstanceInfo | undefined> {
  const { clock, pollMs } = ctx.deps;
  const started = clock.now();
  let seen = false;
  return waitFor<InstanceInfo | undefined>(async () => {
    const [instance] = await ctx.ecs.describeInstances({ instanceIds: [instanceId] });
    if (!instance) {
      if (seen || clock.now() - started >= LISTING_GRACE_MS) return { done: true, value: undefined };
      return { done: false, observation: "not listed yet" };
    }
    seen = true;
    if (instance.status === "Running") return { done: true, value: instance };
    if (instance.status === "Stopping" || instance.status === "Stopped") {
      throw new InstanceLostError(instanceId, `${ctx.subject}: builder ${instanceId} went ${instance.status} while booting (a reclaim, or an image that powers off at boot).`);
    }
    return { done: false, observation: instance.status };
  }, { what: `builder ${instanceId} to be Running`, timeoutMs: ctx.inputs.bootTimeoutMinutes * 60_000, intervalMs: pollMs, clock });
}
