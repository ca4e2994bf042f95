import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PINNED_RUNNER } from "../../provider/bootstrap";
import { DEFAULT_BUILDKIT_IMAGE, renderBakeScript } from "../../provider/bake/renderBakeScript";
import { bakeManifestIn } from "../../emulator/state/images";
import { InvalidInputError } from "../../provider/errors";

describe("bake script rendering", () => {
  const base = { arch: "amd64" as const, bakeId: "openresty-bake-amd64-202611280000-ab12cd34" };

  it("bakes the pinned runner for the architecture and the workflows' BuildKit by default", () => {
    for (const arch of ["amd64", "arm64"] as const) {
      const script = renderBakeScript({ ...base, arch });
      const manifest = bakeManifestIn(Buffer.from(script).toString("base64"));
      assert.deepEqual(manifest, {
        schema: 1, arch, runnerVersion: PINNED_RUNNER.version, runnerSha256: PINNED_RUNNER.sha256[arch],
        runnerDir: "/opt/actions-runner", runnerUser: "runner", buildkitImage: DEFAULT_BUILDKIT_IMAGE,
      });
      assert.match(script, new RegExp(`^RUNNER_ARCH='${arch === "amd64" ? "x64" : "arm64"}'$`, "m"));
      assert.match(script, /^RUNNER_DOWNLOAD_BASE='https:\/\/github\.com\/actions\/runner\/releases\/download'$/m);
      assert.equal(renderBakeScript({ ...base, arch }), script, "pure");
    }
    assert.equal(DEFAULT_BUILDKIT_IMAGE, "moby/buildkit:v0.33.0");
  });

  it("refuses what it cannot bake safely, naming each field", () => {
    assert.throws(() => renderBakeScript({ ...base, runner: { version: "2.338.0" } }), (err: unknown) =>
      err instanceof InvalidInputError && /runner\.sha256: runner 2\.338\.0 is not the pinned/.test(err.message));
    assert.throws(() => renderBakeScript({ ...base, bakeId: "Bad Id", buildkitImage: "moby/buildkit:v0.33.0'; rm -rf /", runner: { downloadBaseUrl: "https://user:pw@mirror/x" } }),
      (err: unknown) => err instanceof InvalidInputError && /bakeId/.test(err.message) && /buildkitImage/.test(err.message) && /downloadBaseUrl/.test(err.message));
  });

  it("passes shellcheck", function () {
    if (spawnSync("shellcheck", ["--version"]).status !== 0) {
      console.log("      shellcheck is not installed: skipping (apt-get install -y shellcheck)");
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), "bake-shellcheck-"));
    try {
      writeFileSync(join(dir, "bake.sh"), renderBakeScript({ ...base, buildkitSource: "registry.cn-hangzhou.aliyuncs.com/m/buildkit:v0.33.0" }));
      const template = join(__dirname, "..", "..", "provider", "bake", "bake.sh");
      const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", join(dir, "bake.sh"), template]);
      assert.equal(result.status, 0, result.stdout.toString() + result.stderr.toString());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
