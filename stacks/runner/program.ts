import * as pulumi from "@pulumi/pulumi";
// From the package (the compiled build), as any program that installed it would: no TypeScript of ours is
// compiled when `pulumi up` runs this program.
import { SpotRunner, SpotRunnerArgs } from "aliyun-spot-runner";
import { RUNNER_STACK_OUTPUTS, RunnerStackOutputKey } from "aliyun-spot-runner/contract";
import { RunnerStackConfig } from "./config";

/** What the workflow reads from `pulumi stack output --json`: the outputs the contract lists, none secret. */
export type RunnerStackOutputs = Readonly<Record<RunnerStackOutputKey, pulumi.Output<unknown>>>;

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
  // Every output the contract lists: the runner's own, and the region the infra stack decided.
  return Object.fromEntries(RUNNER_STACK_OUTPUTS.map(({ key }) => [key, key === "region" ? region : runner[key]])) as RunnerStackOutputs;
}
