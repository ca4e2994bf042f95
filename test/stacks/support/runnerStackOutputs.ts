/** `pulumi stack output --json` of an arm64 runner stack (stacks/runner/index.ts), as job.sh saves it. */
export const RUNNER_STACK_OUTPUTS = {
  label: "openresty-arm64-202611280100-ab12cd34",
  runnerName: "openresty-arm64-202611280100-ab12cd34",
  instanceId: "i-bp1abc",
  instanceName: "openresty-arm64-spot-20261128010000",
  instanceType: "ecs.c8y.2xlarge",
  zoneId: "cn-hangzhou-j",
  region: "cn-hangzhou",
  cpuCount: 8,
  memoryGiB: 16,
  spotPrice: 0.24,
  priceLimit: 0.288,
  hourlyCost: 0.24,
  currency: "CNY",
  autoReleaseTime: "2026-11-28T03:01:00Z",
  launchedAt: "2026-11-28T01:00:00.000Z",
};
