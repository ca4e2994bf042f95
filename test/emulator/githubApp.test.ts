import * as assert from "node:assert/strict";
import { generateKeyPairSync, KeyObject, sign } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { startEmulator, RunningEmulator } from "../../emulator";
import { JWT_MESSAGES } from "../../emulator/github/appAuth";
import { GH_TOKEN, rejection, START, tinyScenario } from "./fixtures";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const APP_ID = 1001;
const OTHER_APP_ID = 2002;
/** Installation of APP_ID on the acme org (and so acme/app). */
const ACME_INSTALLATION = 11;
/** Installation of APP_ID on other/repo only. */
const OTHER_REPO_INSTALLATION = 12;
/** Installation of OTHER_APP_ID. */
const OTHER_APP_INSTALLATION = 21;

// RSA key generation takes a while: one pair for the App, one that is nobody's (a wrong key) or the other App's.
const appKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = (key: KeyObject, type: "spki" | "pkcs8") => key.export({ type, format: "pem" }).toString();
const APP_PRIVATE_KEY = pem(appKey.privateKey, "pkcs8");
const OTHER_PRIVATE_KEY = pem(otherKey.privateKey, "pkcs8");

function appScenario() {
  const base = tinyScenario();
  return tinyScenario({
    github: {
      ...base.github,
      apps: [
        {
          appId: APP_ID,
          publicKey: pem(appKey.publicKey, "spki"),
          installations: [
            { installationId: ACME_INSTALLATION, scopes: ["acme"] },
            { installationId: OTHER_REPO_INSTALLATION, scopes: ["other/repo"] },
          ],
        },
        { appId: OTHER_APP_ID, publicKey: pem(otherKey.publicKey, "spki"), installations: [{ installationId: OTHER_APP_INSTALLATION, scopes: ["*"] }] },
      ],
    },
  });
}

/** A JWT built by hand, for what universal-github-app-jwt never produces on purpose. Times in seconds of wall time. */
function handMadeJwt(claims: Record<string, unknown>, options: { key?: KeyObject; header?: Record<string, unknown> } = {}): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signed = `${b64(options.header ?? { alg: "RS256", typ: "JWT" })}.${b64(claims)}`;
  return `${signed}.${sign("sha256", Buffer.from(signed), options.key ?? appKey.privateKey).toString("base64url")}`;
}

const nowS = () => Math.floor(Date.now() / 1000);

