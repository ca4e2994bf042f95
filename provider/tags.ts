/**
 * Tags every runner instance carries from launch (RunInstances Tag.N). They identify our instances for the
 * reaper and `spot-runner list`, attribute cost, and scope RAM: the CI user may only launch instances that
 * carry `spot-runner-prefix=<prefix>` (acs:RequestTag) and only delete instances that do (acs:ResourceTag).
 */
export const TAG_KEYS = {
  /** Always "spot-runner": marks instances this project manages. */
  managedBy: "managed-by",
  /** The deployment prefix (guide: "openresty"); the key RAM policies are scoped on. */
  prefix: "spot-runner-prefix",
  /** Pulumi stack that owns the instance (e.g. gha-123-1-arm64). */
  stack: "spot-runner-stack",
  /** amd64 | arm64 */
  arch: "spot-runner-arch",
  /** The GitHub runner's unique name, and its unique job label. */
  runnerName: "spot-runner-runner",
  label: "spot-runner-label",
  /** owner/repo or org the runner is registered to. */
  githubScope: "spot-runner-github",
  /** GitHub Actions run id and attempt, when known. */
  runId: "spot-runner-run-id",
} as const;

export const MANAGED_BY_VALUE = "spot-runner";
