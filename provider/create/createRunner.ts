import { advise, Advice, Arch, NoSpotCapacityError } from "../advisor";
import { describeAttempts, errorText, ImageUnusableError, NoInstanceLaunchedError, PartialCreateError } from "../errors";
import type { JitRunner } from "../github/runners";
import type { SpotRunnerInputs } from "../contract/inputs";
import { planLaunches, planOnDemand } from "../launchPlan";
import { LISTING_GRACE_MS, tearDown } from "../teardown";
import type { CreateContext } from "./context";
import { launchFirstAvailable, Launched, launchOnDemand } from "./launch";
import { registerRunner } from "./registerRunner";
import { waitOnline } from "./waits";

/** Outputs beyond the inputs (outs = inputs + these, so delete and read have everything they need). */
export interface SpotRunnerOutputs {
  /** Bumped when the shape of outputs changes; delete and read must handle every earlier version. */
  readonly schemaVersion: 1;
  readonly instanceId: string;
  readonly instanceName: string;
  readonly instanceType: string;
  readonly zoneId: string;
  readonly vSwitchId: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  /** "spot", or "on-demand" when the fallback launched it pay-as-you-go. */
  readonly chargeType: "spot" | "on-demand";
  /** The launched pair's interruption band (upper bound, a fraction per hour), when DescribeSpotAdvice gave one. */
  readonly interruptionRate?: number;
  /** Latest observed spot price before launch (currency per hour); 0 when the zone had no price row, or on-demand. */
  readonly spotPrice: number;
  /** The SpotWithPriceLimit ceiling; absent with SpotAsPriceGo. */
  readonly priceLimit?: number;
  /** What an hour is expected to cost: the spot price (the limit when no price was observed), or the pay-as-you-go price. */
  readonly hourlyCost: number;
  readonly currency: string;
  readonly runnerName: string;
  readonly runnerId: number;
  /** The unique label for `runs-on`. */
  readonly label: string;
  readonly autoReleaseTime: string;
  readonly launchedAt: string;
  readonly attempts: CreateContext["attempts"];
}

/**
 * One create: everything it makes is recorded in ctx.made from the moment the call that makes it is sent, and
 * every failure, wherever it happens, goes through the same cleanup. The steps that do not depend on each other
 * (image check, advice, runner registration) run at once; the launch waits for all three.
 */
export async function createRunner(ctx: CreateContext, raw: Record<string, unknown>): Promise<SpotRunnerOutputs> {
  try {
    const { advice, jit } = await prepareLaunch(ctx);
    const launched = await launchSpotOrOnDemand(ctx, advice, jit);
    await waitOnline(ctx, launched.instance.instanceId, jit.runnerId);
    ctx.log(`runner ${ctx.runnerName} is online on ${launched.instance.instanceId} ` +
      `(${launched.candidate.instanceTypeId} in ${launched.candidate.zoneId})`);
    return outputsOf(ctx, launched, jit, advice.currency);
  } catch (err) {
    await cleanUpFailedCreate(ctx, raw, err);
    throw err;
  }
}

/**
 * The image check, the advice and the registration, concurrently. All three settle before anything is decided,
 * so a registration still in flight when the advisor fails is in ctx.made (or findable by name) for cleanup.
 */
async function prepareLaunch(ctx: CreateContext): Promise<{ advice: Advice; jit: JitRunner }> {
  const { inputs, clock } = ctx;
  ctx.log(`asking the advisor for ${inputs.arch} spot capacity in ${inputs.region}`);
  const [image, advice, jit] = await Promise.allSettled([
    checkImage(ctx),
    advise(adviceRequestOf(inputs), { queries: ctx.deps.advisorQueries(inputs.region), now: () => clock.now() }),
    registerRunner(ctx),
  ]);
  // The first failure in the order a user would fix them: the image, then capacity, then GitHub.
  for (const result of [image, advice, jit]) if (result.status === "rejected") throw result.reason;
  const ok = <T>(r: PromiseSettledResult<T>) => (r as PromiseFulfilledResult<T>).value;
  return { advice: ok(advice), jit: ok(jit) };
}

/**
 * Spot first; when no spot candidate can be launched (none qualified, or every one was sold out, priced out or
 * refused) and onDemandFallback is set, the pay-as-you-go options. Any other failure stops both.
 */
async function launchSpotOrOnDemand(ctx: CreateContext, advice: Advice, jit: JitRunner): Promise<Launched> {
  const { inputs } = ctx;
  try {
    if (advice.candidates.length === 0) throw new NoSpotCapacityError(advice);
    const plan = planLaunches(advice, { vSwitchIds: inputs.vSwitchIds, fallbackZones: inputs.fallbackZones, maxAttempts: inputs.maxLaunchAttempts });
    ctx.log(`launch plan: ${plan.map((c) => `${c.instanceTypeId}@${c.zoneId}`).join(", ")}`);
    return await launchFirstAvailable(ctx, plan, jit.encodedJitConfig, advice.currency);
  } catch (err) {
    if (!inputs.onDemandFallback || !(err instanceof NoSpotCapacityError || err instanceof NoInstanceLaunchedError)) throw err;
    const plan = planOnDemand(advice.onDemandOptions ?? [], {
      vSwitchIds: inputs.vSwitchIds, maxAttempts: inputs.maxLaunchAttempts,
      ...(inputs.onDemandMaxHourlyPrice !== undefined ? { maxHourlyPrice: inputs.onDemandMaxHourlyPrice } : {}),
    });
    ctx.log(`no spot capacity (${err instanceof NoSpotCapacityError ? "no candidate" : `${ctx.attempts.length} attempts refused`}); ` +
      `falling back to pay-as-you-go: ${plan.map((c) => `${c.instanceTypeId}@${c.zoneId} ${c.originPrice}`).join(", ") || "no option"}` +
      `${inputs.onDemandMaxHourlyPrice !== undefined ? ` (at most ${inputs.onDemandMaxHourlyPrice} an hour)` : ""}`);
    return launchOnDemand(ctx, plan, jit.encodedJitConfig, advice.currency);
  }
}

