import * as assert from "node:assert/strict";
import { EmulatedGithubOidcIssuer } from "../../emulator";
import { GUIDE_SECURITY_GROUP_ID } from "../../emulator/scenario/common";
import { smallScenario } from "../../emulator/scenario/small";
import { buildCiTrustPolicy } from "../../infra/ciTrustPolicy";
import { parseInfraConfig } from "../../infra/config";
import { buildRunnerPolicy } from "../../infra/ramPolicy";
import { SpotRunnerProvider } from "../../provider/spotRunnerProvider";
import { prodStackConfig } from "../infra/stackConfig";
import { depsFor } from "../provider/support/harness";
import { ReaperWorld, runCommand, startWorld } from "../reaper/support/emulated";
import { AUDIENCE, exchangeToken, PROVIDER_ARN, registerGithubRole, StsCredentials, stsEnvironment } from "./support/keyless";

/**
 * Keyless CI end to end, on the emulator: the infra stack's own documents (the prod configuration's trust policy,
 * the vpc-level runner policy) on a role; a GitHub job's token exchanged for that role's credentials by the client
 * the official action uses; then the provider and the CLI working on those credentials exactly as they do on keys.
 */
describe("keyless CI end to end: GitHub OIDC token -> STS credentials -> provider and CLI", function () {
  let world: ReaperWorld;
  const scenario = smallScenario();
  const issuer = new EmulatedGithubOidcIssuer();
  const prod = parseInfraConfig(prodStackConfig());
  const trust = buildCiTrustPolicy({ providerArn: PROVIDER_ARN, issuerUrl: prod.ciOidc!.issuerUrl, audience: prod.ciOidc!.audience, subjects: prod.ciOidc!.subjects });

  beforeEach(async () => {
    world = await startWorld({ scenario });
    const vpcId = scenario.vpcs[0]!.vpcId;
    registerGithubRole(world.emu, issuer, trust, [buildRunnerPolicy({ level: "vpc", regionId: "cn-hangzhou", prefix: "openresty", vpcId })]);
  });
  afterEach(async () => world.close());

  const jobToken = (repository: string, ref: string) => issuer.tokenFor({ repository, ref, audience: AUDIENCE }, { now: world.emu.clock.now() });

  function props(): Record<string, unknown> {
    return {
      arch: "arm64",
      region: "cn-hangzhou",
      vSwitchIds: Object.fromEntries(scenario.vSwitches.map((v) => [v.zoneId, v.vSwitchId])),
      securityGroupId: GUIDE_SECURITY_GROUP_ID,
      imageId: scenario.images.find((i) => i.architecture === "arm64")!.imageId,
      namePrefix: "openresty",
      githubRepository: scenario.github.repos[0],
      stackName: "gha-77-1-arm64",
      __provider: "serialized-provider-text",
    };
  }

  /** Every place a secret could leak to: provider logs, CLI output, the emulator's call log. */
  function assertNoSecret(haystacks: string[], creds: StsCredentials, token: string): void {
    const all = haystacks.join("\n");
    for (const [what, secret] of [["AccessKey secret", creds.accessKeySecret], ["security token", creds.securityToken], ["OIDC token", token], ["OIDC token signature", token.split(".")[2]!]] as const) {
      assert.ok(!all.includes(secret), `the ${what} leaked`);
    }
  }

  it("a master build's token: the provider creates and deletes a runner, and `spot-runner list` shows it, on STS credentials alone", async () => {
    const token = jobToken("dianplus/openresty", "refs/heads/master");
    const creds = await exchangeToken(world.emu, token);
    const env = stsEnvironment(world.emu, creds);
    assert.equal(env.ALIBABA_CLOUD_SECURITY_TOKEN, creds.securityToken);
    const logs: string[] = [];
    const provider = new SpotRunnerProvider(depsFor(world.emu, env, logs));

    const { id, outs } = await provider.create(props());
    const listed = await runCommand("list", ["--json"], env, world.commandDeps);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).instances.map((i: { instanceId: string; stack: string }) => [i.instanceId, i.stack]), [[outs.instanceId, "gha-77-1-arm64"]]);
    const reaped = await runCommand("reap", ["--stack", "gha-77-1-arm64"], env, world.commandDeps);
    assert.equal(reaped.code, 0, reaped.stderr);
    await provider.delete(id, outs);
    assert.deepEqual(world.leftovers(), { instances: [], runners: [] });

    const calls = world.emu.admin.calls();
    assert.deepEqual(calls.filter((c) => c.status === null || c.status >= 400).map((c) => `${c.action} ${c.code}`), []);
    const ecsKeys = new Set(calls.filter((c) => c.api === "ecs").map((c) => c.accessKeyId));
    assert.deepEqual([...ecsKeys], [creds.accessKeyId], "every ECS call was signed with the temporary key");
    assertNoSecret([...logs, listed.stdout, listed.stderr, reaped.stdout, reaped.stderr, JSON.stringify(calls)], creds, token);
  });

  it("tag builds (refs/tags/v*) and develop get credentials too", async () => {
    for (const ref of ["refs/tags/v1.2.3", "refs/heads/develop"]) {
      const creds = await exchangeToken(world.emu, jobToken("dianplus/openresty", ref));
      assert.match(creds.accessKeyId, /^STS\./);
    }
  });

  for (const [what, repository, ref] of [
    ["another repository's token", "someone/openresty", "refs/heads/master"],
    ["a feature branch's token", "dianplus/openresty", "refs/heads/feature"],
  ] as const) {
    it(`${what} gets no credentials, so nothing can be launched`, async () => {
      await assert.rejects(exchangeToken(world.emu, jobToken(repository, ref)), /AuthenticationFail\.NoPermission/);
      assert.deepEqual(world.emu.admin.calls().filter((c) => c.api === "ecs"), []);
    });
  }

  it("when the session has expired, the tools stop with an error naming the expired security token", async () => {
    const creds = await exchangeToken(world.emu, jobToken("dianplus/openresty", "refs/heads/master"), { durationSeconds: 900 });
    world.emu.clock.advance(900_000);
    const listed = await runCommand("list", [], stsEnvironment(world.emu, creds), world.commandDeps);
    assert.equal(listed.code, 1);
    assert.match(listed.stderr, /SecurityToken\.Expired/);
  });
});
