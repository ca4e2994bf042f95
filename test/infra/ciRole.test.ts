import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { buildCiTrustPolicy, renderTrustPolicy } from "../../infra/ciTrustPolicy";
import { configKey, parseInfraConfig, RawInfraConfig } from "../../infra/config";
import { declareInfraStack, InfraStack } from "../../infra/program";
import { MOCK_ACCOUNT_ID, recordingMocks, RecordedResource, settle, valueOf } from "./mocks";
import { accessKeyMode, prodStackConfig, TEST_FINGERPRINT } from "./stackConfig";

const T = {
  oidcProvider: "alicloud:ims/oidcProvider:OidcProvider",
  role: "alicloud:ram/role:Role",
  roleAttachment: "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment",
  user: "alicloud:ram/user:User",
  userAttachment: "alicloud:ram/userPolicyAttachment:UserPolicyAttachment",
  policy: "alicloud:ram/policy:Policy",
};

describe("infra stack under mocks: keyless CI (OIDC provider and role)", () => {
  const recorded: RecordedResource[] = [];
  // The image-builder policy and its attachments have tests of their own; the rest is about the runner policy.
  const ofType = (type: string) => recorded.filter((r) => r.type === type && !r.name.includes("image-builder"));
  const only = (type: string) => {
    const found = ofType(type);
    assert.equal(found.length, 1, `expected exactly one ${type}, got ${found.length}`);
    return found[0]!;
  };

  async function run(overrides: RawInfraConfig = {}): Promise<InfraStack> {
    recorded.length = 0;
    const stack = declareInfraStack(parseInfraConfig({ ...prodStackConfig(), ...overrides }), { warn: () => undefined, now: new Date("2026-06-01T00:00:00Z") });
    await settle(stack);
    return stack;
  }

  before(async () => {
    await pulumi.runtime.setMocks(recordingMocks(recorded), "spot-runner-infra", "prod", false);
  });

  it("declares GitHub's OIDC issuer as an identity provider: its URL, the audience as client id, the CA fingerprint", async () => {
    await run();
    assert.deepEqual(only(T.oidcProvider).inputs, {
      oidcProviderName: "openresty-github",
      issuerUrl: "https://token.actions.githubusercontent.com",
      clientIds: ["sts.aliyuncs.com"],
      fingerprints: [TEST_FINGERPRINT],
      issuanceLimitTime: 1,
      description: "GitHub Actions OIDC for spot runners (openresty); managed by Pulumi",
    });
  });

  it("declares the role with exactly the scoped trust policy, naming the provider it created", async () => {
    const stack = await run();
    const role = only(T.role).inputs;
    const providerArn = `acs:ram::${MOCK_ACCOUNT_ID}:oidc-provider/openresty-github`;
    assert.equal(role.roleName, "openresty-github-actions");
    assert.equal(role.maxSessionDuration, 3600);
    assert.equal(
      role.assumeRolePolicyDocument,
      renderTrustPolicy(
        buildCiTrustPolicy({
          providerArn,
          issuerUrl: "https://token.actions.githubusercontent.com",
          audience: "sts.aliyuncs.com",
          subjects: [
            "repo:dianplus/openresty:ref:refs/heads/develop",
            "repo:dianplus/openresty:ref:refs/heads/master",
            "repo:dianplus/openresty:ref:refs/tags/v*",
          ],
        }),
      ),
    );
    assert.equal(await valueOf(stack.ciRole!.trustPolicy), role.assumeRolePolicyDocument);
    assert.equal(await valueOf(stack.outputs.ciOidcProviderArn!), providerArn);
  });

  it("attaches the same least-privilege policy the CI user gets, and nothing else", async () => {
    await run();
    assert.deepEqual(only(T.roleAttachment).inputs, { policyName: "openresty-ci-runner-policy", policyType: "Custom", roleName: "openresty-github-actions" });
    assert.equal(only(T.policy).inputs.policyName, "openresty-ci-runner-policy");
  });

  it("uses an existing provider by ARN: declares none and trusts that one", async () => {
    const existing = "acs:ram::1234567890123456:oidc-provider/github";
    const stack = await run({ [configKey("ciOidcFingerprints")]: undefined, [configKey("ciOidcProviderArn")]: existing });
    assert.deepEqual(ofType(T.oidcProvider), []);
    assert.deepEqual(JSON.parse(only(T.role).inputs.assumeRolePolicyDocument).Statement.map((s: { Principal: unknown }) => s.Principal), [
      { Federated: [existing] },
      { Federated: [existing] },
    ]);
    assert.equal(await valueOf(stack.outputs.ciOidcProviderArn!), existing);
  });

  it("keeps the user next to the role while migrating (ciAuth both): both get the one policy", async () => {
    const stack = await run({ [configKey("ciAuth")]: "both", [configKey("ciUserName")]: "github-actions" });
    assert.equal(only(T.userAttachment).inputs.policyName, "openresty-ci-runner-policy");
    assert.equal(only(T.roleAttachment).inputs.policyName, "openresty-ci-runner-policy");
    assert.equal(await valueOf(stack.outputs.userName!), "github-actions");
    assert.ok(stack.outputs.ciRoleArn);
  });

  it("declares no provider or role for the AccessKey fallback, and the guide's RAM user instead", async () => {
    const stack = await run(accessKeyMode({ [configKey("ciUserName")]: "github-actions" }));
    assert.deepEqual([...ofType(T.oidcProvider), ...ofType(T.role), ...ofType(T.roleAttachment)], []);
    assert.deepEqual(only(T.userAttachment).inputs, { policyName: "openresty-ci-runner-policy", policyType: "Custom", userName: "github-actions" });
    assert.equal(stack.outputs.ciRoleArn, undefined);
  });
});
