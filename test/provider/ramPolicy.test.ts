import * as assert from "node:assert/strict";
import { smallScenario, withAccessKey } from "../../emulator/scenario/small";
import { buildImageBuilderPolicy, buildRunnerPolicy, RamPolicyLevel } from "../../infra/ramPolicy";
import { AliyunApiError, PartialCreateError, ReleaseNotVerifiedError, RunnerNeverOnlineError } from "../../provider/errors";
import { ALL_ALIYUN_ACTIONS, ALL_IMAGE_BUILDER_ACTIONS } from "../../provider/permissions";
import { ImageHarness, startImageHarness } from "../image/support";
import { Harness, startHarness } from "./support/harness";

const CI_KEY = { accessKeyId: "LTAI5tCiRunnerUser0001", accessKeySecret: "CiRunnerUserSecret0000000001" };
const scenario = smallScenario();
const vpcId = scenario.vpcs[0].vpcId;

/** The emulator enforcing the infra stack's generated policy on the CI user's AccessKey. */
async function harnessWithPolicy(policy: object, deps = {}): Promise<Harness> {
  return startHarness({
    scenario: withAccessKey(scenario, { ...CI_KEY, policies: [policy] }),
    env: { ALIBABA_CLOUD_ACCESS_KEY_ID: CI_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: CI_KEY.accessKeySecret },
    deps,
  });
}

/** Everything the provider does: create, delete, and the never-online path that reads the console. */
async function exercise(h: Harness): Promise<void> {
  const { id, outs } = await h.provider.create(h.props());
  await h.provider.delete(id, outs);
}

describe("the infra stack's RAM policy is sufficient and minimal", function () {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  for (const level of ["minimal", "regional", "vpc"] as RamPolicyLevel[]) {
    it(`${level}: every call the provider makes is allowed`, async () => {
      h = await harnessWithPolicy(buildRunnerPolicy({ level, regionId: "cn-hangzhou", prefix: "openresty", vpcId }));
      await exercise(h);
      assert.deepEqual(h.emu.admin.calls().filter((c) => c.code === "Forbidden.RAM"), []);
      assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
    });
  }

  it("allows reading the console when a runner never comes online", async () => {
    h = await harnessWithPolicy(buildRunnerPolicy({ level: "vpc", regionId: "cn-hangzhou", prefix: "openresty", vpcId }),
      { renderUserData: () => "#!/bin/bash\n" });
    await assert.rejects(h.provider.create(h.props({ onlineTimeoutMinutes: 1 })), (err: unknown) =>
      err instanceof RunnerNeverOnlineError && /Last console output/.test(err.message) && !/unavailable/.test(err.message));
  });

  it("without ecs:DescribeSpotAdvice the runner still launches, ranked by price, and the advice says why", async () => {
    const actions = ALL_ALIYUN_ACTIONS.filter((a) => a !== "ecs:DescribeSpotAdvice");
    h = await harnessWithPolicy(buildRunnerPolicy({ level: "vpc", regionId: "cn-hangzhou", prefix: "openresty", vpcId, actions }));
    const { id, outs } = await h.provider.create(h.props({ spotDuration: 0 }));
    assert.equal(h.emu.admin.calls().filter((c) => c.code === "Forbidden.RAM").map((c) => c.action).join(), "DescribeSpotAdvice");
    assert.ok(h.logs.some((l) => /asking the advisor/.test(l)));
    await h.provider.delete(id, outs);
  });

  // DescribeSpotAdvice is the one action the provider can do without (the ranking falls back to the price): above.
  for (const missing of ALL_ALIYUN_ACTIONS.filter((a) => a !== "ecs:DescribeSpotAdvice")) {
    it(`without ${missing} a specific call fails, naming it`, async () => {
      const actions = ALL_ALIYUN_ACTIONS.filter((a) => a !== missing);
      const policy = buildRunnerPolicy({ level: "vpc", regionId: "cn-hangzhou", prefix: "openresty", vpcId, actions });
      const consolePath = missing === "ecs:GetInstanceConsoleOutput";
      const harness: Harness = (h = await harnessWithPolicy(policy, consolePath ? { renderUserData: () => "#!/bin/bash\n" } : {}));
      const failure = await (consolePath ? harness.provider.create(harness.props({ onlineTimeoutMinutes: 1 })) : exercise(harness))
        .then(() => undefined, (err: unknown) => err as Error);
      assert.ok(failure, "the provider must not get by without this action");
      assert.match(failure.message, new RegExp(`RAM denied ${missing.replace(".", "\\.")}`));
      // Without DescribeInstances, the launched instance cannot even be watched: create reports it as partially
      // created (so `pulumi destroy` can finish) instead of a plain error.
      if (!consolePath) {
        const denial = failure instanceof ReleaseNotVerifiedError ? failure.cause : failure;
        assert.ok((denial instanceof AliyunApiError && denial.kind === "permission") || failure instanceof PartialCreateError, failure.message);
      }
      const denied = harness.emu.admin.calls().filter((c) => c.code === "Forbidden.RAM").map((c) => `ecs:${c.action}`);
      assert.ok(denied.length > 0 && denied.every((a) => a === missing), `denied: ${denied.join(", ")}`);
    });
  }

  it("denies launching instances without the deployment's tag (another prefix)", async () => {
    h = await harnessWithPolicy(buildRunnerPolicy({ level: "minimal", regionId: "cn-hangzhou", prefix: "someone-else", vpcId }));
    await assert.rejects(h.provider.create(h.props()), /RAM denied ecs:RunInstances/);
    assert.deepEqual(h.leftovers(), { instances: [], runners: [] });
  });
});

