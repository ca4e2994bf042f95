import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluate } from "./support/expressions";
import { Json, workflow } from "./support/workflowFiles";

/**
 * Mainland China: the build job must not depend on Docker Hub for BuildKit. The "Provide BuildKit without Docker
 * Hub" step runs here for real against a fake `docker` that plays a runner with or without BuildKit baked in and
 * with or without a reachable registry.
 */
const DEFAULT_BUILDKIT = "moby/buildkit:v0.33.0";

const buildSteps = (): Json[] => workflow("spot-runner-build.yml").doc.jobs.build.steps as Json[];
const buildkitStep = (): Json => buildSteps().find((s) => s.id === "buildkit")!;

/** A docker that has the images listed in FAKE_LOCAL_IMAGES, pulls only those in FAKE_PULLABLE, records calls. */
const FAKE_DOCKER = `#!/usr/bin/env bash
printf '%s\\n' "$*" >>"$FAKE_STATE/docker.log"
has() { [[ " $1 " == *" $2 "* ]]; }
case "$1 $2" in
  "image inspect") has "\${FAKE_LOCAL_IMAGES:-}" "$3" && exit 0; echo "Error: No such image: $3" >&2; exit 1 ;;
  "pull "*) has "\${FAKE_PULLABLE:-}" "$2" && { echo "Status: Downloaded newer image for $2"; exit 0; }
    echo "Error response from daemon: Get \\"https://registry-1.docker.io/v2/\\": dial tcp: i/o timeout" >&2; exit 1 ;;
  "tag "*) exit 0 ;;
esac
echo "fake docker: unexpected call: $*" >&2
exit 99
`;

interface StepRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly docker: string[];
  readonly output: string;
}

function runBuildkitStep(wanted: string, env: { local?: string; pullable?: string }): StepRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "buildkit-step-"));
  fs.writeFileSync(path.join(dir, "docker"), FAKE_DOCKER, { mode: 0o755 });
  const output = path.join(dir, "github_output");
  fs.writeFileSync(output, "");
  const r = spawnSync("bash", ["-e", "-c", String(buildkitStep().run)], {
    cwd: dir,
    encoding: "utf8",
    timeout: 30_000,
    env: {
      PATH: `${dir}:${process.env.PATH ?? ""}`,
      FAKE_STATE: dir,
      GITHUB_OUTPUT: output,
      WANTED: wanted,
      FAKE_LOCAL_IMAGES: env.local ?? "",
      FAKE_PULLABLE: env.pullable ?? "",
    },
  });
  const log = path.join(dir, "docker.log");
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    docker: fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => l !== "") : [],
    output: fs.readFileSync(output, "utf8"),
  };
}

const localName = (ref: string): string => `localhost/spot-runner/buildkit:${createHash("sha256").update(ref).digest("hex").slice(0, 16)}`;

