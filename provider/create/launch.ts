import type { InstanceInfo } from "../aliyun/instances";
import { candidateFailureReach } from "../aliyun/errors";
import { AliyunApiError, LaunchAttempt, NoInstanceLaunchedError } from "../errors";
import type { LaunchCandidate } from "../launchPlan";
import type { CreateContext } from "./context";
import { bootstrapInputFor, LaunchAttemptPlan, LaunchTerms, runInstanceRequestFor, spotTermsFor } from "./requests";
import { waitRunning } from "./waits";

export interface Launched {
  readonly candidate: LaunchCandidate;
  readonly terms: LaunchTerms;
  readonly instance: InstanceInfo;
  readonly autoReleaseTime: string;
  readonly launchedAt: string;
}

const FLAVOR_WITHOUT_PROTECTION = "OperationDenied.FlavorNotSupported";

/**
 * Walks the plan until an instance is Running. A failure of one candidate (capacity, price, a type or zone that
 * cannot honour the request) moves on, and skips the later candidates the same failure rules out (a vSwitch out
 * of addresses fails every type in that zone; a type's quota fails it in every zone); an instance that is
 * accepted and then vanishes counts as capacity. Anything else (permissions, account, malformed request) stops.
 */
export async function launchFirstAvailable(
  ctx: CreateContext, plan: readonly LaunchCandidate[], jitConfig: string, currency: string,
): Promise<Launched> {
  const ruledOut = new Map<string, string>();
  for (const [index, candidate] of plan.entries()) {
    const reason = ruledOut.get(`zone:${candidate.zoneId}`) ?? ruledOut.get(`type:${candidate.instanceTypeId}`);
    if (reason) {
      ctx.log(`skipping ${candidate.instanceTypeId} in ${candidate.zoneId}: ${reason}`);
      continue;
    }
    let duration = ctx.inputs.spotDuration;
    // At most two tries of one candidate: with the protection period, then (if allowed) without.
    for (let variant = 0; variant < 2; variant++) {
      const terms: LaunchTerms = { spot: spotTermsFor(ctx.inputs, candidate, duration) };
      const outcome = await launchOne(ctx, { candidate, terms, attemptKey: `${index}/spot/${duration}`, nowMs: ctx.clock.now(), currency }, jitConfig);
      if (outcome.kind === "launched") return outcome.launched;
      if (outcome.kind === "refused" && outcome.code === FLAVOR_WITHOUT_PROTECTION && duration > 0 && !ctx.inputs.requireSpotDuration) {
        ctx.log(`  ${candidate.instanceTypeId} offers no spot protection period; trying it without one (requireSpotDuration is false)`);
        duration = 0;
        continue;
      }
      if (outcome.kind === "refused") {
        const reach = candidateFailureReach(outcome.code);
        if (reach === "zone") ruledOut.set(`zone:${candidate.zoneId}`, `${outcome.code} in this zone`);
        if (reach === "type") ruledOut.set(`type:${candidate.instanceTypeId}`, `${outcome.code} for this type`);
      }
      break;
    }
  }
  throw new NoInstanceLaunchedError(`SpotRunner ${ctx.runnerName} (${ctx.inputs.arch} in ${ctx.inputs.region})`, ctx.attempts);
}

/**
 * The on-demand fallback: the advisor's pay-as-you-go options, cheapest per vCPU first, with the same launch,
 * wait and cleanup as spot (AutoReleaseTime, tags, ClientToken per attempt); a refusal moves to the next.
 */
export async function launchOnDemand(ctx: CreateContext, plan: readonly LaunchCandidate[], jitConfig: string, currency: string): Promise<Launched> {
  for (const [index, candidate] of plan.entries()) {
    const outcome = await launchOne(ctx, { candidate, terms: {}, attemptKey: `${index}/on-demand`, nowMs: ctx.clock.now(), currency }, jitConfig);
    if (outcome.kind === "launched") return outcome.launched;
  }
  throw new NoInstanceLaunchedError(`SpotRunner ${ctx.runnerName} (${ctx.inputs.arch} in ${ctx.inputs.region})`, ctx.attempts, true);
}

type LaunchOutcome =
  | { readonly kind: "launched"; readonly launched: Launched }
  | { readonly kind: "refused"; readonly code: string }
  | { readonly kind: "vanished" };

/** One RunInstances and the wait for Running. Refusals of this candidate are outcomes; anything else throws. */
async function launchOne(ctx: CreateContext, attempt: LaunchAttemptPlan, jitConfig: string): Promise<LaunchOutcome> {
  const { ecs, inputs, runnerName, log } = ctx;
  const { candidate, terms } = attempt;
  const where = { instanceTypeId: candidate.instanceTypeId, zoneId: candidate.zoneId, source: candidate.source,
    chargeType: terms.spot ? "spot" as const : "on-demand" as const };
  const userData = ctx.deps.renderUserData(bootstrapInputFor(inputs, runnerName, jitConfig, attempt));
  const request = runInstanceRequestFor(inputs, runnerName, attempt, userData, () => ctx.clock.now());
  let launched;
  try {
    log(`launching ${candidate.instanceTypeId} in ${candidate.zoneId} (${candidate.source}` +
      `${terms.spot ? "" : `, pay-as-you-go at ${candidate.originPrice}`}` +
      `${terms.spot?.priceLimit !== undefined ? `, limit ${terms.spot.priceLimit}` : ""}` +
      `${terms.spot && terms.spot.duration === 0 ? ", no protection period" : ""})`);
    ctx.made.unansweredLaunchAt = ctx.clock.now();
    launched = await ecs.runInstance(request);
    ctx.made.unansweredLaunchAt = undefined;
  } catch (err) {
    if (err instanceof AliyunApiError && (err.kind === "capacity" || err.kind === "price" || err.kind === "candidate")) {
      // A refusal (to the same ClientToken, if retried) means this attempt made nothing.
      ctx.made.unansweredLaunchAt = undefined;
      ctx.attempts.push({ ...where, outcome: err.kind, code: err.code } satisfies LaunchAttempt);
      log(`  ${err.code}; next candidate`);
      return { kind: "refused", code: err.code };
    }
    throw err;
  }
  ctx.made.instanceIds.push(launched.instanceId);
  const instance = await waitRunning(ctx, launched.instanceId);
  if (!instance) {
    ctx.attempts.push({ ...where, outcome: "vanished", code: "SystemFailure.Delete", instanceId: launched.instanceId });
    log(`  ${launched.instanceId} was accepted and then vanished (no capacity); next candidate`);
    return { kind: "vanished" };
  }
  log(`  ${launched.instanceId} is Running; waiting for the runner to come online`);
  ctx.attempts.push({ ...where, outcome: "launched", instanceId: launched.instanceId });
  return {
    kind: "launched",
    launched: {
      candidate,
      terms,
      instance,
      // What ECS reports wins: after a lost answer the instance carries the first try's time, not the retry's.
      autoReleaseTime: instance.autoReleaseTime ?? launched.autoReleaseTime,
      launchedAt: new Date(attempt.nowMs).toISOString(),
    },
  };
}
