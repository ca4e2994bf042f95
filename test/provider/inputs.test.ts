import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parseInfraConfig } from "../../infra/config";
import { checkInputs, INPUT_KEYS, inputsReferenceTable } from "../../provider/contract/inputs";
import { PREFIX } from "../../provider/contract/names";
import { RUNNER_STACK_OUTPUTS } from "../../provider/contract/outputs";
import { inputFromText } from "../../provider/contract/text";
import { readRunnerStackConfig } from "../../stacks/runner/config";

const valid = {
  arch: "arm64",
  region: "cn-hangzhou",
  vSwitchIds: { "cn-hangzhou-b": "vsw-b1", "cn-hangzhou-j": "vsw-j1", "cn-hangzhou-k": "vsw-k1" },
  securityGroupId: "sg-1",
  imageId: "aliyun_3_arm64_20G_alibase_20241216.vhd",
  namePrefix: "openresty",
  githubRepository: "dianplus/openresty",
};

describe("SpotRunner inputs (the input contract)", () => {
  it("fills every default explicitly, from the guide for arm64", () => {
    const { inputs, failures } = checkInputs(valid);
    assert.deepEqual(failures, []);
    assert.ok(inputs);
    assert.equal(inputs.arch, "arm64");
    assert.deepEqual([inputs.minCpu, inputs.maxCpu, inputs.minMemoryGiB, inputs.maxMemoryGiB], [8, 64, 16, 128]);
    assert.deepEqual(inputs.ratios, [2]);
    assert.deepEqual(inputs.families, ["ecs.c8y", "ecs.c8r"]);
    assert.equal(inputs.spotStrategy, "SpotWithPriceLimit");
    assert.equal(inputs.priceLimitFactor, 1.2);
    assert.equal(inputs.ttlMinutes, 120);
    assert.equal(inputs.runnerGroupId, 1);
    assert.equal(inputs.requireSpotDuration, true);
    // The guide's ARM64 preset zones, all of which have a vSwitch here.
    assert.deepEqual(inputs.fallbackZones, ["cn-hangzhou-b", "cn-hangzhou-j", "cn-hangzhou-k"]);
  });

  it("accepts architecture aliases and prefers 1:1 then 1:2 for amd64", () => {
    const { inputs } = checkInputs({ ...valid, arch: "x86_64", imageId: "aliyun_3_x64_20G_alibase_20241216.vhd" });
    assert.equal(inputs?.arch, "amd64");
    assert.deepEqual(inputs?.ratios, [1, 2]);
    assert.deepEqual(inputs?.families, []);
  });

  it("keeps only preset zones that have a vSwitch", () => {
    const { inputs } = checkInputs({ ...valid, arch: "amd64", vSwitchIds: { "cn-hangzhou-g": "vsw-g", "cn-hangzhou-k": "vsw-k" } });
    assert.deepEqual(inputs?.fallbackZones, ["cn-hangzhou-g", "cn-hangzhou-k"]);
  });

  it("takes typed values only: a number given as text is refused, naming the value (the runner stack types config first)", () => {
    const { failures } = checkInputs({ ...valid, minCpu: "16" });
    assert.deepEqual(failures, [{ property: "minCpu", reason: '"16" must be a number: 1-1024 vCPUs' }]);
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ["unknown arch", { arch: "sparc" }, "arch", /"sparc" is not an architecture: use amd64/],
    ["TTL under the API minimum", { ttlMinutes: 20 }, "ttlMinutes", /at least 30 minutes/],
    ["vCPU range reversed", { minCpu: 32, maxCpu: 8 }, "minCpu", /minCpu <= maxCpu/],
    ["repo not owner/repo", { githubRepository: "openresty" }, "githubRepository", /owner\/repo/],
    ["both repo and org", { githubOrganization: "dianplus" }, "githubRepository", /exactly one/],
    ["neither repo nor org", { githubRepository: undefined }, "githubRepository", /exactly one/],
    ["zone of another region", { vSwitchIds: { "cn-shanghai-a": "vsw-1" } }, "vSwitchIds", /not in region cn-hangzhou/],
    ["fallback zone without vSwitch", { fallbackZones: ["cn-hangzhou-g"] }, "fallbackZones", /cn-hangzhou-g has no vSwitch/],
    ["bad spot strategy", { spotStrategy: "NoSpot" }, "spotStrategy", /SpotWithPriceLimit or SpotAsPriceGo/],
    ["price factor below 1", { priceLimitFactor: 0.9 }, "priceLimitFactor", /between 1 and 10/],
    ["spot duration 2", { spotDuration: 2 }, "spotDuration", /0 .* or 1/],
    ["group on a repo runner", { runnerGroupId: 3 }, "runnerGroupId", /group 1/],
    ["idle longer than TTL", { idleTimeoutMinutes: 200 }, "idleTimeoutMinutes", /less than ttlMinutes/],
    ["bad label", { labels: ["has space"] }, "labels", /"has space" is not a runner label: 1-100 letters/],
    ["bad prefix", { namePrefix: "OpenResty" }, "namePrefix", /lowercase/],
    ["prefix too long for runner names", { namePrefix: "a".repeat(33) }, "namePrefix", /1-32/],
    ["non-numeric cpu", { minCpu: "eight" }, "minCpu", /must be a number/],
    ["fractional cpu", { minCpu: 8.5 }, "minCpu", /whole number/],
    ["bad family", { families: ["c8y"] }, "families", /ecs\.c8y/],
    ["proxy not a URL", { httpsProxy: "proxy:3128" }, "httpsProxy", /http\(s\) URL/],
    ["proxy with credentials", { httpsProxy: "http://user:pw@proxy:3128" }, "httpsProxy", /must not carry credentials/],
    ["runner version without checksum", { runnerVersion: "2.300.0" }, "runnerSha256", /needs runnerSha256/],
    ["a misspelt input", { minCPU: 16 }, "minCPU", /is not a SpotRunner input \(did you mean minCpu\?\)/],
    ["a missing required input", { imageId: undefined }, "imageId", /is required/],
  ];
  for (const [what, patch, property, reason] of bad) {
    it(`rejects ${what}, naming ${property}`, () => {
      const { inputs, failures } = checkInputs({ ...valid, ...patch });
      assert.equal(inputs, undefined);
      assert.ok(
        failures.some((f) => f.property === property && reason.test(f.reason)),
        `expected a failure on ${property} matching ${reason}, got ${JSON.stringify(failures)}`,
      );
    });
  }

  it("reports every problem at once", () => {
    const { failures } = checkInputs({ ...valid, arch: "x", ttlMinutes: 5, securityGroupId: "nope" });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["arch", "securityGroupId", "ttlMinutes"]);
  });

  it("produces exactly the keys in INPUT_KEYS (so diff sees every change)", () => {
    const { inputs } = checkInputs({
      ...valid, runnerVersion: "2.321.0", runnerSha256: "a".repeat(64), runnerDownloadUrl: "https://mirror.example/runner", httpProxy: "http://p:3128",
      httpsProxy: "http://p:3128", noProxy: "example.com", stackName: "gha-1-1-arm64", runId: "1",
    });
    for (const key of Object.keys(inputs ?? {})) assert.ok((INPUT_KEYS as readonly string[]).includes(key), key);
  });

  it("the README names every runner stack output the contract lists, in order", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
    const listed = RUNNER_STACK_OUTPUTS.map(({ key }) => `\`${key}\``).join(", ");
    assert.ok(readme.replace(/\s+/g, " ").includes(listed), `README.md should list the runner stack outputs: ${listed}`);
  });

  it("the README's reference table is the one generated from the schema", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
    assert.ok(readme.includes(inputsReferenceTable()), "README.md's SpotRunner arguments table differs: paste inputsReferenceTable()'s output");
  });
});

