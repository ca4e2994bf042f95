import * as assert from "node:assert/strict";
import Ecs, * as $Ecs from "@alicloud/ecs20140526";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { EmulatedGithubOidcIssuer, RunningEmulator, startEmulator } from "../../emulator";
import { EMULATOR_ACCOUNT_ID } from "../../emulator/scenario/common";
import { smallScenario } from "../../emulator/scenario/small";
import { AUDIENCE, exchangeToken, PROVIDER_ARN, registerGithubRole, ROLE_ARN, StsCredentials } from "./support/keyless";

const REPO = "dianplus/openresty";
const MASTER = "refs/heads/master";

/** A trust policy in the shape the infra stack writes (infra/ciTrustPolicy.ts has its own, exact-document tests). */
const TRUST = {
  Version: "1",
  Statement: [
    {
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Principal: { Federated: [PROVIDER_ARN] },
      Condition: {
        StringEquals: {
          "oidc:iss": "https://token.actions.githubusercontent.com",
          "oidc:aud": [AUDIENCE],
          "oidc:sub": [`repo:${REPO}:ref:${MASTER}`],
        },
      },
    },
  ],
};
/** The role may list instances and nothing else, so both an allowed and a denied ECS call can be shown. */
const DESCRIBE_ONLY = { Version: "1", Statement: [{ Effect: "Allow", Action: "ecs:DescribeInstances", Resource: "*" }] };

function ecsClient(emu: RunningEmulator, creds: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): Ecs {
  return new Ecs(new $OpenApiUtil.Config({ ...creds, regionId: "cn-hangzhou", endpoint: new URL(emu.ecsEndpoint).host, protocol: "http" }));
}

/** The error an SDK call rejected with, as code and status. */
async function failure(call: Promise<unknown>): Promise<{ code: string; statusCode?: number; message: string }> {
  const err = await call.then(() => assert.fail("the call succeeded"), (e: unknown) => e as { code: string; statusCode?: number; message: string });
  return err;
}

