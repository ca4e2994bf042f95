import * as assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fc from "fast-check";
import { buildCnHangzhouScenario } from "../../emulator/scenario/cnHangzhou";
import { cidrContains, cidrsOverlap, parseIpv4Cidr } from "../../emulator/scenario/ipv4Cidr";
import { findJsonSyntaxError } from "../../emulator/scenario/jsonSyntax";
import { smallScenario } from "../../emulator/scenario/small";
import type { Scenario } from "../../emulator/scenario/types";
import { loadScenarioFile, ScenarioError, validateScenario } from "../../emulator/scenario/validate";

const EXAMPLE_FILE = join(__dirname, "../../emulator/scenario/examples/custom.json");

/** A mutable deep copy of the small scenario, changed by `edit`. */
function broken(edit: (s: any) => void): unknown {
  const s = structuredClone(smallScenario()) as any;
  edit(s);
  return s;
}

// One RSA pair for the file (generation is slow-ish), and an EC key: valid PEM, wrong algorithm for an App.
const APP_KEYS = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
const EC_PUBLIC_KEY = generateKeyPairSync("ec", { namedCurve: "P-256", publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } }).publicKey;

/** A valid github.apps entry on the small scenario's org. */
const app = (appId = 7, installationId = 1) => ({ appId, publicKey: APP_KEYS.publicKey, installations: [{ installationId, scopes: ["dianplus"] }] });

