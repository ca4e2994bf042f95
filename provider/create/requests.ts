import type { RunInstanceParams, SpotTerms } from "../aliyun/instances";
import type { BootstrapInput } from "../bootstrap";
import type { SpotRunnerInputs } from "../contract/inputs";
import type { LaunchCandidate } from "../launchPlan";
import { autoReleaseTimeFor, clientTokenFor, instanceNameFor } from "../naming";
import { MANAGED_BY_VALUE, TAG_KEYS } from "../tags";

/**
 * Pure builders of what create sends: the instance tags, the bootstrap input and the RunInstances request.
 * The flow (create/launch.ts) only walks candidates and reacts to answers; everything it sends is decided here.
 */

/** Tags every runner instance carries from launch; they scope RAM and let the reaper find it without state. */
export function tagsFor(inputs: SpotRunnerInputs, runnerName: string): Record<string, string> {
  return {
    [TAG_KEYS.managedBy]: MANAGED_BY_VALUE,
    [TAG_KEYS.prefix]: inputs.namePrefix,
    [TAG_KEYS.arch]: inputs.arch,
    [TAG_KEYS.runnerName]: runnerName,
    [TAG_KEYS.label]: runnerName,
    [TAG_KEYS.githubScope]: inputs.githubRepository ?? inputs.githubOrganization ?? "",
    ...(inputs.stackName ? { [TAG_KEYS.stack]: inputs.stackName } : {}),
    ...(inputs.runId ? { [TAG_KEYS.runId]: inputs.runId } : {}),
  };
}

/** How one candidate is to be launched: spot with its terms, or pay-as-you-go. */
export interface LaunchTerms {
  /** undefined = pay-as-you-go. */
  readonly spot?: SpotTerms;
}

export function spotTermsFor(inputs: SpotRunnerInputs, candidate: LaunchCandidate, duration: 0 | 1): SpotTerms {
  return inputs.spotStrategy === "SpotWithPriceLimit"
    ? { strategy: "SpotWithPriceLimit", priceLimit: candidate.priceLimit, duration }
    : { strategy: "SpotAsPriceGo", duration };
}

/** What one launch attempt is: the candidate, its terms, and the moment it was decided (names, TTL). */
export interface LaunchAttemptPlan {
  readonly candidate: LaunchCandidate;
  readonly terms: LaunchTerms;
  /** Distinguishes attempts in the ClientToken: same attempt = same token; another candidate or terms = another. */
  readonly attemptKey: string;
  readonly nowMs: number;
  readonly currency: string;
}

export function bootstrapInputFor(inputs: SpotRunnerInputs, runnerName: string, jitConfig: string, attempt: LaunchAttemptPlan): BootstrapInput {
  const { candidate, terms } = attempt;
  const priceLimit = terms.spot?.priceLimit;
  return {
    arch: inputs.arch,
    jitConfig,
    runnerName,
    jobLabel: runnerName,
    setupInfo: {
      instanceType: candidate.instanceTypeId,
      zoneId: candidate.zoneId,
      regionId: inputs.region,
      spotPrice: terms.spot ? candidate.spotPrice ?? 0 : candidate.originPrice,
      ...(priceLimit !== undefined ? { priceLimit } : {}),
      currency: attempt.currency,
      autoReleaseTime: autoReleaseTimeFor(attempt.nowMs, inputs.ttlMinutes),
      instanceName: instanceNameFor(inputs.namePrefix, inputs.arch, attempt.nowMs),
    },
    idleTimeoutMinutes: inputs.idleTimeoutMinutes,
    // Power off a few minutes before the cloud-side release so the job log says why.
    maxRuntimeMinutes: Math.max(inputs.ttlMinutes - 5, inputs.idleTimeoutMinutes + 1),
    runner: {
      ...(inputs.runnerVersion ? { version: inputs.runnerVersion, sha256: inputs.runnerSha256 } : {}),
      ...(inputs.runnerDownloadUrl ? { downloadBaseUrl: inputs.runnerDownloadUrl } : {}),
    },
    ...(inputs.httpProxy || inputs.httpsProxy
      ? { proxy: { http: inputs.httpProxy, https: inputs.httpsProxy, noProxy: inputs.noProxy } }
      : {}),
  };
}

export function runInstanceRequestFor(
  inputs: SpotRunnerInputs, runnerName: string, attempt: LaunchAttemptPlan, userData: string, now: () => number,
): RunInstanceParams {
  const { candidate } = attempt;
  return {
    zoneId: candidate.zoneId,
    vSwitchId: candidate.vSwitchId,
    securityGroupId: inputs.securityGroupId,
    imageId: inputs.imageId,
    instanceType: candidate.instanceTypeId,
    instanceName: instanceNameFor(inputs.namePrefix, inputs.arch, attempt.nowMs),
    hostName: runnerName,
    ...(attempt.terms.spot ? { spot: attempt.terms.spot } : {}),
    internetMaxBandwidthOut: inputs.internetMaxBandwidthOut,
    systemDisk: { category: inputs.systemDiskCategory, sizeGiB: inputs.systemDiskSizeGiB },
    userDataBase64: Buffer.from(userData, "utf8").toString("base64"),
    clientToken: clientTokenFor(runnerName, attempt.attemptKey),
    // Per try, from the time of the try (see RunInstanceParams.autoReleaseTime).
    autoReleaseTime: () => autoReleaseTimeFor(now(), inputs.ttlMinutes),
    tags: tagsFor(inputs, runnerName),
  };
}