/** The raw STS answer for a form POST, as the wire carries it. */
async function postSts(emu: RunningEmulator, form: Record<string, string>): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${emu.stsEndpoint}/?Action=AssumeRoleWithOIDC&Version=2015-04-01&Format=JSON`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("emulated STS: AssumeRoleWithOIDC for a GitHub Actions token", function () {
  let emu: RunningEmulator;
  const issuer = new EmulatedGithubOidcIssuer();
  const tokenFor = (repository: string, ref: string, audience = AUDIENCE) => issuer.tokenFor({ repository, ref, audience }, { now: emu.clock.now() });

  beforeEach(async () => {
    emu = await startEmulator({ scenario: smallScenario(), clock: "manual" });
    registerGithubRole(emu, issuer, TRUST, [DESCRIBE_ONLY]);
  });
  afterEach(async () => emu.close());

  it("issues temporary credentials, through the client the official action uses, for a token the role trusts", async () => {
    const creds = await exchangeToken(emu, tokenFor(REPO, MASTER));
    assert.match(creds.accessKeyId, /^STS\.[A-Za-z0-9]+$/);
    assert.ok(creds.accessKeySecret.length >= 30);
    assert.ok(creds.securityToken.length > 100, "security tokens are long; nothing may cap them");
  });

  it("answers in the documented shape: Credentials, AssumedRoleUser, OIDCTokenInfo", async () => {
    const token = tokenFor(REPO, MASTER);
    const { status, body } = await postSts(emu, {
      OIDCProviderArn: PROVIDER_ARN,
      RoleArn: ROLE_ARN,
      OIDCToken: token,
      RoleSessionName: "gha-1234-1",
      DurationSeconds: "1800",
    });
    assert.equal(status, 200);
    assert.match(body.RequestId, /^[0-9A-F-]{36}$/);
    assert.deepEqual(Object.keys(body.Credentials).sort(), ["AccessKeyId", "AccessKeySecret", "Expiration", "SecurityToken"]);
    assert.equal(body.Credentials.Expiration, new Date(emu.clock.now() + 1800_000).toISOString().replace(/\.\d{3}Z$/, "Z"));
    assert.equal(body.AssumedRoleUser.Arn, `${ROLE_ARN}/gha-1234-1`);
    assert.match(body.AssumedRoleUser.AssumedRoleId, /:gha-1234-1$/);
    assert.deepEqual(
      { ...body.OIDCTokenInfo, ExpirationTime: undefined, IssuanceTime: undefined },
      { Subject: `repo:${REPO}:ref:${MASTER}`, Issuer: issuer.issuer, ClientIds: AUDIENCE, VerificationInfo: "Success", ExpirationTime: undefined, IssuanceTime: undefined },
    );
  });

  describe("refuses what the trust policy or the provider does not vouch for", () => {
    const cases: Array<[string, () => string, ExpectedError]> = [
      ["a token of another repository", () => tokenFor("someone/else", MASTER), { status: 401, code: "AuthenticationFail.NoPermission" }],
      ["a token of another branch of the repository", () => tokenFor(REPO, "refs/heads/feature"), { status: 401, code: "AuthenticationFail.NoPermission" }],
      ["a pull request's token", () => issuer.tokenFor({ repository: REPO, ref: MASTER, audience: AUDIENCE, subject: `repo:${REPO}:pull_request` }, { now: emu.clock.now() }), { status: 401, code: "AuthenticationFail.NoPermission" }],
      ["a token for another audience", () => tokenFor(REPO, MASTER, "https://github.com/dianplus"), { status: 401, code: "AuthenticationFail.OIDCToken.AudienceNotMatch" }],
      ["a token signed by another key", () => new EmulatedGithubOidcIssuer().tokenFor({ repository: REPO, ref: MASTER, audience: AUDIENCE }, { now: emu.clock.now() }), { status: 401, code: "AuthenticationFail.OIDCToken.InvalidSignature" }],
      ["a token from another issuer", () => issuer.sign({ iss: "https://evil.example", aud: AUDIENCE, sub: `repo:${REPO}:ref:${MASTER}`, iat: now(), exp: now() + 300 }), { status: 401, code: "AuthenticationFail.OIDCToken.Invalid" }],
      ["an expired token", () => issuer.tokenFor({ repository: REPO, ref: MASTER, audience: AUDIENCE }, { now: emu.clock.now() - 600_000 }), { status: 401, code: "AuthenticationFail.OIDCToken.Expired" }],
      ["an HS256 token", () => `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: `repo:${REPO}:ref:${MASTER}` })}.c2ln`, { status: 401, code: "AuthenticationFail.OIDCToken.Invalid", message: /HS256/ }],
      ["something that is not a JWT", () => "not-a-jwt", { status: 401, code: "AuthenticationFail.OIDCToken.Invalid", message: /3 parts/ }],
    ];
    const now = () => Math.floor(emu.clock.now() / 1000);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    for (const [what, token, expected] of cases) {
      it(what, async () => {
        const { status, body } = await postSts(emu, { OIDCProviderArn: PROVIDER_ARN, RoleArn: ROLE_ARN, OIDCToken: token(), RoleSessionName: "gha-1" });
        assert.equal(status, expected.status, JSON.stringify(body));
        assert.equal(body.Code, expected.code);
        if (expected.message) assert.match(body.Message, expected.message);
        assert.equal(body.Credentials, undefined);
      });
    }

    it("says why in the call log when the trust policy refused (the API only says there is no permission)", async () => {
      await postSts(emu, { OIDCProviderArn: PROVIDER_ARN, RoleArn: ROLE_ARN, OIDCToken: tokenFor("someone/else", MASTER), RoleSessionName: "gha-1" });
      const call = emu.admin.calls().find((c) => c.api === "sts")!;
      assert.equal(call.code, "AuthenticationFail.NoPermission");
      assert.equal(call.denied?.action, "sts:AssumeRole");
      assert.match(call.denied!.reason, /oidc:sub .*repo:someone\/else:ref:refs\/heads\/master/);
    });

    it("through the action's client, too: the refusal surfaces as an error naming the code", async () => {
      await assert.rejects(exchangeToken(emu, tokenFor("someone/else", MASTER)), /AuthenticationFail\.NoPermission/);
    });
  });

  describe("checks its parameters", () => {
    const valid = () => ({ OIDCProviderArn: PROVIDER_ARN, RoleArn: ROLE_ARN, OIDCToken: tokenFor(REPO, MASTER), RoleSessionName: "gha-1" });
    const cases: Array<[string, (p: Record<string, string>) => Record<string, string>, ExpectedError]> = [
      ["an unknown provider", (p) => ({ ...p, OIDCProviderArn: `acs:ram::${EMULATOR_ACCOUNT_ID}:oidc-provider/nobody` }), { status: 401, code: "AuthenticationFail.NoPermission", message: /No such OIDC Provider/ }],
      ["an unknown role", (p) => ({ ...p, RoleArn: `acs:ram::${EMULATOR_ACCOUNT_ID}:role/nobody` }), { status: 404, code: "EntityNotExist.Role" }],
      ["no token", ({ OIDCToken: _t, ...p }) => p, { status: 400, code: "MissingParameter", message: /"OIDCToken"/ }],
      ["an empty token", (p) => ({ ...p, OIDCToken: "" }), { status: 401, code: "AuthenticationFail.OIDCToken.Invalid", message: /can not empty/ }],
      ["a session name with a space", (p) => ({ ...p, RoleSessionName: "gha 1" }), { status: 400, code: "InvalidParameter.RoleSessionName" }],
      ["a session shorter than 15 minutes", (p) => ({ ...p, DurationSeconds: "899" }), { status: 400, code: "InvalidParameter.DurationSeconds" }],
      ["a session longer than the role allows", (p) => ({ ...p, DurationSeconds: "3601" }), { status: 400, code: "InvalidParameter.DurationSeconds", message: /15min\/1hr/ }],
    ];
    for (const [what, change, expected] of cases) {
      it(what, async () => {
        const { status, body } = await postSts(emu, change(valid()));
        assert.equal(status, expected.status, JSON.stringify(body));
        assert.equal(body.Code, expected.code);
        if (expected.message) assert.match(body.Message, expected.message);
      });
    }
  });

  describe("ECS calls signed with the issued credentials", () => {
    let creds: StsCredentials;
    beforeEach(async () => {
      creds = await exchangeToken(emu, tokenFor(REPO, MASTER), { durationSeconds: 900 });
    });
    const describeInstances = (c: Ecs) => c.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou" }));

    it("are authorized with the role's policies: what they allow works, the rest is Forbidden.RAM", async () => {
      const client = ecsClient(emu, creds);
      const listed = await describeInstances(client);
      assert.equal(listed.statusCode, 200);
      const denied = await failure(client.describeRegions(new $Ecs.DescribeRegionsRequest({})));
      assert.equal(denied.code, "Forbidden.RAM");
      const log = emu.admin.calls().filter((c) => c.api === "ecs");
      assert.deepEqual(log.map((c) => [c.action, c.accessKeyId, c.status]), [
        ["DescribeInstances", creds.accessKeyId, 200],
        ["DescribeRegions", creds.accessKeyId, 403],
      ]);
    });

    it("need the security token: without it MissingSecurityToken, with another one InvalidSecurityToken.Malformed", async () => {
      const missing = await failure(describeInstances(ecsClient(emu, { accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret })));
      assert.equal(missing.code, "MissingSecurityToken");
      const other = await exchangeToken(emu, tokenFor(REPO, MASTER));
      const mismatched = await failure(describeInstances(ecsClient(emu, { ...creds, securityToken: other.securityToken })));
      assert.equal(mismatched.code, "InvalidSecurityToken.Malformed");
    });

    it("stop working when the session expires (emulated time)", async () => {
      emu.clock.advance(900_000);
      const expired = await failure(describeInstances(ecsClient(emu, creds)));
      assert.equal(expired.code, "InvalidParameter");
      assert.match(expired.message, /SecurityToken\.Expired/);
    });
  });

  it("never writes the OIDC token, the issued secret or the security token into the call log", async () => {
    const token = tokenFor(REPO, MASTER);
    const creds = await exchangeToken(emu, token);
    await ecsClient(emu, creds).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou" }));
    await postSts(emu, { OIDCProviderArn: PROVIDER_ARN, RoleArn: ROLE_ARN, OIDCToken: token, RoleSessionName: "gha-2" });
    const log = JSON.stringify(emu.admin.calls());
    assert.ok(emu.admin.calls().some((c) => c.api === "sts" && c.status === 200));
    for (const secret of [token, token.split(".")[2], creds.accessKeySecret, creds.securityToken]) assert.ok(!log.includes(secret));
    assert.match(log, /"OIDCToken":"<redacted \d+ chars>"/);
  });
});

interface ExpectedError {
  readonly status: number;
  readonly code: string;
  readonly message?: RegExp;
}
