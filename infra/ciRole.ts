import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import type { CiOidcConfig } from "./ciOidcConfig";
import { buildCiTrustPolicy, renderTrustPolicy } from "./ciTrustPolicy";

export interface CiRoleArgs {
  /** Deployment prefix, for descriptions. */
  readonly prefix: string;
  /** The runner policy (infra/identity.ts) the role gets: the same least privilege as the CI user. */
  readonly policyName: pulumi.Input<string>;
  /** The image-builder policy (infra/identity.ts), attached beside it. */
  readonly imageBuilderPolicyName?: pulumi.Input<string>;
  /** Provider, trusted repositories and refs, role name and session length (infra/ciOidcConfig.ts). */
  readonly oidc: CiOidcConfig;
}

/**
 * Keyless CI: GitHub's OIDC issuer as an identity provider in RAM (or an existing one), a role whose trust policy
 * lets only the configured repositories and refs assume it, and the runner policy attached to that role. A job
 * with `id-token: write` exchanges its token for the role's credentials (STS AssumeRoleWithOIDC, e.g. with
 * aliyun/configure-aliyun-credentials-action); no long-lived key exists.
 */
export class CiRole extends pulumi.ComponentResource {
  /** Only when the stack creates the provider (no ciOidcProviderArn). */
  readonly provider?: alicloud.ims.OidcProvider;
  readonly role: alicloud.ram.Role;
  readonly attachment: alicloud.ram.RolePolicyAttachment;
  readonly providerArn: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  /** The trust policy as stored (compact JSON). */
  readonly trustPolicy: pulumi.Output<string>;

  constructor(name: string, args: CiRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("spot-runner:infra:CiRole", name, {}, opts);
    const { oidc } = args;

    if ("create" in oidc.provider) {
      this.provider = new alicloud.ims.OidcProvider(
        `${name}-oidc-provider`,
        {
          oidcProviderName: oidc.provider.create.name,
          issuerUrl: oidc.issuerUrl,
          clientIds: [oidc.audience],
          fingerprints: [...oidc.provider.create.fingerprints],
          // A job uses its token within seconds of getting it; refusing tokens older than RAM's minimum (1 hour)
          // narrows what a leaked token is good for.
          issuanceLimitTime: 1,
          description: `GitHub Actions OIDC for spot runners (${args.prefix}); managed by Pulumi`,
        },
        { parent: this },
      );
      this.providerArn = this.provider.arn;
    } else {
      this.providerArn = pulumi.output(oidc.provider.existingArn);
    }

    this.trustPolicy = this.providerArn.apply((providerArn) =>
      renderTrustPolicy(buildCiTrustPolicy({ providerArn, issuerUrl: oidc.issuerUrl, audience: oidc.audience, subjects: oidc.subjects })),
    );

    this.role = new alicloud.ram.Role(
      `${name}-role`,
      {
        roleName: oidc.roleName,
        assumeRolePolicyDocument: this.trustPolicy,
        maxSessionDuration: oidc.maxSessionSeconds,
        description: `GitHub Actions spot runners (${args.prefix}): assumed with GitHub's OIDC token by ${describeRepositories(oidc.repositories)}`,
      },
      { parent: this },
    );

    this.attachment = new alicloud.ram.RolePolicyAttachment(
      `${name}-attachment`,
      { policyName: args.policyName, policyType: "Custom", roleName: this.role.roleName },
      { parent: this },
    );
    if (args.imageBuilderPolicyName) {
      new alicloud.ram.RolePolicyAttachment(
        `${name}-image-builder-attachment`,
        { policyName: args.imageBuilderPolicyName, policyType: "Custom", roleName: this.role.roleName },
        { parent: this },
      );
    }

    this.roleArn = this.role.arn;
    this.roleName = this.role.roleName;
    this.registerOutputs({ roleArn: this.roleArn, providerArn: this.providerArn });
  }
}

/** RAM role descriptions are at most 1,024 characters (CreateRole); a long list becomes a count. */
function describeRepositories(repositories: readonly string[]): string {
  const listed = repositories.join(", ");
  return listed.length <= 400 ? listed : `${repositories.length} repositories`;
}
