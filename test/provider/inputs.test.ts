import * as assert from "node:assert/strict";
import { checkInputs, DEFAULTS, INPUT_KEYS } from "../../provider/inputs";

const valid = {
  arch: "arm64",
  region: "cn-hangzhou",
  vSwitchIds: { "cn-hangzhou-b": "vsw-b1", "cn-hangzhou-j": "vsw-j1", "cn-hangzhou-k": "vsw-k1" },
  securityGroupId: "sg-1",
  imageId: "aliyun_3_arm64_20G_alibase_20241216.vhd",
  namePrefix: "openresty",
  githubRepository: "dianplus/openresty",
};

describe("SpotRunner inputs", () => {
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
    assert.equal(inputs.ttlMinutes, DEFAULTS.ttlMinutes);
    assert.equal(inputs.runnerGroupId, 1);
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

  it("parses numbers and lists given as config strings", () => {
    const { inputs, failures } = checkInputs({ ...valid, minCpu: "16", maxCpu: "32", ratios: "1:2,1:4", labels: "docker, big" });
    assert.deepEqual(failures, []);
    assert.deepEqual([inputs?.minCpu, inputs?.maxCpu], [16, 32]);
    assert.deepEqual(inputs?.ratios, [2, 4]);
    assert.deepEqual(inputs?.labels, ["docker", "big"]);
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ["unknown arch", { arch: "sparc" }, "arch", /amd64 or arm64/],
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
    ["bad label", { labels: ["has space"] }, "labels", /valid runner label/],
    ["bad prefix", { namePrefix: "OpenResty" }, "namePrefix", /lowercase/],
    ["non-numeric cpu", { minCpu: "eight" }, "minCpu", /1 <= minCpu/],
    ["bad family", { families: ["c8y"] }, "families", /ecs\.c8y/],
    ["proxy not a URL", { httpsProxy: "proxy:3128" }, "httpsProxy", /http\(s\) URL/],
    ["proxy with credentials", { httpsProxy: "http://user:pw@proxy:3128" }, "httpsProxy", /must not carry credentials/],
    ["runner version without checksum", { runnerVersion: "2.300.0" }, "runnerSha256", /needs runnerSha256/],
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

  it("lists every key it produces in INPUT_KEYS (so diff sees every change)", () => {
    const { inputs } = checkInputs({
      ...valid, runnerVersion: "2.321.0", runnerSha256: "a".repeat(64), runnerDownloadUrl: "https://mirror.example/runner", httpProxy: "http://p:3128",
      httpsProxy: "http://p:3128", noProxy: "example.com", stackName: "gha-1-1-arm64", runId: "1",
    });
    for (const key of Object.keys(inputs ?? {})) assert.ok((INPUT_KEYS as readonly string[]).includes(key), key);
  });
});
