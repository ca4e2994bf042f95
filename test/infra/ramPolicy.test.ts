import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { validatePolicyDocument } from "../../emulator/ram/evaluate";
import {
  ACTION_SCOPES,
  buildRunnerPolicy,
  RAM_POLICY_LEVELS,
  RAM_POLICY_MAX_LENGTH,
  RamPolicyDocument,
  RamPolicyLevel,
  renderPolicyDocument,
  runnerPolicyProblems,
  RunnerPolicyArgs,
  TAG_MUTATION_ACTIONS,
} from "../../infra/ramPolicy";
import { ALL_ALIYUN_ACTIONS } from "../../provider/permissions";
import { TAG_KEYS } from "../../provider/tags";

const base = { regionId: "cn-hangzhou", prefix: "openresty", vpcId: "vpc-bp1example" } as const;
const allowedActions = (doc: RamPolicyDocument) => doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action);
const statementFor = (doc: RamPolicyDocument, action: string) => {
  const found = doc.Statement.filter((s) => s.Effect === "Allow" && s.Action.includes(action));
  assert.equal(found.length, 1, `${action} is in exactly one Allow statement`);
  return found[0]!;
};

describe("infra/ramPolicy", () => {
  it("knows the authorization scope of exactly the actions the project calls", () => {
    assert.deepEqual(Object.keys(ACTION_SCOPES).sort(), [...ALL_ALIYUN_ACTIONS].sort());
  });

  for (const level of RAM_POLICY_LEVELS) {
    describe(`level ${level}`, () => {
      const doc = buildRunnerPolicy({ ...base, level });

      it("allows exactly the actions in provider/permissions.ts, each once", () => {
        const allowed = allowedActions(doc);
        assert.deepEqual([...allowed].sort(), [...ALL_ALIYUN_ACTIONS].sort());
        assert.equal(new Set(allowed).size, allowed.length);
      });

      it("is a valid RAM document that meets the project's rules", () => {
        assert.equal(doc.Version, "1");
        assert.deepEqual(runnerPolicyProblems(doc), []);
        assert.deepEqual(validatePolicyDocument(renderPolicyDocument(doc)), []);
        assert.ok(!allowedActions(doc).some((a) => a.includes("*")));
      });

      it("lets launches through only with our tag in the request, on the only resource RunInstances has", () => {
        const launch = statementFor(doc, "ecs:RunInstances");
        assert.equal(launch.Resource, "*");
        assert.deepEqual(launch.Condition?.StringEquals, { [`acs:RequestTag/${TAG_KEYS.prefix}`]: "openresty" });
        const vpc = { minimal: undefined, regional: "acs:vpc:cn-hangzhou:*:vpc/*", vpc: "acs:vpc:cn-hangzhou:*:vpc/vpc-bp1example" }[level];
        assert.deepEqual(launch.Condition?.StringLike, vpc === undefined ? undefined : { "vpc:VPC": vpc });
      });

      it("releases and reads console output only of tagged instances in the region", () => {
        for (const action of ["ecs:DeleteInstances", "ecs:GetInstanceConsoleOutput"]) {
          const statement = statementFor(doc, action);
          assert.equal(statement.Resource, "acs:ecs:cn-hangzhou:*:instance/*");
          assert.deepEqual(statement.Condition, { StringEquals: { [`acs:ResourceTag/${TAG_KEYS.prefix}`]: "openresty" } });
        }
      });

      it("lists instances of the region, and grants the catalogue reads on *", () => {
        const describe = statementFor(doc, "ecs:DescribeInstances");
        assert.equal(describe.Resource, "acs:ecs:cn-hangzhou:*:instance/*");
        assert.equal(describe.Condition, undefined);
        for (const action of ["ecs:DescribeInstanceTypes", "ecs:DescribeAvailableResource", "ecs:DescribeSpotPriceHistory", "ecs:DescribeImages"]) {
          assert.equal(statementFor(doc, action).Resource, "*");
        }
      });

      it("denies tag changes unconditionally", () => {
        const denies = doc.Statement.filter((s) => s.Effect === "Deny");
        assert.deepEqual(denies, [{ Effect: "Deny", Action: [...TAG_MUTATION_ACTIONS], Resource: "*" }]);
        for (const action of ["ecs:TagResources", "ecs:UntagResources", "ecs:AddTags", "ecs:RemoveTags", "ecs:CreateTags", "ecs:DeleteTags"]) {
          assert.ok(TAG_MUTATION_ACTIONS.includes(action), action);
        }
      });
    });
  }

  it("puts the time window and source IPs on every Allow and never on the Deny", () => {
    const doc = buildRunnerPolicy({
      ...base,
      level: "vpc",
      timeWindow: { start: "2026-01-01T00:00:00Z", end: "2026-12-31T23:59:59Z" },
      sourceIps: ["198.51.100.7", "203.0.113.0/24"],
    });
    for (const statement of doc.Statement) {
      if (statement.Effect === "Deny") {
        assert.equal(statement.Condition, undefined);
        continue;
      }
      assert.deepEqual(statement.Condition?.DateGreaterThan, { "acs:CurrentTime": "2026-01-01T00:00:00Z" });
      assert.deepEqual(statement.Condition?.DateLessThan, { "acs:CurrentTime": "2026-12-31T23:59:59Z" });
      assert.deepEqual(statement.Condition?.IpAddress, { "acs:SourceIp": ["198.51.100.7", "203.0.113.0/24"] });
    }
    // The launch statement keeps its own conditions next to the common ones.
    assert.ok(statementFor(doc, "ecs:RunInstances").Condition?.StringEquals);
    assert.ok(statementFor(doc, "ecs:RunInstances").Condition?.StringLike);
  });

  it("adds only the end or only the start when only one is given", () => {
    const endOnly = statementFor(buildRunnerPolicy({ ...base, level: "minimal", timeWindow: { end: "2027-01-01T00:00:00Z" } }), "ecs:DescribeImages");
    assert.deepEqual(endOnly.Condition, { DateLessThan: { "acs:CurrentTime": "2027-01-01T00:00:00Z" } });
    const startOnly = statementFor(buildRunnerPolicy({ ...base, level: "minimal", timeWindow: { start: "2026-01-01T00:00:00Z" } }), "ecs:DescribeImages");
    assert.deepEqual(startOnly.Condition, { DateGreaterThan: { "acs:CurrentTime": "2026-01-01T00:00:00Z" } });
  });

  it("needs the VPC id for the vpc level, and a scope for every action", () => {
    assert.throws(() => buildRunnerPolicy({ ...base, vpcId: undefined, level: "vpc" }), /level "vpc" needs the VPC id/);
    assert.throws(
      () => buildRunnerPolicy({ ...base, level: "minimal", actions: ["ecs:DescribeInstances", "ecs:StopInstance"] }),
      /ecs:StopInstance has no RAM authorization scope: add it to ACTION_SCOPES in infra\/ramPolicy\.ts/,
    );
  });

  it("drops statements that would have no action", () => {
    const doc = buildRunnerPolicy({ ...base, level: "minimal", actions: ["ecs:DescribeImages"] });
    assert.deepEqual(doc.Statement.map((s) => s.Effect), ["Allow", "Deny"]);
  });

  it("runnerPolicyProblems catches a wildcard action, a wrong version and an oversized document", () => {
    const good = buildRunnerPolicy({ ...base, level: "minimal" });
    const wildcard: RamPolicyDocument = { ...good, Statement: [...good.Statement, { Effect: "Allow", Action: ["ecs:*"], Resource: "*" }] };
    assert.match(runnerPolicyProblems(wildcard).join(), /allowed action "ecs:\*" has a wildcard/);
    assert.match(runnerPolicyProblems({ ...good, Version: "2012-10-17" as "1" }).join(), /Version must be "1"/);
    const huge = buildRunnerPolicy({ ...base, level: "minimal", sourceIps: Array.from({ length: 200 }, (_, i) => `10.${i}.0.0/16`) });
    assert.match(runnerPolicyProblems(huge).join(), new RegExp(`RAM accepts at most ${RAM_POLICY_MAX_LENGTH}`));
  });

  it("stays valid and within the limit for any prefix, region, level and a handful of source IPs (property)", () => {
    const args = fc.record({
      level: fc.constantFrom<RamPolicyLevel>(...RAM_POLICY_LEVELS),
      regionId: fc.constantFrom("cn-hangzhou", "cn-shanghai", "ap-southeast-1", "eu-central-1"),
      prefix: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/),
      vpcId: fc.stringMatching(/^vpc-[a-z0-9]{21,25}$/),
      sourceIps: fc.array(
        fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `${a}.${b}.${c}.0/24`),
        { maxLength: 10 },
      ),
    });
    fc.assert(
      fc.property(args, (a: RunnerPolicyArgs) => {
        const doc = buildRunnerPolicy({ ...a, timeWindow: { start: "2026-01-01T00:00:00Z", end: "2027-01-01T00:00:00Z" } });
        assert.deepEqual(runnerPolicyProblems(doc), []);
        assert.deepEqual(validatePolicyDocument(renderPolicyDocument(doc)), []);
        assert.deepEqual([...allowedActions(doc)].sort(), [...ALL_ALIYUN_ACTIONS].sort());
        assert.equal(renderPolicyDocument(buildRunnerPolicy({ ...a, timeWindow: { start: "2026-01-01T00:00:00Z", end: "2027-01-01T00:00:00Z" } })), renderPolicyDocument(doc), "deterministic");
      }),
      { numRuns: 200 },
    );
  });
});
