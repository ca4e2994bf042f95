/**
 * The generated runner policies, evaluated with the emulator's RAM evaluator: every call the provider,
 * reaper and CLI make is allowed, and what the policy exists to stop is denied, at each level.
 */
import * as assert from "node:assert/strict";
import { evaluateRam, RamDecision, RamRequest } from "../../emulator/ram/evaluate";
import { instanceArn, ramResourceFor, vpcArn } from "../../emulator/ram/resources";
import { buildRunnerPolicy, RAM_POLICY_LEVELS, RamPolicyLevel, renderPolicyDocument, RunnerPolicyArgs } from "../../infra/ramPolicy";
import { ALL_ALIYUN_ACTIONS } from "../../provider/permissions";
import { MANAGED_BY_VALUE, TAG_KEYS } from "../../provider/tags";

const REGION = "cn-hangzhou";
const ACCOUNT = "1234567890";
const VPC = "vpc-bp1ours0000000000000";
const NOW = "2026-06-01T12:00:00Z";
const CALLER_IP = "203.0.113.10";
const OUR_TAGS = { [TAG_KEYS.managedBy]: MANAGED_BY_VALUE, [TAG_KEYS.prefix]: "openresty", [TAG_KEYS.arch]: "arm64" };

const tagContext = (kind: "RequestTag" | "ResourceTag", tags: Record<string, string>) =>
  Object.fromEntries(Object.entries(tags).map(([k, v]) => [`acs:${kind}/${k}`, v]));

interface CallOptions {
  readonly region?: string;
  readonly tags?: Record<string, string>;
  /** The launch VPC's ARN; null = the request carries no vpc:VPC value. */
  readonly vpc?: string | null;
  readonly now?: string | null;
  readonly sourceIp?: string;
}

/** Calls on one existing instance: RAM sees the instance's ARN and its tags (acs:ResourceTag). */
const INSTANCE_CALLS = new Set(["ecs:DeleteInstances", "ecs:GetInstanceConsoleOutput", "ecs:TagResources", "ecs:UntagResources", "ecs:StopInstance"]);

/** The request RAM sees for one call as the provider makes it (ramResourceFor gives the resource). */
function call(action: string, options: CallOptions = {}): RamRequest {
  const where = { regionId: options.region ?? REGION, accountId: ACCOUNT };
  const context: Record<string, string> = { "acs:SourceIp": options.sourceIp ?? CALLER_IP };
  if (options.now !== null) context["acs:CurrentTime"] = options.now ?? NOW;
  if (action === "ecs:RunInstances") {
    Object.assign(context, tagContext("RequestTag", options.tags ?? OUR_TAGS));
    const vpc = options.vpc === undefined ? vpcArn(where.regionId, ACCOUNT, VPC) : options.vpc;
    if (vpc !== null) context["vpc:VPC"] = vpc;
  }
  if (INSTANCE_CALLS.has(action)) {
    Object.assign(context, tagContext("ResourceTag", options.tags ?? OUR_TAGS));
    return { action, resource: instanceArn(where.regionId, ACCOUNT, "i-bp1runner"), context };
  }
  return { action, resource: ramResourceFor(action, where), context };
}

const policyFor = (level: RamPolicyLevel, extra: Partial<RunnerPolicyArgs> = {}) =>
  renderPolicyDocument(buildRunnerPolicy({ level, regionId: REGION, prefix: "openresty", vpcId: VPC, ...extra }));

function expectDecision(decision: RamDecision, effect: RamDecision["effect"], label: string): void {
  assert.equal(decision.effect, effect, `${label}: ${decision.reason}`);
}