describe("workflows: BuildKit comes from the runner image or a mirror, not necessarily Docker Hub", () => {
  describe("which image: the buildkit-image input, else the SPOT_RUNNER_BUILDKIT_IMAGE variable, else an exact default", () => {
    const wantedFor = (input: string, variable: string): unknown =>
      evaluate(String(buildkitStep().env.WANTED), (p) => {
        if (p.join(".") === "inputs.buildkit-image") return input;
        if (p.join(".") === "vars.SPOT_RUNNER_BUILDKIT_IMAGE") return variable;
        throw new Error(`unexpected context ${p.join(".")}`);
      });
    const MIRROR = "registry.cn-hangzhou.aliyuncs.com/dianplus/buildkit:v0.33.0";

    for (const [input, variable, wanted] of [
      ["", "", DEFAULT_BUILDKIT],
      ["", MIRROR, MIRROR],
      ["moby/buildkit:v0.33.0-rootless", MIRROR, "moby/buildkit:v0.33.0-rootless"],
    ] as const) {
      it(`input '${input}', variable '${variable}' -> ${wanted}`, () => assert.equal(wantedFor(input, variable), wanted));
    }

    it("the default is an exact release, never a moving tag (a baked copy must match it)", () => {
      assert.match(DEFAULT_BUILDKIT, /^moby\/buildkit:v\d+\.\d+\.\d+$/);
      assert.match(String(buildkitStep().env.WANTED), /'moby\/buildkit:v0\.33\.0'/);
    });

    it("the workflow_call input exists and says where the default comes from", () => {
      const input = workflow("spot-runner-build.yml").doc.on.workflow_call.inputs["buildkit-image"];
      assert.equal(input.type, "string");
      assert.equal(input.required, false);
      assert.match(input.description, /SPOT_RUNNER_BUILDKIT_IMAGE/);
      assert.match(input.description, /moby\/buildkit:v0\.33\.0/);
    });
  });

  describe("the step", () => {
    it("uses a copy baked into the runner image without touching any registry", () => {
      const r = runBuildkitStep(DEFAULT_BUILDKIT, { local: DEFAULT_BUILDKIT });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.docker, [`image inspect ${DEFAULT_BUILDKIT}`, `tag ${DEFAULT_BUILDKIT} ${localName(DEFAULT_BUILDKIT)}`]);
      assert.equal(r.output, `image=${localName(DEFAULT_BUILDKIT)}\n`);
      assert.match(r.stdout, /baked into the runner image/);
    });

    it("pulls a mirror when nothing is baked in", () => {
      const mirror = "registry.cn-hangzhou.aliyuncs.com/dianplus/buildkit:v0.33.0";
      const r = runBuildkitStep(mirror, { pullable: mirror });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.docker, [`image inspect ${mirror}`, `pull ${mirror}`, `tag ${mirror} ${localName(mirror)}`]);
      assert.equal(r.output, `image=${localName(mirror)}\n`);
    });

    it("fails at once when the image cannot be had, saying what to set and where the docs are", () => {
      const r = runBuildkitStep(DEFAULT_BUILDKIT, {});
      assert.equal(r.code, 1);
      assert.equal(r.output, "", "no image for the builder");
      assert.match(r.stdout, /::error title=BuildKit image unavailable::could not get moby\/buildkit:v0\.33\.0 within 5 minutes/);
      assert.match(r.stdout, /set the SPOT_RUNNER_BUILDKIT_IMAGE variable to the mirror, or use a runner image with BuildKit baked in \(docs\/workflows\.md, "Mainland China"\)/);
    });

    it("bounds a hanging pull (Docker Hub from mainland China may hang instead of failing)", () => {
      assert.match(String(buildkitStep().run), /elif timeout 300 docker pull "\$WANTED"; then/);
    });

    it("refuses something that is not an image reference before running docker", () => {
      const r = runBuildkitStep("moby/buildkit:v0.33.0 --platform x; rm -rf /", {});
      assert.equal(r.code, 1);
      assert.deepEqual(r.docker, []);
      assert.match(r.stdout, /::error::buildkit-image 'moby\/buildkit:v0\.33\.0 --platform x; rm -rf \/' is not an image reference/);
    });

    it("the local name is one only this machine has, so buildx's own pull of it fails at once", () => {
      // A first component "localhost" is a registry host (distribution/reference): nothing listens there.
      assert.match(localName(DEFAULT_BUILDKIT), /^localhost\/spot-runner\/buildkit:[0-9a-f]{16}$/);
      assert.notEqual(localName(DEFAULT_BUILDKIT), localName("registry.cn-hangzhou.aliyuncs.com/x/buildkit:v0.33.0"));
    });
  });

  it("setup-buildx runs after the step and gives the builder exactly the step's image, then any extra driver-opts", () => {
    const steps = buildSteps();
    const bk = steps.findIndex((s) => s.id === "buildkit");
    const setup = steps.findIndex((s) => String(s.uses ?? "").startsWith("docker/setup-buildx-action@"));
    assert.ok(bk >= 0 && setup > bk);
    const opts = String(steps[setup].with["driver-opts"]).split("\n").map((l) => l.trim()).filter((l) => l !== "");
    assert.deepEqual(opts, ["image=${{ steps.buildkit.outputs.image }}", "${{ inputs.buildx-driver-opts }}"]);
    assert.equal(steps[setup].with["buildkitd-config-inline"], "${{ vars.SPOT_RUNNER_BUILDKITD_CONFIG }}");
  });
});