describe("emulator: GitHub App authentication", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ scenario: appScenario(), clock: "manual" });
  });
  after(() => emu.close());
  beforeEach(() => emu.admin.reset());

  /** Octokit as the provider builds it for App credentials. */
  const appOctokit = (auth: { appId: number | string; privateKey: string; installationId: number }) =>
    new Octokit({ authStrategy: createAppAuth, auth, baseUrl: emu.githubApiUrl, log: quiet });

  /** POST .../access_tokens with a raw Authorization header. */
  const requestToken = async (installationId: number, jwt: string, body?: unknown) => {
    const res = await fetch(`${emu.githubApiUrl}/app/installations/${installationId}/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt}`, accept: "application/vnd.github+json", ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it("exchanges an App JWT for an installation token that drives the JIT, list and delete runner routes", async () => {
    const gh = appOctokit({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, installationId: ACME_INSTALLATION });
    const auth = (await gh.auth({ type: "installation" })) as Record<string, any>;
    assert.match(auth.token, /^ghs_[A-Za-z0-9]{36}$/);
    assert.equal(auth.expiresAt, new Date(START + 3_600_000).toISOString().replace(".000Z", "Z"), "one hour on the emulated clock");
    assert.equal(auth.repositorySelection, "all");
    assert.deepEqual(auth.permissions, { administration: "write", metadata: "read", organization_self_hosted_runners: "write" });

    const jit = await gh.actions.generateRunnerJitconfigForRepo({ owner: "acme", repo: "app", name: "app-runner", runner_group_id: 1, labels: ["spot"] });
    assert.equal(jit.status, 201);
    const listed = await gh.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app" });
    assert.deepEqual(listed.data.runners.map((r) => r.name), ["app-runner"]);
    const deleted = await gh.actions.deleteSelfHostedRunnerFromRepo({ owner: "acme", repo: "app", runner_id: jit.data.runner.id });
    assert.equal(deleted.status, 204);
    assert.equal(emu.admin.state().runners.length, 0);

    // One JWT exchange, then the cached installation token for every runner call.
    const github = emu.admin.calls().filter((c) => c.api === "github");
    assert.deepEqual(github.map((c) => [c.action, c.status]), [
      [`POST /app/installations/${ACME_INSTALLATION}/access_tokens`, 201],
      ["POST /repos/acme/app/actions/runners/generate-jitconfig", 201],
      ["GET /repos/acme/app/actions/runners", 200],
      [`DELETE /repos/acme/app/actions/runners/${jit.data.runner.id}`, 204],
    ]);
  });

  it("takes the App id as a number or as its decimal string (GITHUB_APP_ID is text)", async () => {
    const gh = appOctokit({ appId: String(APP_ID), privateKey: APP_PRIVATE_KEY, installationId: ACME_INSTALLATION });
    assert.equal((await gh.actions.listSelfHostedRunnersForOrg({ org: "acme" })).status, 200);
  });

  it("refuses a JWT signed with the wrong key (401), an unknown App (401) and an installation not the App's (404)", async () => {
    const wrongKey = await rejection(() => appOctokit({ appId: APP_ID, privateKey: OTHER_PRIVATE_KEY, installationId: ACME_INSTALLATION }).auth({ type: "installation" }));
    assert.deepEqual([wrongKey.status, wrongKey.response.data.message], [401, JWT_MESSAGES.undecodable]);

    const unknownApp = await rejection(() => appOctokit({ appId: 3003, privateKey: APP_PRIVATE_KEY, installationId: ACME_INSTALLATION }).auth({ type: "installation" }));
    assert.deepEqual([unknownApp.status, unknownApp.response.data.message], [401, JWT_MESSAGES.unknownApp]);

    for (const installationId of [999, OTHER_APP_INSTALLATION]) {
      const missing = await rejection(() => appOctokit({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, installationId }).auth({ type: "installation" }));
      assert.deepEqual([missing.status, missing.response.data.message], [404, "Not Found"], `installation ${installationId}`);
    }
    // The other App reaches its own installation with its own key.
    const other = await appOctokit({ appId: OTHER_APP_ID, privateKey: OTHER_PRIVATE_KEY, installationId: OTHER_APP_INSTALLATION }).auth({ type: "installation" });
    assert.match((other as { token: string }).token, /^ghs_/);
  });

  it("checks the JWT like GitHub, on wall time: RS256, not issued in the future, unexpired, valid at most 10 minutes", async () => {
    emu.clock.advance(3 * 24 * 3_600_000); // the emulated clock plays no part in JWT freshness
    const now = nowS();
    const valid = await requestToken(ACME_INSTALLATION, handMadeJwt({ iat: now - 60, exp: now + 540, iss: APP_ID }));
    assert.equal(valid.status, 201, "the hand-made JWT is right when its claims are");
    assert.equal(valid.body.expires_at, new Date(START + 3 * 24 * 3_600_000 + 3_600_000).toISOString().replace(".000Z", "Z"));

    const cases: [string, string, number, string][] = [
      ["expired", handMadeJwt({ iat: now - 1200, exp: now - 600, iss: APP_ID }), 401, JWT_MESSAGES.expired],
      ["valid for an hour", handMadeJwt({ iat: now - 30, exp: now + 3600, iss: APP_ID }), 401, JWT_MESSAGES.tooLong],
      ["valid 10 minutes and 1 second", handMadeJwt({ iat: now - 30, exp: now + 571, iss: APP_ID }), 401, JWT_MESSAGES.tooLong],
      ["issued in the future", handMadeJwt({ iat: now + 300, exp: now + 600, iss: APP_ID }), 401, JWT_MESSAGES.badIssuedAt],
      ["without exp", handMadeJwt({ iat: now - 30, iss: APP_ID }), 401, JWT_MESSAGES.expired],
      ["signed HS256", handMadeJwt({ iat: now - 30, exp: now + 540, iss: APP_ID }, { header: { alg: "HS256", typ: "JWT" } }), 401, JWT_MESSAGES.undecodable],
      ["signed by the other App's key", handMadeJwt({ iat: now - 30, exp: now + 540, iss: APP_ID }, { key: otherKey.privateKey }), 401, JWT_MESSAGES.undecodable],
      ["not a JWT", "not-a-jwt", 401, JWT_MESSAGES.undecodable],
      ["a personal access token", GH_TOKEN, 401, JWT_MESSAGES.undecodable],
    ];
    for (const [name, jwt, status, message] of cases) {
      const answer = await requestToken(ACME_INSTALLATION, jwt);
      assert.deepEqual([answer.status, answer.body.message], [status, message], name);
    }

    const narrowed = await requestToken(ACME_INSTALLATION, handMadeJwt({ iat: now - 30, exp: now + 540, iss: APP_ID }), { repositories: ["app"] });
    assert.equal(narrowed.status, 422);
    assert.match(narrowed.body.message, /does not model narrowed installation tokens \(repositories\)/);
  });

  it("limits an installation token to its installation's scopes: 403 outside them, as for tokens", async () => {
    const gh = appOctokit({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, installationId: OTHER_REPO_INSTALLATION });
    assert.equal((await gh.actions.listSelfHostedRunnersForRepo({ owner: "other", repo: "repo" })).status, 200);
    const forbidden = await rejection(() => gh.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app" }));
    assert.deepEqual([forbidden.status, forbidden.response.data.message], [403, "Resource not accessible by integration"]);
    const org = await rejection(() => gh.actions.generateRunnerJitconfigForOrg({ org: "acme", name: "x", runner_group_id: 1, labels: ["x"] }));
    assert.equal(org.status, 403);
    assert.equal(emu.admin.state().runners.length, 0);
  });

  it("expires an installation token one hour later on the emulated clock, and forgets it on reset", async () => {
    const { token } = (await appOctokit({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, installationId: ACME_INSTALLATION }).auth({ type: "installation" })) as { token: string };
    // A plain token client: auth-app would retry a 401 in real time, believing the token not yet replicated.
    const gh = new Octokit({ auth: token, baseUrl: emu.githubApiUrl, log: quiet });
    emu.clock.advance(3_600_000 - 1);
    assert.equal((await gh.actions.listSelfHostedRunnersForOrg({ org: "acme" })).status, 200);
    emu.clock.advance(1);
    const expired = await rejection(() => gh.actions.listSelfHostedRunnersForOrg({ org: "acme" }));
    assert.deepEqual([expired.status, expired.response.data.message], [401, "Bad credentials"]);

    const { token: fresh } = (await appOctokit({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, installationId: ACME_INSTALLATION }).auth({ type: "installation" })) as { token: string };
    emu.admin.reset();
    const forgotten = await rejection(() => new Octokit({ auth: fresh, baseUrl: emu.githubApiUrl, log: quiet }).actions.listSelfHostedRunnersForOrg({ org: "acme" }));
    assert.equal(forgotten.status, 401);
  });

  it("lets faults target the access-token route", async () => {
    emu.admin.addFault({ action: "github:POST /app/installations/*/access_tokens", status: 503, times: 1 });
    const gh = appOctokit({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, installationId: ACME_INSTALLATION });
    const failed = await rejection(() => gh.auth({ type: "installation" }));
    assert.equal(failed.status, 503);
    const retried = (await gh.auth({ type: "installation" })) as { token: string };
    assert.match(retried.token, /^ghs_/);
  });

  it("writes nothing secret in the call log: no JWT, no installation token, no Authorization header", async () => {
    const gh = appOctokit({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, installationId: ACME_INSTALLATION });
    const { token } = (await gh.auth({ type: "installation" })) as { token: string };
    await gh.actions.generateRunnerJitconfigForOrg({ org: "acme", name: "org-runner", runner_group_id: 1, labels: ["spot"] });
    const jwt = handMadeJwt({ iat: nowS() - 30, exp: nowS() + 540, iss: APP_ID });
    await requestToken(ACME_INSTALLATION, jwt);
    await requestToken(ACME_INSTALLATION, jwt, { token: "ghs_smuggled", repositories: ["app"] });

    const logged = JSON.stringify(await (await fetch(`${emu.ecsEndpoint}/_emulator/calls`)).json());
    assert.ok(logged.includes("access_tokens"), "the exchanges are logged");
    for (const secret of [token, jwt, jwt.split(".")[2], "ghs_smuggled", APP_PRIVATE_KEY.split("\n")[1]]) {
      assert.ok(!logged.includes(secret), `the call log holds ${secret.slice(0, 12)}...`);
    }
    assert.doesNotMatch(logged, /authorization|bearer/i);
    const smuggled = emu.admin.calls().find((c) => c.params.token !== undefined)!;
    assert.deepEqual(smuggled.params, { token: "<redacted 12 chars>", repositories: ["app"] });
  });
});
