import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_BY_VALUE, TAG_KEYS } from "../provider/tags";
import { securityGroupName, vpcName, vSwitchName } from "./names";

export interface RunnerNetworkArgs {
  /** Deployment prefix; names every resource (<prefix>-ci-runners, <prefix>-ci-switch-b, <prefix>-ci-sg). */
  readonly prefix: string;
  /** The VPC's CIDR, e.g. 172.16.0.0/16. */
  readonly vpcCidr: pulumi.Input<string>;
  /** One vSwitch per entry: zone id, the zone's letter (for the name) and the vSwitch CIDR. */
  readonly zones: readonly { readonly zoneId: string; readonly letter: string; readonly cidr: pulumi.Input<string> }[];
  /** Sources allowed to reach SSH (22/tcp), as CIDRs; empty = no ingress rule at all. */
  readonly sshIngressCidrs: readonly string[];
}

/** Logical name of the SSH rule for one CIDR: stable per CIDR, so editing the list replaces only what changed. */
export const sshRuleName = (name: string, cidr: string): string => `${name}-ssh-${cidr.replace(/[./]/g, "-")}`;

/**
 * The runners' network: a VPC, one vSwitch per zone, and a security group.
 *
 * Runners only dial out (GitHub, registries, package mirrors), so the group has no ingress rule unless SSH
 * CIDRs are configured. It is a basic ("normal") group on purpose: basic groups allow all egress when they
 * have no egress rules, so no egress rule is declared; enterprise groups would deny it. Instances in the
 * group may not reach each other (innerAccessPolicy Drop): one job's runner has no business with another's.
 */
export class RunnerNetwork extends pulumi.ComponentResource {
  readonly vpc: alicloud.vpc.Network;
  /** In the order of args.zones. */
  readonly vSwitches: alicloud.vpc.Switch[];
  readonly securityGroup: alicloud.ecs.SecurityGroup;
  /** One per SSH source CIDR; none by default. */
  readonly sshRules: alicloud.ecs.SecurityGroupRule[];
  readonly vpcId: pulumi.Output<string>;
  /** zone id -> vSwitch id */
  readonly vSwitchIds: pulumi.Output<Record<string, string>>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: RunnerNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("spot-runner:infra:RunnerNetwork", name, {}, opts);
    const tags = { [TAG_KEYS.managedBy]: MANAGED_BY_VALUE, [TAG_KEYS.prefix]: args.prefix };

    const vpc = new alicloud.vpc.Network(
      `${name}-vpc`,
      {
        vpcName: vpcName(args.prefix),
        cidrBlock: args.vpcCidr,
        description: `GitHub Actions spot runners (${args.prefix})`,
        tags,
      },
      { parent: this },
    );

    const vSwitches = args.zones.map(
      (zone) =>
        new alicloud.vpc.Switch(
          `${name}-switch-${zone.letter}`,
          {
            vswitchName: vSwitchName(args.prefix, zone.letter),
            vpcId: vpc.id,
            zoneId: zone.zoneId,
            cidrBlock: zone.cidr,
            description: `GitHub Actions spot runners (${args.prefix}) in ${zone.zoneId}`,
            tags,
          },
          { parent: this },
        ),
    );

    const group = new alicloud.ecs.SecurityGroup(
      `${name}-sg`,
      {
        securityGroupName: securityGroupName(args.prefix),
        vpcId: vpc.id,
        securityGroupType: "normal",
        innerAccessPolicy: "Drop",
        description: `GitHub Actions spot runners (${args.prefix}): outbound only`,
        tags,
      },
      { parent: this },
    );

    this.sshRules = args.sshIngressCidrs.map(
      (cidr) =>
        new alicloud.ecs.SecurityGroupRule(
          sshRuleName(name, cidr),
          {
            securityGroupId: group.id,
            type: "ingress",
            ipProtocol: "tcp",
            portRange: "22/22",
            cidrIp: cidr,
            // A VPC group does not tell internet from intranet traffic; the provider docs ask for "intranet".
            nicType: "intranet",
            policy: "accept",
            priority: 1,
            description: `SSH from ${cidr}`,
          },
          { parent: this },
        ),
    );

    this.vpc = vpc;
    this.vSwitches = vSwitches;
    this.securityGroup = group;
    this.vpcId = vpc.id;
    this.vSwitchIds = pulumi
      .all(vSwitches.map((vSwitch) => vSwitch.id))
      .apply((ids) => Object.fromEntries(args.zones.map((zone, i) => [zone.zoneId, ids[i]!])));
    this.securityGroupId = group.id;
    this.registerOutputs({ vpcId: this.vpcId, vSwitchIds: this.vSwitchIds, securityGroupId: this.securityGroupId });
  }
}