describe("the image-builder policy is sufficient and minimal for RunnerImage (with the runner policy)", function () {
  let h: ImageHarness | undefined;
  afterEach(async () => h?.close());
  const runnerPolicy = () => buildRunnerPolicy({ level: "vpc", regionId: "cn-hangzhou", prefix: "openresty", vpcId });
  const withPolicies = (policies: object[]) => startImageHarness({
    scenario: withAccessKey(scenario, { ...CI_KEY, policies }),
    env: { ALIBABA_CLOUD_ACCESS_KEY_ID: CI_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: CI_KEY.accessKeySecret },
  });

  it("bakes and destroys with both policies, and nothing is denied", async () => {
    h = await withPolicies([runnerPolicy(), buildImageBuilderPolicy({ regionId: "cn-hangzhou", prefix: "openresty" })]);
    const { id, outs } = await h.provider.create(h.props());
    await h.provider.delete(id, outs);
    assert.deepEqual(h.emu.admin.calls().filter((c) => c.code === "Forbidden.RAM"), []);
    assert.deepEqual(h.leftovers(), { instances: [], images: [], snapshots: [] });
  });

  for (const missing of ALL_IMAGE_BUILDER_ACTIONS) {
    it(`without ${missing} a specific call fails, naming it, and the bake leaves nothing it could remove`, async () => {
      const actions = ALL_IMAGE_BUILDER_ACTIONS.filter((a) => a !== missing);
      const harness: ImageHarness = (h = await withPolicies([runnerPolicy(), buildImageBuilderPolicy({ regionId: "cn-hangzhou", prefix: "openresty", actions })]));
      const failure = await (async () => {
        const { id, outs } = await harness.provider.create(harness.props());
        await harness.provider.delete(id, outs);
      })().then(() => undefined, (err: unknown) => err as Error);
      assert.ok(failure, "RunnerImage must not get by without this action");
      assert.match(failure.message, new RegExp(`RAM denied ${missing.replace(".", "\\.")}`));
      const denied = harness.emu.admin.calls().filter((c) => c.code === "Forbidden.RAM").map((c) => `ecs:${c.action}`);
      assert.ok(denied.length > 0 && denied.every((a) => a === missing), `denied: ${denied.join(", ")}`);
    });
  }

  it("the runner policy alone cannot bake: the stop is denied and the builder is released", async () => {
    h = await withPolicies([runnerPolicy()]);
    await assert.rejects(h.provider.create(h.props()), /RAM denied ecs:StopInstance/);
    assert.deepEqual(h.leftovers(), { instances: [], images: [], snapshots: [] });
  });

  it("another deployment's prefix can launch nothing and image nothing", async () => {
    h = await withPolicies([runnerPolicy(), buildImageBuilderPolicy({ regionId: "cn-hangzhou", prefix: "openresty" })]);
    await assert.rejects(h.provider.create(h.props({ namePrefix: "someone-else" })), /RAM denied ecs:RunInstances/);
    assert.deepEqual(h.leftovers(), { instances: [], images: [], snapshots: [] });
  });
});
