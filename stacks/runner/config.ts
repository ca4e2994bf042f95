/** The runner stack's configuration: what the workflow sets with `pulumi config set` (namespace spot-runner-job). */
export interface RunnerStackConfig {
  /** Fully qualified name of the infra stack whose outputs (network, prefix) this runner uses. */
  readonly infraStack: string;
  /** Everything else is passed to SpotRunner as is; its check() validates and fills defaults. */
  readonly runner: Readonly<Record<string, unknown>>;
}

/** Keys passed through to SpotRunner; numbers and lists may be given as strings ("16", "1:1,1:2", '["a","b"]'). */
export const RUNNER_KEYS = [
  "arch", "imageId", "githubRepository", "githubOrganization", "runnerGroupId", "labels", "minCpu", "maxCpu",
  "minMemoryGiB", "maxMemoryGiB", "ratios", "families", "priceWindowMinutes", "spotStrategy", "priceLimitFactor",
  "spotDuration", "ttlMinutes", "idleTimeoutMinutes", "bootTimeoutMinutes", "onlineTimeoutMinutes",
  "systemDiskCategory", "systemDiskSizeGiB", "internetMaxBandwidthOut", "fallbackZones", "maxLaunchAttempts",
  "runnerVersion", "runnerSha256", "runnerDownloadUrl", "httpProxy", "httpsProxy", "noProxy", "runId",
] as const;

/**
 * Reads the configuration with `get(key)` (pulumi.Config#get in the program) and fails fast, naming the key,
 * when a required one is missing. JSON lists ('["a","b"]') are decoded; other values stay strings.
 */
export function readRunnerStackConfig(get: (key: string) => string | undefined): RunnerStackConfig {
  const missing = ["infraStack", "arch", "imageId"].filter((k) => !get(k)?.trim());
  if (!get("githubRepository") && !get("githubOrganization")) missing.push("githubRepository (or githubOrganization)");
  if (missing.length > 0) {
    throw new Error(
      `spot-runner-job: missing configuration ${missing.join(", ")}; set it with ` +
        `\`pulumi config set <key> <value>\` (see README, "Runner stack configuration").`,
    );
  }
  const runner: Record<string, unknown> = {};
  for (const key of RUNNER_KEYS) {
    const value = get(key)?.trim();
    if (value === undefined || value === "") continue;
    runner[key] = value.startsWith("[") ? parseJsonList(key, value) : value;
  }
  return { infraStack: get("infraStack")!.trim(), runner };
}

function parseJsonList(key: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new Error(`spot-runner-job: ${key} looks like a JSON list but is not valid JSON: ${value}`);
  }
}
