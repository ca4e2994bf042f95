import * as fs from "node:fs";
import * as path from "node:path";
import { smallScenario } from "../../../emulator/scenario/small";
import { run } from "./command";

/**
 * The `prod` stack the runner stack reads through a real StackReference. The alicloud provider plugin cannot be
 * built offline, so `pulumi up` of infra/ cannot run here; instead the stack is created in the backend and given,
 * by `pulumi stack import`, a deployment whose Stack resource carries the outputs infra/program.ts exports, with
 * the values of the emulator's network.
 */
export const INFRA_PROJECT = "spot-runner-infra";
export const INFRA_STACK = "prod";

export function infraOutputsFromEmulator(): Record<string, unknown> {
  const scenario = smallScenario();
  return {
    region: scenario.regions[0].regionId,
    prefix: "openresty",
    vpcId: scenario.vpcs[0].vpcId,
    vSwitchIds: Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
    securityGroupId: scenario.securityGroups[0].securityGroupId,
    policyName: "openresty-ci-runner-policy",
    userName: "github-actions",
  };
}

/** Creates organization/spot-runner-infra/prod in the backend `env` points at, with `outputs` as its stack outputs. */
export async function importInfraStack(workDir: string, env: NodeJS.ProcessEnv, outputs: Record<string, unknown>): Promise<void> {
  // A project directory of its own: the repository root is the real infra project, whose Pulumi.prod.yaml must
  // not be touched (stack init would write an encryption salt into it).
  const project = path.join(workDir, "infra-project");
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), `name: ${INFRA_PROJECT}\nruntime: nodejs\n`);
  const pulumi = async (...args: string[]) => {
    const r = await run("pulumi", args, { cwd: project, env, timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
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
