import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { Octokit } from "@octokit/rest";
import { startEmulator, RunningEmulator } from "../../emulator";
import { ecsClient, GH_OTHER_TOKEN, GH_TOKEN, IMAGE_ARM, IMAGE_X86, rejection, SG, tinyScenario, VSW_B, VSW_K, zoneOf } from "./fixtures";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("emulator: GitHub self-hosted runner API", () => {
  let emu: RunningEmulator;
  let gh: Octokit;
  before(async () => {
    emu = await startEmulator({ scenario: tinyScenario(), clock: "manual" });
    gh = new Octokit({ auth: GH_TOKEN, baseUrl: emu.githubApiUrl, log: quiet });
  });
  after(() => emu.close());
  beforeEach(() => emu.admin.reset());

  const jit = (name: string, labels = ["spot-x64-1"]) =>
    gh.actions.generateRunnerJitconfigForRepo({ owner: "acme", repo: "app", name, runner_group_id: 1, labels, work_folder: "_work" });

  it("authenticates tokens: 401 without or with a bad token, 403 outside the token's scope, 404 for an unknown repository", async () => {
    const anonymous = new Octokit({ baseUrl: emu.githubApiUrl, log: quiet });
    const none = await rejection(() => anonymous.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app" }));
    assert.deepEqual([none.status, none.response.data.message], [401, "Requires authentication"]);
    const bad = new Octokit({ auth: "ghp_wrong", baseUrl: emu.githubApiUrl, log: quiet });
    const err = await rejection(() => bad.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app" }));
    assert.deepEqual([err.status, err.response.data.message], [401, "Bad credentials"]);
    const other = new Octokit({ auth: GH_OTHER_TOKEN, baseUrl: emu.githubApiUrl, log: quiet });
    const forbidden = await rejection(() => other.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app" }));
    assert.deepEqual([forbidden.status, forbidden.response.data.message], [403, "Resource not accessible by personal access token"]);
    const missing = await rejection(() => gh.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "nope" }));
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys(missing.response.data).sort(), ["documentation_url", "message", "status"]);
    assert.deepEqual([missing.response.data.message, missing.response.data.status], ["Not Found", "404"]);
    // The organization scope of a token covers its repositories; "Bearer" works as well as "token".
    for (const scheme of ["token", "Bearer"]) {
      const res = await fetch(`${emu.githubApiUrl}/orgs/acme/actions/runners`, { headers: { authorization: `${scheme} ${GH_TOKEN}` } });
      assert.equal(res.status, 200);
      const wrong = await fetch(`${emu.githubApiUrl}/orgs/acme/actions/runners`, { headers: { authorization: `${scheme} ghp_wrong` } });
      assert.equal(wrong.status, 401);
    }
  });

  it("issues JIT configs (201), unique and shaped like GitHub's, and refuses duplicates (409) and invalid bodies (422)", async () => {
    const a = await jit("runner-a", ["self-hosted", "spot-a"]);
    const b = await jit("runner-b");
    assert.equal(a.status, 201);
    assert.deepEqual(
      { name: a.data.runner.name, os: a.data.runner.os, status: a.data.runner.status, busy: a.data.runner.busy },
      { name: "runner-a", os: "unknown", status: "offline", busy: false },
    );
    assert.deepEqual(a.data.runner.labels.map((l) => [l.name, l.type]), [["self-hosted", "read-only"], ["spot-a", "custom"]]);
    assert.notEqual(a.data.encoded_jit_config, b.data.encoded_jit_config);
    const files = JSON.parse(Buffer.from(a.data.encoded_jit_config, "base64").toString("utf8"));
    assert.deepEqual(Object.keys(files).sort(), [".credentials", ".credentials_rsaparams", ".runner"]);
    assert.equal(JSON.parse(Buffer.from(files[".runner"], "base64").toString("utf8")).agentName, "runner-a");

    const dup = await rejection(() => jit("runner-a"));
    assert.equal(dup.status, 409);
    for (const body of [{ runner_group_id: 1, labels: ["x"] }, { name: "n", labels: ["x"] }, { name: "n", runner_group_id: 1 }, { name: "n", runner_group_id: 1, labels: [] }]) {
      const err = await rejection(() => gh.request("POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig", { owner: "acme", repo: "app", ...body } as never));
      assert.equal(err.status, 422, JSON.stringify(body));
    }
    // An unknown runner group is 404 (what GitHub answers), not a validation error.
    const group = await rejection(() => gh.actions.generateRunnerJitconfigForRepo({ owner: "acme", repo: "app", name: "g", runner_group_id: 3, labels: ["x"] }));
    assert.equal(group.status, 404);
    const org = await gh.actions.generateRunnerJitconfigForOrg({ org: "acme", name: "org-runner", runner_group_id: 3, labels: ["spot"] });
    assert.equal(org.status, 201);
    assert.equal((await gh.actions.getSelfHostedRunnerForOrg({ org: "acme", runner_id: org.data.runner.id })).data.name, "org-runner");
  });

  it("issues registration tokens at both levels", async () => {
    for (const res of [await gh.actions.createRegistrationTokenForRepo({ owner: "acme", repo: "app" }), await gh.actions.createRegistrationTokenForOrg({ org: "acme" })]) {
      assert.equal(res.status, 201);
      assert.match(res.data.token, /^A[A-Z0-9]{28}$/);
      assert.equal(res.data.expires_at, "2026-01-01T01:00:00.000+00:00");
    }
  });

  it("lists runners with per_page/page, a Link header Octokit can paginate, and a name filter; gets and deletes them", async () => {
    for (let i = 1; i <= 5; i++) await jit(`runner-${i}`);
    const first = await gh.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app", per_page: 2 });
    assert.equal(first.data.total_count, 5);
    assert.deepEqual(first.data.runners.map((r) => r.name), ["runner-1", "runner-2"]);
    assert.match(first.headers.link ?? "", /page=2>; rel="next"/);
    const all = await gh.paginate(gh.actions.listSelfHostedRunnersForRepo, { owner: "acme", repo: "app", per_page: 2 });
    assert.deepEqual(all.map((r) => r.name), ["runner-1", "runner-2", "runner-3", "runner-4", "runner-5"]);
    const named = await gh.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app", name: "runner-4" });
    assert.deepEqual([named.data.total_count, named.data.runners[0].name], [1, "runner-4"]);
    assert.equal((await gh.actions.listSelfHostedRunnersForOrg({ org: "acme" })).data.total_count, 0, "repository runners are not organization runners");

    const id = named.data.runners[0].id;
    assert.equal((await gh.actions.getSelfHostedRunnerForRepo({ owner: "acme", repo: "app", runner_id: id })).data.name, "runner-4");
    assert.equal((await rejection(() => gh.actions.getSelfHostedRunnerForOrg({ org: "acme", runner_id: id }))).status, 404);
    assert.equal((await gh.actions.deleteSelfHostedRunnerFromRepo({ owner: "acme", repo: "app", runner_id: id })).status, 204);
    assert.equal((await rejection(() => gh.actions.getSelfHostedRunnerForRepo({ owner: "acme", repo: "app", runner_id: id }))).status, 404);
    assert.equal((await rejection(() => gh.actions.deleteSelfHostedRunnerFromRepo({ owner: "acme", repo: "app", runner_id: id }))).status, 404);
  });

  describe("JIT runners on emulated instances", () => {
    const launch = async (userData: string | undefined, arm = false) => {
      const ecs = ecsClient(emu);
      const res = await ecs.runInstances(
        new $Ecs.RunInstancesRequest({
          regionId: "cn-hangzhou",
          imageId: arm ? IMAGE_ARM : IMAGE_X86,
          instanceType: arm ? "ecs.c8y.large" : "ecs.c7.large",
          securityGroupId: SG,
          vSwitchId: arm ? VSW_K : VSW_B,
          zoneId: zoneOf(arm ? VSW_K : VSW_B),
          spotStrategy: "SpotAsPriceGo",
          userData: userData === undefined ? undefined : Buffer.from(userData).toString("base64"),
        }),
      );
      return res.body!.instanceIdSets!.instanceIdSet![0];
    };
    const bootScript = (config: string) => `#!/bin/bash\nset -euo pipefail\n./run.sh --jitconfig '${config}'\n`;
    const runner = async (id: number) => (await gh.actions.getSelfHostedRunnerForRepo({ owner: "acme", repo: "app", runner_id: id })).data;
    const consoleText = async (instanceId: string) => {
      const out = await ecsClient(emu).getInstanceConsoleOutput(new $Ecs.GetInstanceConsoleOutputRequest({ regionId: "cn-hangzhou", instanceId }));
      return Buffer.from(out.body!.consoleOutput!, "base64").toString("utf8");
    };

    it("brings the runner online runnerOnlineMs after the instance is Running, and offline when it is released", async () => {
      const { data } = await jit("spot-x64-1", ["spot-x64-1"]);
      const instanceId = await launch(bootScript(data.encoded_jit_config));
      emu.clock.advance(15_000);
      assert.equal((await runner(data.runner.id)).status, "offline");
      emu.clock.advance(19_999);
      assert.equal((await runner(data.runner.id)).status, "offline");
      emu.clock.advance(1);
      const online = await runner(data.runner.id);
      assert.deepEqual([online.status, online.busy, online.os], ["online", false, "Linux"]);
      // Exactly the requested labels: GitHub adds no self-hosted/OS/arch label to a JIT runner when it connects.
      assert.deepEqual(online.labels.map((l) => [l.name, l.type]), [["spot-x64-1", "custom"]]);
      assert.match(await consoleText(instanceId), /runner registered as spot-x64-1/);

      await ecsClient(emu).deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId, force: true }));
      assert.equal((await runner(data.runner.id)).status, "offline");
    });

    it("adds no ARM64 label to a connected ARM64 runner, and also reads gzip-compressed user data", async () => {
      const { gzipSync } = await import("node:zlib");
      const { data } = await jit("spot-arm-1", ["spot-arm-1"]);
      const ecs = ecsClient(emu);
      const res = await ecs.runInstances(
        new $Ecs.RunInstancesRequest({
          regionId: "cn-hangzhou", imageId: IMAGE_ARM, instanceType: "ecs.c8y.large", securityGroupId: SG, vSwitchId: VSW_K, zoneId: zoneOf(VSW_K), spotStrategy: "SpotAsPriceGo",
          userData: gzipSync(bootScript(data.encoded_jit_config)).toString("base64"),
        }),
      );
      assert.ok(res.body!.instanceIdSets!.instanceIdSet![0]);
      emu.clock.advance(35_000);
      const online = await runner(data.runner.id);
      assert.equal(online.status, "online");
      assert.deepEqual(online.labels.map((l) => l.name), ["spot-arm-1"]);
    });

    it("uses a JIT config once: a second instance with the same config does not register", async () => {
      const { data } = await jit("spot-once");
      const first = await launch(bootScript(data.encoded_jit_config));
      emu.clock.advance(1_000);
      const second = await launch(bootScript(data.encoded_jit_config));
      emu.clock.advance(40_000);
      assert.equal((await runner(data.runner.id)).status, "online");
      assert.match(await consoleText(first), /registered as spot-once/);
      assert.match(await consoleText(second), /JIT config rejected \(already used or runner deleted\)/);
      await ecsClient(emu).deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: second, force: true }));
      assert.equal((await runner(data.runner.id)).status, "online", "the rejected instance going away does not affect the runner");
    });

    it("never brings a runner online when it was deleted before the instance booted", async () => {
      const { data } = await jit("spot-deleted");
      const instanceId = await launch(bootScript(data.encoded_jit_config));
      await gh.actions.deleteSelfHostedRunnerFromRepo({ owner: "acme", repo: "app", runner_id: data.runner.id });
      emu.clock.advance(60_000);
      assert.equal((await gh.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app" })).data.total_count, 0);
      assert.match(await consoleText(instanceId), /JIT config rejected/);
      assert.equal(emu.admin.state().instances[0].runner, "rejected");
    });

    it("refuses to delete a runner that is running a job (422)", async () => {
      const { data } = await jit("spot-busy");
      await launch(bootScript(data.encoded_jit_config));
      emu.clock.advance(35_000);
      emu.admin.updateRunner(data.runner.id, { busy: true });
      const busy = await rejection(() => gh.actions.deleteSelfHostedRunnerFromRepo({ owner: "acme", repo: "app", runner_id: data.runner.id }));
      assert.equal(busy.status, 422);
      emu.admin.updateRunner(data.runner.id, { busy: false });
      assert.equal((await gh.actions.deleteSelfHostedRunnerFromRepo({ owner: "acme", repo: "app", runner_id: data.runner.id })).status, 204);
    });
  });
});
