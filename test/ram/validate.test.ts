import * as assert from "node:assert/strict";
import { validatePolicyDocument } from "../../emulator/ram/evaluate";
import { instanceArn, ramResourceFor, vpcArn } from "../../emulator/ram/resources";

const statement = (extra: Record<string, unknown> = {}) => ({ Effect: "Allow", Action: "ecs:DescribeInstances", Resource: "*", ...extra });
const doc = (...statements: unknown[]) => ({ Version: "1", Statement: statements });

describe("emulator/ram validatePolicyDocument", () => {
  it("accepts the documented grammar", () => {
    assert.deepEqual(validatePolicyDocument(doc(statement())), []);
    assert.deepEqual(
      validatePolicyDocument(
        doc(
          { Effect: "Deny", NotAction: ["ecs:Describe*", "vpc:*"], Resource: ["acs:ecs:*:*:instance/*", "acs:oss:*:*:mybucket/*"] },
          statement({
            Condition: {
              StringEquals: { "acs:RequestTag/team": ["ci", "cd"] },
              NumericLessThan: { "test:n": 5 },
              Bool: { "acs:SecureTransport": true },
              DateLessThan: { "acs:CurrentTime": "2026-01-01T00:00:00Z" },
              IpAddress: { "acs:SourceIp": ["10.0.0.0/8", "198.51.100.7", "2001:db8::/32"] },
            },
          }),
        ),
      ),
      [],
    );
    assert.deepEqual(validatePolicyDocument(JSON.stringify(doc(statement()))), []);
  });

  const table: [string, unknown, RegExp][] = [
    ["not JSON text", "{", /not JSON/],
    ["not an object", [], /not a JSON object/],
    ["a wrong version", { Version: "2012-10-17", Statement: [statement()] }, /Version must be "1", not "2012-10-17"/],
    ["a numeric version", { Version: 1, Statement: [statement()] }, /Version must be "1", not 1/],
    ["no statements", { Version: "1", Statement: [] }, /Statement must be a non-empty list/],
    ["a single statement object", { Version: "1", Statement: statement() }, /Statement must be a non-empty list/],
    ["an unknown top-level element", { Version: "1", Statement: [statement()], Id: "x" }, /has "Id"; a RAM policy has only Version and Statement/],
    ["a statement that is not an object", doc("Allow"), /statement 1 is not an object/],
    ["a bad Effect", doc(statement({ Effect: "allow" })), /statement 1: Effect must be "Allow" or "Deny", not "allow"/],
    ["both Action and NotAction", doc(statement({ NotAction: "ecs:RunInstances" })), /exactly one of Action and NotAction/],
    ["neither Action nor NotAction", doc({ Effect: "Allow", Resource: "*" }), /exactly one of Action and NotAction/],
    ["an empty Action list", doc(statement({ Action: [] })), /Action must be a string or a non-empty list of strings/],
    ["a malformed action", doc(statement({ Action: "DescribeInstances" })), /"DescribeInstances" is not an action such as ecs:RunInstances/],
    ["no Resource", doc({ Effect: "Allow", Action: "ecs:RunInstances" }), /statement 1 has no Resource/],
    ["a malformed resource", doc(statement({ Resource: "instance/*" })), /"instance\/\*" is not "\*" or an ARN/],
    ["NotResource", doc(statement({ NotResource: "*" })), /has "NotResource", which RAM identity policies do not have/],
    ["Principal", doc(statement({ Principal: { RAM: "*" } })), /has "Principal"/],
    ["an unknown operator", doc(statement({ Condition: { StringEqualsIfExists: { "a:b": "c" } } })), /unknown condition operator "StringEqualsIfExists"/],
    ["a condition that is not an object", doc(statement({ Condition: "x" })), /Condition must be an object/],
    ["an operator without keys", doc(statement({ Condition: { StringEquals: {} } })), /StringEquals must map condition keys to values/],
    ["an empty value list", doc(statement({ Condition: { StringEquals: { "a:b": [] } } })), /StringEquals a:b must be a value or a non-empty list of values/],
    ["a non-numeric Numeric value", doc(statement({ Condition: { NumericEquals: { "a:b": "eight" } } })), /NumericEquals a:b: "eight" is not a number/],
    ["a bad date", doc(statement({ Condition: { DateLessThan: { "acs:CurrentTime": "next year" } } })), /"next year" is not an ISO 8601 date-time/],
    ["a non-boolean Bool", doc(statement({ Condition: { Bool: { "acs:MFAPresent": "yes" } } })), /"yes" is not true or false/],
    ["a bad IP", doc(statement({ Condition: { IpAddress: { "acs:SourceIp": "10.0.0.0/33" } } })), /"10\.0\.0\.0\/33" is not an IP address or CIDR/],
    ["a document over 6,144 characters", doc(statement({ Action: Array.from({ length: 400 }, (_, i) => `ecs:Action${i}`) })), /characters; RAM accepts at most 6144/],
  ];
  for (const [label, document, message] of table) {
    it(`reports ${label}`, () => {
      const problems = validatePolicyDocument(document);
      assert.ok(problems.some((p) => message.test(p)), `no problem matches ${message}: ${JSON.stringify(problems)}`);
    });
  }

  it("reports every problem, not just the first", () => {
    const problems = validatePolicyDocument({ Version: "2", Statement: [statement({ Effect: "Maybe" }), statement({ Resource: "x" })] });
    assert.equal(problems.length, 3, problems.join("; "));
  });
});

describe("emulator/ram resources", () => {
  const where = { regionId: "cn-hangzhou", accountId: "1234567890", instanceId: "i-bp1abc" };
  it("authorizes launches and catalogue reads on *, instance actions on the instance's ARN, lookups on the region's resources", () => {
    assert.equal(ramResourceFor("ecs:RunInstances", where), "*");
    assert.equal(ramResourceFor("ecs:DescribeInstanceTypes", where), "*");
    assert.equal(ramResourceFor("ecs:DescribeImages", where), "acs:ecs:cn-hangzhou:1234567890:image/*");
    assert.equal(ramResourceFor("ecs:DescribeSecurityGroups", where), "acs:ecs:cn-hangzhou:1234567890:securitygroup/*");
    assert.equal(ramResourceFor("vpc:DescribeVSwitches", where), "acs:vpc:cn-hangzhou:1234567890:vswitch/*");
    assert.equal(ramResourceFor("ecs:DeleteInstances", where), "acs:ecs:cn-hangzhou:1234567890:instance/i-bp1abc");
    assert.equal(ramResourceFor("ecs:GetInstanceConsoleOutput", where), instanceArn("cn-hangzhou", "1234567890", "i-bp1abc"));
    assert.equal(ramResourceFor("ecs:DescribeInstances", { ...where, instanceId: undefined }), "acs:ecs:cn-hangzhou:1234567890:instance/*");
    assert.throws(() => ramResourceFor("ecs:DeleteInstances", { ...where, instanceId: undefined }), /authorized per instance/);
    assert.equal(vpcArn("cn-hangzhou", "1234567890", "vpc-1"), "acs:vpc:cn-hangzhou:1234567890:vpc/vpc-1");
  });
});
