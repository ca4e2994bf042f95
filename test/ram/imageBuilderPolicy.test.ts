/** The generated image-builder policy under the RAM evaluator: what RunnerImage needs is allowed, nothing of anyone else's. */
import * as assert from "node:assert/strict";
import { evaluateRam, RamRequest } from "../../emulator/ram/evaluate";
import { validatePolicyDocument } from "../../emulator/ram/policyDocument";
import { imageArn, instanceArn, snapshotArn } from "../../emulator/ram/resources";
import { buildImageBuilderPolicy, renderPolicyDocument, runnerPolicyProblems } from "../../infra/ramPolicy";
import { ALL_IMAGE_BUILDER_ACTIONS } from "../../provider/permissions";

const REGION = "cn-hangzhou";
const ACCOUNT = "1234567890";
const OURS = { "spot-runner-prefix": "openresty" };
const THEIRS = { "spot-runner-prefix": "prod-db" };
const tags = (kind: "RequestTag" | "ResourceTag", t: Record<string, string>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [`acs:${kind}/${k}`, v]));
const base = { "acs:CurrentTime": "2026-06-01T12:00:00Z", "acs:SourceIp": "203.0.113.10" };

/** The checks the emulator (and, as modelled, RAM) makes for each call: emulator/ecs/ramRequests.ts. */
const requests = {
  stop: (resource: Record<string, string>, region = REGION): RamRequest[] =>
    [{ action: "ecs:StopInstance", resource: instanceArn(region, ACCOUNT, "i-1"), context: { ...base, ...tags("ResourceTag", resource) } }],
  create: (instance: Record<string, string>, request: Record<string, string>): RamRequest[] => [
    { action: "ecs:CreateImage", resource: instanceArn(REGION, ACCOUNT, "i-1"), context: { ...base, ...tags("ResourceTag", instance), ...tags("RequestTag", request) } },
    { action: "ecs:CreateImage", resource: `acs:ecs:${REGION}:${ACCOUNT}:image/*`, context: { ...base, ...tags("RequestTag", request) } },
  ],
  deleteImage: (image: Record<string, string>, region = REGION): RamRequest[] =>
    [{ action: "ecs:DeleteImage", resource: imageArn(region, ACCOUNT, "m-1"), context: { ...base, ...tags("ResourceTag", image) } }],
  deleteSnapshot: (snapshot: Record<string, string>): RamRequest[] =>
    [{ action: "ecs:DeleteSnapshot", resource: snapshotArn(REGION, ACCOUNT, "s-1"), context: { ...base, ...tags("ResourceTag", snapshot) } }],
};

describe("generated image-builder policy under the RAM evaluator", () => {
  const policy = renderPolicyDocument(buildImageBuilderPolicy({ regionId: REGION, prefix: "openresty" }));
  const allowed = (checks: RamRequest[]) => checks.every((r) => evaluateRam([policy], r).allowed);

  it("is valid RAM, within the project's rules, and lists exactly the image-builder actions", () => {
    assert.deepEqual(validatePolicyDocument(JSON.parse(policy)), []);
    assert.deepEqual(runnerPolicyProblems(JSON.parse(policy)), []);
    const granted = new Set(JSON.parse(policy).Statement.filter((s: { Effect: string }) => s.Effect === "Allow").flatMap((s: { Action: string[] }) => s.Action));
    assert.deepEqual([...granted].sort(), [...ALL_IMAGE_BUILDER_ACTIONS].sort());
  });

  it("allows stopping, imaging and deleting what carries the deployment's tag", () => {
    assert.ok(allowed(requests.stop(OURS)));
    assert.ok(allowed(requests.create(OURS, OURS)));
    assert.ok(allowed(requests.deleteImage(OURS)));
    assert.ok(allowed(requests.deleteSnapshot(OURS)));
  });

  it("denies images of foreign instances, images without our tag, and foreign images, snapshots and instances", () => {
    assert.equal(allowed(requests.create(THEIRS, OURS)), false, "an image of someone else's instance (their disk's data)");
    assert.equal(allowed(requests.create(OURS, {})), false, "an untagged image (it would escape our scope)");
    assert.equal(allowed(requests.create(OURS, THEIRS)), false, "an image tagged as someone else's");
    assert.equal(allowed(requests.deleteImage(THEIRS)), false);
    assert.equal(allowed(requests.deleteImage({})), false);
    assert.equal(allowed(requests.deleteSnapshot({})), false, "a snapshot without our tag (a backup, say)");
    assert.equal(allowed(requests.stop(THEIRS)), false);
  });

  it("stays in the stack's region", () => {
    assert.equal(allowed(requests.stop(OURS, "cn-shanghai")), false);
    assert.equal(allowed(requests.deleteImage(OURS, "cn-shanghai")), false);
  });

  it("keeps the tag lock: tag changes are explicitly denied", () => {
    const decision = evaluateRam([policy], { action: "ecs:TagResources", resource: "*", context: base });
    assert.equal(decision.effect, "ExplicitDeny");
  });
});
