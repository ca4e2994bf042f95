import * as assert from "node:assert/strict";
import * as net from "node:net";
import { RunningEmulator, startEmulator } from "../../emulator";
import { smallScenario } from "../../emulator/scenario/small";
import { GitHubApiError, InvalidEnvironmentError } from "../../provider/errors";
import { createGitHubClient } from "../../provider/github/client";
import { githubApiUrlFromEnv, unreachableReason } from "../../provider/github/endpoint";
import { createRunnerApi, GitHubScope } from "../../provider/github/runners";

const REPO: GitHubScope = { kind: "repo", owner: "dianplus", repo: "openresty" };

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("GitHub client", () => {
  describe("githubApiUrlFromEnv", () => {
    it("defaults to api.github.com and drops a trailing slash", () => {
      assert.equal(githubApiUrlFromEnv({}), "https://api.github.com");
      assert.equal(githubApiUrlFromEnv({ GITHUB_API_URL: " http://127.0.0.1:8080/api/v3/ " }), "http://127.0.0.1:8080/api/v3");
    });

    it("refuses a value without a scheme or with another one, naming the variable", () => {
      for (const [value, message] of [["ghe.example.com/api/v3", /has no scheme/], ["ftp://x/api/v3", /must use http:\/\/ or https:\/\//]] as const) {
        assert.throws(() => githubApiUrlFromEnv({ GITHUB_API_URL: value }),
          (err: unknown) => err instanceof InvalidEnvironmentError && err.variable === "GITHUB_API_URL" && message.test(err.message));
      }
    });
  });

  it("sees through Octokit's RequestError and fetch's TypeError to the socket error", () => {
    const refused = Object.assign(new Error("fetch failed"), { status: 500, cause: Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }) });
    assert.equal(unreachableReason(refused), "connection refused, nothing listens there (ECONNREFUSED)");
    assert.equal(unreachableReason(Object.assign(new Error("Server Error"), { status: 500 })), undefined);
  });

  it("does not retry an API URL nothing listens on (it used to retry for half a minute), and names the variable", async () => {
    const port = await closedPort();
    const notices: string[] = [];
    const api = createRunnerApi(() => createGitHubClient({
      env: { GITHUB_TOKEN: "ghp_x", GITHUB_API_URL: `http://127.0.0.1:${port}/api/v3` },
      retries: 4, retryBaseMs: 1000, onRetry: (line) => notices.push(line),
    }));
    await assert.rejects(api.listRunners(REPO), (err: unknown) => {
      assert.ok(err instanceof GitHubApiError && err.kind === "unreachable", String(err));
      assert.match(err.message, new RegExp(`^GitHub list runners for dianplus/openresty: cannot reach http://127\\.0\\.0\\.1:${port}: connection refused.*It comes from GITHUB_API_URL`));
      return true;
    });
    assert.deepEqual(notices, []);
  });

  describe("against the emulator", () => {
    let emu: RunningEmulator;
    beforeEach(async () => {
      emu = await startEmulator({ scenario: smallScenario(), clock: "manual" });
    });
    afterEach(async () => emu.close());

    it("retries a server error and says so before waiting", async () => {
      emu.admin.addFault({ action: "github:GET /repos/*/*/actions/runners", status: 502, times: 1 });
      const notices: string[] = [];
      const api = createRunnerApi(() => createGitHubClient({ env: emu.env, retries: 2, retryBaseMs: 1, throttle: false, onRetry: (line) => notices.push(line) }));
      assert.deepEqual(await api.listRunners(REPO), []);
      assert.equal(notices.length, 1);
      assert.match(notices[0], /^GitHub GET \/repos\/\{owner\}\/\{repo\}\/actions\/runners failed \(HTTP 502: .*\), attempt 1$/);
    });
  });
});
