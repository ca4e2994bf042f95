import * as assert from "node:assert/strict";
import { collectSnapshot, defaultReapPolicy, executeReap, planReap } from "../../provider/reaper";
import { launchInstance, launchRunner, MINUTE, ReaperWorld, REGION, registerRunner, REPO, runCommand, startWorld, withoutGitHub } from "./support/emulated";

/** Mutating calls in the emulator's log: what a dry run must never make. */
function mutatingCalls(world: ReaperWorld): string[] {
  return world.emu.admin.calls()
    .map((c) => c.action)
    .filter((a) => /^Delete|^DELETE /.test(a));
}

describe("spot-runner reap against the emulator", function () {
  let world: ReaperWorld;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world.close());

  const reap = (args: string[], env: NodeJS.ProcessEnv = world.env) => runCommand("reap", args, env, world.commandDeps);

  it("releases an instance older than the maximum age (its TTL far away) and removes its runner", async () => {
    const old = await launchRunner(world, { ttlMinutes: 3 * 24 * 60 });
    world.emu.clock.advance(13 * 60 * MINUTE);
    const r = await reap(["--yes"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`instance ${old.instanceId}: 13h 00m old, over the maximum age of 12h 00m`));
    assert.match(r.stdout, new RegExp(`removed +instance ${old.instanceId}: released, and verified gone`));
    assert.match(r.stdout, new RegExp(`removed +runner ${old.runnerName}: removed from GitHub`));
    assert.match(r.stdout, /2 removed, 0 spared at the last check, 0 failed\./);
    assert.deepEqual(world.leftovers(), { instances: [], runners: [] });
  });

  it("honours --max-age: the same instance stays under a longer maximum", async () => {
    const old = await launchRunner(world, { ttlMinutes: 3 * 24 * 60 });
    world.emu.clock.advance(13 * 60 * MINUTE);
    const r = await reap(["--yes", "--max-age", "1440"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Keep:\\n  instance ${old.instanceId}: its runner ${old.runnerName} is online, waiting for its job`));
    assert.deepEqual(world.leftovers().instances, [old.instanceId]);
  });

  it("releases an instance whose job ended (runner offline) and spares a young one and a busy one", async () => {
    const ended = await launchRunner(world);
    const working = await launchRunner(world);
    world.emu.clock.advance(20 * MINUTE);
    const young = await launchRunner(world);
    world.emu.clock.advance(2 * MINUTE);
    world.emu.admin.updateRunner(ended.runnerId, { status: "offline" });
    world.emu.admin.updateRunner(working.runnerId, { busy: true });

    const r = await reap(["--yes"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`instance ${ended.instanceId}: 22m old and its runner ${ended.runnerName} is offline and idle`));
    assert.match(r.stdout, new RegExp(`instance ${working.instanceId}: its runner ${working.runnerName} is running a job`));
    assert.match(r.stdout, new RegExp(`instance ${young.instanceId}: 2m old, within the 15m boot grace`));
    assert.match(r.stdout, new RegExp(`runner ${young.runnerName} \\(dianplus/openresty\\): runs on ${young.instanceId}, which stays`));
    assert.deepEqual(world.leftovers(), {
      instances: [working.instanceId, young.instanceId],
      runners: [working.runnerName, young.runnerName],
    });
  });

  it("releases an instance whose runner GitHub no longer knows (removed after its job)", async () => {
    const done = await launchRunner(world);
    world.emu.clock.advance(30 * MINUTE);
    await world.runners.deleteRunner(REPO, done.runnerId);
    const r = await reap(["--yes"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /its runner .* is not registered in dianplus\/openresty: it finished its job, or never registered/);
    assert.deepEqual(world.leftovers(), { instances: [], runners: [] });
  });

  it("spares an instance whose runner took a job between the plan and the act (the last check)", async () => {
    const launched = await launchRunner(world);
    world.emu.clock.advance(20 * MINUTE);
    world.emu.admin.updateRunner(launched.runnerId, { status: "offline" });
    const github = { runners: world.runners };
    const snapshot = await collectSnapshot({ regionId: REGION, ecs: world.ecs, github, scopes: [] });
    const plan = planReap(snapshot, defaultReapPolicy(), world.clock.now());
    assert.deepEqual(plan.instances.map((d) => [d.action, d.reason]), [["release", "runner-offline"]]);
    assert.deepEqual(plan.runners.map((d) => [d.action, d.reason]), [["delete", "instance-released"]]);

    world.emu.admin.updateRunner(launched.runnerId, { status: "online", busy: true });
    const log: string[] = [];
    const result = await executeReap(plan, world.reapDeps(log), { dryRun: false });

    assert.equal(result.ok, true);
    assert.deepEqual(result.outcomes.map((o) => [o.kind, o.status]), [["instance", "spared"], ["runner", "spared"]]);
    assert.match(result.outcomes[0].detail, /^last check: its runner .* is running a job$/);
    assert.match(result.outcomes[1].detail, /its instance .* was not released \(spared\); it goes with its instance/);
    assert.deepEqual(world.leftovers(), { instances: [launched.instanceId], runners: [launched.runnerName] });
    assert.deepEqual(mutatingCalls(world), []);
  });

  describe("spares an orphan runner at the last check when, since the plan,", () => {
    const name = "openresty-arm64-202601010000-late0001";
    async function planOrphan() {
      await registerRunner(world, name);
      world.emu.clock.advance(30 * MINUTE);
      const github = { runners: world.runners };
      const plan = planReap(await collectSnapshot({ regionId: REGION, ecs: world.ecs, github, scopes: [REPO] }), defaultReapPolicy(), world.clock.now());
      assert.deepEqual(plan.runners.map((d) => [d.runner.name, d.action, d.reason]), [[name, "delete", "orphan-offline"]]);
      return plan;
    }

    // DescribeInstances is eventually consistent (the emulator lists a new instance 3 s after its launch): the
    // last check waits out the listing grace once before judging runners that have no instance.
    it("an instance of ours was launched for it (a create that registered first)", async () => {
      const plan = await planOrphan();
      const instanceId = await launchInstance(world, name, undefined);
      const result = await executeReap(plan, world.reapDeps(), { dryRun: false });
      assert.deepEqual(result.outcomes.map((o) => o.status), ["spared"]);
      assert.match(result.outcomes[0].detail, new RegExp(`^last check: runs on ${instanceId}, which stays \\((Pending|Starting|Running) now\\)$`));
      assert.deepEqual(world.leftovers().runners, [name]);
    });

    it("it came online", async () => {
      const plan = await planOrphan();
      world.emu.admin.updateRunner(plan.runners[0].runner.id, { status: "online" });
      const result = await executeReap(plan, world.reapDeps(), { dryRun: false });
      assert.deepEqual(result.outcomes.map((o) => o.status), ["spared"]);
      assert.match(result.outcomes[0].detail, /^last check: online/);
      assert.deepEqual(world.leftovers().runners, [name]);
    });
  });

  it("stops starting removals when interrupted, and reports what it could not finish", async () => {
    const first = await launchRunner(world);
    const second = await launchRunner(world);
    world.emu.clock.advance(30 * MINUTE);
    for (const r of [first, second]) world.emu.admin.updateRunner(r.runnerId, { status: "offline" });
    const plan = planReap(await collectSnapshot({ regionId: REGION, ecs: world.ecs, github: { runners: world.runners }, scopes: [] }),
      defaultReapPolicy(), world.clock.now());
    let interrupt = () => {};
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    // The user presses Ctrl-C as the first release goes out.
    const deps = { ...world.reapDeps(), interrupted, log: (line: string) => /releasing/.test(line) && interrupt() };
    const result = await executeReap(plan, deps, { dryRun: false });

    assert.equal(result.ok, false);
    // Instances with the same creation minute come in any order: follow the plan's.
    const [asked, notAsked] = plan.instances.map((d) => d.instance.instanceId);
    assert.deepEqual(result.outcomes.map((o) => [o.kind, o.status]), [["instance", "failed"], ["instance", "failed"], ["runner", "failed"], ["runner", "failed"]]);
    assert.deepEqual(result.outcomes.map((o) => o.id).slice(0, 2), [asked, notAsked]);
    assert.deepEqual(new Set(result.outcomes.map((o) => o.id).slice(2)), new Set([first.runnerName, second.runnerName]));
    assert.match(result.outcomes[0].detail, /^release asked for, not verified: the reap was interrupted while .* was Stopping\. Run it again$/);
    assert.match(result.outcomes[1].detail, /^not attempted: the reap was interrupted/);
    const deletes = world.emu.admin.calls().filter((c) => c.action === "DeleteInstances").map((c) => c.params["InstanceId.1"]);
    assert.deepEqual(deletes, [asked]);
  });

  it("removes an offline runner with our name and no instance, and leaves hand-made and young ones alone", async () => {
    const stale = "openresty-arm64-202601010000-stale001";
    await registerRunner(world, stale);
    await registerRunner(world, "openresty-builder");
    world.emu.clock.advance(40 * MINUTE);
    const fresh = "openresty-amd64-202601010035-fresh001";
    await registerRunner(world, fresh);

    const r = await reap(["--yes"], { ...world.env, GITHUB_REPOSITORY: "dianplus/openresty" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`runner ${stale} \\(dianplus/openresty\\): offline and idle, registered 40m ago, and no instance of ours`));
    assert.match(r.stdout, new RegExp(`runner ${fresh} \\(dianplus/openresty\\): registered 5m ago, within the boot grace`));
    assert.match(r.stdout, /Left alone: 1 runner\(s\) not named by us or outside the narrowing\./);
    assert.deepEqual(world.leftovers().runners.sort(), ["openresty-builder", fresh].sort());
  });

  it("with --stack releases every instance of that stack at any age, and nothing else", async () => {
    const swept = await launchRunner(world, { stack: "gha-100-1-arm64" });
    const other = await launchRunner(world, { stack: "gha-200-1-arm64" });
    world.emu.clock.advance(MINUTE);
    const orphan = "openresty-arm64-202601010000-orph0001";
    await registerRunner(world, orphan);
    world.emu.clock.advance(60 * MINUTE);
    world.emu.admin.updateRunner(other.runnerId, { status: "offline" });

    const r = await reap(["--stack", "gha-100-1-arm64", "--yes"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`instance ${swept.instanceId} \\(stack gha-100-1-arm64\\): tagged with stack gha-100-1-arm64, which is being torn down`));
    assert.doesNotMatch(r.stdout, new RegExp(other.instanceId));
    assert.match(r.stdout, /Left alone: 1 of our instance\(s\) of other prefixes or stacks; 2 runner\(s\)/);
    assert.deepEqual(world.leftovers(), { instances: [other.instanceId], runners: [other.runnerName, orphan] });
  });

  it("with --stack releases a young instance whose runner is online (the stop job's sweep)", async () => {
    const swept = await launchRunner(world, { stack: "gha-300-1-arm64" });
    world.emu.clock.advance(2 * MINUTE);
    const r = await reap(["--stack", "gha-300-1-arm64", "--yes", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.outcomes.map((o: { id: string; status: string }) => [o.id, o.status]), [[swept.instanceId, "removed"], [swept.runnerName, "removed"]]);
    assert.equal(out.ok, true);
    assert.deepEqual(world.leftovers(), { instances: [], runners: [] });
  });

  it("reports a refused release with exit code 1, and still removes the rest", async () => {
    const refused = await launchRunner(world);
    const released = await launchRunner(world);
    world.emu.clock.advance(30 * MINUTE);
    world.emu.admin.updateRunner(refused.runnerId, { status: "offline" });
    world.emu.admin.updateRunner(released.runnerId, { status: "offline" });
    world.emu.admin.addFault({ action: "DeleteInstances", code: "Forbidden.RAM", status: 403, times: -1, match: { "InstanceId.1": refused.instanceId } });

    const r = await reap(["--yes"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`failed +instance ${refused.instanceId}: release refused: ECS DeleteInstances failed: Forbidden\\.RAM.*RAM denied`));
    assert.match(r.stdout, new RegExp(`spared +runner ${refused.runnerName}: its instance ${refused.instanceId} was not released \\(failed\\)`));
    assert.match(r.stdout, new RegExp(`removed +instance ${released.instanceId}`));
    assert.match(r.stdout, /2 removed, 1 spared at the last check, 1 failed\. The failures are listed above/);
    assert.deepEqual(world.leftovers(), { instances: [refused.instanceId], runners: [refused.runnerName] });
  });

  it("reports a release it cannot verify (the instance stays listed) with exit code 1", async () => {
    const stuck = await launchRunner(world);
    world.emu.clock.advance(30 * MINUTE);
    world.emu.admin.updateRunner(stuck.runnerId, { status: "offline" });
    // Accepted by nobody, refused as if still initializing: the reaper keeps asking until its deadline.
    world.emu.admin.addFault({ action: "DeleteInstances", code: "IncorrectInstanceStatus.Initializing", status: 403, times: -1 });

    const r = await reap(["--yes", "--json"]);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    const outcome = out.outcomes.find((o: { id: string }) => o.id === stuck.instanceId);
    assert.equal(outcome.status, "failed");
    assert.match(outcome.detail, /^release not verified: still listed \(Running\) after 2m.*Its AutoReleaseTime still applies; run the reap again$/);
    assert.equal(out.ok, false);
    assert.deepEqual(world.leftovers().instances, [stuck.instanceId]);
  });

  it("changes nothing in a dry run, and prints what it would remove and why", async () => {
    const old = await launchRunner(world, { ttlMinutes: 3 * 24 * 60 });
    const young = await launchRunner(world);
    world.emu.clock.advance(13 * 60 * MINUTE - 5 * MINUTE);
    const late = await launchRunner(world);
    world.emu.clock.advance(5 * MINUTE);
    await registerRunner(world, "openresty-arm64-202601010000-dry00001");
    world.emu.admin.clearCalls();
    const before = world.leftovers();

    const r = await reap([], { ...world.env, GITHUB_REPOSITORY: "dianplus/openresty" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: dry run, nothing is changed; run with --yes to act\nWould remove:\n/);
    assert.match(r.stdout, new RegExp(`instance ${old.instanceId}: 13h 00m old, over the maximum age`));
    assert.match(r.stdout, new RegExp(`Keep:\\n  instance ${late.instanceId}: 5m old, within the 15m boot grace`));
    assert.match(r.stdout, /runner openresty-arm64-202601010000-dry00001 \(dianplus\/openresty\): offline and idle/);
    // The 2-hour TTL of `young` passed long ago: ECS released it by itself, so there is nothing to plan for it.
    assert.doesNotMatch(r.stdout, new RegExp(young.instanceId));
    assert.deepEqual(world.leftovers(), before);
    assert.deepEqual(mutatingCalls(world), []);
  });

  it("without GitHub credentials releases only what needs no runner check, and says what it skipped", async () => {
    const old = await launchRunner(world, { ttlMinutes: 3 * 24 * 60 });
    world.emu.clock.advance(12 * 60 * MINUTE + 30 * MINUTE);
    const orphan = await launchRunner(world);
    world.emu.clock.advance(30 * MINUTE);
    world.emu.admin.updateRunner(orphan.runnerId, { status: "offline" });

    const r = await reap(["--yes"], withoutGitHub(world.env));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`removed +instance ${old.instanceId}`));
    assert.match(r.stdout, new RegExp(`Keep:\\n  instance ${orphan.instanceId}: its runner ${orphan.runnerName} could not be checked \\(no GitHub token\\)`));
    assert.match(r.stderr, /warning: runners not checked: GitHub credentials are not set: set GITHUB_TOKEN/);
    // The runner of the released instance stays registered: removing it needs GitHub.
    assert.deepEqual(world.leftovers(), { instances: [orphan.instanceId], runners: [old.runnerName, orphan.runnerName] });
  });

  it("exits 1 with the reason when the instances cannot be read", async () => {
    world.emu.admin.addFault({ action: "DescribeInstances", code: "Forbidden.RAM", status: 403, times: -1 });
    const r = await reap(["--yes"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: could not list the instances of cn-hangzhou: ECS DescribeInstances failed: Forbidden\.RAM/);
    assert.equal(r.stdout, "");
  });

  it("exits 1 when a scope's runners cannot be listed, sparing that scope's instances", async () => {
    const launched = await launchRunner(world);
    world.emu.clock.advance(30 * MINUTE);
    world.emu.admin.updateRunner(launched.runnerId, { status: "offline" });
    world.emu.admin.addFault({ action: "github:GET /repos/*/*/actions/runners", status: 403, times: -1 });
    const r = await reap(["--yes"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /could not be checked \(GitHub error listing dianplus\/openresty\)/);
    assert.match(r.stderr, /error: could not list the runners of dianplus\/openresty: GitHub denied list runners on dianplus\/openresty \(403/);
    assert.deepEqual(world.leftovers().instances, [launched.instanceId]);
  });

  for (const [args, message] of [
    [["--boot-grace", "abc"], /--boot-grace: "abc" is not a whole number of minutes/],
    [["--max-age", "0"], /--max-age: "0" is not a whole number of minutes \(at least 1\)/],
    [["--max-age", "10", "--boot-grace", "15"], /--max-age \(10 min\) must be longer than --boot-grace \(15 min\)/],
    [["--repo", "a/b", "--org", "c"], /--repo and --org: give one of them/],
    [["--repo", "nope"], /--repo: "nope" is not owner\/repo/],
    [["--prefix", "Open_Resty"], /--prefix: "Open_Resty" is not a name prefix/],
    [["--stack", "a b"], /--stack: "a b" is not a stack name/],
    [["--region", "Hangzhou"], /--region: "Hangzhou" is not a region id/],
    [["--bogus"], /unknown option '--bogus'/],
  ] as const) {
    it(`rejects ${args.join(" ")} with exit code 2 before any call`, async () => {
      const r = await reap([...args]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.deepEqual(world.emu.admin.calls(), []);
    });
  }
});
