import * as assert from "node:assert/strict";
import { smallScenario, withOffering } from "../../emulator/scenario/small";
import { Harness, startHarness } from "./support/harness";

/** SpotRunner's `strategy` input, through the emulator: the expected cost of a completed job ranks by default. */
describe("SpotRunner ranking strategy", function () {
  let h: Harness;
  afterEach(async () => h?.close());
  const scenario = () => withOffering(withOffering(smallScenario(),
    { zoneId: "cn-hangzhou-j", instanceTypeId: "ecs.c8y.2xlarge", interruptionRate: 15 }),
    { zoneId: "cn-hangzhou-b", instanceTypeId: "ecs.c8y.4xlarge", interruptionRate: 1 });

  it("without protection, launches the rarely reclaimed pair and reports its band", async () => {
    h = await startHarness({ scenario: scenario() });
    const { outs } = await h.provider.create(h.props({ spotDuration: 0 }));
    assert.equal(`${outs.instanceType}@${outs.zoneId}`, "ecs.c8y.4xlarge@cn-hangzhou-b");
    assert.equal(outs.interruptionRate, 0.03);
  });

  it("with strategy lowest-price, the cheapest pair per vCPU whatever its band", async () => {
    h = await startHarness({ scenario: scenario() });
    const { outs } = await h.provider.create(h.props({ spotDuration: 0, strategy: "lowest-price" }));
    assert.equal(`${outs.instanceType}@${outs.zoneId}`, "ecs.c8y.2xlarge@cn-hangzhou-j");
    assert.equal(outs.interruptionRate, 1);
  });
});
