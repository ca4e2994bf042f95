import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { evaluateRam, RamRequest } from "../../emulator/ram/evaluate";
import { wildcardMatch } from "../../emulator/ram/wildcard";

type Statement = Record<string, unknown>;
const policy = (...Statement: Statement[]) => ({ Version: "1", Statement });
const allowAll = (extra: Statement = {}): Statement => ({ Effect: "Allow", Action: "*", Resource: "*", ...extra });
const request = (context: RamRequest["context"] = {}, action = "ecs:DescribeInstances", resource = "*"): RamRequest => ({
  action,
  resource,
  context,
});
const allowedWith = (condition: Record<string, unknown>, context: RamRequest["context"]): boolean =>
  evaluateRam([policy(allowAll({ Condition: condition }))], request(context)).allowed;

describe("emulator/ram evaluateRam", () => {
  describe("decisions", () => {
    it("denies by default", () => {
      const decision = evaluateRam([], request());
      assert.deepEqual(decision, { allowed: false, effect: "ImplicitDeny", reason: "no statement allows ecs:DescribeInstances on *" });
      assert.equal(evaluateRam([policy({ Effect: "Allow", Action: "ecs:RunInstances", Resource: "*" })], request()).effect, "ImplicitDeny");
    });

    it("allows on a matching Allow and says which statement", () => {
      const decision = evaluateRam(
        [policy({ Effect: "Allow", Action: "ecs:RunInstances", Resource: "*" }, { Effect: "Allow", Action: "ecs:DescribeInstances", Resource: "*" })],
        request(),
      );
      assert.equal(decision.allowed, true);
      assert.equal(decision.effect, "Allow");
      assert.match(decision.reason, /allowed by policy 1, statement 2 \(Allow ecs:DescribeInstances on \*\)/);
    });

    it("lets an explicit Deny win over any Allow, in any order and any policy", () => {
      const allow = policy(allowAll());
      const deny = policy({ Effect: "Deny", Action: "ecs:DescribeInstances", Resource: "*" });
      for (const policies of [[allow, deny], [deny, allow], [policy(allowAll(), { Effect: "Deny", Action: "ecs:Describe*", Resource: "*" })]]) {
        const decision = evaluateRam(policies, request());
        assert.equal(decision.effect, "ExplicitDeny");
        assert.equal(decision.allowed, false);
        assert.match(decision.reason, /explicitly denied by policy \d, statement \d \(Deny/);
      }
    });

    it("ignores a Deny whose condition does not hold", () => {
      const policies = [policy(allowAll(), { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "acs:SecureTransport": "false" } } })];
      assert.equal(evaluateRam(policies, request({ "acs:SecureTransport": "true" })).effect, "Allow");
      assert.equal(evaluateRam(policies, request({ "acs:SecureTransport": "false" })).effect, "ExplicitDeny");
    });

    it("explains an implicit deny with the first Allow whose condition failed", () => {
      const decision = evaluateRam(
        [policy({ Effect: "Allow", Action: "ecs:RunInstances", Resource: "*", Condition: { StringEquals: { "acs:RequestTag/team": "ci" } } })],
        request({}, "ecs:RunInstances"),
      );
      assert.equal(decision.effect, "ImplicitDeny");
      assert.match(decision.reason, /statement 1 .* matches but its condition StringEquals acs:RequestTag\/team \["ci"\] \(absent from the request\) does not hold/);
    });

    it("accepts documents as JSON text", () => {
      assert.equal(evaluateRam([JSON.stringify(policy(allowAll()))], request()).allowed, true);
    });

    it("fails closed on an invalid document, naming it", () => {
      const decision = evaluateRam([policy(allowAll()), { Version: "2012-10-17", Statement: [allowAll()] }], request());
      assert.equal(decision.allowed, false);
      assert.match(decision.reason, /policy 2 is not a valid RAM policy: Version must be "1"/);
    });
  });

  describe("Action and NotAction", () => {
    const table: [unknown, string, boolean][] = [
      ["ecs:DescribeInstances", "ecs:DescribeInstances", true],
      ["ecs:DescribeInstances", "ecs:describeinstances", true],
      ["ECS:DESCRIBEINSTANCES", "ecs:DescribeInstances", true],
      ["ecs:Describe*", "ecs:DescribeImages", true],
      ["ecs:Describe*", "ecs:RunInstances", false],
      ["ecs:*", "vpc:DescribeVSwitches", false],
      ["*", "vpc:DescribeVSwitches", true],
      ["ecs:?unInstances", "ecs:RunInstances", true],
      ["ecs:?Instances", "ecs:RunInstances", false],
      [["ecs:RunInstances", "ecs:DeleteInstances"], "ecs:DeleteInstances", true],
      [["ecs:RunInstances", "ecs:DeleteInstances"], "ecs:DeleteInstance", false],
      ["ecs:DeleteInstance", "ecs:DeleteInstances", false],
    ];
    for (const [pattern, action, expected] of table) {
      it(`Action ${JSON.stringify(pattern)} ${expected ? "covers" : "does not cover"} ${action}`, () => {
        assert.equal(evaluateRam([policy({ Effect: "Allow", Action: pattern, Resource: "*" })], request({}, action)).allowed, expected);
      });
    }

    it("NotAction covers every action except the listed ones", () => {
      const p = [policy({ Effect: "Allow", NotAction: ["ecs:Delete*", "ecs:RunInstances"], Resource: "*" })];
      assert.equal(evaluateRam(p, request({}, "ecs:DescribeImages")).allowed, true);
      assert.equal(evaluateRam(p, request({}, "ram:CreateUser")).allowed, true);
      assert.equal(evaluateRam(p, request({}, "ecs:DeleteInstances")).allowed, false);
      assert.equal(evaluateRam(p, request({}, "ecs:runinstances")).allowed, false);
    });
  });

  describe("Resource", () => {
    const table: [unknown, string, boolean][] = [
      ["*", "*", true],
      ["*", "acs:ecs:cn-hangzhou:123:instance/i-1", true],
      ["acs:ecs:*:*:instance/*", "acs:ecs:cn-hangzhou:123:instance/i-1", true],
      ["acs:ecs:cn-hangzhou:*:instance/*", "acs:ecs:cn-shanghai:123:instance/i-1", false],
      // An action without resource-level authorization is checked against "*": only "*" covers it.
      ["acs:ecs:*:*:instance/*", "*", false],
      ["acs:ecs:*:*:*", "*", false],
      // Instance ARNs end in the id, so the guide's name pattern never matches.
      ["acs:ecs:cn-hangzhou:*:instance/openresty-*-spot-*", "acs:ecs:cn-hangzhou:123:instance/i-bp1abc", false],
      ["acs:ecs:cn-hangzhou:*:instance/i-bp1??c", "acs:ecs:cn-hangzhou:123:instance/i-bp1abc", true],
      [["acs:ecs:*:*:image/*", "acs:ecs:*:*:instance/*"], "acs:ecs:cn-hangzhou:123:instance/i-1", true],
      // Unlike actions, resources are matched case-sensitively.
      ["acs:ecs:*:*:INSTANCE/*", "acs:ecs:cn-hangzhou:123:instance/i-1", false],
    ];
    for (const [pattern, resource, expected] of table) {
      it(`Resource ${JSON.stringify(pattern)} ${expected ? "covers" : "does not cover"} ${resource}`, () => {
        assert.equal(evaluateRam([policy({ Effect: "Allow", Action: "*", Resource: pattern })], request({}, "ecs:X", resource)).allowed, expected);
      });
    }
  });

  describe("condition operators", () => {
    type Row = [operator: string, policyValue: unknown, requestValue: string | string[] | undefined, expected: boolean];
    const table: Row[] = [
      ["StringEquals", "ci", "ci", true],
      ["StringEquals", "ci", "CI", false],
      ["StringEquals", ["dev", "ci"], "ci", true],
      ["StringEquals", "ci", undefined, false],
      ["StringNotEquals", "ci", "dev", true],
      ["StringNotEquals", "ci", "ci", false],
      ["StringNotEquals", ["ci", "dev"], "dev", false],
      ["StringNotEquals", "ci", undefined, true],
      ["StringEqualsIgnoreCase", "ci", "CI", true],
      ["StringEqualsIgnoreCase", "ci", "cd", false],
      ["StringNotEqualsIgnoreCase", "ci", "CI", false],
      ["StringNotEqualsIgnoreCase", "ci", "cd", true],
      ["StringNotEqualsIgnoreCase", "ci", undefined, true],
      ["StringLike", "acs:vpc:cn-hangzhou:*:vpc/*", "acs:vpc:cn-hangzhou:123:vpc/vpc-1", true],
      ["StringLike", "acs:vpc:cn-hangzhou:*:vpc/*", "acs:vpc:cn-shanghai:123:vpc/vpc-1", false],
      ["StringLike", "v?c", "vpc", true],
      ["StringLike", "v?c", "vppc", false],
      ["StringLike", "VPC*", "vpc-1", false],
      ["StringLike", "*", undefined, false],
      ["StringNotLike", "prod-*", "ci-1", true],
      ["StringNotLike", "prod-*", "prod-1", false],
      ["StringNotLike", "prod-*", undefined, true],
      ["NumericEquals", 8, "8", true],
      ["NumericEquals", "8", "8.0", true],
      ["NumericEquals", 8, "9", false],
      ["NumericEquals", 8, "eight", false],
      ["NumericNotEquals", 8, "9", true],
      ["NumericNotEquals", 8, "8", false],
      ["NumericNotEquals", 8, undefined, true],
      ["NumericLessThan", 8, "7", true],
      ["NumericLessThan", 8, "8", false],
      ["NumericLessThanEquals", 8, "8", true],
      ["NumericLessThanEquals", 8, "9", false],
      ["NumericGreaterThan", 8, "9", true],
      ["NumericGreaterThan", 8, "8", false],
      ["NumericGreaterThanEquals", 8, "8", true],
      ["NumericGreaterThanEquals", 8, "7", false],
      ["NumericGreaterThan", 8, undefined, false],
      ["DateEquals", "2026-01-01T00:00:00Z", "2026-01-01T08:00:00+08:00", true],
      ["DateEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", false],
      ["DateNotEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", true],
      ["DateNotEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", false],
      ["DateLessThan", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z", true],
      ["DateLessThan", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", false],
      ["DateLessThanEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", true],
      ["DateLessThanEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", false],
      ["DateGreaterThan", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", true],
      ["DateGreaterThan", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", false],
      ["DateGreaterThanEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", true],
      ["DateGreaterThanEquals", "2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z", false],
      ["DateGreaterThan", "2026-01-01T00:00:00Z", "not a date", false],
      ["DateGreaterThan", "2026-01-01T00:00:00Z", undefined, false],
      ["Bool", "true", "true", true],
      ["Bool", true, "TRUE", true],
      ["Bool", "true", "false", false],
      ["Bool", "false", undefined, false],
      ["IpAddress", "203.0.113.0/24", "203.0.113.77", true],
      ["IpAddress", "203.0.113.0/24", "203.0.114.1", false],
      ["IpAddress", "198.51.100.7", "198.51.100.7", true],
      ["IpAddress", "198.51.100.7", "198.51.100.8", false],
      ["IpAddress", ["10.0.0.0/8", "192.168.1.0/24"], "192.168.1.9", true],
      ["IpAddress", "0.0.0.0/0", "8.8.8.8", true],
      ["IpAddress", "2001:db8::/32", "2001:db8::1", true],
      ["IpAddress", "2001:db8::/32", "203.0.113.1", false],
      ["IpAddress", "203.0.113.0/24", "not-an-ip", false],
      ["IpAddress", "203.0.113.0/24", undefined, false],
      ["NotIpAddress", "203.0.113.0/24", "198.51.100.1", true],
      ["NotIpAddress", "203.0.113.0/24", "203.0.113.1", false],
      ["NotIpAddress", "203.0.113.0/24", undefined, true],
      // A multi-valued request key matches when any of its values does.
      ["StringEquals", "ci", ["dev", "ci"], true],
      ["StringNotEquals", "ci", ["dev", "ci"], false],
    ];
    for (const [operator, policyValue, requestValue, expected] of table) {
      it(`${operator} ${JSON.stringify(policyValue)} vs ${requestValue === undefined ? "absent key" : JSON.stringify(requestValue)}: ${expected}`, () => {
        const context: RamRequest["context"] = requestValue === undefined ? {} : { "test:Key": requestValue };
        assert.equal(allowedWith({ [operator]: { "test:Key": policyValue } }, context), expected);
      });
    }
  });

  describe("condition combination", () => {
    it("matches condition key names case-insensitively, values case-sensitively", () => {
      assert.equal(allowedWith({ StringEquals: { "acs:RequestTag/Team": "ci" } }, { "ACS:requesttag/team": "ci" }), true);
      assert.equal(allowedWith({ StringEquals: { "acs:RequestTag/Team": "ci" } }, { "acs:RequestTag/Team": "Ci" }), false);
    });

    it("ANDs several keys under one operator", () => {
      const condition = { StringEquals: { "test:A": "1", "test:B": "2" } };
      assert.equal(allowedWith(condition, { "test:A": "1", "test:B": "2" }), true);
      assert.equal(allowedWith(condition, { "test:A": "1", "test:B": "3" }), false);
      assert.equal(allowedWith(condition, { "test:A": "1" }), false);
    });

    it("ANDs several operators", () => {
      const condition = {
        DateGreaterThan: { "acs:CurrentTime": "2026-01-01T00:00:00Z" },
        DateLessThan: { "acs:CurrentTime": "2027-01-01T00:00:00Z" },
        IpAddress: { "acs:SourceIp": "203.0.113.0/24" },
      };
      const inside = { "acs:CurrentTime": "2026-06-01T00:00:00Z", "acs:SourceIp": "203.0.113.5" };
      assert.equal(allowedWith(condition, inside), true);
      assert.equal(allowedWith(condition, { ...inside, "acs:CurrentTime": "2027-06-01T00:00:00Z" }), false);
      assert.equal(allowedWith(condition, { ...inside, "acs:CurrentTime": "2025-06-01T00:00:00Z" }), false);
      assert.equal(allowedWith(condition, { ...inside, "acs:SourceIp": "198.51.100.1" }), false);
    });

    it("ORs the values of one key", () => {
      const condition = { StringLike: { "vpc:VPC": ["acs:vpc:*:*:vpc/vpc-a", "acs:vpc:*:*:vpc/vpc-b"] } };
      assert.equal(allowedWith(condition, { "vpc:VPC": "acs:vpc:cn-hangzhou:1:vpc/vpc-b" }), true);
      assert.equal(allowedWith(condition, { "vpc:VPC": "acs:vpc:cn-hangzhou:1:vpc/vpc-c" }), false);
    });
  });

  describe("properties", () => {
    const actions = ["ecs:RunInstances", "ecs:DescribeInstances", "ecs:DeleteInstances", "ecs:TagResources", "vpc:DescribeVSwitches"];
    const statementArb = fc.record({
      Effect: fc.constantFrom("Allow", "Deny"),
      Action: fc.constantFrom<unknown>("*", "ecs:*", "ecs:Describe*", "ecs:RunInstances", "ecs:?eleteInstances", ["ecs:RunInstances", "ecs:TagResources"]),
      Resource: fc.constantFrom<unknown>("*", "acs:ecs:*:*:instance/*", "acs:ecs:cn-hangzhou:*:instance/*", ["*", "acs:ecs:*:*:image/*"]),
      Condition: fc.option(
        fc.constantFrom<unknown>(
          { StringEquals: { "acs:ResourceTag/p": "x" } },
          { StringNotEquals: { "acs:ResourceTag/p": "x" } },
          { IpAddress: { "acs:SourceIp": "203.0.113.0/24" } },
          { NotIpAddress: { "acs:SourceIp": "203.0.113.0/24" } },
          { DateLessThan: { "acs:CurrentTime": "2026-06-01T00:00:00Z" } },
        ),
        { nil: undefined },
      ),
    }).map((s) => (s.Condition === undefined ? { Effect: s.Effect, Action: s.Action, Resource: s.Resource } : s));
    const policyArb = fc.array(statementArb, { minLength: 1, maxLength: 4 }).map((statements) => policy(...statements));
    const policiesArb = fc.array(policyArb, { maxLength: 3 });
    const requestArb = fc.record({
      action: fc.constantFrom(...actions),
      resource: fc.constantFrom("*", "acs:ecs:cn-hangzhou:1:instance/i-1", "acs:ecs:cn-shanghai:1:instance/i-2"),
      context: fc.record(
        {
          "acs:ResourceTag/p": fc.constantFrom("x", "y"),
          "acs:SourceIp": fc.constantFrom("203.0.113.9", "198.51.100.1"),
          "acs:CurrentTime": fc.constantFrom("2026-01-01T00:00:00Z", "2026-12-01T00:00:00Z"),
        },
        { requiredKeys: [] },
      ),
    });

    it("adding a Deny statement never turns a request into an allowed one", () => {
      fc.assert(
        fc.property(policiesArb, statementArb, requestArb, (policies, extra, req) => {
          const before = evaluateRam(policies, req);
          const after = evaluateRam([...policies, policy({ ...extra, Effect: "Deny" })], req);
          if (!before.allowed) assert.equal(after.allowed, false);
          if (after.allowed) assert.equal(before.allowed, true);
        }),
      );
    });

    it("removing an Allow statement never turns a denied request into an allowed one", () => {
      fc.assert(
        fc.property(policiesArb.filter((ps) => ps.length > 0), fc.nat(), requestArb, (policies, pick, req) => {
          const p = pick % policies.length;
          const statements = policies[p]!.Statement;
          const s = pick % statements.length;
          if (statements[s]!.Effect !== "Allow" || statements.length < 2) return;
          const reduced = policies.map((doc, i) => (i === p ? policy(...statements.filter((_, j) => j !== s)) : doc));
          if (!evaluateRam(policies, req).allowed) assert.equal(evaluateRam(reduced, req).allowed, false);
        }),
      );
    });

    it("an explicit Deny always wins, and the order of policies and statements does not matter", () => {
      fc.assert(
        fc.property(policiesArb, requestArb, (policies, req) => {
          const decision = evaluateRam(policies, req);
          const reversed = evaluateRam(
            [...policies].reverse().map((doc) => policy(...[...doc.Statement].reverse())),
            req,
          );
          assert.equal(reversed.effect, decision.effect);
          const withDenyAll = evaluateRam([...policies, policy({ Effect: "Deny", Action: "*", Resource: "*" })], req);
          assert.equal(withDenyAll.effect, "ExplicitDeny");
        }),
      );
    });

    it("action matching ignores case", () => {
      fc.assert(
        fc.property(policiesArb, requestArb, fc.boolean(), (policies, req, upper) => {
          const action = upper ? req.action.toUpperCase() : req.action.toLowerCase();
          assert.equal(evaluateRam(policies, { ...req, action }).effect, evaluateRam(policies, req).effect);
        }),
      );
    });
  });
});

describe("emulator/ram wildcardMatch", () => {
  /** Reference: the same semantics through a regular expression. */
  const viaRegExp = (pattern: string, value: string) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s").test(value);

  it("agrees with a regular-expression reference (property)", () => {
    const alphabet = fc.constantFrom("a", "b", ":", "/", "*", "?", ".");
    const text = fc.constantFrom("a", "b", ":", "/", ".");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }).map((a) => a.join("")), fc.array(text, { maxLength: 10 }).map((a) => a.join("")), (p, v) => {
        assert.equal(wildcardMatch(p, v), viaRegExp(p, v));
      }),
      { numRuns: 2000 },
    );
  });

  it("stays fast on patterns that make naive backtracking explode", () => {
    const started = Date.now();
    assert.equal(wildcardMatch(`${"*a".repeat(50)}b`, "a".repeat(5000)), false);
    assert.ok(Date.now() - started < 1000);
  });
});
