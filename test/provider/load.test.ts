import * as assert from "node:assert/strict";
import { TAG_KEYS } from "../../provider/tags";
import { Harness, startHarness } from "./support/harness";

describe("SpotRunner under load", function () {
  let h: Harness;
  after(async () => h?.close());

  it("brings up 20 runners at once through throttling, one instance each, and destroys them all", async () => {
    // GitHub's throttling plugin as in production (each client's writes spaced a second apart): with one limiter
    // for the whole process, as the plugin defaults to, the twenty registrations would wait for each other.
    h = await startHarness({ productionThrottling: true });
    for (const action of ["DescribeSpotPriceHistory", "RunInstances", "DescribeInstances", "DeleteInstances"]) {
      h.emu.admin.addFault({ action, code: "Throttling.User", status: 400, times: 15 });
    }
    h.emu.admin.addFault({ action: "github:POST /repos/*/*/actions/runners/generate-jitconfig", status: 500, message: "Server Error", times: 5 });

    // One provider object for all, as Pulumi's plugin host runs concurrent creates in one process.
    const created = await Promise.all(Array.from({ length: 20 }, () => h.provider.create(h.props())));

    const state = h.emu.admin.state();
    assert.equal(new Set(created.map((c) => c.id)).size, 20);
    assert.equal(state.instances.length, 20, "exactly one instance per runner");
    assert.equal(state.launched, 20, "no duplicate from a retried launch, not even a released one");
    assert.equal(new Set(state.instances.map((i) => i.tags[TAG_KEYS.runnerName])).size, 20);
    assert.equal(state.runners.filter((r) => r.status === "online").length, 20);
    assert.equal(new Set(created.map((c) => c.outs.label)).size, 20, "every job gets its own label");
    const throttled = h.emu.admin.calls().filter((c) => c.code === "Throttling.User").length;
    assert.ok(throttled >= 40, `throttling was exercised (${throttled} throttled calls)`);

    await Promise.all(created.map((c) => h.provider.delete(c.id, c.outs)));
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });
});
