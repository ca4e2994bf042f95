import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { configKey, parseInfraConfig, RawInfraConfig } from "../../infra/config";
import { InfraConfigError } from "../../infra/errors";
import { declareInfraStack, InfraStack, readInfraConfig } from "../../infra/program";
import { buildImageBuilderPolicy, buildRunnerPolicy, RamPolicyDocument } from "../../infra/ramPolicy";
import { MOCK_ACCOUNT_ID, recordingMocks, RecordedResource, settle, valueOf } from "./mocks";
import { accessKeyMode, prodStackConfig } from "./stackConfig";

const T = {
  vpc: "alicloud:vpc/network:Network",
  vSwitch: "alicloud:vpc/switch:Switch",
  group: "alicloud:ecs/securityGroup:SecurityGroup",
  rule: "alicloud:ecs/securityGroupRule:SecurityGroupRule",
  policy: "alicloud:ram/policy:Policy",
  user: "alicloud:ram/user:User",
  attachment: "alicloud:ram/userPolicyAttachment:UserPolicyAttachment",
  accessKey: "alicloud:ram/accessKey:AccessKey",
  oidcProvider: "alicloud:ims/oidcProvider:OidcProvider",
  role: "alicloud:ram/role:Role",
  roleAttachment: "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment",
};

