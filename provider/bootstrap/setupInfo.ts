import { ResolvedBootstrap } from "./resolveInput";

/** Replaced on the instance by its vCPU count, which is only known there. */
export const VCPUS_PLACEHOLDER = "__VCPUS__";

/**
 * The runner's `.setup_info`: a JSON list of `{group, detail}` that the runner prints, folded, at the top of
 * the job's "Set up job" step. One group says where the job runs and what that costs.
 */
export function renderSetupInfo(resolved: ResolvedBootstrap): string {
  const { input } = resolved;
  const info = input.setupInfo;
  const price = `${formatPrice(info.spotPrice)} ${info.currency}/hour` +
    (info.priceLimit !== undefined ? ` (limit ${formatPrice(info.priceLimit)})` : " (pay-as-you-go cap)");
  const detail = [
    `Instance: ${info.instanceName}`,
    `Type: ${info.instanceType} (${VCPUS_PLACEHOLDER} vCPUs, exported as RUNNER_CPUS)`,
    `Architecture: ${input.arch}`,
    `Zone: ${info.zoneId} (${info.regionId})`,
    `Spot price: ${price}`,
    `Auto-release (TTL): ${info.autoReleaseTime}`,
    `Limits: no job within ${input.idleTimeoutMinutes} min or ${input.maxRuntimeMinutes} min in all -> power-off`,
    `Runner: ${input.runnerName} (label ${input.jobLabel}), package ${resolved.runnerVersion}`,
  ].join("\n");
  return JSON.stringify([{ group: "Aliyun spot instance", detail }]);
}

/** Prices are quoted to 4 decimals at most; no float noise like 0.30000000000000004. */
function formatPrice(value: number): string {
  return String(Number(value.toFixed(4)));
}