function problemsOf(raw: unknown): readonly { path: string; message: string }[] {
  try {
    validateScenario(raw);
  } catch (err) {
    assert.ok(err instanceof ScenarioError, `expected a ScenarioError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail("expected the scenario to be rejected");
}

describe("scenario validation", () => {
  describe("the bundled scenarios", () => {
    it("accepts the default cn-hangzhou scenario", () => {
      const s = buildCnHangzhouScenario();
      assert.equal(validateScenario(s), s);
    });
    it("accepts the small test scenario", () => {
      const s = smallScenario();
      assert.equal(validateScenario(s), s);
    });
    it("accepts the example scenario file, which uses every field of the format", () => {
      const s = loadScenarioFile(EXAMPLE_FILE);
      assert.equal(s.accessKeys.length, 3);
      assert.ok(s.offerings.some((o) => "points" in o.spotPrice) && s.offerings.some((o) => "model" in o.spotPrice));
    });
  });

  // Each case breaks one thing in a valid scenario; the validator must name that thing, where it is, and why.
  const cases: [name: string, edit: (s: any) => void, path: string, reason: RegExp][] = [
    ["a zone outside the offering's region", (s) => (s.offerings[3].zoneId = "cn-hangzhou-z"), "offerings[3].zoneId", /"cn-hangzhou-z" is not a zone of region cn-hangzhou \(zones: cn-hangzhou-b, cn-hangzhou-j, cn-hangzhou-k\)/],
    ["an offering in an unknown region", (s) => (s.offerings[0].regionId = "cn-shanghai"), "offerings[0].regionId", /"cn-shanghai" is not in regions \(known: cn-hangzhou\)/],
    ["an offering of an unknown type", (s) => (s.offerings[0].instanceTypeId = "ecs.c7.5xlarge"), "offerings[0].instanceTypeId", /not in instanceTypes/],
    ["two offerings for one (zone, type) pair", (s) => s.offerings.push(structuredClone(s.offerings[0])), `offerings[${smallScenario().offerings.length}]`, /duplicate offering for ecs\.u1-c1m1\.2xlarge in cn-hangzhou-j \(first at offerings\[0\]\); a zone has one offering per type/],
    ["a duplicate instance type id", (s) => s.instanceTypes.push(structuredClone(s.instanceTypes[2])), "instanceTypes[8].instanceTypeId", /duplicate instanceTypeId "ecs\.c7\.2xlarge" \(first at instanceTypes\[2\]\.instanceTypeId\)/],
    ["zero vCPUs", (s) => (s.instanceTypes[0].cpuCoreCount = 0), "instanceTypes[0].cpuCoreCount", /greater than 0/],
    ["a fractional vCPU count", (s) => (s.instanceTypes[0].cpuCoreCount = 2.5), "instanceTypes[0].cpuCoreCount", /whole number/],
    ["negative memory", (s) => (s.instanceTypes[0].memorySize = -1), "instanceTypes[0].memorySize", /greater than 0, got -1/],
    ["memory as a string", (s) => (s.instanceTypes[0].memorySize = "16"), "instanceTypes[0].memorySize", /must be a number, got "16"/],
    ["an architecture the API does not use", (s) => (s.instanceTypes[5].cpuArchitecture = "arm64"), "instanceTypes[5].cpuArchitecture", /must be one of "X86", "ARM", got "arm64"/],
    ["an on-demand price with 4 decimals", (s) => (s.instanceTypes[0].onDemandPrice = 1.3351), "instanceTypes[0].onDemandPrice", /1\.3351 has more than 3 decimals/],
    ["a free instance type", (s) => (s.instanceTypes[0].onDemandPrice = 0), "instanceTypes[0].onDemandPrice", /greater than 0/],
    ["a missing family", (s) => delete s.instanceTypes[1].instanceTypeFamily, "instanceTypes[1].instanceTypeFamily", /is required: e\.g\. "ecs\.c7"/],
    ["a family that is not the id's", (s) => (s.instanceTypes[2].instanceTypeFamily = "ecs.g7"), "instanceTypes[2].instanceTypeFamily", /"ecs\.g7" is not the family of ecs\.c7\.2xlarge/],
    ["an unknown family level", (s) => (s.instanceTypes[0].instanceFamilyLevel = "Enterprise"), "instanceTypes[0].instanceFamilyLevel", /must be one of/],
    ["both points and model", (s) => (s.offerings[0].spotPrice.model = { ratio: 0.2 }), "offerings[0].spotPrice", /exactly one of "points" .* or "model" .*, not both/],
    ["neither points nor model", (s) => (s.offerings[0].spotPrice = {}), "offerings[0].spotPrice", /exactly one of .*found neither/],
    ["no spot price at all", (s) => delete s.offerings[0].spotPrice, "offerings[0].spotPrice", /is required/],
    ["an empty price history", (s) => (s.offerings[0].spotPrice.points = []), "offerings[0].spotPrice.points", /must not be empty/],
    ["points out of order", (s) => (s.offerings[0].spotPrice.points[2].minutes = -150), "offerings[0].spotPrice.points[2].minutes", /-150 does not come after the previous point \(-120\); list points in increasing minutes/],
    ["two points at the same minute", (s) => (s.offerings[0].spotPrice.points[1].minutes = -180), "offerings[0].spotPrice.points[1].minutes", /does not come after/],
    ["a spot price with 4 decimals", (s) => (s.offerings[0].spotPrice.points[0].price = 0.2805), "offerings[0].spotPrice.points[0].price", /0\.2805 has more than 3 decimals/],
    ["a zero spot price", (s) => (s.offerings[0].spotPrice.points[0].price = 0), "offerings[0].spotPrice.points[0].price", /greater than 0/],
    ["a spot price above pay-as-you-go", (s) => (s.offerings[0].spotPrice.points[3].price = 1.4), "offerings[0].spotPrice.points[3].price", /1\.4 is above the pay-as-you-go price 1\.335 of ecs\.u1-c1m1\.2xlarge/],
    ["a model ratio of 0", (s) => (s.offerings[0].spotPrice = { model: { ratio: 0 } }), "offerings[0].spotPrice.model.ratio", /0 is outside \(0, 1\]/],
    ["a model ratio above 1", (s) => (s.offerings[0].spotPrice = { model: { ratio: 1.2 } }), "offerings[0].spotPrice.model.ratio", /1\.2 is outside \(0, 1\]/],
    ["a negative amplitude", (s) => (s.offerings[0].spotPrice = { model: { ratio: 0.2, amplitude: -0.1 } }), "offerings[0].spotPrice.model.amplitude", /0 or more/],
    ["a fractional seed", (s) => (s.offerings[0].spotPrice = { model: { ratio: 0.2, seed: 1.5 } }), "offerings[0].spotPrice.model.seed", /whole number/],
    ["negative stock", (s) => (s.offerings[0].spotStock = -1), "offerings[0].spotStock", /whole number, 0 or more, got -1/],
    ["an unknown stock status", (s) => (s.offerings[0].statusCategory = "SoldOut"), "offerings[0].statusCategory", /must be one of "WithStock"/],
    ["a vSwitch in a zone of no region", (s) => (s.vSwitches[0].zoneId = "cn-hangzhou-g"), "vSwitches[0].zoneId", /"cn-hangzhou-g" is not a zone of region cn-hangzhou/],
    ["a vSwitch in an unknown VPC", (s) => (s.vSwitches[0].vpcId = "vpc-nope"), "vSwitches[0].vpcId", /"vpc-nope" is not in vpcs/],
    ["a vSwitch block outside its VPC", (s) => (s.vSwitches[0].cidrBlock = "10.0.1.0/24"), "vSwitches[0].cidrBlock", /10\.0\.1\.0\/24 is not inside vpc-\w+'s block 172\.16\.0\.0\/16/],
    ["overlapping vSwitch blocks", (s) => (s.vSwitches[1].cidrBlock = "172.16.0.0/20"), "vSwitches[1].cidrBlock", /overlaps the vSwitch at vSwitches\[0\]/],
    ["a CIDR with host bits", (s) => (s.vSwitches[0].cidrBlock = "172.16.1.5/24"), "vSwitches[0].cidrBlock", /host bits set; the block starts at 172\.16\.1\.0\/24/],
    ["a CIDR that is not one", (s) => (s.vpcs[0].cidrBlock = "172.16.0.0"), "vpcs[0].cidrBlock", /not an IPv4 CIDR block/],
    ["a vSwitch in another region than its VPC", (s) => {
      s.regions.push({ regionId: "cn-shanghai", localName: "华东2（上海）", zones: [{ zoneId: "cn-shanghai-b", localName: "b" }] });
      s.vSwitches[0].regionId = "cn-shanghai";
      s.vSwitches[0].zoneId = "cn-shanghai-b";
    }, "vSwitches[0].regionId", /cn-shanghai differs from the region of vpc-\w+ \(cn-hangzhou\)/],
    ["a security group in an unknown VPC", (s) => (s.securityGroups[0].vpcId = "vpc-other"), "securityGroups[0].vpcId", /not in vpcs/],
    ["an image in an unknown region", (s) => (s.images[0].regionId = "us-west-1"), "images[0].regionId", /"us-west-1" is not in regions/],
    ["an image architecture the API does not use", (s) => (s.images[1].architecture = "aarch64"), "images[1].architecture", /"x86_64", "arm64"/],
    ["the same image twice in a region", (s) => s.images.push(structuredClone(s.images[0])), "images[4].imageId", /duplicate image "aliyun_3_x64_20G_alibase_20241216\.vhd" in cn-hangzhou/],
    ["two keys with one id", (s) => s.accessKeys.push({ accessKeyId: s.accessKeys[0].accessKeyId, accessKeySecret: "other" }), "accessKeys[1].accessKeyId", /duplicate accessKeyId/],
    ["an empty key secret", (s) => (s.accessKeys[0].accessKeySecret = ""), "accessKeys[0].accessKeySecret", /must not be empty/],
    ["an empty key id", (s) => (s.accessKeys[0].accessKeyId = " "), "accessKeys[0].accessKeyId", /must not be empty/],
    ["policies that are not a list", (s) => (s.accessKeys[0].policies = { Version: "1" }), "accessKeys[0].policies", /must be an array, got an object/],
    ["a policy that is not a document", (s) => (s.accessKeys[0].policies = ["AliyunECSFullAccess"]), "accessKeys[0].policies[0]", /must be a RAM policy document object/],
    ["a repository without an owner", (s) => (s.github.repos[0] = "openresty"), "github.repos[0]", /"openresty" is not valid; expected something like "owner\/repo"/],
    ["a token scoped to an unknown repository", (s) => (s.github.tokens[0].scopes[0] = "dianplus/nginx"), "github.tokens[0].scopes[0]", /"dianplus\/nginx" is not a repository in github\.repos; add it there or use "\*"/],
    ["a token scoped to an unknown org", (s) => (s.github.tokens[0].scopes[1] = "openresty"), "github.tokens[0].scopes[1]", /"openresty" is not an organization in github\.orgs/],
    ["a token without scopes", (s) => delete s.github.tokens[0].scopes, "github.tokens[0].scopes", /is required/],
    ["an App id that is not a number", (s) => (s.github.apps = [{ ...app(), appId: "7" }]), "github.apps[0].appId", /must be a number, got "7"/],
    ["two Apps with one id", (s) => (s.github.apps = [app(7, 1), app(7, 2)]), "github.apps[1].appId", /duplicate appId 7 \(first at github\.apps\[0\]\.appId\)/],
    ["an App key that is not PEM", (s) => (s.github.apps = [{ ...app(), publicKey: "ssh-rsa AAAAB3NzaC1yc2E" }]), "github.apps[0].publicKey", /is not a PEM public key; expected "-----BEGIN PUBLIC KEY-----"/],
    ["an App key with backslash-n for line breaks", (s) => (s.github.apps = [{ ...app(), publicKey: APP_KEYS.publicKey.replace(/\n/g, "\\n") }]), "github.apps[0].publicKey", /backslash and "n" where line breaks belong/],
    ["an App's private key", (s) => (s.github.apps = [{ ...app(), publicKey: APP_KEYS.privateKey }]), "github.apps[0].publicKey", /is a private key; give its public half instead/],
    ["an App key that is not RSA", (s) => (s.github.apps = [{ ...app(), publicKey: EC_PUBLIC_KEY }]), "github.apps[0].publicKey", /is not an RSA key \(it is ec\); GitHub App keys are RSA/],
    ["an App without a key", (s) => (s.github.apps = [{ appId: 7, installations: [] }]), "github.apps[0].publicKey", /is required: the PEM of the public half/],
    ["an App without installations", (s) => (s.github.apps = [{ appId: 7, publicKey: APP_KEYS.publicKey }]), "github.apps[0].installations", /is required: e\.g\. \[\{"installationId"/],
    ["one installation id in two Apps", (s) => (s.github.apps = [app(7, 1), app(8, 1)]), "github.apps[1].installations[0].installationId", /duplicate installationId 1 \(first at github\.apps\[0\]\.installations\[0\]\.installationId\); installation ids are unique across all Apps/],
    ["an installation id of 0", (s) => (s.github.apps = [app(7, 0)]), "github.apps[0].installations[0].installationId", /greater than 0, got 0/],
    ["an installation scoped to an unknown repository", (s) => (s.github.apps = [{ ...app(), installations: [{ installationId: 1, scopes: ["dianplus/nginx"] }] }]), "github.apps[0].installations[0].scopes[0]", /"dianplus\/nginx" is not a repository in github\.repos; add it there or use "\*"/],
    ["an installation scoped to an unknown org", (s) => (s.github.apps = [{ ...app(), installations: [{ installationId: 1, scopes: ["openresty"] }] }]), "github.apps[0].installations[0].scopes[0]", /"openresty" is not an organization in github\.orgs/],
    ["an installation without scopes", (s) => (s.github.apps = [{ ...app(), installations: [{ installationId: 1 }] }]), "github.apps[0].installations[0].scopes", /is required: what the installation administers/],
    ["apps that are not a list", (s) => (s.github.apps = app()), "github.apps", /must be an array, got an object/],
    ["a misspelt App field", (s) => (s.github.apps = [{ ...app(), publickey: "x" }]), "github.apps[0].publickey", /did you mean "publicKey"\?/],
    ["a runner group of an unknown org", (s) => (s.github.runnerGroups = [{ org: "nobody", id: 2, name: "x" }]), "github.runnerGroups[0].org", /"nobody" is not in github\.orgs/],
    ["a runner group that redefines Default", (s) => (s.github.runnerGroups = [{ org: "dianplus", id: 1, name: "x" }]), "github.runnerGroups[0].id", /implicit "Default" group/],
    ["a negative delay", (s) => (s.timing.pendingMs = -5), "timing.pendingMs", /0 or more, got -5/],
    ["a misspelt timing key", (s) => (s.timing.pendingMS = 5), "timing.pendingMS", /unknown property; did you mean "pendingMs"\?/],
    ["a negative listing delay", (s) => (s.timing.listingDelayMs = -1), "timing.listingDelayMs", /0 or more, got -1/],
    ["protection-period support as a string", (s) => (s.instanceTypes[5].spotDurationSupported = "no"), "instanceTypes[5].spotDurationSupported", /must be true or false|boolean/],
    ["a start time that is not ISO 8601", (s) => (s.startTime = "1 Jan 2026"), "startTime", /"1 Jan 2026" is not an ISO 8601 timestamp/],
    ["a start time on a day that does not exist", (s) => (s.startTime = "2026-02-30T00:00:00Z"), "startTime", /not an ISO 8601 timestamp/],
    ["no account id", (s) => delete s.accountId, "accountId", /is required: the numeric account id/],
    ["no regions", (s) => (s.regions = []), "regions", /must not be empty/],
    ["a region without zones", (s) => (s.regions[0].zones = []), "regions[0].zones", /must not be empty/],
    ["one zone listed twice", (s) => s.regions[0].zones.push({ zoneId: "cn-hangzhou-b", localName: "again" }), "regions[0].zones[3].zoneId", /duplicate zoneId "cn-hangzhou-b"/],
    ["a missing list", (s) => delete s.images, "images", /is required: an array/],
    ["a misspelt top-level key", (s) => (s.Offerings = []), "Offerings", /did you mean "offerings"\?/],
  ];

  describe("rejects a broken scenario and says where and why", () => {
    for (const [name, edit, path, reason] of cases) {
      it(name, () => {
        const problems = problemsOf(broken(edit));
        const hit = problems.find((p) => p.path === path);
        assert.ok(hit, `no problem at ${path}; got:\n${problems.map((p) => `${p.path}: ${p.message}`).join("\n")}`);
        assert.match(hit.message, reason);
      });
    }
  });

  it("reports one problem per mistake: a bad reference does not cascade", () => {
    assert.deepEqual(problemsOf(broken((s) => (s.offerings[0].regionId = "cn-shanghai"))).map((p) => p.path), ["offerings[0].regionId"]);
    assert.deepEqual(problemsOf(broken((s) => (s.vpcs[0].vpcId = "vpc-renamed"))).map((p) => p.path), [
      "vSwitches[0].vpcId",
      "vSwitches[1].vpcId",
      "vSwitches[2].vpcId",
      "securityGroups[0].vpcId",
    ]);
  });

  it("lists every problem in one error, each line with its JSON path", () => {
    const raw = broken((s) => {
      s.offerings[3].zoneId = "cn-hangzhou-z";
      s.instanceTypes[0].cpuArchitecture = "ARM64";
      s.timing.releaseMs = -1;
    });
    assert.throws(
      () => validateScenario(raw),
      (err: unknown) => {
        assert.ok(err instanceof ScenarioError);
        assert.equal(err.name, "ScenarioError");
        assert.equal(err.problems.length, 3);
        assert.match(err.message, /^Invalid scenario \(3 problems\):/);
        assert.match(err.message, /\n {2}offerings\[3\]\.zoneId: "cn-hangzhou-z" is not a zone of region cn-hangzhou/);
        assert.match(err.message, /\n {2}instanceTypes\[0\]\.cpuArchitecture: must be one of/);
        assert.match(err.message, /\n {2}timing\.releaseMs: /);
        return true;
      },
    );
  });

  it("keeps a long message readable and every problem in .problems", () => {
    const count = smallScenario().offerings.length;
    const raw = broken((s) => s.offerings.forEach((o: any) => (o.zoneId = "cn-hangzhou-z")));
    assert.throws(
      () => validateScenario(raw),
      (err: unknown) =>
        err instanceof ScenarioError && err.problems.length === count && err.message.split("\n").length === count + 1,
    );
    const many = broken((s) => {
      for (let i = 0; i < 50; i++) s.offerings.push({ ...structuredClone(s.offerings[0]), zoneId: "cn-hangzhou-z" });
    });
    assert.throws(
      () => validateScenario(many),
      (err: unknown) => err instanceof ScenarioError && err.problems.length === 50 && /\.\.\. and 10 more \(see error\.problems\)$/.test(err.message),
    );
  });

  it("never shows a GitHub token in a message", () => {
    const problems = problemsOf(broken((s) => s.github.tokens.push({ token: s.github.tokens[0].token, scopes: [] })));
    assert.equal(problems.length, 1);
    assert.equal(problems[0].path, "github.tokens[1].token");
    assert.doesNotMatch(problems[0].message, /ghp_/);
  });

  it("never shows a private key in a message", () => {
    const problems = problemsOf(broken((s) => (s.github.apps = [{ ...app(), publicKey: APP_KEYS.privateKey }])));
    assert.equal(problems.length, 1);
    assert.ok(!problems[0].message.includes(APP_KEYS.privateKey.split("\n")[1]));
  });

  it("accepts GitHub Apps: SPKI or PKCS#1 public keys, installations on repositories, orgs or everything", () => {
    const pkcs1 = generateKeyPairSync("rsa", { modulusLength: 1024, publicKeyEncoding: { type: "pkcs1", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } }).publicKey;
    validateScenario(broken((s) => {
      s.github.apps = [
        { appId: 7, publicKey: APP_KEYS.publicKey, installations: [{ installationId: 1, scopes: ["dianplus"] }, { installationId: 2, scopes: [s.github.repos[0]] }] },
        { appId: 8, publicKey: pkcs1, installations: [{ installationId: 3, scopes: ["*"] }, { installationId: 4, scopes: [] }] },
        { appId: 9, publicKey: APP_KEYS.publicKey, installations: [] },
      ];
    }));
  });

  it("rejects a document that is not an object", () => {
    for (const raw of [42, null, [], "scenario"]) {
      assert.deepEqual(problemsOf(raw).map((p) => p.path), [""]);
    }
  });

  it("accepts annotations: keys that start with $", () => {
    validateScenario(broken((s) => {
      s.$comment = "why this scenario exists";
      s.offerings[0].$comment = "the cheap one";
    }));
  });

  it("accepts a scenario without the optional parts", () => {
    validateScenario(broken((s) => {
      delete s.timing;
      delete s.startTime;
      delete s.description;
      s.vpcs = [];
      s.vSwitches = [];
      s.securityGroups = [];
      s.github = { tokens: [], repos: [], orgs: [] };
    }));
  });

  describe("properties", () => {
    const small = smallScenario();
    const withPoint = (price: number): unknown =>
      broken((s) => (s.offerings[0].spotPrice = { points: [{ minutes: 0, price }] }));

    it("accepts any spot price of whole thousandths up to pay-as-you-go, and nothing finer", () => {
      // The first offering is ecs.u1-c1m1.2xlarge, pay-as-you-go 1.335.
      assert.equal(small.offerings[0].instanceTypeId, "ecs.u1-c1m1.2xlarge");
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1335 }), (thousandths) => {
          validateScenario(withPoint(thousandths / 1000));
        }),
      );
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 13349 }).filter((n) => n % 10 !== 0), (tenThousandths) => {
          const problems = problemsOf(withPoint(tenThousandths / 10000));
          assert.match(problems[0].message, /more than 3 decimals/);
        }),
      );
    });

    it("accepts a model ratio exactly when it is in (0, 1]", () => {
      fc.assert(
        fc.property(fc.double({ min: -2, max: 2, noNaN: true }), (ratio) => {
          const raw = broken((s) => (s.offerings[0].spotPrice = { model: { ratio } }));
          const ok = ratio > 0 && ratio <= 1;
          if (ok) validateScenario(raw);
          else assert.equal(problemsOf(raw)[0].path, "offerings[0].spotPrice.model.ratio");
        }),
      );
    });

    it("rejects any price history that is not strictly increasing in time", () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: -600, max: 600 }), { minLength: 2, maxLength: 8 }), (minutes) => {
          const raw = broken((s) => (s.offerings[0].spotPrice = { points: minutes.map((m) => ({ minutes: m, price: 0.2 })) }));
          const increasing = minutes.every((m, i) => i === 0 || m > minutes[i - 1]);
          if (increasing) validateScenario(raw);
          else assert.match(problemsOf(raw)[0].message, /does not come after the previous point/);
        }),
      );
    });

    it("CIDR containment: every /24 of a /16 is inside it, and blocks overlap exactly when one contains the other", () => {
      const vpc = parseIpv4Cidr("172.16.0.0/16");
      assert.ok(typeof vpc !== "string");
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (a, b) => {
          const x = parseIpv4Cidr(`172.16.${a}.0/24`);
          const y = parseIpv4Cidr(`172.16.${b}.0/24`);
          assert.ok(typeof x !== "string" && typeof y !== "string");
          assert.ok(cidrContains(vpc, x));
          assert.equal(cidrsOverlap(x, y), a === b);
          assert.equal(cidrsOverlap(x, y), cidrsOverlap(y, x));
          const outside = parseIpv4Cidr(`172.17.${a}.0/24`);
          assert.ok(typeof outside !== "string" && !cidrContains(vpc, outside));
        }),
      );
    });
  });

  describe("loadScenarioFile", () => {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), "scenario-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, text: string): string => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    it("reads and validates a JSON file (a UTF-8 byte-order mark is fine)", () => {
      const file = write("ok.json", `\uFEFF${JSON.stringify(smallScenario(), null, 2)}`);
      assert.deepEqual(loadScenarioFile(file), smallScenario() as Scenario);
    });

    it("names the file and the line and column of a JSON syntax error", () => {
      const file = write("syntax.json", '{\n  "accountId": "1",\n  "regions": [,]\n}\n');
      assert.throws(
        () => loadScenarioFile(file),
        (err: unknown) =>
          err instanceof ScenarioError &&
          err.file === file &&
          err.message.includes(file) &&
          /not valid JSON: unexpected "," at line 3, column 15/.test(err.message),
      );
    });

    it("locates a syntax error exactly when JSON.parse rejects the text", () => {
      fc.assert(
        fc.property(fc.json(), fc.nat(), fc.constantFrom(",", "}", "]", "{", "x", '"', ":", "0", " "), (text, at, insert) => {
          const mutated = text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1));
          let parses = true;
          try {
            JSON.parse(mutated);
          } catch {
            parses = false;
          }
          const location = findJsonSyntaxError(mutated);
          assert.equal(location === undefined, parses, `${JSON.stringify(mutated)}: ${JSON.stringify(location)}`);
        }),
        { numRuns: 500 },
      );
    });

    it("names a file that does not exist", () => {
      const file = join(dir, "missing.json");
      assert.throws(() => loadScenarioFile(file), (err: unknown) => err instanceof ScenarioError && err.message.includes(file) && /no such file/.test(err.message));
    });

    it("names the file and every problem of invalid content", () => {
      const s = structuredClone(smallScenario()) as any;
      s.offerings[3].zoneId = "cn-hangzhou-z";
      const file = write("invalid.json", JSON.stringify(s));
      assert.throws(
        () => loadScenarioFile(file),
        (err: unknown) =>
          err instanceof ScenarioError &&
          err.message.startsWith(`Invalid scenario file ${file} (1 problem):`) &&
          err.problems[0].path === "offerings[3].zoneId",
      );
    });
  });
});