describe("infra stack under mocks", () => {
  const recorded: RecordedResource[] = [];
  const prod = prodStackConfig();
  // The image-builder policy and its attachments have tests of their own (below); the rest is about the runner policy.
  const ofType = (type: string) => recorded.filter((r) => r.type === type && !r.name.includes("image-builder"));
  const imageBuilder = (type: string) => recorded.filter((r) => r.type === type && r.name.includes("image-builder"));
  const only = (type: string) => {
    const found = ofType(type);
    assert.equal(found.length, 1, `expected exactly one ${type}, got ${found.length}`);
    return found[0]!;
  };
  const policyDocument = (): RamPolicyDocument => JSON.parse(only(T.policy).inputs.policyDocument);

  /** Declares the stack from prod's config with overrides, and waits until everything is registered. */
  async function run(
    overrides: RawInfraConfig = {},
    warnings: string[] = [],
  ): Promise<InfraStack> {
    recorded.length = 0;
    const config = parseInfraConfig({ ...prod, ...overrides });
    const stack = declareInfraStack(config, { warn: (m) => warnings.push(m), now: new Date("2026-06-01T00:00:00Z") });
    await settle(stack);
    return stack;
  }

  before(async () => {
    await pulumi.runtime.setMocks(recordingMocks(recorded), "spot-runner-infra", "prod", false);
  });

  describe("the prod configuration", () => {
    let stack: InfraStack;
    const warnings: string[] = [];
    before(async () => {
      stack = await run({}, warnings);
    });

    it("creates the guide's VPC", () => {
      const vpc = only(T.vpc);
      assert.equal(vpc.inputs.vpcName, "openresty-ci-runners");
      assert.equal(vpc.inputs.cidrBlock, "172.16.0.0/16");
      assert.equal(vpc.inputs.name, undefined, "the deprecated name argument is not used");
    });

    it("creates one vSwitch per zone with the guide's names and CIDRs, in the VPC", () => {
      const vSwitches = ofType(T.vSwitch).map((r) => ({
        name: r.inputs.vswitchName,
        zone: r.inputs.zoneId,
        cidr: r.inputs.cidrBlock,
        vpc: r.inputs.vpcId,
        deprecated: r.inputs.availabilityZone ?? r.inputs.name,
      }));
      const vpcId = `${only(T.vpc).name}-id`;
      assert.deepEqual(
        vSwitches.sort((a, b) => a.zone.localeCompare(b.zone)),
        ["b", "g", "h", "i", "j", "k"].map((letter, i) => ({
          name: `openresty-ci-switch-${letter}`,
          zone: `cn-hangzhou-${letter}`,
          cidr: `172.16.${i + 1}.0/24`,
          vpc: vpcId,
          deprecated: undefined,
        })),
      );
    });

    it("creates a basic security group in the VPC with no rules: no ingress, default egress", () => {
      const group = only(T.group);
      assert.equal(group.inputs.securityGroupName, "openresty-ci-sg");
      assert.equal(group.inputs.vpcId, `${only(T.vpc).name}-id`);
      // A basic group allows all egress while it has no egress rule; an enterprise group would not.
      assert.equal(group.inputs.securityGroupType, "normal");
      assert.equal(group.inputs.innerAccessPolicy, "Drop");
      assert.deepEqual(ofType(T.rule), []);
      assert.deepEqual(warnings, []);
    });

    it("creates the vpc-level runner policy for this VPC, with version rotation", async () => {
      const policy = only(T.policy);
      assert.equal(policy.inputs.policyName, "openresty-ci-runner-policy");
      assert.equal(policy.inputs.rotateStrategy, "DeleteOldestNonDefaultVersionWhenLimitExceeded");
      const vpcId = await valueOf(stack.outputs.vpcId);
      assert.deepEqual(
        policyDocument(),
        buildRunnerPolicy({ level: "vpc", regionId: "cn-hangzhou", prefix: "openresty", vpcId, sourceIps: [] }),
      );
      assert.match(policy.inputs.policyDocument, new RegExp(`"acs:vpc:cn-hangzhou:\\*:vpc/${vpcId}"`));
    });

    it("attaches the image-builder policy (RunnerImage) beside the runner policy, scoped to the deployment's tag", () => {
      const [policy, ...more] = imageBuilder(T.policy);
      assert.equal(more.length, 0);
      assert.equal(policy!.inputs.policyName, "openresty-ci-image-builder-policy");
      assert.deepEqual(JSON.parse(policy!.inputs.policyDocument), buildImageBuilderPolicy({ regionId: "cn-hangzhou", prefix: "openresty", sourceIps: [] }));
      assert.deepEqual(imageBuilder(T.roleAttachment).map((a) => a.inputs), [{ policyName: "openresty-ci-image-builder-policy", policyType: "Custom", roleName: "openresty-github-actions" }]);
    });

    it("is keyless: the guide's repository gets an OIDC role with the runner policy, and there is no RAM user or key", () => {
      assert.deepEqual([...ofType(T.user), ...ofType(T.attachment), ...ofType(T.accessKey)], []);
      assert.equal(only(T.role).inputs.roleName, "openresty-github-actions");
      assert.deepEqual(only(T.roleAttachment).inputs, {
        policyName: "openresty-ci-runner-policy",
        policyType: "Custom",
        roleName: "openresty-github-actions",
      });
    });

    it("exports exactly what the runner stacks read, and the two ARNs the workflows need", async () => {
      const outputs = stack.outputs;
      assert.deepEqual(Object.keys(outputs).sort(), [
        "ciOidcProviderArn",
        "ciRoleArn",
        "imageBuilderPolicyName",
        "policyName",
        "prefix",
        "region",
        "securityGroupId",
        "vSwitchIds",
        "vpcId",
      ]);
      assert.equal(await valueOf(outputs.ciRoleArn!), `acs:ram::${MOCK_ACCOUNT_ID}:role/openresty-github-actions`);
      assert.equal(await valueOf(outputs.ciOidcProviderArn!), `acs:ram::${MOCK_ACCOUNT_ID}:oidc-provider/openresty-github`);
      assert.equal(outputs.region, "cn-hangzhou");
      assert.equal(outputs.prefix, "openresty");
      assert.equal(await valueOf(outputs.vpcId), `${only(T.vpc).name}-id`);
      assert.equal(await valueOf(outputs.securityGroupId), `${only(T.group).name}-id`);
      assert.equal(await valueOf(outputs.policyName), "openresty-ci-runner-policy");
      const expectedSwitchIds = Object.fromEntries(ofType(T.vSwitch).map((r) => [r.inputs.zoneId, `${r.name}-id`]));
      assert.deepEqual(await valueOf(outputs.vSwitchIds), expectedSwitchIds);
      assert.equal(Object.keys(expectedSwitchIds).length, 6);
    });

    it("groups the resources under the network and identity components", () => {
      const urnParts = recorded.map((r) => `${r.type}::${r.name}`);
      assert.equal(new Set(urnParts).size, urnParts.length, "URNs are unique");
      assert.deepEqual(
        recorded.filter((r) => r.type.startsWith("spot-runner:")).map((r) => r.type).sort(),
        ["spot-runner:infra:CiRole", "spot-runner:infra:RunnerIdentity", "spot-runner:infra:RunnerNetwork"],
      );
    });
  });

  it("reads the same configuration through the Pulumi runtime as parseInfraConfig", () => {
    const saved = pulumi.runtime.allConfig();
    try {
      pulumi.runtime.setAllConfig(prod);
      assert.deepEqual(readInfraConfig(), parseInfraConfig(prod));
      pulumi.runtime.setAllConfig({ ...prod, [configKey("ramPolicyLevel")]: "strict" });
      assert.throws(
        () => readInfraConfig(),
        (err: unknown) => err instanceof InfraConfigError && pulumi.RunError.isInstance(err) && /ramPolicyLevel/.test(err.message),
        "a configuration error is a RunError: Pulumi shows its message without a stack trace",
      );
    } finally {
      pulumi.runtime.setAllConfig(saved);
    }
  });

  it("runs from the entry point Pulumi loads (infra/index.ts) with the stack's config", async () => {
    const saved = pulumi.runtime.allConfig();
    recorded.length = 0;
    try {
      pulumi.runtime.setAllConfig(prod);
      const exported = require("../../infra/index") as Record<string, unknown>;
      assert.deepEqual(Object.keys(exported).sort(), ["ciOidcProviderArn", "ciRoleArn", "imageBuilderPolicyName", "policyName", "prefix", "region", "securityGroupId", "vSwitchIds", "vpcId"]);
      assert.equal(exported.region, "cn-hangzhou");
      assert.deepEqual(Object.keys(await valueOf(exported.vSwitchIds as pulumi.Output<object>)).length, 6);
      await valueOf(exported.policyName as pulumi.Output<string>);
      // The attachment is no output: wait for every outstanding registration (the runtime's own RPC queue, as
      // `pulumi up` does before it exits) so it reaches the mocks and later tests start clean.
      await waitForRegistrations();
      assert.equal(ofType(T.roleAttachment).length, 1);
    } finally {
      pulumi.runtime.setAllConfig(saved);
    }
  });

  it("opens SSH only to the configured CIDRs, as intranet ingress on 22/tcp", async () => {
    const warnings: string[] = [];
    await run({ [configKey("sshIngressCidrs")]: JSON.stringify(["203.0.113.0/24", "198.51.100.7"]) }, warnings);
    const groupId = `${only(T.group).name}-id`;
    const rules = ofType(T.rule).map((r) => r.inputs);
    assert.deepEqual(
      rules.map((r) => r.cidrIp),
      ["203.0.113.0/24", "198.51.100.7/32"],
    );
    for (const rule of rules) {
      assert.equal(rule.type, "ingress");
      assert.equal(rule.ipProtocol, "tcp");
      assert.equal(rule.portRange, "22/22");
      assert.equal(rule.nicType, "intranet");
      assert.equal(rule.policy, "accept");
      assert.equal(rule.securityGroupId, groupId);
    }
    assert.deepEqual(warnings, []);
  });

  it("opens SSH to 0.0.0.0/0 only with the explicit opt-in, and warns at up", async () => {
    const warnings: string[] = [];
    await run({ [configKey("allowSshFromAnywhere")]: "true" }, warnings);
    assert.deepEqual(
      ofType(T.rule).map((r) => [r.inputs.type, r.inputs.portRange, r.inputs.cidrIp]),
      [["ingress", "22/22", "0.0.0.0/0"]],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /0\.0\.0\.0\/0/);
    assert.match(warnings[0]!, /allowSshFromAnywhere/);
  });

  for (const level of ["minimal", "regional", "vpc"] as const) {
    it(`generates the ${level} policy document with the time window and source IPs`, async () => {
      const stack = await run({
        [configKey("ramPolicyLevel")]: level,
        [configKey("ramTimeWindowStart")]: "2026-01-01T00:00:00Z",
        [configKey("ramTimeWindowEnd")]: "2026-12-31T23:59:59Z",
        [configKey("ramSourceIps")]: "198.51.100.7,203.0.113.0/24",
      });
      const vpcId = await valueOf(stack.outputs.vpcId);
      const document = policyDocument();
      assert.deepEqual(
        document,
        buildRunnerPolicy({
          level,
          regionId: "cn-hangzhou",
          prefix: "openresty",
          vpcId,
          timeWindow: { start: "2026-01-01T00:00:00Z", end: "2026-12-31T23:59:59Z" },
          sourceIps: ["198.51.100.7", "203.0.113.0/24"],
        }),
      );
      for (const statement of document.Statement.filter((s) => s.Effect === "Allow")) {
        assert.deepEqual(statement.Condition?.DateGreaterThan, { "acs:CurrentTime": "2026-01-01T00:00:00Z" });
        assert.deepEqual(statement.Condition?.DateLessThan, { "acs:CurrentTime": "2026-12-31T23:59:59Z" });
        assert.deepEqual(statement.Condition?.IpAddress, { "acs:SourceIp": ["198.51.100.7", "203.0.113.0/24"] });
      }
      const launch = document.Statement.find((s) => s.Action.includes("ecs:RunInstances"))!;
      const expectedVpc = { minimal: undefined, regional: "acs:vpc:cn-hangzhou:*:vpc/*", vpc: `acs:vpc:cn-hangzhou:*:vpc/${vpcId}` }[level];
      assert.equal(launch.Condition?.StringLike?.["vpc:VPC"], expectedVpc);
    });
  }

  it("creates an access key on request and exports its secret only as a Pulumi secret", async () => {
    const stack = await run(accessKeyMode({ [configKey("createAccessKey")]: "true", [configKey("ciUserName")]: "ci-bot" }));
    const key = only(T.accessKey);
    assert.equal(key.inputs.userName, "ci-bot");
    assert.equal(key.inputs.secretFile, undefined, "the secret is never written to a local file");
    assert.equal(await valueOf(stack.outputs.accessKeyId!), `${key.name}-id`);
    assert.equal(await pulumi.isSecret(stack.outputs.accessKeySecret!), true);
    assert.equal(await valueOf(stack.outputs.accessKeySecret!), "mock-access-key-secret");
    assert.equal(await pulumi.isSecret(stack.outputs.accessKeyId!), false);
  });

  it("can be declared with another prefix, region and derived CIDRs", async () => {
    const stack = await run(accessKeyMode({
      "alicloud:region": "cn-shanghai",
      [configKey("prefix")]: "acme",
      [configKey("vpcCidr")]: "10.8.0.0/16",
      [configKey("zones")]: JSON.stringify(["cn-shanghai-e", "cn-shanghai-f"]),
    }));
    assert.equal(only(T.vpc).inputs.vpcName, "acme-ci-runners");
    assert.deepEqual(
      ofType(T.vSwitch).map((r) => [r.inputs.vswitchName, r.inputs.zoneId, r.inputs.cidrBlock]),
      [
        ["acme-ci-switch-e", "cn-shanghai-e", "10.8.1.0/24"],
        ["acme-ci-switch-f", "cn-shanghai-f", "10.8.2.0/24"],
      ],
    );
    assert.equal(only(T.user).inputs.name, "acme-github-actions");
    assert.equal(stack.outputs.region, "cn-shanghai");
    assert.match(only(T.policy).inputs.policyDocument, /acs:ecs:cn-shanghai:\*:instance\/\*/);
  });
});

/** Pulumi's own "wait until every pending resource RPC is done" (internal to the SDK; what disconnect() awaits). */
function waitForRegistrations(): Promise<void> {
  return (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
}
