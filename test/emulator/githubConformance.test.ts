import * as assert from "node:assert/strict";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { startEmulator, RunningEmulator } from "../../emulator";
import { GH_TOKEN, rejection, tinyScenario } from "./fixtures";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ThrottledOctokit = Octokit.plugin(throttling);
const LIST = "github:GET /repos/*/*/actions/runners";

describe("emulator: GitHub behaves as the real API does", () => {
  let emu: RunningEmulator;
  let gh: Octokit;
  before(async () => {
    emu = await startEmulator({ scenario: tinyScenario(), clock: "manual" });
    gh = new Octokit({ auth: GH_TOKEN, baseUrl: emu.githubApiUrl, log: quiet });
  });
  after(() => emu.close());
  beforeEach(() => emu.admin.reset());

  const list = (client: Octokit) => client.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app" });

  /** What @octokit/plugin-throttling makes of an answer: which handler it calls, and with what wait (seconds). */
  async function throttleSeen(): Promise<{ secondary: number[]; primary: number[]; status: number }> {
    const seen = { secondary: [] as number[], primary: [] as number[] };
    const client = new ThrottledOctokit({
      auth: GH_TOKEN,
      baseUrl: emu.githubApiUrl,
      log: quiet,
      // Report the wait, never retry: the test is about the answer, not the plugin's sleeping.
      throttle: {
        onSecondaryRateLimit: (after: number) => void seen.secondary.push(after),
        onRateLimit: (after: number) => void seen.primary.push(after),
      },
    });
    const err = await rejection(() => list(client));
    return { ...seen, status: err.status };
  }

  it("answers an unknown runner group 404, as GitHub does", async () => {
    for (const call of [
      () => gh.actions.generateRunnerJitconfigForRepo({ owner: "acme", repo: "app", name: "r", runner_group_id: 2, labels: ["r"] }),
      () => gh.actions.generateRunnerJitconfigForOrg({ org: "acme", name: "r", runner_group_id: 99, labels: ["r"] }),
    ]) {
      const err = await rejection(call);
      assert.deepEqual([err.status, err.response.data.message, err.response.data.status], [404, "Not Found", "404"]);
    }
    assert.deepEqual(emu.admin.state().runners, []);
  });

  it("a 429 fault is a secondary rate limit: the message says so and Retry-After gives the wait in seconds", async () => {
    emu.admin.addFault({ action: LIST, status: 429, retryAfterSeconds: 7 });
    const err = await rejection(() => list(gh));
    assert.equal(err.status, 429);
    assert.equal(err.response.headers["retry-after"], "7");
    assert.match(err.response.data.message, /secondary rate limit/);
    emu.admin.addFault({ action: LIST, status: 429, retryAfterSeconds: 7 });
    assert.deepEqual(await throttleSeen(), { secondary: [7], primary: [], status: 429 });
  });

  it("a secondary-rate-limit fault answers 403 with Retry-After (60 s unless given)", async () => {
    emu.admin.addFault({ action: LIST, code: "secondary-rate-limit" });
    const err = await rejection(() => list(gh));
    assert.deepEqual([err.status, err.response.headers["retry-after"]], [403, "60"]);
    emu.admin.addFault({ action: LIST, code: "secondary-rate-limit" });
    assert.deepEqual(await throttleSeen(), { secondary: [60], primary: [], status: 403 });
  });

  it("a rate-limit fault is the primary limit: 403 with x-ratelimit-remaining 0 and the reset time", async () => {
    emu.admin.addFault({ action: LIST, code: "rate-limit", retryAfterSeconds: 30 });
    const err = await rejection(() => list(gh));
    assert.deepEqual([err.status, err.response.headers["x-ratelimit-remaining"]], [403, "0"]);
    const reset = Number(err.response.headers["x-ratelimit-reset"]);
    assert.ok(Math.abs(reset - (Math.floor(Date.now() / 1000) + 30)) <= 2, `reset ${reset} is 30 s from now`);
    emu.admin.addFault({ action: LIST, code: "rate-limit", retryAfterSeconds: 30 });
    const seen = await throttleSeen();
    assert.deepEqual([seen.secondary, seen.primary.length, seen.status], [[], 1, 403]);
  });

  it("other GitHub faults carry no rate-limit headers", async () => {
    emu.admin.addFault({ action: LIST, status: 503, message: "Service Unavailable" });
    const err = await rejection(() => list(gh));
    assert.equal(err.status, 503);
    assert.equal(err.response.headers["retry-after"], undefined);
    assert.equal(err.response.headers["x-ratelimit-remaining"], "4999");
  });
});
