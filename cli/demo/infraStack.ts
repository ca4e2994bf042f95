import * as fs from "node:fs";
import * as path from "node:path";
import type { Scenario } from "../../emulator";
import { PulumiCli, runPulumi } from "./pulumiCli";

/**
 * The infra stack (spot-runner-infra/prod) for an emulated cloud: the runner stack reads it through a real
 * StackReference. infra/ itself needs the alicloud provider plugin, which does not exist offline, so the stack is
 * created in the backend and given, by `pulumi stack import`, a deployment whose Stack resource carries the
 * outputs infra/program.ts exports, with the ids of the emulator's network.
 */
export const INFRA_PROJECT = "spot-runner-infra";
export const INFRA_STACK = "prod";

export function infraOutputsOf(scenario: Scenario, prefix = "openresty"): Record<string, unknown> {
  return {
    region: scenario.regions[0].regionId,
    prefix,
    vpcId: scenario.vpcs[0].vpcId,
    vSwitchIds: Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
    securityGroupId: scenario.securityGroups[0].securityGroupId,
    policyName: `${prefix}-ci-runner-policy`,
    userName: "github-actions",
  };
}

/** Creates organization/spot-runner-infra/prod in the backend `env` points at, with `outputs` as its stack outputs. */
export async function importInfraStack(cli: PulumiCli, workDir: string, env: NodeJS.ProcessEnv, outputs: Record<string, unknown>): Promise<void> {
  // A project directory of its own: the repository root is the real infra project, whose Pulumi.prod.yaml must
  // not be touched (stack init would write an encryption salt into it).
  const project = path.join(workDir, "infra-project");
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), `name: ${INFRA_PROJECT}\nruntime: nodejs\n`);
  const pulumi = (...args: string[]) => runPulumi(cli, args, { cwd: project, env });
  await pulumi("stack", "init", INFRA_STACK, "--non-interactive", "--secrets-provider", "passphrase");
  const exported = JSON.parse(await pulumi("stack", "export", "--stack", INFRA_STACK));
  exported.deployment.resources = [
    {
      urn: `urn:pulumi:${INFRA_STACK}::${INFRA_PROJECT}::pulumi:pulumi:Stack::${INFRA_PROJECT}-${INFRA_STACK}`,
      custom: false,
      type: "pulumi:pulumi:Stack",
      outputs,
    },
  ];
  const file = path.join(project, "deployment.json");
  fs.writeFileSync(file, JSON.stringify(exported));
  await pulumi("stack", "import", "--stack", INFRA_STACK, "--file", file);
}
