/**
 * The runner stack's outputs (stacks/runner), once: the stack exports exactly these, job.sh writes each to the
 * start job's step outputs under its `step` name, and the README lists them. Plain values, none secret.
 */
export const RUNNER_STACK_OUTPUTS = [
  { key: "label", step: "label", doc: "the runner's unique label: what the build job's runs-on names" },
  { key: "runnerName", step: "runner_name", doc: "the GitHub runner's name (the label)" },
  { key: "instanceId", step: "instance_id", doc: "the ECS instance" },
  { key: "instanceName", step: "instance_name", doc: "`<prefix>-<arch>-spot-<timestamp>`" },
  { key: "instanceType", step: "instance_type", doc: "the type launched" },
  { key: "zoneId", step: "zone", doc: "its zone" },
  { key: "region", step: "region", doc: "the infra stack's region" },
  { key: "cpuCount", step: "cpu_count", doc: "vCPUs (the build's parallelism)" },
  { key: "memoryGiB", step: "memory_gib", doc: "memory" },
  { key: "chargeType", step: "charge_type", doc: "`spot`, or `on-demand` when launched pay-as-you-go" },
  { key: "spotPrice", step: "spot_price", doc: "the latest spot price before launch (0 on-demand)" },
  { key: "priceLimit", step: "price_limit", doc: "the spot price limit, with SpotWithPriceLimit" },
  { key: "hourlyCost", step: "hourly_cost", doc: "what an hour is expected to cost" },
  { key: "currency", step: "currency", doc: "the price API's currency" },
  { key: "interruptionRate", step: "interruption_rate", doc: "the pair's interruption band (upper bound per hour), when known" },
  { key: "autoReleaseTime", step: "auto_release_time", doc: "when ECS releases the instance whatever happens" },
  { key: "launchedAt", step: "launched_at", doc: "when it was launched" },
] as const;

export type RunnerStackOutputKey = (typeof RUNNER_STACK_OUTPUTS)[number]["key"];