describe("generated runner policies under the RAM evaluator", () => {
  for (const level of RAM_POLICY_LEVELS) {
    describe(`level ${level}`, () => {
      const policies = [policyFor(level)];
      const decide = (request: RamRequest) => evaluateRam(policies, request);

      it("allows every call the provider, reaper and CLI make", () => {
        for (const action of ALL_ALIYUN_ACTIONS) expectDecision(decide(call(action)), "Allow", action);
      });

      it("allows listing a single instance by id, and releasing any of several tagged instances", () => {
        expectDecision(decide({ ...call("ecs:DescribeInstances"), resource: instanceArn(REGION, ACCOUNT, "i-1") }), "Allow", "describe one");
        for (const id of ["i-1", "i-2"]) {
          expectDecision(decide({ ...call("ecs:DeleteInstances"), resource: instanceArn(REGION, ACCOUNT, id) }), "Allow", id);
        }
      });

      it("denies launches without our tag, or with another deployment's", () => {
        expectDecision(decide(call("ecs:RunInstances", { tags: {} })), "ImplicitDeny", "untagged");
        expectDecision(decide(call("ecs:RunInstances", { tags: { ...OUR_TAGS, [TAG_KEYS.prefix]: "someone-else" } })), "ImplicitDeny", "foreign prefix");
        expectDecision(decide(call("ecs:RunInstances", { tags: { ...OUR_TAGS, [TAG_KEYS.prefix]: "OPENRESTY" } })), "ImplicitDeny", "case differs");
      });

      it("denies releasing or reading the console of instances that do not carry our tag", () => {
        for (const action of ["ecs:DeleteInstances", "ecs:GetInstanceConsoleOutput"]) {
          expectDecision(decide(call(action, { tags: {} })), "ImplicitDeny", `${action} untagged`);
          expectDecision(decide(call(action, { tags: { [TAG_KEYS.prefix]: "prod-db" } })), "ImplicitDeny", `${action} foreign`);
        }
      });

      it("denies instance calls in another region", () => {
        for (const action of ["ecs:DeleteInstances", "ecs:GetInstanceConsoleOutput", "ecs:DescribeInstances"]) {
          expectDecision(decide(call(action, { region: "cn-shanghai" })), "ImplicitDeny", action);
        }
      });

      it("explicitly denies tag changes, even on our own instances", () => {
        for (const action of ["ecs:TagResources", "ecs:UntagResources"]) {
          expectDecision(decide(call(action)), "ExplicitDeny", action);
        }
      });

      it("denies actions outside the list", () => {
        for (const action of ["ecs:StopInstance", "ecs:DeleteInstance", "ecs:CreateInstance", "ecs:ModifyInstanceAttribute", "vpc:DescribeVSwitches", "ram:CreateAccessKey"]) {
          const resource = action.startsWith("ecs:") && action !== "ecs:CreateInstance" ? instanceArn(REGION, ACCOUNT, "i-bp1runner") : "*";
          const decision = decide({ action, resource, context: { ...tagContext("ResourceTag", OUR_TAGS), ...tagContext("RequestTag", OUR_TAGS) } });
          expectDecision(decision, "ImplicitDeny", action);
        }
      });
    });
  }

  describe("launch scoping per level", () => {
    const otherVpcSameRegion = vpcArn(REGION, ACCOUNT, "vpc-bp1other000000000000");
    const vpcInOtherRegion = vpcArn("cn-shanghai", ACCOUNT, "vpc-uf6other000000000000");
    const table: [string, CallOptions, Record<RamPolicyLevel, RamDecision["effect"]>][] = [
      ["into our VPC", {}, { minimal: "Allow", regional: "Allow", vpc: "Allow" }],
      ["into another VPC of the region", { vpc: otherVpcSameRegion }, { minimal: "Allow", regional: "Allow", vpc: "ImplicitDeny" }],
      ["into a VPC of another region", { vpc: vpcInOtherRegion }, { minimal: "Allow", regional: "ImplicitDeny", vpc: "ImplicitDeny" }],
      ["with no VPC in the request", { vpc: null }, { minimal: "Allow", regional: "ImplicitDeny", vpc: "ImplicitDeny" }],
    ];
    for (const [label, options, expected] of table) {
      for (const level of RAM_POLICY_LEVELS) {
        it(`${level}: a tagged launch ${label} -> ${expected[level]}`, () => {
          expectDecision(evaluateRam([policyFor(level)], call("ecs:RunInstances", options)), expected[level], label);
        });
      }
    }
  });

  describe("time window and source IPs", () => {
    const policies = [
      policyFor("vpc", {
        timeWindow: { start: "2026-01-01T00:00:00Z", end: "2026-12-31T23:59:59Z" },
        sourceIps: ["203.0.113.0/24", "198.51.100.7"],
      }),
    ];
    const decide = (request: RamRequest) => evaluateRam(policies, request);

    it("allows every call inside the window from a listed address", () => {
      for (const action of ALL_ALIYUN_ACTIONS) {
        expectDecision(decide(call(action)), "Allow", action);
        expectDecision(decide(call(action, { sourceIp: "198.51.100.7" })), "Allow", `${action} from the single address`);
      }
    });

    it("denies every call before or after the window, or without a time", () => {
      for (const action of ALL_ALIYUN_ACTIONS) {
        expectDecision(decide(call(action, { now: "2025-12-31T23:59:59Z" })), "ImplicitDeny", `${action} before`);
        expectDecision(decide(call(action, { now: "2027-01-01T00:00:00Z" })), "ImplicitDeny", `${action} after`);
        expectDecision(decide(call(action, { now: null })), "ImplicitDeny", `${action} no time`);
      }
    });

    it("denies every call from another address", () => {
      for (const action of ALL_ALIYUN_ACTIONS) {
        expectDecision(decide(call(action, { sourceIp: "198.51.100.8" })), "ImplicitDeny", action);
      }
    });

    it("keeps denying tag changes outside the window too", () => {
      expectDecision(decide(call("ecs:TagResources", { now: "2030-01-01T00:00:00Z" })), "ExplicitDeny", "TagResources");
    });
  });

  it("keeps the tag lock when a broader policy is attached next to it", () => {
    const admin = { Version: "1", Statement: [{ Effect: "Allow", Action: "ecs:*", Resource: "*" }] };
    const policies = [admin, policyFor("minimal")];
    expectDecision(evaluateRam(policies, call("ecs:TagResources")), "ExplicitDeny", "TagResources");
    expectDecision(evaluateRam(policies, call("ecs:UntagResources", { tags: {} })), "ExplicitDeny", "UntagResources");
    expectDecision(evaluateRam(policies, call("ecs:StopInstance")), "Allow", "the admin policy still works otherwise");
  });
});