async function checkImage(ctx: CreateContext): Promise<void> {
  const { inputs } = ctx;
  const image = await ctx.ecs.describeImage(inputs.imageId);
  if (!image) {
    throw new ImageUnusableError(inputs.imageId,
      `${ctx.subject}: image ${inputs.imageId} does not exist in ${inputs.region}; list images with ` +
        `\`aliyun ecs DescribeImages --RegionId ${inputs.region} --ImageOwnerAlias system\` and set imageId.`);
  }
  const imageArch: Arch | undefined = /arm|aarch/i.test(image.architecture) ? "arm64"
    : /x86|amd64|i386/i.test(image.architecture) ? "amd64" : undefined;
  if (imageArch && imageArch !== inputs.arch) {
    throw new ImageUnusableError(inputs.imageId,
      `${ctx.subject}: image ${inputs.imageId} is ${image.architecture} but the runner is ${inputs.arch}; use an ` +
        `${inputs.arch === "arm64" ? "arm64" : "x86_64"} image.`);
  }
}

function outputsOf(ctx: CreateContext, launched: Launched, jit: JitRunner, currency: string): SpotRunnerOutputs {
  const { candidate, terms, instance } = launched;
  const priceLimit = terms.spot?.strategy === "SpotWithPriceLimit" ? terms.spot.priceLimit : undefined;
  const onDemand = terms.spot === undefined;
  return {
    schemaVersion: 1,
    instanceId: instance.instanceId,
    instanceName: instance.instanceName,
    instanceType: candidate.instanceTypeId,
    zoneId: candidate.zoneId,
    vSwitchId: candidate.vSwitchId,
    cpuCount: candidate.cpuCoreCount,
    memoryGiB: candidate.memorySize,
    chargeType: onDemand ? "on-demand" : "spot",
    ...(!onDemand && candidate.interruptionRate !== undefined ? { interruptionRate: candidate.interruptionRate } : {}),
    spotPrice: onDemand ? 0 : candidate.spotPrice ?? 0,
    ...(priceLimit !== undefined ? { priceLimit } : {}),
    hourlyCost: onDemand ? candidate.originPrice : candidate.spotPrice ?? priceLimit ?? candidate.originPrice,
    currency,
    runnerName: ctx.runnerName,
    runnerId: jit.runnerId,
    label: ctx.runnerName,
    autoReleaseTime: launched.autoReleaseTime,
    launchedAt: launched.launchedAt,
    attempts: ctx.attempts,
  };
}

/**
 * Releases everything the failed create made (ids recorded, plus whatever carries the runner's tag, which finds
 * an instance whose launch answer was lost) and removes the runner (by id, or by its unique name when the
 * registration's answer was lost). If that cannot be verified, the error carries the id so Pulumi keeps a
 * partially created resource and `destroy` retries.
 */
async function cleanUpFailedCreate(ctx: CreateContext, raw: Record<string, unknown>, cause: unknown): Promise<void> {
  ctx.log(`create failed (${errorText(cause)}); releasing what was made`);
  const { instanceIds, runnerId, unansweredLaunchAt } = ctx.made;
  const launchSent = unansweredLaunchAt !== undefined || instanceIds.length > 0 || ctx.attempts.length > 0;
  const failures = await tearDown(ctx, {
    instanceIds, runnerId, runnerName: ctx.runnerName,
    // Once a launch was sent, instances are looked for by tag too; one whose launch answer was lost shows up only
    // once the listing lists it, so after an unanswered launch keep looking that long. No launch, no ECS call.
    ...(launchSent ? { tagSearch: { runnerName: ctx.runnerName, ...(unansweredLaunchAt !== undefined ? { untilMs: unansweredLaunchAt + LISTING_GRACE_MS } : {}) } } : {}),
  });
  const reasons = failures.map((f) => f.reason);
  if (failures.length === 0) {
    ctx.log("nothing was left behind");
    return;
  }
  const instanceId = instanceIds[instanceIds.length - 1];
  const id = instanceId ?? `runner-${ctx.runnerName}`;
  throw new PartialCreateError(
    `${ctx.subject}: create failed (${errorText(cause)}) and cleanup could not be verified (${reasons.join("; ")}). ` +
      `The resource is kept in state as ${id}: run \`pulumi destroy\` to release it.` +
      (ctx.attempts.length ? ` Attempts: ${describeAttempts(ctx.attempts)}.` : ""),
    id,
    { ...raw, ...ctx.inputs, __provider: raw.__provider, instanceId: instanceId ?? "", runnerName: ctx.runnerName, runnerId },
    [errorText(cause), ...reasons],
    { cause: failures[0].error },
  );
}

function adviceRequestOf(inputs: SpotRunnerInputs) {
  return {
    regionId: inputs.region,
    arch: inputs.arch,
    minCpu: inputs.minCpu,
    maxCpu: inputs.maxCpu,
    minMemGiB: inputs.minMemoryGiB,
    maxMemGiB: inputs.maxMemoryGiB,
    ratios: inputs.ratios,
    families: inputs.families,
    zones: Object.keys(inputs.vSwitchIds).sort(),
    priceWindowMinutes: inputs.priceWindowMinutes,
    spotDuration: inputs.spotDuration,
    priceLimitFactor: inputs.priceLimitFactor,
    ...(inputs.onDemandFallback ? { onDemand: true } : {}),
    strategy: inputs.strategy,
    expectedJobMinutes: inputs.expectedJobMinutes,
  };
}