describe("inputs written as text (config values, flags)", () => {
  const table: [Parameters<typeof inputFromText>[0], string, unknown][] = [
    ["minCpu", "16", 16],
    ["priceLimitFactor", "1.25", 1.25],
    ["requireSpotDuration", "false", false],
    ["labels", "docker, big", ["docker", "big"]],
    ["labels", '["docker","big"]', ["docker", "big"]],
    ["ratios", "1:1,1:2", [1, 2]],
    ["ratios", "[2, 4]", [2, 4]],
    ["vSwitchIds", '{"cn-hangzhou-j":"vsw-j"}', { "cn-hangzhou-j": "vsw-j" }],
  ];
  for (const [key, text, value] of table) it(`${key} ${JSON.stringify(text)} -> ${JSON.stringify(value)}`, () => assert.deepEqual(inputFromText(key, text), { value }));

  for (const text of ["1e9", "99999999999999999999", "0x10", "16.0", "", "8 cores"]) {
    it(`refuses ${JSON.stringify(text)} as a whole number`, () => assert.ok("problem" in inputFromText("minCpu", text)));
  }
  it("refuses a malformed JSON list, saying so", () => {
    const result = inputFromText("labels", "[oops");
    assert.ok("problem" in result && /JSON list/.test(result.problem));
  });
});

