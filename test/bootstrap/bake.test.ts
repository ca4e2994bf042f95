import * as assert from "node:assert/strict";
import { BakeResult, BootstrapSandbox, FAKE_RUNNER_VERSION, ScenarioResult, TEST_JIT_CONFIG } from "./support/sandbox";

/**
 * The bake script (provider/bake) executed for real in the sandbox, then the bootstrap booted from what it left: the
 * same root and PATH, as an instance booted from the baked image. The fake download server counts every byte.
 */
describe("runner image bake in a sandbox, then a boot from the result", function () {
  this.timeout(60_000);
  const sandboxes: BootstrapSandbox[] = [];
  let bake: BakeResult;
  let boot: ScenarioResult;
  let stock: ScenarioResult;
  let badChecksum: BakeResult;
  let mirrored: BakeResult;

  before(async () => {
    const [baker, stockBox, badBox, mirrorBox] = [0, 1, 2, 3].map(() => BootstrapSandbox.create());
    sandboxes.push(baker!, stockBox!, badBox!, mirrorBox!);
    [bake, stock, badChecksum, mirrored] = await Promise.all([
      baker!.bake(),
      stockBox!.run({ runner: "job", os: "alinux", dockerInstalled: false }),
      badBox!.bake({ runner: { version: FAKE_RUNNER_VERSION, sha256: "0".repeat(64) } }),
      mirrorBox!.bake({ buildkitSource: "registry.cn-hangzhou.aliyuncs.com/mirror/buildkit:v0.33.0" }),
    ]);
    boot = await baker!.run({ runner: "job", afterBake: true });
  });
  after(async () => {
    await Promise.all(sandboxes.map((s) => s.dispose()));
  });

  it("bakes docker with buildx (enabled), the runner user, the verified runner and BuildKit, then prints the done marker", () => {
    assert.equal(bake.exitCode, 0, bake.log);
    assert.deepEqual(bake.calls.dnf, [
      "-y install dnf-plugin-releasever-adapter --repo alinux3-plus",
      "config-manager --add-repo https://mirrors.aliyun.com/docker-ce/linux/centos/docker-ce.repo",
      "-y install docker-ce docker-ce-cli containerd.io docker-buildx-plugin",
    ]);
    assert.deepEqual(bake.calls.systemctl, ["enable --now docker"], "enabled, so it starts at every boot of the image");
    assert.deepEqual(bake.calls.useradd, ["--create-home --shell /bin/bash runner"]);
    assert.deepEqual(bake.calls.usermod, ["-aG docker runner"]);
    assert.deepEqual(bake.downloads.map((d) => d.path), [`/download/v${FAKE_RUNNER_VERSION}/actions-runner-linux-arm64-${FAKE_RUNNER_VERSION}.tar.gz`]);
    assert.match(bake.log, /checksum verified: [0-9a-f]{64}/);
    assert.ok(bake.calls.docker!.includes("pull moby/buildkit:v0.33.0"), bake.calls.docker!.join("\n"));
    assert.ok(bake.calls.docker!.includes("image inspect moby/buildkit:v0.33.0"));
    assert.deepEqual(bake.calls.chown, [`-R runner: ${sandboxes[0]!.root}/opt/actions-runner`]);
    assert.equal(bake.calls.poweroff, undefined, "a good bake leaves the builder running for StopInstance");
    const manifest = JSON.parse(bake.manifest ?? "null");
    assert.deepEqual(manifest, { schema: 1, arch: "arm64", runnerVersion: FAKE_RUNNER_VERSION, runnerSha256: manifest.runnerSha256, runnerDir: "/opt/actions-runner", runnerUser: "runner", buildkitImage: "moby/buildkit:v0.33.0" });
    assert.match(manifest.runnerSha256, /^[0-9a-f]{64}$/);
    const marker = bake.console.trimEnd().split("\n").at(-1)!;
    assert.equal(marker, `spot-runner-bake: done manifest=${bake.manifest!.trim()}`, "the marker is the console's last line");
  });

  it("a boot from the baked image downloads nothing and installs nothing, and reports what the image carries", () => {
    assert.equal(boot.timedOut, false, boot.log);
    assert.equal(boot.poweroffReason, "the runner finished");
    assert.deepEqual(boot.downloads, [], "no runner download");
    assert.equal(boot.bytesDownloaded, 0);
    for (const installer of ["dnf", "yum", "apt-get", "useradd"]) assert.equal(boot.calls[installer], undefined, `${installer} must not run`);
    assert.ok(!(boot.calls.docker ?? []).some((c) => c.startsWith("pull")), "no image pulled");
    assert.match(boot.log, /baked image: \{"schema":1,"arch":"arm64","runnerVersion":"9\.9\.9"/);
    assert.match(boot.log, /using the runner baked into the image at .*\/opt\/actions-runner \(no download\)/);
    assert.equal(boot.record("installdependencies"), "installdependencies\n", "dependencies were installed once, by the bake");
    assert.deepEqual(boot.record("runner-args")?.split("\n").slice(0, -1), ["--jitconfig", TEST_JIT_CONFIG]);
    assert.ok(!boot.log.includes(TEST_JIT_CONFIG) && !boot.console.includes(TEST_JIT_CONFIG));
  });

  it("a stock image says so, and downloads and installs everything", () => {
    assert.equal(stock.poweroffReason, "the runner finished");
    assert.match(stock.log, /stock image: nothing baked in/);
    assert.equal(stock.downloads.length, 1);
    assert.ok(stock.bytesDownloaded > 0);
    assert.ok(stock.calls.dnf!.length >= 3);
  });

  it("a checksum mismatch fails the bake: the failed marker, no manifest, the builder powered off", () => {
    assert.notEqual(badChecksum.exitCode, 0);
    assert.match(badChecksum.console, /spot-runner-bake: failed: checksum mismatch for actions-runner-linux-arm64-9\.9\.9\.tar\.gz: expected 0{64}, got [0-9a-f]{64}; refusing to bake it/);
    assert.doesNotMatch(badChecksum.console, /spot-runner-bake: done/);
    assert.equal(badChecksum.manifest, undefined);
    assert.deepEqual(badChecksum.calls.poweroff, [""]);
  });

  it("BuildKit from a mirror is kept under the name the workflows look for", () => {
    assert.equal(mirrored.exitCode, 0, mirrored.log);
    const docker = mirrored.calls.docker!;
    assert.ok(docker.includes("pull registry.cn-hangzhou.aliyuncs.com/mirror/buildkit:v0.33.0"), docker.join("\n"));
    assert.ok(docker.includes("tag registry.cn-hangzhou.aliyuncs.com/mirror/buildkit:v0.33.0 moby/buildkit:v0.33.0"));
    assert.equal(JSON.parse(mirrored.manifest!).buildkitImage, "moby/buildkit:v0.33.0");
  });
});
