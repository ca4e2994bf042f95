import * as assert from "node:assert/strict";
import type { InstanceInfo } from "../../provider/aliyun/instances";
import type { GitHubScope, RunnerInfo } from "../../provider/github/runners";
import {
  decideInstance,
  defaultReapPolicy,
  formatDuration,
  GitHubView,
  parseRepository,
  parseRunnerName,
  planReap,
  ReapPolicy,
  ReapSnapshot,
  runnerViewOf,
  scopeOfInstance,
  scopesToList,
} from "../../provider/reaper";
import { stackRunnerLabel } from "../../provider/contract/names";
import { MANAGED_BY_VALUE, TAG_KEYS } from "../../provider/tags";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const MIN = 60_000;
const REPO: GitHubScope = { kind: "repo", owner: "dianplus", repo: "openresty" };
const OTHER_REPO: GitHubScope = { kind: "repo", owner: "dianplus", repo: "other" };
const POLICY = defaultReapPolicy();

/** ECS shows times to the minute, without seconds. */
function ecsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/:\d{2}\.\d{3}Z$/, "Z");
}

/** A generated runner name made `agoMin` minutes before NOW. */
function runnerName(agoMin: number, suffix: string, prefix = "openresty"): string {
  const stamp = new Date(NOW - agoMin * MIN).toISOString().replace(/[-:T]/g, "").slice(0, 12);
  return `${prefix}-arm64-${stamp}-${suffix}`;
}

let ids = 0;
interface InstanceOptions {
  ageMin?: number | null;
  status?: string;
  /** Minutes from NOW to AutoReleaseTime (negative: past); null for none. Default: 120 after creation. */
  releaseInMin?: number | null;
  runner?: string | null;
  stack?: string;
  prefix?: string;
  scopeTag?: string;
}
function instance(o: InstanceOptions = {}): InstanceInfo {
  const ageMin = o.ageMin === undefined ? 60 : o.ageMin;
  const created = ageMin === null ? undefined : NOW - ageMin * MIN;
  const releaseIn = o.releaseInMin === undefined ? (ageMin === null ? 60 : 120 - ageMin) : o.releaseInMin;
  const id = `i-test${String(++ids).padStart(4, "0")}`;
  const tags: Record<string, string> = {
    [TAG_KEYS.managedBy]: MANAGED_BY_VALUE,
    [TAG_KEYS.prefix]: o.prefix ?? "openresty",
    [TAG_KEYS.arch]: "arm64",
    [TAG_KEYS.githubScope]: o.scopeTag ?? "dianplus/openresty",
  };
  const runner = o.runner === undefined ? runnerName(ageMin ?? 60, id.slice(-4)) : o.runner;
  if (runner !== null) tags[TAG_KEYS.runnerName] = runner;
  if (o.stack) tags[TAG_KEYS.stack] = o.stack;
  return {
    instanceId: id,
    instanceName: "openresty-arm64-spot-x",
    status: o.status ?? "Running",
    instanceType: "ecs.c8y.2xlarge",
    zoneId: "cn-hangzhou-j",
    cpu: 8,
    memoryMiB: 16384,
    ...(created !== undefined ? { creationTime: ecsTime(created) } : {}),
    ...(releaseIn !== null ? { autoReleaseTime: ecsTime(NOW + releaseIn * MIN) } : {}),
    spotStrategy: "SpotWithPriceLimit",
    spotPriceLimit: 0.24,
    tags,
    lockReasons: [],
  };
}

let runnerIds = 100;
function runner(name: string, state: { status?: "online" | "offline"; busy?: boolean } = {}): RunnerInfo {
  return { id: ++runnerIds, name, status: state.status ?? "offline", busy: state.busy ?? false, labels: [name] };
}

function runnerOf(i: InstanceInfo, state: { status?: "online" | "offline"; busy?: boolean }): RunnerInfo {
  return runner(i.tags[TAG_KEYS.runnerName], state);
}

function github(...scopes: { scope?: GitHubScope; runners?: RunnerInfo[]; error?: string }[]): GitHubView {
  return { available: true, scopes: scopes.map((s) => ({ scope: s.scope ?? REPO, ...(s.runners ? { runners: s.runners } : {}), ...(s.error ? { error: s.error } : {}) })) };
}