describe("one contract across the infra stack, the runner stack and SpotRunner", () => {
  const infraConfig = (prefix: string, region: string) => ({
    "alicloud:region": region, "spot-runner-infra:prefix": prefix, "spot-runner-infra:zones": `["${region}-j"]`,
  });
  const outputs = (prefix: string, region: string) => ({
    ...valid, namePrefix: prefix, region, vSwitchIds: { [`${region}-j`]: "vsw-j1" }, fallbackZones: undefined,
  });

  it("every prefix and region the infra stack accepts, SpotRunner accepts (property)", () => {
    const prefixes = fc.stringMatching(/^[a-z0-9-]{1,40}$/);
    const regions = fc.constantFrom("cn-hangzhou", "ap-southeast-1", "cn-north-2-gov-1", "us-west-1", "Hangzhou", "cn_hangzhou");
    fc.assert(fc.property(prefixes, regions, (prefix, region) => {
      let infraAccepts = true;
      try {
        parseInfraConfig(infraConfig(prefix, region));
      } catch {
        infraAccepts = false;
      }
      if (!infraAccepts) return;
      const { failures } = checkInputs({ ...outputs(prefix, region), arch: "amd64" });
      assert.deepEqual(failures, [], `infra accepted prefix ${prefix} in ${region}`);
    }), { numRuns: 300 });
  });

  it("the longest prefix the infra stack accepts still makes runner names that fit a host name", () => {
    const prefix = `a${"b".repeat(31)}`;
    assert.equal(PREFIX.problem(prefix), undefined);
    parseInfraConfig(infraConfig(prefix, "cn-hangzhou"));
    assert.deepEqual(checkInputs(outputs(prefix, "cn-hangzhou")).failures, []);
  });

  it("the runner stack types its config and refuses a misspelt key, naming the right one", () => {
    const base = { "spot-runner-job:infraStack": "organization/spot-runner-infra/prod", "spot-runner-job:arch": "arm64",
      "spot-runner-job:imageId": "img", "spot-runner-job:githubRepository": "dianplus/openresty" };
    const config = readRunnerStackConfig({ ...base, "spot-runner-job:minCpu": "16", "spot-runner-job:labels": "a,b" });
    assert.deepEqual([config.runner.minCpu, config.runner.labels], [16, ["a", "b"]]);
    assert.throws(() => readRunnerStackConfig({ ...base, "spot-runner-job:minCPU": "16" }), /minCPU is not a runner setting \(did you mean minCpu\?\)/);
    assert.throws(() => readRunnerStackConfig({ ...base, "spot-runner-job:region": "cn-shanghai" }), /region is not set here: it comes from the infra stack's outputs/);
    assert.throws(() => readRunnerStackConfig({ ...base, "spot-runner-job:maxCpu": "1e9" }), /maxCpu: "1e9" is not a whole number/);
  });
});
