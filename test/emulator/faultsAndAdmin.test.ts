import * as assert from "node:assert/strict";
import * as $Ecs from "@alicloud/ecs20140526";
import { Octokit } from "@octokit/rest";
import { startEmulator, RunningEmulator } from "../../emulator";
import { ecsClient, GH_TOKEN, IMAGE_X86, LISTING_DELAY_MS, rejection, ROOT_KEY, SG, tinyScenario, VSW_B, zoneOf } from "./fixtures";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("emulator: faults, call log and admin API", () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof ecsClient>;
  before(async () => {
    emu = await startEmulator({ scenario: tinyScenario(), clock: "manual" });
    ecs = ecsClient(emu);
  });
  after(() => emu.close());
  beforeEach(() => emu.admin.reset());

  const launchRequest = (overrides: Partial<$Ecs.RunInstancesRequest> = {}) =>
    new $Ecs.RunInstancesRequest({ regionId: "cn-hangzhou", imageId: IMAGE_X86, instanceType: "ecs.c7.large", securityGroupId: SG, vSwitchId: VSW_B, zoneId: zoneOf(overrides.vSwitchId ?? VSW_B), spotStrategy: "SpotAsPriceGo", ...overrides });
  const instances = async () => (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: "cn-hangzhou" }))).body!.instances!.instance!;
  const zones = () => ecs.describeZones(new $Ecs.DescribeZonesRequest({ regionId: "cn-hangzhou" }));

  describe("faults", () => {
    it("fails the given number of calls, only those matching, then stops", async () => {
      emu.admin.addFault({ action: "RunInstances", code: "OperationDenied.NoStock", times: 2, match: { ZoneId: "cn-hangzhou-k" } });
      await ecs.runInstances(launchRequest());
      for (let i = 0; i < 2; i++) {
        const err = await rejection(() => ecs.runInstances(launchRequest({ zoneId: "cn-hangzhou-k", vSwitchId: "vsw-bpnothere" })));
        assert.deepEqual([err.code, err.statusCode], ["OperationDenied.NoStock", 403]);
      }
      const after = await rejection(() => ecs.runInstances(launchRequest({ zoneId: "cn-hangzhou-k", vSwitchId: "vsw-bpnothere" })));
      assert.equal(after.code, "InvalidVSwitchId.NotExist", "the fault is used up; the real validation answers again");
      assert.deepEqual(emu.admin.state().faults, []);
    });

    it("keeps failing with times -1 until cleared", async () => {
      const fault = emu.admin.addFault({ action: "*", code: "Throttling.Api", times: -1 });
      for (let i = 0; i < 3; i++) assert.equal((await rejection(zones)).name, "ThrottlingError");
      assert.equal(emu.admin.state().faults[0].fired, 3);
      emu.admin.removeFault(fault.id);
      await zones();
    });

    it("adds real-time latency (enough to trip a client's read timeout)", async () => {
      emu.admin.addFault({ action: "DescribeZones", latencyMs: 150 });
      const started = Date.now();
      await zones();
      assert.ok(Date.now() - started >= 150);
      // Its own emulator: the delayed call finishes on the server after the client gave up, and close() ends it
      // before it could show up in another test's call log.
      const slow = await startEmulator({ scenario: tinyScenario(), clock: "manual" });
      try {
        slow.admin.addFault({ action: "DescribeZones", latencyMs: 400 });
        const impatient = ecsClient(slow, ROOT_KEY, { timeoutMs: 100 });
        const err = await rejection(() => impatient.describeZones(new $Ecs.DescribeZonesRequest({ regionId: "cn-hangzhou" })));
        assert.equal(err.name, "RequestTimeoutError");
      } finally {
        await slow.close();
      }
    });

    it("afterCommit: RunInstances creates the instance and the answer is lost; the ClientToken retry finds it", async () => {
      emu.admin.addFault({ action: "RunInstances", effect: "afterCommit" });
      const lost = await rejection(() => ecs.runInstances(launchRequest({ clientToken: "lost-1" })));
      assert.match(`${lost.name} ${lost.message}`, /socket hang up|ECONNRESET/);
      emu.clock.advance(LISTING_DELAY_MS);
      const [created] = await instances();
      assert.ok(created, "the instance exists although the caller never heard of it");
      const retry = await ecs.runInstances(launchRequest({ clientToken: "lost-1" }));
      assert.deepEqual(retry.body!.instanceIdSets!.instanceIdSet, [created.instanceId]);
      assert.equal((await instances()).length, 1);
      const log = emu.admin.calls().filter((c) => c.action === "RunInstances");
      assert.deepEqual(log.map((c) => [c.status, c.fault?.effect]), [[null, "afterCommit"], [200, undefined]]);
    });

    it("vanish: RunInstances succeeds, the instance disappears while starting, and its stock comes back", async () => {
      emu.admin.addFault({ action: "RunInstances", effect: "vanish" });
      const id = (await ecs.runInstances(launchRequest())).body!.instanceIdSets!.instanceIdSet![0];
      emu.clock.advance(LISTING_DELAY_MS);
      assert.equal((await instances())[0].status, "Pending");
      emu.clock.advance(5_000 - LISTING_DELAY_MS);
      assert.equal((await instances())[0].status, "Starting");
      emu.clock.advance(5_000);
      assert.deepEqual(await instances(), []);
      const del = await rejection(() => ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true })));
      assert.equal(del.code, "InvalidInstanceId.NotFound");
      assert.equal(emu.admin.state().stock.find((s) => s.zoneId === "cn-hangzhou-b" && s.instanceTypeId === "ecs.c7.large")?.spotStock, 2);
    });

    it("drop: the connection closes without an answer and nothing happens", async () => {
      emu.admin.addFault({ action: "RunInstances", effect: "drop" });
      const err = await rejection(() => ecs.runInstances(launchRequest()));
      assert.match(`${err.name} ${err.message}`, /socket hang up|ECONNRESET/);
      assert.deepEqual(await instances(), []);
    });

    it("applies to GitHub routes: an error, and a JIT config created but lost", async () => {
      const gh = new Octokit({ auth: GH_TOKEN, baseUrl: emu.githubApiUrl, log: quiet });
      emu.admin.addFault({ action: "github:POST /repos/*/*/actions/runners/generate-jitconfig", status: 503, message: "Service Unavailable" });
      const jit = () => gh.actions.generateRunnerJitconfigForRepo({ owner: "acme", repo: "app", name: "r1", runner_group_id: 1, labels: ["x"] });
      const err = await rejection(jit);
      assert.deepEqual([err.status, err.response.data.message], [503, "Service Unavailable"]);
      emu.admin.addFault({ action: "github:POST /repos/acme/app/actions/runners/*", effect: "afterCommit" });
      await rejection(jit);
      assert.equal((await gh.actions.listSelfHostedRunnersForRepo({ owner: "acme", repo: "app" })).data.total_count, 1);
      assert.equal((await rejection(jit)).status, 409);
    });

    it("refuses malformed faults with a message saying what is wrong", () => {
      assert.throws(() => emu.admin.addFault({ action: "DescribeZones", effect: "vanish" }), /vanish only applies to RunInstances/);
      assert.throws(() => emu.admin.addFault({ action: "RunInstances", times: 0 }), /times must be/);
      assert.throws(() => emu.admin.addFault({ action: "RunInstances", latencyMs: 10_000_000 }), /latencyMs/);
    });
  });

  describe("call log", () => {
    it("records every call with its outcome and never a secret", async () => {
      const gh = new Octokit({ auth: GH_TOKEN, baseUrl: emu.githubApiUrl, log: quiet });
      const { data } = await gh.actions.generateRunnerJitconfigForRepo({ owner: "acme", repo: "app", name: "r1", runner_group_id: 1, labels: ["x"] });
      const userData = Buffer.from(`#!/bin/bash\n./run.sh --jitconfig ${data.encoded_jit_config}\n`).toString("base64");
      await ecs.runInstances(launchRequest({ userData, password: "Sup3rSecret!" }));
      await rejection(() => ecsClient(emu, ROOT_KEY, { v2: true }).deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: "i-bpnothere000000000000" })));
      await rejection(() => ecsClient(emu, { ...ROOT_KEY, accessKeySecret: "wrong" }).describeRegions(new $Ecs.DescribeRegionsRequest({})));

      const calls = emu.admin.calls();
      assert.deepEqual(
        calls.map((c) => [c.api, c.action, c.status, c.code]),
        [
          ["github", "POST /repos/acme/app/actions/runners/generate-jitconfig", 201, undefined],
          ["ecs", "RunInstances", 200, undefined],
          ["ecs", "DeleteInstance", 404, "InvalidInstanceId.NotFound"],
          ["ecs", "DescribeRegions", 400, "SignatureDoesNotMatch"],
        ],
      );
      const run = calls[1];
      assert.equal(run.accessKeyId, ROOT_KEY.accessKeyId);
      assert.equal(run.time, "2026-01-01T00:00:00Z");
      assert.equal(run.params.InstanceType, "ecs.c7.large");
      assert.match(String(run.params.UserData), /^<redacted \d+ chars>$/);
      assert.ok(calls.every((c, i) => c.seq > (calls[i - 1]?.seq ?? 0) && c.durationMs >= 0));
      const text = JSON.stringify(calls);
      for (const secret of [ROOT_KEY.accessKeySecret, GH_TOKEN, data.encoded_jit_config, userData, "Sup3rSecret!"]) assert.ok(!text.includes(secret), "a secret leaked into the call log");
      assert.ok(!/Signature/.test(Object.keys(calls[2].params).join(",")), "signature fields are not logged");
    });
  });

  describe("admin API over HTTP", () => {
    const admin = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${emu.ecsEndpoint}/_emulator/${route}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
      return { status: res.status, body: (await res.json()) as any };
    };

    it("shows state, moves the clock, sets stock and prices, reclaims, updates runners, and resets", async () => {
      const id = (await ecs.runInstances(launchRequest())).body!.instanceIdSets!.instanceIdSet![0];
      let state = (await admin("GET", "state")).body!;
      assert.equal(state.clock.now, "2026-01-01T00:00:00Z");
      assert.deepEqual(state.instances.map((i: any) => [i.instanceId, i.status, i.runner]), [[id, "Pending", "pending"]]);
      assert.deepEqual((await admin("POST", "clock", { advanceMs: 15_000 })).body, { now: "2026-01-01T00:00:15Z" });
      assert.equal((await admin("POST", `instances/${id}/reclaim`)).status, 200);
      state = (await admin("GET", "state")).body!;
      assert.deepEqual(state.instances[0].locks, ["Recycling"]);
      assert.equal((await admin("POST", "stock", { regionId: "cn-hangzhou", zoneId: "cn-hangzhou-b", instanceTypeId: "ecs.c7.large", spotStock: 0 })).status, 200);
      assert.equal((await rejection(() => ecs.runInstances(launchRequest()))).code, "OperationDenied.NoStock");
      assert.equal((await admin("POST", "prices", { regionId: "cn-hangzhou", zoneId: "cn-hangzhou-b", instanceTypeId: "ecs.c7.large", price: 0.2 })).status, 200);
      assert.equal((await admin("GET", "state")).body!.stock.find((s: any) => s.zoneId === "cn-hangzhou-b" && s.instanceTypeId === "ecs.c7.large").spotPrice, 0.2);

      const gh = new Octokit({ auth: GH_TOKEN, baseUrl: emu.githubApiUrl, log: quiet });
      const { data } = await gh.actions.generateRunnerJitconfigForRepo({ owner: "acme", repo: "app", name: "r1", runner_group_id: 1, labels: ["x"] });
      const updated = await admin("POST", `runners/${data.runner.id}`, { busy: true, status: "online" });
      assert.deepEqual([updated.body.runner.busy, updated.body.runner.status], [true, "online"]);

      const faults = await admin("POST", "faults", [{ action: "DescribeZones", code: "InternalError" }, { action: "DescribeRegions", status: 503 }]);
      assert.deepEqual(faults.body.faults.map((f: any) => [f.id.startsWith("f"), f.remaining]), [[true, 1], [true, 1]]);
      assert.equal((await admin("DELETE", "faults")).status, 200);
      await zones();
      assert.ok((await admin("GET", "calls")).body!.calls.length > 0);

      assert.equal((await admin("POST", "reset")).status, 200);
      state = (await admin("GET", "state")).body!;
      assert.deepEqual([state.instances, state.runners, state.faults, state.clock.now], [[], [], [], "2026-01-01T00:00:00Z"]);
      assert.deepEqual((await admin("GET", "calls")).body!.calls, []);
      assert.equal(state.stock.find((s: any) => s.zoneId === "cn-hangzhou-b" && s.instanceTypeId === "ecs.c7.large").spotStock, 2);
    });

    it("replaces the scenario, refusing an invalid one, and answers 400/404 with a reason", async () => {
      const replaced = await admin("POST", "scenario", tinyScenario({ description: "replaced", startTime: "2026-06-01T00:00:00Z" }));
      assert.equal(replaced.status, 200);
      const state = (await admin("GET", "state")).body!;
      assert.deepEqual([state.description, state.clock.now], ["replaced", "2026-06-01T00:00:00Z"]);
      const invalid = await admin("POST", "scenario", { accountId: 5 });
      assert.equal(invalid.status, 400);
      assert.match(invalid.body.error, /accountId|regions/);
      assert.equal((await admin("POST", "faults", { action: "" })).status, 400);
      assert.equal((await admin("POST", "instances/i-nothere/reclaim")).status, 404);
      assert.equal((await admin("GET", "nothing")).status, 404);
      assert.equal((await admin("POST", "stock", { regionId: "cn-hangzhou", zoneId: "cn-hangzhou-b", instanceTypeId: "ecs.c8y.large", spotStock: 1 })).status, 404);
    });

    it("refuses to move the real clock", async () => {
      const real = await startEmulator({ scenario: tinyScenario() });
      try {
        const res = await fetch(`${real.ecsEndpoint}/_emulator/clock`, { method: "POST", body: JSON.stringify({ advanceMs: 1000 }) });
        assert.equal(res.status, 400);
        assert.throws(() => real.clock.advance(1000), /real clock/);
        assert.throws(() => real.admin.advanceClock(1000), /real clock/);
        assert.ok(Math.abs(real.clock.now() - Date.now()) < 5_000);
      } finally {
        await real.close();
      }
    });
  });

  it("close() ends open connections and pending fault delays at once", async () => {
    const other = await startEmulator({ scenario: tinyScenario(), clock: "manual" });
    other.admin.addFault({ action: "DescribeRegions", latencyMs: 60_000 });
    const pending = rejection(() => ecsClient(other, ROOT_KEY, { timeoutMs: 90_000 }).describeRegions(new $Ecs.DescribeRegionsRequest({})));
    // The one-shot fault is used up when the request arrives: from then on the server holds an open
    // connection and a pending delay.
    try {
      for (let polls = 0; polls < 100_000 && other.admin.state().faults.length > 0; polls++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(other.admin.state().faults.length, 0, "the request reached the emulator");
      const started = Date.now();
      await other.close();
      assert.ok(Date.now() - started < 2_000);
    } finally {
      await other.close();
      await pending;
    }
  });
});
