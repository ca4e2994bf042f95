import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  CONFIG_KEYS,
  configKey,
  configWarnings,
  InfraConfig,
  isIsoUtcSeconds,
  parseInfraConfig,
  parseStringList,
  RawInfraConfig,
} from "../../infra/config";
import { InfraConfigError } from "../../infra/errors";
import { defaultCiUserName, runnerPolicyName, securityGroupName, vpcName, vSwitchName, zoneSuffix } from "../../infra/names";
import { loadStackConfig, prodStackConfig, TEST_FINGERPRINT } from "./stackConfig";

const GUIDE_ZONES = ["b", "g", "h", "i", "j", "k"].map((l) => `cn-hangzhou-${l}`);

/** The smallest valid configuration: region, prefix, zones. */
const minimal: RawInfraConfig = {
  "alicloud:region": "cn-hangzhou",
  [configKey("prefix")]: "openresty",
  [configKey("zones")]: JSON.stringify(GUIDE_ZONES),
};

/** Parses and returns the problems' text, or fails the test when the config is accepted. */
function problemsOf(raw: RawInfraConfig): string[] {
  try {
    parseInfraConfig(raw);
  } catch (err) {
    assert.ok(err instanceof InfraConfigError, String(err));
    return err.problems.map((p) => `${p.key}: ${p.problem}. Fix: ${p.fix}`);
  }
  assert.fail("the configuration was accepted");
}

