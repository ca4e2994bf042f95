import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { imageBuilderPolicyName, runnerPolicyName } from "./names";
import { buildImageBuilderPolicy, buildRunnerPolicy, RamPolicyLevel, renderPolicyDocument, runnerPolicyProblems } from "./ramPolicy";

export interface RunnerIdentityArgs {
  /** Deployment prefix: the value of the spot-runner-prefix tag the policy is scoped on, and the policy's name. */
  readonly prefix: string;
  /** Region the runners live in. */
  readonly regionId: string;
  /** The runners' VPC; the "vpc" level pins launches to it. */
  readonly vpcId: pulumi.Input<string>;
  /** minimal | regional | vpc (see infra/ramPolicy.ts). */
  readonly level: RamPolicyLevel;
  /** Optional validity window for every allowed call (ISO 8601 UTC). */
  readonly timeWindow?: { readonly start?: string; readonly end?: string };
  /** Optional source IPs/CIDRs every allowed call must come from. */
  readonly sourceIps: readonly string[];
  /**
   * The RAM user CI authenticates as with an AccessKey, and whether to create that key (its secret is only ever a
   * Pulumi secret). Absent when CI authenticates only through the OIDC role (infra/ciRole.ts), which attaches the
   * same policy.
   */
  readonly user?: { readonly userName: string; readonly createAccessKey: boolean };
}

/** The CI identity: a least-privilege custom policy and, for AccessKey CI, a RAM user, the attachment and optionally a key. */
export class RunnerIdentity extends pulumi.ComponentResource {
  readonly policy: alicloud.ram.Policy;
  /** RunnerImage's policy (stop, image, delete tagged images and snapshots), attached beside the runner policy. */
  readonly imageBuilderPolicy: alicloud.ram.Policy;
  readonly imageBuilderPolicyName: pulumi.Output<string>;
  readonly user?: alicloud.ram.User;
  readonly attachment?: alicloud.ram.UserPolicyAttachment;
  readonly accessKey?: alicloud.ram.AccessKey;
  readonly policyName: pulumi.Output<string>;
  readonly policyDocument: pulumi.Output<string>;
  readonly userName?: pulumi.Output<string>;
  readonly accessKeyId?: pulumi.Output<string>;
  /** Marked secret: encrypted in state, masked in `pulumi stack output` unless --show-secrets. */
  readonly accessKeySecret?: pulumi.Output<string>;

  constructor(name: string, args: RunnerIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("spot-runner:infra:RunnerIdentity", name, {}, opts);

    const document = pulumi.output(args.vpcId).apply((vpcId) => {
      const doc = buildRunnerPolicy({
        level: args.level,
        regionId: args.regionId,
        prefix: args.prefix,
        vpcId,
        ...(args.timeWindow && { timeWindow: args.timeWindow }),
        sourceIps: args.sourceIps,
      });
      const problems = runnerPolicyProblems(doc);
      if (problems.length > 0) throw new Error(`the generated RAM policy is invalid: ${problems.join("; ")}`);
      return renderPolicyDocument(doc);
    });

    const policy = new alicloud.ram.Policy(
      `${name}-policy`,
      {
        policyName: runnerPolicyName(args.prefix),
        policyDocument: document,
        description: `GitHub Actions spot runners (${args.prefix}): launch, read and release tagged ECS instances`,
        // A custom policy keeps at most 5 versions; without rotation the 6th change of the document fails.
        rotateStrategy: "DeleteOldestNonDefaultVersionWhenLimitExceeded",
      },
      { parent: this },
    );

    this.policy = policy;
    this.policyName = policy.policyName;
    this.policyDocument = document;
    const imageDocument = buildImageBuilderPolicy({
      regionId: args.regionId, prefix: args.prefix, ...(args.timeWindow && { timeWindow: args.timeWindow }), sourceIps: args.sourceIps,
    });
    const imageProblems = runnerPolicyProblems(imageDocument);
    if (imageProblems.length > 0) throw new Error(`the generated image-builder RAM policy is invalid: ${imageProblems.join("; ")}`);
    this.imageBuilderPolicy = new alicloud.ram.Policy(
      `${name}-image-builder-policy`,
      {
        policyName: imageBuilderPolicyName(args.prefix),
        policyDocument: renderPolicyDocument(imageDocument),
        description: `GitHub Actions spot runners (${args.prefix}): bake runner images from tagged builders, delete tagged images`,
        rotateStrategy: "DeleteOldestNonDefaultVersionWhenLimitExceeded",
      },
      { parent: this },
    );
    this.imageBuilderPolicyName = this.imageBuilderPolicy.policyName;
    if (!args.user) {
      this.registerOutputs({ policyName: this.policyName, imageBuilderPolicyName: this.imageBuilderPolicyName });
      return;
    }

    const user = new alicloud.ram.User(
      `${name}-user`,
      {
        name: args.user.userName,
        displayName: args.user.userName,
        comments: `GitHub Actions spot runners (${args.prefix}); managed by Pulumi`,
      },
      { parent: this },
    );

    this.attachment = new alicloud.ram.UserPolicyAttachment(
      `${name}-attachment`,
      { policyName: policy.policyName, policyType: "Custom", userName: user.name },
      { parent: this },
    );
    new alicloud.ram.UserPolicyAttachment(
      `${name}-image-builder-attachment`,
      { policyName: this.imageBuilderPolicy.policyName, policyType: "Custom", userName: user.name },
      { parent: this },
    );

    if (args.user.createAccessKey) {
      const key = new alicloud.ram.AccessKey(
        `${name}-key`,
        // No secretFile (it writes the secret to local disk in plain text) and no pgpKey: the secret stays in
        // Pulumi state, encrypted.
        { userName: user.name, status: "Active" },
        { parent: this },
      );
      this.accessKey = key;
      this.accessKeyId = key.id;
      this.accessKeySecret = pulumi.secret(key.secret);
    }

    this.user = user;
    this.userName = user.name;
    this.registerOutputs({
      policyName: this.policyName,
      userName: this.userName,
      ...(this.accessKeyId && { accessKeyId: this.accessKeyId, accessKeySecret: this.accessKeySecret }),
    });
  }
}
