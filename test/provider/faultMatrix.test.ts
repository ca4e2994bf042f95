import * as assert from "node:assert/strict";
import type { FaultSpec } from "../../emulator";
import { createEcsInstanceApi } from "../../provider/aliyun/instances";
import { PartialCreateError } from "../../provider/errors";
import { FAST_RETRY, Harness, startHarness } from "./support/harness";

/**
 * A failure injected at every API call create and delete make (an error, no answer, an answer too slow for the
 * client), and at every call that creates something (RunInstances, GitHub's generate-jitconfig) the two ways an
 * answer is lost after the work was done: once (the retry must find what was made) and on every try. After each:
 * either nothing is left, or create reported a partially created resource whose id a following delete cleans
 * up; and a resource create did return can always be deleted once the fault is gone (a `pulumi destroy` retried).
 */
const ECS_ACTIONS = ["DescribeImages", "DescribeInstanceTypes", "DescribeAvailableResource", "DescribeSpotPriceHistory",
  "RunInstances", "DescribeInstances", "DeleteInstances"];
const JIT = "POST /repos/*/*/actions/runners/generate-jitconfig";
const GITHUB_CALLS = [JIT, "GET /repos/*/*/actions/runners/*", "DELETE /repos/*/*/actions/runners/*"];
/** The calls that create something, and how each is identified by the emulator's fault matcher. */
const CREATING_CALLS = ["RunInstances", `github:${JIT}`];

/** recovers: a fault the retry must recover from, so create has to succeed (with exactly one instance and runner). */
const cases: { name: string; fault: FaultSpec; recovers?: boolean }[] = [
  ...ECS_ACTIONS.flatMap((action) => [
    { name: `${action}: 500 on every call`, fault: { action, code: "InternalError", status: 500, times: -1 } },
    { name: `${action}: no answer`, fault: { action, effect: "drop" as const, times: -1 } },
    { name: `${action}: answer slower than the client timeout`, fault: { action, latencyMs: 120, times: -1 } },
  ]),
  ...CREATING_CALLS.flatMap((action) => [
    { name: `${action}: committed, answer lost once`, fault: { action, effect: "afterCommit" as const, times: 1 }, recovers: true },
    { name: `${action}: committed, answer always lost`, fault: { action, effect: "afterCommit" as const, times: -1 } },
    { name: `${action}: no answer at all, once`, fault: { action, effect: "drop" as const, times: 1 }, recovers: true },
  ]),
  { name: "RunInstances: every instance vanishes", fault: { action: "RunInstances", effect: "vanish", times: -1 } },
  { name: "DeleteInstances: released, answer always lost", fault: { action: "DeleteInstances", effect: "afterCommit", times: -1 } },
  ...GITHUB_CALLS.flatMap((call) => [
    { name: `GitHub ${call}: 500 on every call`, fault: { action: `github:${call}`, status: 500, message: "Server Error", times: -1 } },
    { name: `GitHub ${call}: no answer`, fault: { action: `github:${call}`, effect: "drop" as const, times: -1 } },
  ]),
];

describe("SpotRunner fault matrix: nothing leaks", function () {
  let h: Harness | undefined;
  // A fresh emulator per case: a delayed answer from one case must not land in the next.
  afterEach(async () => h?.close());

  for (const { name, fault, recovers } of cases) {
    it(name, async () => {
      // Client timeouts short enough that a 120 ms answer is a timeout; everything else as in production.
      const harness: Harness = (h = await startHarness({
        deps: { ecs: (regionId) => createEcsInstanceApi({ regionId, env: harness.emu.env, retry: FAST_RETRY, connectTimeoutMs: 60, readTimeoutMs: 60 }) },
      }));
      harness.emu.admin.addFault(fault);
      const outcome = await harness.provider.create(harness.props()).then((created) => ({ created }), (error: unknown) => ({ error }));

      if (recovers) {
        assert.ok("created" in outcome, `create must recover: ${"error" in outcome ? String(outcome.error) : ""}`);
        const state = harness.emu.admin.state();
        assert.equal(state.instances.length, 1, "exactly one instance");
        assert.deepEqual(state.runners.map((r) => r.name), [outcome.created.outs.runnerName], "exactly one runner, the one in the outputs");
      }
      if ("created" in outcome) {
        // Delete may fail while the fault lasts (the resource then stays in state); once it is gone, it succeeds.
        await harness.provider.delete(outcome.created.id, outcome.created.outs).catch(() => undefined);
        harness.emu.admin.clearFaults();
        await harness.provider.delete(outcome.created.id, outcome.created.outs);
      } else if (outcome.error instanceof PartialCreateError) {
        const { id, properties } = outcome.error;
        assert.ok(id, "a partial failure names what is left");
        assert.equal(properties.__provider, harness.props().__provider, "and keeps __provider for destroy");
        harness.emu.admin.clearFaults();
        await harness.provider.delete(id, properties);
      } else {
        assert.ok(outcome.error instanceof Error);
        assert.deepEqual(harness.leftovers(), { instances: [], runners: [] }, `after: ${(outcome.error as Error).name}: ${(outcome.error as Error).message}`);
        harness.emu.admin.clearFaults();
      }
      assert.deepEqual(harness.leftovers(), { instances: [], runners: [] });
      // Each launch attempt has its own ClientToken; a retried (or answer-lost) launch must not add an instance.
      const tokens = new Set(harness.emu.admin.calls().filter((c) => c.action === "RunInstances").map((c) => c.params.ClientToken));
      assert.ok(harness.emu.admin.state().launched <= tokens.size, `${harness.emu.admin.state().launched} instances for ${tokens.size} launch attempts`);
    });
  }
});
