import * as assert from "node:assert/strict";
import { configKey, parseInfraConfig, RawInfraConfig } from "../../infra/config";
import { InfraConfigError } from "../../infra/errors";
import { TEST_FINGERPRINT } from "./stackConfig";

/** The smallest keyless configuration. */
const keyless: RawInfraConfig = {
  "alicloud:region": "cn-hangzhou",
  [configKey("prefix")]: "openresty",
  [configKey("zones")]: '["cn-hangzhou-b"]',
  [configKey("ciAuth")]: "oidc",
  [configKey("ciOidcRepositories")]: '["dianplus/openresty"]',
  [configKey("ciOidcRefs")]: '["refs/heads/master"]',
  [configKey("ciOidcFingerprints")]: JSON.stringify([TEST_FINGERPRINT]),
};

function problemsOf(raw: RawInfraConfig): string[] {
  try {
    parseInfraConfig(raw);
  } catch (err) {
    assert.ok(err instanceof InfraConfigError, String(err));
    return err.problems.map((p) => `${p.key}: ${p.problem}. Fix: ${p.fix}`);
  }
  assert.fail("the configuration was accepted");
}

describe("infra/config: keyless CI (ciAuth, ciOidc*, ciRole*)", () => {
  it("defaults what the guide needs and names the role and provider after the prefix", () => {
    const { ciAuth, ciOidc } = parseInfraConfig(keyless);
    assert.equal(ciAuth, "oidc");
    assert.deepEqual(ciOidc, {
      repositories: ["dianplus/openresty"],
      refs: ["refs/heads/master"],
      subjects: ["repo:dianplus/openresty:ref:refs/heads/master"],
      audience: "sts.aliyuncs.com",
      issuerUrl: "https://token.actions.githubusercontent.com",
      provider: { create: { name: "openresty-github", fingerprints: [TEST_FINGERPRINT] } },
      roleName: "openresty-github-actions",
      maxSessionSeconds: 3600,
    });
  });

  it("takes every repository x ref as a subject, comma lists, and fingerprints as openssl prints them", () => {
    const { ciOidc } = parseInfraConfig({
      ...keyless,
      [configKey("ciOidcRepositories")]: "acme/app, acme/lib",
      [configKey("ciOidcRefs")]: "refs/heads/main,refs/tags/v*",
      [configKey("ciOidcFingerprints")]: "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67",
      [configKey("ciRoleMaxSessionSeconds")]: "7200",
    });
    assert.deepEqual(ciOidc!.subjects, [
      "repo:acme/app:ref:refs/heads/main",
      "repo:acme/app:ref:refs/tags/v*",
      "repo:acme/lib:ref:refs/heads/main",
      "repo:acme/lib:ref:refs/tags/v*",
    ]);
    assert.deepEqual(ciOidc!.provider, { create: { name: "openresty-github", fingerprints: ["0123456789ABCDEF0123456789ABCDEF01234567"] } });
    assert.equal(ciOidc!.maxSessionSeconds, 7200);
  });

  it("uses an existing provider by ARN, creating none", () => {
    const { ciOidc } = parseInfraConfig({
      ...keyless,
      [configKey("ciOidcFingerprints")]: undefined,
      [configKey("ciOidcProviderArn")]: "acs:ram::1234567890123456:oidc-provider/github",
    });
    assert.deepEqual(ciOidc!.provider, { existingArn: "acs:ram::1234567890123456:oidc-provider/github" });
  });

  it("keeps the RAM user next to the role with ciAuth both (migration)", () => {
    const config = parseInfraConfig({ ...keyless, [configKey("ciAuth")]: "both", [configKey("ciUserName")]: "github-actions" });
    assert.equal(config.ciAuth, "both");
    assert.equal(config.ciUserName, "github-actions");
    assert.ok(config.ciOidc);
  });

  const table: [string, RawInfraConfig, RegExp][] = [
    ["an unknown mode", { ...keyless, [configKey("ciAuth")]: "keyless" }, /^spot-runner-infra:ciAuth: "keyless" is not a CI authentication mode; the modes are accessKey, oidc, both\. Fix: pulumi config set spot-runner-infra:ciAuth oidc$/],
    ["no repositories", { ...keyless, [configKey("ciOidcRepositories")]: undefined }, /^spot-runner-infra:ciOidcRepositories: is not set; OIDC trusts only the repositories and refs listed\. Fix: pulumi config set --path 'spot-runner-infra:ciOidcRepositories\[0\]' dianplus\/openresty$/],
    ["no refs", { ...keyless, [configKey("ciOidcRefs")]: "[]" }, /^spot-runner-infra:ciOidcRefs: "\[\]" is not a non-empty list/],
    ["a repository that is not owner/repo", { ...keyless, [configKey("ciOidcRepositories")]: '["openresty"]' }, /^spot-runner-infra:ciOidcRepositories: "openresty" is not owner\/repo/],
    ["a repository pattern", { ...keyless, [configKey("ciOidcRepositories")]: '["dianplus/*"]' }, /"dianplus\/\*" is not owner\/repo/],
    ["a ref that is not a branch or tag", { ...keyless, [configKey("ciOidcRefs")]: '["master"]' }, /^spot-runner-infra:ciOidcRefs: "master" is not a branch or tag ref/],
    ["a pull request ref", { ...keyless, [configKey("ciOidcRefs")]: '["refs/pull/1/merge"]' }, /"refs\/pull\/1\/merge" is not a branch or tag ref/],
    ["every branch", { ...keyless, [configKey("ciOidcRefs")]: '["refs/heads/*"]' }, /^spot-runner-infra:ciOidcRefs: "refs\/heads\/\*" trusts every branch, including any a collaborator pushes/],
    ["every tag", { ...keyless, [configKey("ciOidcRefs")]: '["refs/tags/*"]' }, /"refs\/tags\/\*" trusts every tag/],
    ["two audiences", { ...keyless, [configKey("ciOidcAudience")]: "a,b" }, /^spot-runner-infra:ciOidcAudience: "a,b" is not a single audience/],
    ["an http issuer", { ...keyless, [configKey("ciOidcIssuerUrl")]: "http://token.actions.githubusercontent.com" }, /^spot-runner-infra:ciOidcIssuerUrl: .* is not an issuer URL RAM accepts \(https, no query, fragment or user part\)/],
    ["an issuer with a query", { ...keyless, [configKey("ciOidcIssuerUrl")]: "https://example.com/?a=1" }, /ciOidcIssuerUrl: .* no query/],
    ["a short fingerprint", { ...keyless, [configKey("ciOidcFingerprints")]: '["ABCDEF"]' }, /^spot-runner-infra:ciOidcFingerprints: "ABCDEF" is not a SHA-1 fingerprint \(40 hex digits\)\. Fix: compute it/],
    ["six fingerprints", { ...keyless, [configKey("ciOidcFingerprints")]: JSON.stringify(Array.from({ length: 6 }, (_, i) => `${i}`.repeat(40))) }, /lists 6 fingerprints; RAM keeps at most 5/],
    ["a fingerprint with an existing provider", { ...keyless, [configKey("ciOidcProviderArn")]: "acs:ram::1234567890123456:oidc-provider/github" }, /^spot-runner-infra:ciOidcFingerprints: only applies when the stack creates the OIDC provider/],
    ["a malformed provider ARN", { ...keyless, [configKey("ciOidcFingerprints")]: undefined, [configKey("ciOidcProviderArn")]: "github" }, /^spot-runner-infra:ciOidcProviderArn: "github" is not an OIDC provider ARN/],
    ["a bad role name", { ...keyless, [configKey("ciRoleName")]: "github_actions" }, /^spot-runner-infra:ciRoleName: "github_actions" is not a RAM role name/],
    ["a session too long for RAM", { ...keyless, [configKey("ciRoleMaxSessionSeconds")]: "43201" }, /^spot-runner-infra:ciRoleMaxSessionSeconds: "43201" is not a session length RAM accepts \(3600 to 43200 seconds\)/],
    ["OIDC settings without OIDC", { ...keyless, [configKey("ciAuth")]: "accessKey" }, /^spot-runner-infra:ciOidcRepositories: only applies when CI authenticates with GitHub's OIDC token\. Fix: pulumi config set spot-runner-infra:ciAuth oidc/],
    ["a user name without a user", { ...keyless, [configKey("ciUserName")]: "github-actions" }, /^spot-runner-infra:ciUserName: only applies when CI has a RAM user.*ciAuth oidc creates none/],
    ["an access key without a user", { ...keyless, [configKey("createAccessKey")]: "true" }, /^spot-runner-infra:createAccessKey: only applies when CI has a RAM user/],
    [
      "a trust policy longer than RAM accepts",
      { ...keyless, [configKey("ciOidcRefs")]: JSON.stringify(Array.from({ length: 40 }, (_, i) => `refs/heads/release-${i}`)) },
      /^spot-runner-infra:ciOidcRefs: with 1 repositories and 40 refs the role's trust policy is \d+ characters; RAM accepts at most 2048/,
    ],
  ];
  for (const [label, raw, message] of table) {
    it(`refuses ${label}, naming the key and the fix`, () => {
      const problems = problemsOf(raw);
      assert.ok(problems.some((p) => message.test(p)), `no problem matches ${message}:\n${problems.join("\n")}`);
    });
  }

  it("reports every keyless problem at once", () => {
    const problems = problemsOf({
      ...keyless,
      [configKey("ciOidcRepositories")]: undefined,
      [configKey("ciOidcRefs")]: '["main"]',
      [configKey("ciOidcFingerprints")]: undefined,
      [configKey("ciRoleName")]: "a b",
    });
    assert.deepEqual(
      problems.map((p) => p.split(":")[1]).sort(),
      ["ciOidcFingerprints", "ciOidcRefs", "ciOidcRepositories", "ciRoleName"],
    );
  });
});
