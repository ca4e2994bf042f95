import * as pulumi from "@pulumi/pulumi";
import { CiRole } from "./ciRole";
import { configWarnings, InfraConfig, parseInfraConfig, RawInfraConfig } from "./config";
import { RunnerIdentity } from "./identity";
import { RunnerNetwork } from "./network";

/**
 * What the ephemeral runner stacks read through a StackReference, and what the workflows need for keyless CI.
 * Nothing secret, except the optional access key's secret (a Pulumi secret, present only with createAccessKey).
 */
export interface InfraStackOutputs {
  readonly region: string;
  readonly prefix: string;
  readonly vpcId: pulumi.Output<string>;
  /** zone id -> vSwitch id */
  readonly vSwitchIds: pulumi.Output<Record<string, string>>;
  readonly securityGroupId: pulumi.Output<string>;
  readonly policyName: pulumi.Output<string>;
  readonly imageBuilderPolicyName: pulumi.Output<string>;
  /** The CI RAM user (ciAuth accessKey or both). */
  readonly userName?: pulumi.Output<string>;
  /** Keyless CI (ciAuth oidc or both): the repository variables SPOT_RUNNER_ROLE_ARN and SPOT_RUNNER_OIDC_PROVIDER_ARN. */
  readonly ciRoleArn?: pulumi.Output<string>;
  readonly ciOidcProviderArn?: pulumi.Output<string>;
  readonly accessKeyId?: pulumi.Output<string>;
  readonly accessKeySecret?: pulumi.Output<string>;
}

export interface DefineInfraStackOptions {
  /** Where warnings go; pulumi.log.warn by default (shown by `pulumi up` and `preview`). */
  readonly warn?: (message: string) => void;
  /** The clock for time-window warnings. */
  readonly now?: Date;
}

/** Reads the stack's configuration from the Pulumi runtime and validates it; throws InfraConfigError. */
export function readInfraConfig(raw: RawInfraConfig = pulumi.runtime.allConfig()): InfraConfig {
  return parseInfraConfig(raw);
}

/** The declared stack: its two components (for tests and composition) and the stack outputs. */
export interface InfraStack {
  readonly network: RunnerNetwork;
  readonly identity: RunnerIdentity;
  /** The OIDC provider and role, with ciAuth oidc or both. */
  readonly ciRole?: CiRole;
  readonly outputs: InfraStackOutputs;
}

/**
 * Declares the static stack: the runners' network and the CI identity. A function rather than top-level
 * code, so tests can run it several times in one process with different configurations.
 */
export function declareInfraStack(config: InfraConfig, options: DefineInfraStackOptions = {}): InfraStack {
  const warn = options.warn ?? ((message: string) => void pulumi.log.warn(message));
  for (const warning of configWarnings(config, options.now ?? new Date())) warn(warning);

  const network = new RunnerNetwork(config.prefix, {
    prefix: config.prefix,
    vpcCidr: config.vpcCidr,
    zones: config.zones,
    sshIngressCidrs: config.sshIngressCidrs,
  });

  const identity = new RunnerIdentity(config.prefix, {
    prefix: config.prefix,
    regionId: config.regionId,
    vpcId: network.vpcId,
    level: config.ramPolicyLevel,
    ...(config.ramTimeWindow && { timeWindow: config.ramTimeWindow }),
    sourceIps: config.ramSourceIps,
    ...(config.ciAuth !== "oidc" && { user: { userName: config.ciUserName, createAccessKey: config.createAccessKey } }),
  });

  const ciRole = config.ciOidc && new CiRole(config.prefix, { prefix: config.prefix, policyName: identity.policyName, imageBuilderPolicyName: identity.imageBuilderPolicyName, oidc: config.ciOidc });

  const outputs: InfraStackOutputs = {
    region: config.regionId,
    prefix: config.prefix,
    vpcId: network.vpcId,
    vSwitchIds: network.vSwitchIds,
    securityGroupId: network.securityGroupId,
    policyName: identity.policyName,
    imageBuilderPolicyName: identity.imageBuilderPolicyName,
    ...(identity.userName && { userName: identity.userName }),
    ...(ciRole && { ciRoleArn: ciRole.roleArn, ciOidcProviderArn: ciRole.providerArn }),
    ...(identity.accessKeyId && { accessKeyId: identity.accessKeyId, accessKeySecret: identity.accessKeySecret! }),
  };
  return { network, identity, ...(ciRole && { ciRole }), outputs };
}

/** The stack program: declares everything and returns only the outputs (what `pulumi stack output` shows). */
export function defineInfraStack(config: InfraConfig, options: DefineInfraStackOptions = {}): InfraStackOutputs {
  return declareInfraStack(config, options).outputs;
}
