import { didYouMean, INPUT_KEYS, INPUT_SPECS, InputKey } from "aliyun-spot-runner/contract";
import { inputFromText } from "aliyun-spot-runner/contract";

/** The project name in Pulumi.yaml, hence the namespace of the stack's config keys. */
export const RUNNER_STACK_NAMESPACE = "spot-runner-job";

/** The runner stack's configuration, typed: what the workflow sets with `pulumi config set`. */
export interface RunnerStackConfig {
  /** Fully qualified name of the infra stack whose outputs (network, prefix, region) this runner uses. */
  readonly infraStack: string;
  /** SpotRunner inputs, typed from their text by the input contract; its check() fills the defaults. */
  readonly runner: Readonly<Partial<Record<InputKey, unknown>>>;
}

/** Keys a user sets: every SpotRunner input except what the infra stack and the stack itself provide. */
export const RUNNER_CONFIG_KEYS: readonly InputKey[] = INPUT_KEYS.filter(
  (key) => !("fromInfraStack" in INPUT_SPECS[key]) && key !== "stackName",
);
const STACK_KEYS = ["infraStack"] as const;

export class RunnerStackConfigError extends Error {
  override name = "RunnerStackConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`${RUNNER_STACK_NAMESPACE}: the stack configuration has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}: ` +
      `${problems.join("; ")}. Fix it with \`pulumi config set <key> <value>\` (or the workflow's runner settings); see README, "Runner stack".`);
  }
}

/**
 * Reads the stack's whole configuration (`pulumi.runtime.allConfig()`: "spot-runner-job:minCpu" -> "16"), turns
 * each value into its type, and refuses what would otherwise be lost without a word: an unknown key (with the
 * key it was probably meant to be), a key the infra stack decides, a value of the wrong type. Every problem at
 * once; nothing reaches the cloud before they are fixed.
 */
export function readRunnerStackConfig(all: Readonly<Record<string, string | undefined>>): RunnerStackConfig {
  const problems: string[] = [];
  const runner: Partial<Record<InputKey, unknown>> = {};
  let infraStack: string | undefined;
  const known = [...STACK_KEYS, ...RUNNER_CONFIG_KEYS];
  for (const [fullKey, raw] of Object.entries(all)) {
    if (!fullKey.startsWith(`${RUNNER_STACK_NAMESPACE}:`) || raw === undefined) continue;
    const key = fullKey.slice(RUNNER_STACK_NAMESPACE.length + 1);
    const text = raw.trim();
    if (text === "") continue;
    if (key === "infraStack") {
      infraStack = text;
    } else if ((RUNNER_CONFIG_KEYS as readonly string[]).includes(key)) {
      const typed = inputFromText(key as InputKey, text);
      if ("problem" in typed) {
        problems.push(`${key}: ${typed.problem}`);
        continue;
      }
      const checked = INPUT_SPECS[key as InputKey].schema.safeParse(typed.value);
      if (!checked.success) problems.push(`${key}: ${JSON.stringify(text)} ${checked.error.issues[0].message}`);
      else runner[key as InputKey] = typed.value;
    } else if ((INPUT_KEYS as readonly string[]).includes(key)) {
      problems.push(`${key} is not set here: it comes from ${key === "stackName" ? "the stack's name" : "the infra stack's outputs"}`);
    } else {
      problems.push(`${key} is not a runner setting${didYouMean(key, known)}`);
    }
  }
  const missing = [...(infraStack ? [] : ["infraStack"]), ...["arch", "imageId"].filter((k) => runner[k as InputKey] === undefined)];
  if (runner.githubRepository === undefined && runner.githubOrganization === undefined) missing.push("githubRepository (or githubOrganization)");
  if (missing.length > 0) problems.unshift(`missing ${missing.join(", ")}`);
  if (problems.length > 0) throw new RunnerStackConfigError(problems);
  return { infraStack: infraStack!, runner };
}