function snapshot(instances: InstanceInfo[], view: GitHubView): ReapSnapshot {
  return { regionId: "cn-hangzhou", instances, github: view };
}

const NO_TOKEN: GitHubView = { available: false, reason: "GitHub credentials are not set: set GITHUB_TOKEN." };

describe("reaper planning (pure)", () => {
  describe("an instance", () => {
    type RunnerSetup = { status?: "online" | "offline"; busy?: boolean } | "missing" | "no-token" | "list-error";
    const rows: { name: string; instance: InstanceOptions; runner: RunnerSetup; policy?: Partial<ReapPolicy>; expect: [string, string]; detail?: RegExp }[] = [
      { name: "of the stack being swept goes at any age, busy runner or not", instance: { ageMin: 1, stack: "gha-7-1-arm64" },
        runner: { status: "online", busy: true }, policy: { stack: "gha-7-1-arm64" }, expect: ["release", "stack-sweep"], detail: /stack gha-7-1-arm64, which is being torn down/ },
      { name: "that is Stopped goes even when young", instance: { ageMin: 2, status: "Stopped" }, runner: "missing",
        expect: ["release", "stopped"], detail: /powered it off.*still bills its disk/ },
      { name: "past its AutoReleaseTime goes even with a busy runner", instance: { ageMin: 130, releaseInMin: -10 },
        runner: { status: "online", busy: true }, expect: ["release", "expired"], detail: /past its AutoReleaseTime .* by 10m: the cloud-side TTL did not release it/ },
      { name: "whose AutoReleaseTime is exactly now goes", instance: { ageMin: 120, releaseInMin: 0 }, runner: { status: "online" }, expect: ["release", "expired"] },
      { name: "older than the maximum age goes even with an online runner", instance: { ageMin: 13 * 60, releaseInMin: 48 * 60 },
        runner: { status: "online" }, expect: ["release", "max-age"], detail: /13h 00m old, over the maximum age of 12h 00m$/ },
      { name: "without an AutoReleaseTime and past the maximum age goes, saying so", instance: { ageMin: 13 * 60, releaseInMin: null },
        runner: { status: "online" }, expect: ["release", "max-age"], detail: /it has no AutoReleaseTime/ },
      { name: "within the boot grace stays although its runner is offline", instance: { ageMin: 14 }, runner: { status: "offline" },
        expect: ["spare", "young"], detail: /14m old, within the 15m boot grace/ },
      { name: "exactly at the end of the boot grace is no longer young", instance: { ageMin: 15 }, runner: { status: "offline" }, expect: ["release", "runner-offline"] },
      { name: "with a custom boot grace stays longer", instance: { ageMin: 20 }, runner: "missing", policy: { bootGraceMs: 30 * MIN }, expect: ["spare", "young"] },
      { name: "with a busy runner stays", instance: {}, runner: { status: "online", busy: true }, expect: ["spare", "runner-busy"], detail: /running a job/ },
      { name: "with a busy runner GitHub already shows offline stays", instance: {}, runner: { status: "offline", busy: true }, expect: ["spare", "runner-busy"] },
      { name: "with an idle online runner stays (its job may be queued)", instance: {}, runner: { status: "online" }, expect: ["spare", "runner-online"] },
      { name: "whose runner cannot be checked without a token stays", instance: {}, runner: "no-token",
        expect: ["spare", "runner-unknown"], detail: /could not be checked \(no GitHub token\); not released on a guess/ },
      { name: "whose scope could not be listed stays", instance: {}, runner: "list-error",
        expect: ["spare", "runner-unknown"], detail: /GitHub error listing dianplus\/openresty/ },
      { name: "whose runner is not registered goes after the boot grace", instance: { ageMin: 40 }, runner: "missing",
        expect: ["release", "runner-missing"], detail: /40m old and its runner .* is not registered in dianplus\/openresty/ },
      { name: "whose runner is offline and idle goes after the boot grace", instance: { ageMin: 40 }, runner: { status: "offline" },
        expect: ["release", "runner-offline"], detail: /offline and idle: it never came online, or its job ended without pulumi destroy/ },
      { name: "of unknown age with an offline runner goes", instance: { ageMin: null }, runner: { status: "offline" },
        expect: ["release", "runner-offline"], detail: /^of unknown age/ },
    ];
    for (const row of rows) {
      it(row.name, () => {
        const i = instance(row.instance);
        const view: GitHubView =
          row.runner === "no-token" ? NO_TOKEN
            : row.runner === "list-error" ? github({ error: "GitHub list runners ... failed with HTTP 502" })
              : row.runner === "missing" ? github({ runners: [] })
                : github({ runners: [runnerOf(i, row.runner)] });
        const d = decideInstance(i, runnerViewOf(i, view), { ...POLICY, ...row.policy }, NOW);
        assert.deepEqual([d.action, d.reason], row.expect);
        if (row.detail) assert.match(d.detail, row.detail);
      });
    }

    it("without a runner tag stays (nothing to check), unless a backstop applies", () => {
      const bare = instance({ runner: null });
      const d = decideInstance(bare, runnerViewOf(bare, github({ runners: [] })), POLICY, NOW);
      assert.deepEqual([d.action, d.reason], ["spare", "no-runner-tag"]);
      const old = instance({ runner: null, ageMin: 13 * 60, releaseInMin: null });
      assert.equal(decideInstance(old, runnerViewOf(old, github({ runners: [] })), POLICY, NOW).reason, "max-age");
    });
  });

  describe("the runner an instance serves", () => {
    it("is missing only when every scope it could be in was listed", () => {
      const i = instance({ scopeTag: "" });
      assert.equal(runnerViewOf(i, github({ runners: [] }, { scope: OTHER_REPO, runners: [] })).state, "missing");
      assert.equal(runnerViewOf(i, github({ runners: [] }, { scope: OTHER_REPO, error: "HTTP 500" })).state, "unknown");
    });

    it("is looked up in the given scopes when the instance has no scope tag", () => {
      const i = instance({ scopeTag: "" });
      const view = runnerViewOf(i, github({ scope: OTHER_REPO, runners: [runnerOf(i, { status: "online" })] }));
      assert.equal(view.state, "online");
      assert.deepEqual(view.scope, OTHER_REPO);
    });

    it("is unknown when no scope is known at all", () => {
      const i = instance({ scopeTag: "" });
      const view = runnerViewOf(i, github());
      assert.deepEqual([view.state, view.why], ["unknown", "no GitHub scope: give --repo or --org"]);
    });

    it("is found by exact name only, and a case-different scope tag still matches its listing", () => {
      const i = instance({ scopeTag: "DianPlus/OpenResty" });
      const near = runner(`${i.tags[TAG_KEYS.runnerName]}x`, { status: "online" });
      assert.equal(runnerViewOf(i, github({ runners: [near] })).state, "missing");
    });
  });

  describe("runners", () => {
    const rows: { name: string; setup: () => { instances: InstanceInfo[]; runners: RunnerInfo[] }; policy?: Partial<ReapPolicy>; expect: [string, string] | "left alone"; detail?: RegExp }[] = [
      { name: "an offline idle runner of ours with no instance, past the grace, is deleted",
        setup: () => ({ instances: [], runners: [runner(runnerName(60, "aaaa"))] }), expect: ["delete", "orphan-offline"],
        detail: /offline and idle, registered 1h 00m ago, and no instance of ours in cn-hangzhou carries its name/ },
      { name: "one registered within the grace stays: its create may still be launching",
        setup: () => ({ instances: [], runners: [runner(runnerName(5, "aaaa"))] }), expect: ["spare", "young"], detail: /registered 5m ago/ },
      { name: "an online one with no instance stays", setup: () => ({ instances: [], runners: [runner(runnerName(60, "aaaa"), { status: "online" })] }),
        expect: ["spare", "runner-online"], detail: /another region/ },
      { name: "a busy one with no instance stays", setup: () => ({ instances: [], runners: [runner(runnerName(60, "aaaa"), { busy: true, status: "online" })] }),
        expect: ["spare", "runner-busy"] },
      { name: "one on an instance that stays, stays", setup: () => {
        const i = instance({ ageMin: 5 });
        return { instances: [i], runners: [runnerOf(i, { status: "offline" })] };
      }, expect: ["spare", "on-live-instance"], detail: /runs on i-test\d+, which stays \(5m old, within/ },
      { name: "one on an instance being released is deleted with it, even if it still shows online", setup: () => {
        const i = instance({ status: "Stopped" });
        return { instances: [i], runners: [runnerOf(i, { status: "online" })] };
      }, expect: ["delete", "instance-released"] },
      { name: "a busy one on an instance being released is left for a later reap", setup: () => {
        const i = instance({ releaseInMin: -5 });
        return { instances: [i], runners: [runnerOf(i, { status: "online", busy: true })] };
      }, expect: ["spare", "runner-busy"], detail: /removed by a later reap once its instance/ },
      { name: "a hand-made runner that starts with the prefix is never touched",
        setup: () => ({ instances: [], runners: [runner("openresty-builder")] }), expect: "left alone" },
      { name: "a runner of another prefix is left alone under --prefix",
        setup: () => ({ instances: [], runners: [runner(runnerName(60, "aaaa", "nginx"))] }), policy: { prefix: "openresty" }, expect: "left alone" },
      { name: "a runner of our prefix is considered under --prefix",
        setup: () => ({ instances: [], runners: [runner(runnerName(60, "aaaa"))] }), policy: { prefix: "openresty" }, expect: ["delete", "orphan-offline"] },
      { name: "a runner without an instance is left alone by a stack sweep",
        setup: () => ({ instances: [], runners: [runner(runnerName(60, "aaaa"))] }), policy: { stack: "gha-1-1-arm64" }, expect: "left alone" },
      { name: "a runner carrying the swept stack's label goes, even young and without an instance (its create was interrupted)",
        setup: () => ({ instances: [], runners: [{ ...runner(runnerName(1, "aaaa")), labels: [runnerName(1, "aaaa"), stackRunnerLabel("gha-1-1-arm64")] }] }),
        policy: { stack: "gha-1-1-arm64" }, expect: ["delete", "stack-sweep"], detail: /registered for stack gha-1-1-arm64/ },
      { name: "but stays while it is online or busy", setup: () => ({ instances: [], runners: [{ ...runner(runnerName(1, "aaaa"), { status: "online" }), labels: [stackRunnerLabel("gha-1-1-arm64")] }] }),
        policy: { stack: "gha-1-1-arm64" }, expect: ["spare", "runner-online"] },
      { name: "the runner of another stack's instance is left alone by a stack sweep", setup: () => {
        const i = instance({ stack: "gha-2-1-arm64", status: "Stopped" });
        return { instances: [i], runners: [runnerOf(i, {})] };
      }, policy: { stack: "gha-1-1-arm64" }, expect: "left alone" },
      { name: "the runner of an instance of another prefix is left alone, even though its name looks like ours", setup: () => {
        const i = instance({ prefix: "nginx", runner: runnerName(60, "bbbb", "openresty"), status: "Stopped" });
        return { instances: [i], runners: [runnerOf(i, {})] };
      }, policy: { prefix: "openresty" }, expect: "left alone" },
    ];
    for (const row of rows) {
      it(row.name, () => {
        const { instances, runners } = row.setup();
        const plan = planReap(snapshot(instances, github({ runners })), { ...POLICY, ...row.policy }, NOW);
        if (row.expect === "left alone") {
          assert.deepEqual(plan.runners, []);
          assert.equal(plan.leftAlone.runners, 1);
          return;
        }
        assert.equal(plan.runners.length, 1);
        assert.deepEqual([plan.runners[0].action, plan.runners[0].reason], row.expect);
        if (row.detail) assert.match(plan.runners[0].detail, row.detail);
      });
    }
  });

  describe("the plan", () => {
    it("narrows instances by prefix and stack and counts what it left alone", () => {
      const mine = instance({ stack: "gha-1-1-arm64" });
      const otherStack = instance({ stack: "gha-2-1-arm64" });
      const otherPrefix = instance({ prefix: "nginx", stack: "gha-1-1-arm64" });
      const plan = planReap(snapshot([mine, otherStack, otherPrefix], github({ runners: [] })), { ...POLICY, prefix: "openresty", stack: "gha-1-1-arm64" }, NOW);
      assert.deepEqual(plan.instances.map((d) => [d.instance.instanceId, d.reason]), [[mine.instanceId, "stack-sweep"]]);
      assert.equal(plan.leftAlone.instances, 2);
    });

    it("without GitHub spares what depends on runners, still releases what does not, and says why", () => {
      const stopped = instance({ status: "Stopped" });
      const orphan = instance({ ageMin: 40 });
      const plan = planReap(snapshot([stopped, orphan], NO_TOKEN), POLICY, NOW);
      assert.deepEqual(plan.instances.map((d) => d.reason), ["stopped", "runner-unknown"]);
      assert.deepEqual(plan.runners, []);
      assert.match(plan.warnings[0], /^runners not checked: GitHub credentials are not set.*Instances whose fate depends on their runner were spared\.$/);
      assert.deepEqual(plan.problems, []);
    });

    it("reports a scope it could not list as a problem and spares its instances", () => {
      const orphan = instance({ ageMin: 40 });
      const plan = planReap(snapshot([orphan], github({ error: "GitHub denied list runners on dianplus/openresty (403)" })), POLICY, NOW);
      assert.deepEqual(plan.instances.map((d) => d.action), ["spare"]);
      assert.deepEqual(plan.problems, ["could not list the runners of dianplus/openresty: GitHub denied list runners on dianplus/openresty (403)"]);
    });

    it("is the same for the same inputs (no hidden clock)", () => {
      const snap = snapshot([instance({ ageMin: 40 }), instance({ ageMin: 3 })], github({ runners: [runner(runnerName(90, "cccc"))] }));
      assert.deepEqual(planReap(snap, POLICY, NOW), planReap(snap, POLICY, NOW));
    });
  });

  describe("helpers", () => {
    for (const [name, expected] of [
      ["openresty-arm64-202603011130-ab12cd34", { prefix: "openresty", arch: "arm64", createdAt: Date.parse("2026-03-01T11:30:00Z") }],
      ["my-ci-amd64-202612312359-x", { prefix: "my-ci", arch: "amd64", createdAt: Date.parse("2026-12-31T23:59:00Z") }],
      ["openresty-builder", undefined],
      ["openresty-arm64-202613011130-ab12", undefined],
      ["openresty-arm64-202602301130-ab12", undefined],
      ["openresty-riscv-202603011130-ab12", undefined],
      ["OpenResty-arm64-202603011130-ab12", undefined],
      ["openresty-arm64-202603011130-AB12", undefined],
    ] as const) {
      it(`parses the runner name ${name}`, () => assert.deepEqual(parseRunnerName(name), expected));
    }

    for (const [ms, text] of [[0, "0s"], [59_000, "59s"], [60_000, "1m"], [59 * MIN, "59m"], [125 * MIN, "2h 05m"], [50 * 60 * MIN, "2d 2h"], [-5, "0s"]] as const) {
      it(`formats ${ms} ms as ${text}`, () => assert.equal(formatDuration(ms), text));
    }

    it("reads scope tags and lists each scope once, given ones first", () => {
      assert.deepEqual(scopeOfInstance(instance({ scopeTag: "dianplus" })), { kind: "org", org: "dianplus" });
      assert.deepEqual(scopeOfInstance(instance({ scopeTag: "dianplus/openresty" })), REPO);
      assert.equal(scopeOfInstance(instance({ scopeTag: "not a scope" })), undefined);
      assert.equal(parseRepository("owner/repo/extra"), undefined);
      const scopes = scopesToList([OTHER_REPO], [instance(), instance({ scopeTag: "DIANPLUS/openresty" }), instance({ scopeTag: "dianplus" })]);
      assert.deepEqual(scopes, [OTHER_REPO, REPO, { kind: "org", org: "dianplus" }]);
    });
  });
});
