import * as assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import * as net from "node:net";
import { smallScenario } from "../../emulator/scenario/small";
import type { Scenario } from "../../emulator/scenario/types";
import { ReaperWorld, runCommand, startWorld } from "../reaper/support/emulated";
import { runCli } from "../support/cli";

/**
 * The CLI as a new user meets it against the emulator (issue 13): every mistake in the environment is one line that
 * names the variable and the fix, with exit code 1, and nothing waits in silence. Ports: a closed loopback port
 * (listened on, then closed) stands for "nothing runs there"; no other network is used.
 */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const oneLine = (text: string) => assert.equal(text.split("\n").filter(Boolean).length, 1, text);

describe("spot-runner as a newcomer meets it", function () {
  let world: ReaperWorld;
  afterEach(async () => world?.close());

  describe("ALIBABA_CLOUD_ECS_ENDPOINT", () => {
    beforeEach(async () => {
      world = await startWorld();
    });

    it("fails at once on a refused connection, naming the variable (no retries)", async () => {
      const port = await closedPort();
      for (const command of ["list", "reap"] as const) {
        const r = await runCommand(command, [], { ...world.env, ALIBABA_CLOUD_ECS_ENDPOINT: `http://127.0.0.1:${port}` }, world.tuning);
        assert.equal(r.code, 1, r.stderr);
        oneLine(r.stderr);
        assert.match(r.stderr, new RegExp(`^error: could not list the instances of cn-hangzhou: ECS DescribeInstances: cannot reach http://127\\.0\\.0\\.1:${port}: ` +
          "connection refused, nothing listens there \\(ECONNREFUSED\\)\\. It comes from ALIBABA_CLOUD_ECS_ENDPOINT: start the server it names or correct the variable\\.\\n$"));
      }
      const advise = await runCli(["advise"], { env: { ...world.env, ALIBABA_CLOUD_ECS_ENDPOINT: `http://127.0.0.1:${port}` } });
      assert.equal(advise.code, 1);
      oneLine(advise.stderr);
      assert.match(advise.stderr, /^error: ECS DescribeInstanceTypes: cannot reach .*ALIBABA_CLOUD_ECS_ENDPOINT/);
    });

    it("hints at http:// when the endpoint has no scheme (127.0.0.1:9)", async () => {
      const r = await runCommand("list", [], { ...world.env, ALIBABA_CLOUD_ECS_ENDPOINT: "127.0.0.1:9" }, world.tuning);
      assert.equal(r.code, 1);
      oneLine(r.stderr);
      assert.match(r.stderr, /cannot reach https:\/\/127\.0\.0\.1:9: connection refused.*ALIBABA_CLOUD_ECS_ENDPOINT.*without a scheme it means https:\/\/, so for a plain-HTTP server such as the emulator write http:\/\/127\.0\.0\.1:9\.\n$/);
    });

    it("says the server does not speak HTTPS when a plain-HTTP emulator is written without http:// (not an SSL error)", async () => {
      const hostPort = world.env.ALIBABA_CLOUD_ECS_ENDPOINT.replace(/^http:\/\//, "");
      const r = await runCommand("list", [], { ...world.env, ALIBABA_CLOUD_ECS_ENDPOINT: hostPort }, world.tuning);
      assert.equal(r.code, 1);
      oneLine(r.stderr);
      assert.match(r.stderr, new RegExp(`cannot reach https://${hostPort.replace(/\./g, "\\.")}: the server does not speak HTTPS \\((EPROTO|ERR_SSL_WRONG_VERSION_NUMBER)\\)\\. ` +
        `It comes from ALIBABA_CLOUD_ECS_ENDPOINT: .* write http://${hostPort.replace(/\./g, "\\.")}\\.\\n$`));
      assert.doesNotMatch(r.stderr, /SSL routines/);
    });

    it("refuses a value that is not a URL, naming the variable", async () => {
      const r = await runCommand("list", [], { ...world.env, ALIBABA_CLOUD_ECS_ENDPOINT: "ftp://127.0.0.1:8080" }, world.tuning);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: ALIBABA_CLOUD_ECS_ENDPOINT="ftp:\/\/127\.0\.0\.1:8080" must use http:\/\/ or https:\/\//);
    });

    it("retries what can heal and says so", async () => {
      world.emu.admin.addFault({ action: "DescribeInstances", code: "ServiceUnavailable", status: 503, times: 1 });
      const r = await runCommand("list", [], world.env, world.tuning);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^retrying: ECS DescribeInstances failed: ServiceUnavailable: .* \(attempt 1; 3 retries left\)\n$/);
    });
  });

  describe("GITHUB_API_URL", () => {
    beforeEach(async () => {
      world = await startWorld();
    });

    it("is checked before anything is read: unreachable fails at once, naming the variable", async () => {
      const port = await closedPort();
      const r = await runCommand("list", [], { ...world.env, GITHUB_API_URL: `http://127.0.0.1:${port}/api/v3` }, world.tuning);
      assert.equal(r.code, 1);
      oneLine(r.stderr);
      assert.match(r.stderr, new RegExp(`^error: cannot reach the GitHub API at http://127\\.0\\.0\\.1:${port}/api/v3: connection refused, nothing listens there ` +
        "\\(ECONNREFUSED\\)\\. It comes from GITHUB_API_URL: start the server it names or correct the variable"));
      assert.deepEqual(world.emu.admin.calls(), [], "nothing was read before the check");
    });

    it("is checked to be a GitHub API: the emulator's ECS root is not", async () => {
      const r = await runCommand("reap", [], { ...world.env, GITHUB_API_URL: world.env.ALIBABA_CLOUD_ECS_ENDPOINT }, world.tuning);
      assert.equal(r.code, 1);
      oneLine(r.stderr);
      assert.match(r.stderr, /^error: GITHUB_API_URL=http:\/\/127\.0\.0\.1:\d+ does not answer like a GitHub REST API \(HTTP \d+, no X-GitHub-Request-Id header\): .*\/api\/v3/);
    });

    it("refuses a value without a scheme, naming the variable", async () => {
      const r = await runCommand("list", [], { ...world.env, GITHUB_API_URL: "127.0.0.1:8080/api/v3" }, world.tuning);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: GITHUB_API_URL="127\.0\.0\.1:8080\/api\/v3" has no scheme: /);
    });
  });

  describe("a GitHub App configuration", () => {
    const APP_ID = 424242;
    const INSTALLATION_ID = 77;
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    const appScenario = (): Scenario => {
      const base = smallScenario();
      return { ...base, github: { ...base.github, tokens: [], apps: [{ appId: APP_ID, publicKey: keys.publicKey, installations: [{ installationId: INSTALLATION_ID, scopes: [base.github.repos[0]] }] }] } };
    };
    const appEnv = () => {
      const { GITHUB_TOKEN: _token, ...env } = world.env;
      return { ...env, GITHUB_APP_ID: String(APP_ID), GITHUB_APP_PRIVATE_KEY: keys.privateKey, GITHUB_APP_INSTALLATION_ID: String(INSTALLATION_ID) };
    };
    beforeEach(async () => {
      world = await startWorld({ scenario: appScenario() });
    });

    it("works when it is right", async () => {
      const r = await runCommand("list", ["--json", "--repo", "dianplus/openresty"], appEnv(), world.tuning);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(world.emu.admin.calls().some((c) => c.action === `POST /app/installations/${INSTALLATION_ID}/access_tokens` && c.status === 201));
    });

    it("with only GITHUB_APP_ID set, list fails naming the two missing variables (it used to exit 0)", async () => {
      const { GITHUB_TOKEN: _token, ...env } = world.env;
      const r = await runCommand("list", [], { ...env, GITHUB_APP_ID: String(APP_ID) }, world.tuning);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr, "error: GitHub App credentials are incomplete: GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID not set. " +
        "Set all of GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID, or unset them and use GITHUB_TOKEN.\n");
    });

    const wrong: [variable: string, value: string, message: RegExp][] = [
      ["GITHUB_APP_ID", "my-app", /^error: GITHUB_APP_ID="my-app" is not a GitHub App id/],
      ["GITHUB_APP_INSTALLATION_ID", "1e3", /^error: GITHUB_APP_INSTALLATION_ID="1e3" is not an installation id/],
      ["GITHUB_APP_PRIVATE_KEY", "ghp_not_a_key", /^error: GITHUB_APP_PRIVATE_KEY is not a PEM private key \(it has no -----BEGIN/],
      ["GITHUB_APP_PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----\\nAAAA\\n-----END RSA PRIVATE KEY-----", /^error: GITHUB_APP_PRIVATE_KEY is not a PEM private key \(it does not parse/],
    ];
    for (const [variable, value, message] of wrong) {
      it(`names ${variable} when it is ${JSON.stringify(value.slice(0, 20))}, before any call`, async () => {
        const r = await runCommand("list", [], { ...appEnv(), [variable]: value }, world.tuning);
        assert.equal(r.code, 1);
        oneLine(r.stderr);
        assert.match(r.stderr, message);
        assert.deepEqual(world.emu.admin.calls(), []);
      });
    }

    it("names GITHUB_APP_INSTALLATION_ID when GitHub knows no such installation", async () => {
      const r = await runCommand("list", ["--repo", "dianplus/openresty"], { ...appEnv(), GITHUB_APP_INSTALLATION_ID: "78" }, world.tuning);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /GitHub knows no installation 78 of this App \(404\) during list runners: check GITHUB_APP_INSTALLATION_ID/);
    });

    it("names GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY when GitHub refuses the App (another App's id)", async () => {
      const r = await runCommand("list", ["--repo", "dianplus/openresty"], { ...appEnv(), GITHUB_APP_ID: "424243" }, world.tuning);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /GitHub refused the GitHub App's credentials \(401 Integration not found\) during list runners: GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY/);
    });
  });

  describe("the region", () => {
    beforeEach(async () => {
      world = await startWorld();
    });

    it("--region \"\" is a usage error for every command, not the default region", async () => {
      for (const command of ["list", "reap"] as const) {
        const r = await runCommand(command, ["--region", ""], world.env, world.tuning);
        assert.equal(r.code, 2);
        assert.equal(r.stderr, `error: --region: empty; give a region id such as cn-hangzhou, or omit the flag for $SPOT_RUNNER_REGION or cn-hangzhou (see spot-runner ${command} --help)\n`);
      }
      const advise = await runCli(["advise", "--region", ""], { env: world.env });
      assert.equal(advise.code, 2);
      assert.deepEqual(world.emu.admin.calls(), []);
    });

    it("SPOT_RUNNER_REGION is read by advise as by list (one rule), and checked", async () => {
      const env = { ...world.env, SPOT_RUNNER_REGION: "cn-shanghai" };
      const list = await runCommand("list", [], env, world.tuning);
      const advise = await runCli(["advise"], { env, tuning: world.tuning });
      for (const r of [list, advise]) {
        assert.equal(r.code, 1);
        assert.match(r.stderr, /InvalidRegionId\.NotFound/);
      }
      const bad = await runCli(["advise"], { env: { ...world.env, SPOT_RUNNER_REGION: "Hangzhou" } });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^error: SPOT_RUNNER_REGION: "Hangzhou" is not a region id/);
    });
  });

  it("a usage error is one line pointing at the command's --help, never the whole help", async () => {
    for (const args of [["list", "--bogus"], ["reap", "--max-age"], ["frobnicate"], [], ["advise", "--limit", "99999999999999999999"]]) {
      const r = await runCli(args, { env: {} });
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.stdout, "");
      oneLine(r.stderr);
      assert.match(r.stderr, /^error: .* \(see spot-runner( \w+)? --help\)\n$/);
    }
    const help = await runCli(["list", "--help"], { env: {} });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: spot-runner list \[options\]/);
  });
});