describe("infra/config", () => {
  describe("the prod stack file", () => {
    it("parses to the guide's setup, keyless for the guide's repository", () => {
      const config = parseInfraConfig(prodStackConfig());
      assert.deepEqual(config, {
        regionId: "cn-hangzhou",
        prefix: "openresty",
        vpcCidr: "172.16.0.0/16",
        zones: GUIDE_ZONES.map((zoneId, i) => ({ zoneId, letter: zoneId.slice(-1), cidr: `172.16.${i + 1}.0/24` })),
        sshIngressCidrs: [],
        allowSshFromAnywhere: false,
        ramPolicyLevel: "vpc",
        ramSourceIps: [],
        ciAuth: "oidc",
        ciUserName: "openresty-github-actions",
        createAccessKey: false,
        ciOidc: {
          repositories: ["dianplus/openresty"],
          refs: ["refs/heads/develop", "refs/heads/master", "refs/tags/v*"],
          subjects: [
            "repo:dianplus/openresty:ref:refs/heads/develop",
            "repo:dianplus/openresty:ref:refs/heads/master",
            "repo:dianplus/openresty:ref:refs/tags/v*",
          ],
          audience: "sts.aliyuncs.com",
          issuerUrl: "https://token.actions.githubusercontent.com",
          provider: { create: { name: "openresty-github", fingerprints: [TEST_FINGERPRINT] } },
          roleName: "openresty-github-actions",
          maxSessionSeconds: 3600,
        },
      } satisfies InfraConfig);
    });

    it("stops before anything is created until the operator adds the OIDC CA fingerprint, saying how to get it", () => {
      const problems = problemsOf(loadStackConfig("Pulumi.prod.yaml"));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0]!, /^spot-runner-infra:ciOidcFingerprints: is not set; RAM needs the fingerprint of the issuer's HTTPS CA certificate/);
      assert.match(problems[0]!, /Fix: .*docs\/infra\.md.*pulumi config set --path 'spot-runner-infra:ciOidcFingerprints\[0\]' <40 hex digits>.*ciOidcProviderArn/);
    });

    it("gives the same vSwitch CIDRs as deriving them from the zone list", () => {
      const explicit = parseInfraConfig(prodStackConfig());
      const derived = parseInfraConfig({ ...prodStackConfig(), [configKey("zones")]: JSON.stringify(GUIDE_ZONES) });
      assert.deepEqual(derived.zones, explicit.zones);
    });
  });

  describe("defaults", () => {
    it("fills every optional key", () => {
      const config = parseInfraConfig(minimal);
      assert.equal(config.vpcCidr, "172.16.0.0/16");
      assert.deepEqual(config.sshIngressCidrs, []);
      assert.equal(config.allowSshFromAnywhere, false);
      assert.equal(config.ramPolicyLevel, "vpc");
      assert.equal(config.ramTimeWindow, undefined);
      assert.deepEqual(config.ramSourceIps, []);
      assert.equal(config.ciAuth, "accessKey", "existing stacks keep their RAM user until they opt into OIDC");
      assert.equal(config.ciOidc, undefined);
      assert.equal(config.ciUserName, "openresty-github-actions");
      assert.equal(config.createAccessKey, false);
      assert.deepEqual(config.zones.map((z) => z.cidr), GUIDE_ZONES.map((_, i) => `172.16.${i + 1}.0/24`));
    });

    it("derives CIDRs with vSwitchMask, and takes comma-separated lists", () => {
      const config = parseInfraConfig({
        ...minimal,
        [configKey("zones")]: "cn-hangzhou-j, cn-hangzhou-k",
        [configKey("vSwitchMask")]: "20",
        [configKey("sshIngressCidrs")]: "203.0.113.0/24,198.51.100.7",
        [configKey("ramSourceIps")]: '["198.51.100.7"]',
        [configKey("ramTimeWindowStart")]: "2026-01-01T00:00:00Z",
        [configKey("createAccessKey")]: "true",
      });
      assert.deepEqual(config.zones, [
        { zoneId: "cn-hangzhou-j", letter: "j", cidr: "172.16.16.0/20" },
        { zoneId: "cn-hangzhou-k", letter: "k", cidr: "172.16.32.0/20" },
      ]);
      assert.deepEqual(config.sshIngressCidrs, ["203.0.113.0/24", "198.51.100.7/32"]);
      assert.deepEqual(config.ramSourceIps, ["198.51.100.7"]);
      assert.deepEqual(config.ramTimeWindow, { start: "2026-01-01T00:00:00Z" });
      assert.equal(config.createAccessKey, true);
    });

    it("adds 0.0.0.0/0 to SSH only with allowSshFromAnywhere", () => {
      const config = parseInfraConfig({ ...minimal, [configKey("allowSshFromAnywhere")]: "true" });
      assert.deepEqual(config.sshIngressCidrs, ["0.0.0.0/0"]);
      const listed = parseInfraConfig({
        ...minimal,
        [configKey("allowSshFromAnywhere")]: "true",
        [configKey("sshIngressCidrs")]: '["0.0.0.0/0", "10.1.0.0/16"]',
      });
      assert.deepEqual(listed.sshIngressCidrs, ["0.0.0.0/0", "10.1.0.0/16"]);
    });
  });

  describe("errors name the key and the fix", () => {
    const table: [string, RawInfraConfig, RegExp][] = [
      ["no region", { ...minimal, "alicloud:region": undefined }, /^alicloud:region: is not set\. Fix: pulumi config set alicloud:region cn-hangzhou$/],
      ["a bad region", { ...minimal, "alicloud:region": "Hangzhou" }, /^alicloud:region: "Hangzhou" is not a region id/],
      ["no prefix", { ...minimal, [configKey("prefix")]: undefined }, /^spot-runner-infra:prefix: is not set\. Fix: pulumi config set spot-runner-infra:prefix openresty$/],
      ["a bad prefix", { ...minimal, [configKey("prefix")]: "Open_Resty" }, /^spot-runner-infra:prefix: "Open_Resty" is not a name prefix: 1-32 lowercase/],
      ["a bad VPC CIDR", { ...minimal, [configKey("vpcCidr")]: "172.16.0.0/33" }, /^spot-runner-infra:vpcCidr: "172\.16\.0\.0\/33" is not an IPv4 CIDR.*Fix: pulumi config set spot-runner-infra:vpcCidr 172\.16\.0\.0\/16$/],
      ["a public VPC CIDR", { ...minimal, [configKey("vpcCidr")]: "8.8.0.0/16" }, /^spot-runner-infra:vpcCidr: "8\.8\.0\.0\/16" is not inside 10\.0\.0\.0\/8/],
      ["a VPC mask out of range", { ...minimal, [configKey("vpcCidr")]: "10.0.0.0/29" }, /^spot-runner-infra:vpcCidr: .*\/8 to \/28/],
      ["no zones", { ...minimal, [configKey("zones")]: undefined }, /^spot-runner-infra:zones: is not set.*Fix: list the zones/],
      ["an empty zone list", { ...minimal, [configKey("zones")]: "[]" }, /^spot-runner-infra:zones: is empty/],
      ["zones that are not JSON", { ...minimal, [configKey("zones")]: "{cn-hangzhou-b" }, /^spot-runner-infra:zones: .* is neither a list of zones nor a zone -> CIDR map/],
      ["a zone of another region", { ...minimal, [configKey("zones")]: '["cn-shanghai-b"]' }, /^spot-runner-infra:zones: "cn-shanghai-b" is not a zone of alicloud:region cn-hangzhou/],
      ["a duplicate zone", { ...minimal, [configKey("zones")]: '["cn-hangzhou-b","cn-hangzhou-b"]' }, /^spot-runner-infra:zones: lists cn-hangzhou-b twice/],
      ["a zone without a CIDR", { ...minimal, [configKey("zones")]: '{"cn-hangzhou-b":"172.16.1.0/24","cn-hangzhou-g":null}' }, /^spot-runner-infra:zones: zone cn-hangzhou-g has no CIDR\. Fix: give it one/],
      ["a zone with an empty CIDR", { ...minimal, [configKey("zones")]: '{"cn-hangzhou-b":""}' }, /zone cn-hangzhou-b has no CIDR/],
      ["a bad vSwitch CIDR", { ...minimal, [configKey("zones")]: '{"cn-hangzhou-b":"172.16.1.0/40"}' }, /^spot-runner-infra:zones: zone cn-hangzhou-b: "172\.16\.1\.0\/40" is not an IPv4 CIDR/],
      ["overlapping vSwitch CIDRs", { ...minimal, [configKey("zones")]: '{"cn-hangzhou-b":"172.16.0.0/20","cn-hangzhou-g":"172.16.1.0/24"}' }, /^spot-runner-infra:zones: zone cn-hangzhou-g: "172\.16\.1\.0\/24" overlaps "172\.16\.0\.0\/20" of zone cn-hangzhou-b/],
      ["a vSwitch CIDR outside the VPC", { ...minimal, [configKey("zones")]: '{"cn-hangzhou-b":"172.17.1.0/24"}' }, /zone cn-hangzhou-b: "172\.17\.1\.0\/24" is outside the VPC CIDR 172\.16\.0\.0\/16/],
      ["a vSwitch mask out of range", { ...minimal, [configKey("zones")]: '{"cn-hangzhou-b":"172.16.1.0/30"}' }, /a vSwitch mask must be \/16 to \/29/],
      ["zones that do not fit when derived", { ...minimal, [configKey("vpcCidr")]: "10.0.0.0/27", [configKey("vSwitchMask")]: "29" }, /^spot-runner-infra:zones: 6 zones do not fit in 10\.0\.0\.0\/27 as \/29 vSwitches \(room for 3 after the first block\)\. Fix: use fewer zones/],
      ["a bad vSwitchMask", { ...minimal, [configKey("vSwitchMask")]: "30" }, /^spot-runner-infra:vSwitchMask: "30" is not a vSwitch mask/],
      ["vSwitchMask with explicit CIDRs", { ...prodStackConfig(), [configKey("vSwitchMask")]: "24" }, /^spot-runner-infra:vSwitchMask: only applies when zones is a list/],
      ["an unknown policy level", { ...minimal, [configKey("ramPolicyLevel")]: "strict" }, /^spot-runner-infra:ramPolicyLevel: "strict" is not a policy level; the levels are minimal, regional, vpc\. Fix: pulumi config set spot-runner-infra:ramPolicyLevel vpc$/],
      ["a time that is not ISO UTC", { ...minimal, [configKey("ramTimeWindowStart")]: "2026-01-01" }, /^spot-runner-infra:ramTimeWindowStart: "2026-01-01" is not an ISO 8601 UTC time/],
      ["an impossible date", { ...minimal, [configKey("ramTimeWindowEnd")]: "2026-02-30T00:00:00Z" }, /^spot-runner-infra:ramTimeWindowEnd: "2026-02-30T00:00:00Z" is not an ISO 8601 UTC time/],
      ["a window that ends before it starts", { ...minimal, [configKey("ramTimeWindowStart")]: "2026-06-01T00:00:00Z", [configKey("ramTimeWindowEnd")]: "2026-01-01T00:00:00Z" }, /^spot-runner-infra:ramTimeWindowEnd: 2026-01-01T00:00:00Z is not after ramTimeWindowStart/],
      ["a bad source IP", { ...minimal, [configKey("ramSourceIps")]: '["198.51.100.300"]' }, /^spot-runner-infra:ramSourceIps: "198\.51\.100\.300" is not an IPv4 CIDR/],
      ["a source CIDR with host bits", { ...minimal, [configKey("ramSourceIps")]: "10.1.2.3/8" }, /^spot-runner-infra:ramSourceIps: .*did you mean 10\.0\.0\.0\/8/],
      ["source IPs that are not a list", { ...minimal, [configKey("ramSourceIps")]: '{"a":1}' }, /^spot-runner-infra:ramSourceIps: .* is not a list/],
      ["a bad SSH CIDR", { ...minimal, [configKey("sshIngressCidrs")]: "my-laptop" }, /^spot-runner-infra:sshIngressCidrs: "my-laptop" is not an IPv4 CIDR/],
      ["SSH from anywhere without the opt-in", { ...minimal, [configKey("sshIngressCidrs")]: '["0.0.0.0/0"]' }, /^spot-runner-infra:sshIngressCidrs: lists 0\.0\.0\.0\/0.*Fix: .*pulumi config set spot-runner-infra:allowSshFromAnywhere true$/],
      ["a bad boolean", { ...minimal, [configKey("createAccessKey")]: "yes" }, /^spot-runner-infra:createAccessKey: "yes" is not a boolean/],
      ["a bad user name", { ...minimal, [configKey("ciUserName")]: "github actions" }, /^spot-runner-infra:ciUserName: "github actions" is not a RAM user name/],
      ["a misspelt key", { ...minimal, "spot-runner-infra:vpcCIDR": "10.0.0.0/16" }, /^spot-runner-infra:vpcCIDR: is not a setting of this stack \(a typo\?\)\. Fix: pulumi config rm spot-runner-infra:vpcCIDR; the settings are prefix, vpcCidr/],
      ["too many source IPs for RAM's length limit", { ...minimal, [configKey("ramSourceIps")]: JSON.stringify(Array.from({ length: 60 }, (_, i) => `10.0.${i}.0/24`)) }, /^spot-runner-infra:ramSourceIps: makes the RAM policy \d+ characters long; RAM accepts at most 6144\. Fix: merge/],
    ];
    for (const [label, raw, message] of table) {
      it(`refuses ${label}`, () => {
        const problems = problemsOf(raw);
        assert.ok(problems.some((p) => message.test(p)), `no problem matches ${message}:\n${problems.join("\n")}`);
      });
    }

    it("reports every problem at once, in one error message", () => {
      try {
        parseInfraConfig({ "spot-runner-infra:zones": "[]", [configKey("ramPolicyLevel")]: "max", [configKey("vpcCidr")]: "1.2.3.4/5" });
        assert.fail("accepted");
      } catch (err) {
        assert.ok(err instanceof InfraConfigError);
        const keys = err.problems.map((p) => p.key);
        for (const key of ["alicloud:region", "spot-runner-infra:prefix", "spot-runner-infra:vpcCidr", "spot-runner-infra:zones", "spot-runner-infra:ramPolicyLevel"]) {
          assert.ok(keys.includes(key), `${key} missing from ${keys.join(", ")}`);
          assert.ok(err.message.includes(`  - ${key}: `));
        }
        assert.match(err.message, /^invalid stack configuration \(\d+ problems\):/);
      }
    });

    it("ignores other namespaces' keys", () => {
      assert.doesNotThrow(() => parseInfraConfig({ ...minimal, "alicloud:accessKey": "x", "other-project:thing": "y" }));
    });

    it("accepts every key it documents, and docs/infra.md describes each one", () => {
      // The stack either creates the OIDC provider or names an existing one, so two samples cover every key.
      const sample: Record<Exclude<keyof typeof CONFIG_KEYS, "ciOidcProviderArn">, string> = {
        prefix: "openresty",
        vpcCidr: "10.0.0.0/16",
        zones: '["cn-hangzhou-b"]',
        vSwitchMask: "20",
        sshIngressCidrs: "203.0.113.0/24",
        allowSshFromAnywhere: "false",
        ramPolicyLevel: "regional",
        ramTimeWindowStart: "2026-01-01T00:00:00Z",
        ramTimeWindowEnd: "2027-01-01T00:00:00Z",
        ramSourceIps: "198.51.100.7",
        ciAuth: "both",
        ciUserName: "ci",
        createAccessKey: "true",
        ciOidcRepositories: "acme/app",
        ciOidcRefs: "refs/heads/main",
        ciOidcAudience: "sts.aliyuncs.com",
        ciOidcIssuerUrl: "https://token.actions.githubusercontent.com",
        ciOidcFingerprints: TEST_FINGERPRINT,
        ciOidcProviderName: "acme-github",
        ciRoleName: "acme-ci",
        ciRoleMaxSessionSeconds: "7200",
      };
      const raw = Object.fromEntries(Object.entries(sample).map(([k, v]) => [configKey(k as keyof typeof CONFIG_KEYS), v]));
      assert.doesNotThrow(() => parseInfraConfig({ ...raw, "alicloud:region": "cn-hangzhou" }));
      const existing = { ...raw, [configKey("ciOidcFingerprints")]: undefined, [configKey("ciOidcProviderName")]: undefined };
      assert.doesNotThrow(() =>
        parseInfraConfig({ ...existing, [configKey("ciOidcProviderArn")]: "acs:ram::1234567890123456:oidc-provider/github", "alicloud:region": "cn-hangzhou" }),
      );
      const docs = readFileSync(path.join(__dirname, "..", "..", "docs", "infra.md"), "utf8");
      for (const name of Object.keys(CONFIG_KEYS)) assert.ok(docs.includes(`\`${configKey(name as keyof typeof CONFIG_KEYS)}\``), `docs/infra.md does not describe ${name}`);
    });
  });

  describe("warnings", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    it("warns about SSH from anywhere and about a window that excludes now", () => {
      assert.deepEqual(configWarnings(parseInfraConfig(minimal), now), []);
      const open = configWarnings(parseInfraConfig({ ...minimal, [configKey("allowSshFromAnywhere")]: "true" }), now);
      assert.equal(open.length, 1);
      assert.match(open[0]!, /0\.0\.0\.0\/0/);
      const past = configWarnings(parseInfraConfig({ ...minimal, [configKey("ramTimeWindowEnd")]: "2026-01-01T00:00:00Z" }), now);
      assert.match(past.join(), /ramTimeWindowEnd 2026-01-01T00:00:00Z is in the past: RAM will deny every call of user openresty-github-actions/);
      const future = configWarnings(parseInfraConfig({ ...minimal, [configKey("ramTimeWindowStart")]: "2027-01-01T00:00:00Z" }), now);
      assert.match(future.join(), /is in the future/);
      const inside = configWarnings(
        parseInfraConfig({
          ...minimal,
          [configKey("ramTimeWindowStart")]: "2026-01-01T00:00:00Z",
          [configKey("ramTimeWindowEnd")]: "2027-01-01T00:00:00Z",
        }),
        now,
      );
      assert.deepEqual(inside, []);
    });
  });

  describe("helpers", () => {
    it("parseStringList reads JSON lists and comma lists", () => {
      assert.deepEqual(parseStringList('["a", " b "]'), ["a", "b"]);
      assert.deepEqual(parseStringList("a, b,,c"), ["a", "b", "c"]);
      assert.deepEqual(parseStringList(""), []);
      assert.equal(parseStringList("[1,2]"), undefined);
      assert.equal(parseStringList("[nope"), undefined);
    });

    it("isIsoUtcSeconds accepts exactly the real instants written as YYYY-MM-DDTHH:MM:SSZ", () => {
      assert.ok(isIsoUtcSeconds("2026-01-01T00:00:00Z"));
      assert.ok(isIsoUtcSeconds("2028-02-29T23:59:59Z"));
      for (const bad of ["2026-02-29T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00+08:00", "2026-01-01 00:00:00Z"]) {
        assert.ok(!isIsoUtcSeconds(bad), bad);
      }
      fc.assert(
        fc.property(fc.date({ min: new Date("1971-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true }), (d) => {
          assert.ok(isIsoUtcSeconds(d.toISOString().replace(/\.\d{3}Z$/, "Z")));
        }),
      );
    });

    it("names resources as the guide does", () => {
      assert.equal(vpcName("openresty"), "openresty-ci-runners");
      assert.equal(vSwitchName("openresty", "b"), "openresty-ci-switch-b");
      assert.equal(securityGroupName("openresty"), "openresty-ci-sg");
      assert.equal(runnerPolicyName("openresty"), "openresty-ci-runner-policy");
      assert.equal(defaultCiUserName("openresty"), "openresty-github-actions");
    });

    const zones: [string, string, string | undefined][] = [
      ["cn-hangzhou", "cn-hangzhou-b", "b"],
      ["cn-hangzhou", "cn-hangzhou-k", "k"],
      ["cn-shanghai-finance-1", "cn-shanghai-finance-1z", "z"],
      ["ap-southeast-1", "ap-southeast-1a", "a"],
      ["ap-southeast-1", "ap-southeast-11a", "1a"],
      ["cn-hangzhou", "cn-hangzhoub", undefined],
      ["cn-hangzhou", "cn-shanghai-b", undefined],
      ["cn-hangzhou", "cn-hangzhou-", undefined],
    ];
    for (const [region, zone, letter] of zones) {
      it(`zoneSuffix(${region}, ${zone}) = ${letter}`, () => assert.equal(zoneSuffix(region, zone), letter));
    }
  });
});
