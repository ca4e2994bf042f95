import * as pulumi from "@pulumi/pulumi";
// From the package (the compiled build), as any program that installed it would: no TypeScript of ours is
// compiled when `pulumi up` runs this program.
import { SpotRunner, SpotRunnerArgs } from "aliyun-spot-runner";
import { RunnerStackConfig } from "./config";

/** What the workflow reads from `pulumi stack output --json` (all plain values, none secret). */
export interface RunnerStackOutputs {
  readonly label: pulumi.Output<string>;
  readonly runnerName: pulumi.Output<string>;
  readonly instanceId: pulumi.Output<string>;
  readonly instanceName: pulumi.Output<string>;
  readonly instanceType: pulumi.Output<string>;
  readonly zoneId: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  readonly cpuCount: pulumi.Output<number>;
  readonly memoryGiB: pulumi.Output<number>;
  readonly spotPrice: pulumi.Output<number>;
  readonly priceLimit: pulumi.Output<number | undefined>;
  readonly hourlyCost: pulumi.Output<number>;
  readonly currency: pulumi.Output<string>;
  readonly autoReleaseTime: pulumi.Output<string>;
  readonly launchedAt: pulumi.Output<string>;
}

/**
 * One SpotRunner, on the network of the infra stack. Network ids and the prefix (which RAM policies are scoped
 * on) come from the infra stack, so a job can never launch outside it.
 */
export function defineRunnerStack(config: RunnerStackConfig, stackName = pulumi.getStack()): RunnerStackOutputs {
  const infra = new pulumi.StackReference(config.infraStack);
  const region = infra.requireOutput("region") as pulumi.Output<string>;
  const runner = new SpotRunner("runner", {
    ...(config.runner as Omit<SpotRunnerArgs, "arch" | "imageId" | "region" | "namePrefix" | "vSwitchIds" | "securityGroupId">),
    arch: config.runner.arch as string,
    imageId: config.runner.imageId as string,
    region,
    namePrefix: infra.requireOutput("prefix") as pulumi.Output<string>,
    vSwitchIds: infra.requireOutput("vSwitchIds") as pulumi.Output<Record<string, string>>,
    securityGroupId: infra.requireOutput("securityGroupId") as pulumi.Output<string>,
    stackName,
  });
  return {
    label: runner.label,
    runnerName: runner.runnerName,
    instanceId: runner.instanceId,
    instanceName: runner.instanceName,
    instanceType: runner.instanceType,
    zoneId: runner.zoneId,
    region,
    cpuCount: runner.cpuCount,
    memoryGiB: runner.memoryGiB,
    spotPrice: runner.spotPrice,
    priceLimit: runner.priceLimit,
    hourlyCost: runner.hourlyCost,
    currency: runner.currency,
    autoReleaseTime: runner.autoReleaseTime,
    launchedAt: runner.launchedAt,
  };
}
