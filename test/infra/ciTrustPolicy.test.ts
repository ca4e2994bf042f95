import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { buildCiTrustPolicy, githubSubjects, renderTrustPolicy } from "../../infra/ciTrustPolicy";
import { parseInfraConfig } from "../../infra/config";
import { evaluateTrustPolicy, trustPolicyProblems } from "../../emulator/sts/trustPolicy";
import { prodStackConfig } from "./stackConfig";

const PROVIDER = "acs:ram::1234567890123456:oidc-provider/openresty-github";
const ISSUER = "https://token.actions.githubusercontent.com";
const AUDIENCE = "sts.aliyuncs.com";

/** The prod configuration's trust policy, for the provider above. */
function prodTrustPolicy() {
  const { ciOidc } = parseInfraConfig(prodStackConfig());
  return buildCiTrustPolicy({ providerArn: PROVIDER, issuerUrl: ciOidc!.issuerUrl, audience: ciOidc!.audience, subjects: ciOidc!.subjects });
}

const caller = (subject: string, overrides: Partial<{ providerArn: string; issuer: string; audiences: string[] }> = {}) => ({
  providerArn: PROVIDER,
  issuer: ISSUER,
  audiences: [AUDIENCE],
  subject,
  ...overrides,
});

describe("infra/ciTrustPolicy: who may assume the CI role", () => {
  it("is exactly this document for the prod configuration: exact branches, the tag pattern apart, issuer and audience pinned", () => {
    assert.deepEqual(prodTrustPolicy(), {
      Version: "1",
      Statement: [
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { Federated: [PROVIDER] },
          Condition: {
            StringEquals: {
              "oidc:iss": ISSUER,
              "oidc:aud": [AUDIENCE],
              "oidc:sub": ["repo:dianplus/openresty:ref:refs/heads/develop", "repo:dianplus/openresty:ref:refs/heads/master"],
            },
          },
        },
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { Federated: [PROVIDER] },
          Condition: {
            StringEquals: { "oidc:iss": ISSUER, "oidc:aud": [AUDIENCE] },
            StringLike: { "oidc:sub": ["repo:dianplus/openresty:ref:refs/tags/v*"] },
          },
        },
      ],
    });
  });

  it("is a trust policy RAM would store (grammar, and within the assumed 2,048 characters)", () => {
    assert.deepEqual(trustPolicyProblems(prodTrustPolicy()), []);
    assert.ok(renderTrustPolicy(prodTrustPolicy()).length <= 2048);
  });

  describe("decided by the RAM evaluator (emulator/ram, through emulator/sts/trustPolicy.ts)", () => {
    const allowed = [
      "repo:dianplus/openresty:ref:refs/heads/master",
      "repo:dianplus/openresty:ref:refs/heads/develop",
      "repo:dianplus/openresty:ref:refs/tags/v1.0.0",
      "repo:dianplus/openresty:ref:refs/tags/v2",
    ];
    for (const subject of allowed) {
      it(`lets ${subject} assume the role`, () => {
        const decision = evaluateTrustPolicy(prodTrustPolicy(), caller(subject));
        assert.equal(decision.allowed, true, decision.reason);
      });
    }

    const refused: [string, ReturnType<typeof caller>][] = [
      ["another repository", caller("repo:someone/openresty:ref:refs/heads/master")],
      ["a fork-like name that only starts alike", caller("repo:dianplus/openresty-fork:ref:refs/heads/master")],
      ["another branch", caller("repo:dianplus/openresty:ref:refs/heads/feature")],
      ["a branch named like a trusted one plus more", caller("repo:dianplus/openresty:ref:refs/heads/master-old")],
      ["a tag outside v*", caller("repo:dianplus/openresty:ref:refs/tags/release-1")],
      ["a branch called v1 (not a tag)", caller("repo:dianplus/openresty:ref:refs/heads/v1")],
      ["a pull request", caller("repo:dianplus/openresty:pull_request")],
      ["an environment", caller("repo:dianplus/openresty:environment:production")],
      ["another audience", caller("repo:dianplus/openresty:ref:refs/heads/master", { audiences: ["https://github.com/dianplus"] })],
      ["another issuer", caller("repo:dianplus/openresty:ref:refs/heads/master", { issuer: "https://evil.example" })],
      ["another OIDC provider", caller("repo:dianplus/openresty:ref:refs/heads/master", { providerArn: "acs:ram::1234567890123456:oidc-provider/other" })],
    ];
    for (const [what, who] of refused) {
      it(`refuses ${what}`, () => {
        const decision = evaluateTrustPolicy(prodTrustPolicy(), who);
        assert.equal(decision.allowed, false, decision.reason);
      });
    }

    it("allows exactly the configured subjects, for any repositories and refs (property)", () => {
      const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
      const repo = fc.tuple(name, name).map(([o, r]) => `${o}/${r}`);
      const ref = fc.tuple(fc.constantFrom("heads", "tags"), name).map(([k, n]) => `refs/${k}/${n}`);
      fc.assert(
        fc.property(fc.uniqueArray(repo, { minLength: 1, maxLength: 3 }), fc.uniqueArray(ref, { minLength: 1, maxLength: 3 }), repo, ref, (repos, refs, otherRepo, otherRef) => {
          const doc = buildCiTrustPolicy({ providerArn: PROVIDER, issuerUrl: ISSUER, audience: AUDIENCE, subjects: githubSubjects(repos, refs) });
          for (const r of repos) for (const f of refs) assert.ok(evaluateTrustPolicy(doc, caller(`repo:${r}:ref:${f}`)).allowed);
          const trusted = repos.includes(otherRepo) && refs.includes(otherRef);
          assert.equal(evaluateTrustPolicy(doc, caller(`repo:${otherRepo}:ref:${otherRef}`)).allowed, trusted);
        }),
      );
    });
  });

  it("needs at least one subject", () => {
    assert.throws(() => buildCiTrustPolicy({ providerArn: PROVIDER, issuerUrl: ISSUER, audience: AUDIENCE, subjects: [] }), /at least one subject/);
  });
});
