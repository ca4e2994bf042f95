import { join } from "node:path";
import { InvalidInputError, SpotRunnerError } from "../errors";
import { USER_DATA_LIMIT_BYTES } from "../bootstrap/renderScript";
import { loadScriptTemplate } from "../bootstrap/scriptTemplate";
import { GITHUB_RELEASES_BASE_URL, PINNED_RUNNER, RUNNER_PACKAGE_ARCH } from "../bootstrap/pinnedRunner";
import { DEFAULT_PREINSTALLED_DIR, DEFAULT_RUNNER_USER } from "../bootstrap/resolveInput";
import { shellQuote } from "../bootstrap/shellQuote";

/** The BuildKit image the build workflow uses by default ("Provide BuildKit without Docker Hub"): exact, so a baked copy matches. */
export const DEFAULT_BUILDKIT_IMAGE = "moby/buildkit:v0.33.0";

/** What a bake is rendered from. */
export interface BakeInput {
  readonly arch: "amd64" | "arm64";
  /** Unique per bake (names the image, tags the builder): lowercase letters, digits and hyphens. */
  readonly bakeId: string;
  readonly runner?: {
    /** Default: PINNED_RUNNER.version; another version needs `sha256`. */
    readonly version?: string;
    readonly sha256?: string;
    /** A mirror laid out like GitHub's releases. */
    readonly downloadBaseUrl?: string;
  };
  /** The name the image keeps BuildKit under (what the workflows look for). Default moby/buildkit:v0.33.0. */
  readonly buildkitImage?: string;
  /** Where to pull it from (a mirror); default the same name. */
  readonly buildkitSource?: string;
}

/**
 * What the bake leaves in /etc/spot-runner/baked.json, and what the emulator reads from the builder's user data: one
 * JSON document, so the image reports to the bootstrap (and to a person on the instance) exactly what it carries.
 */
export interface BakeManifest {
  readonly schema: 1;
  readonly arch: "amd64" | "arm64";
  readonly runnerVersion: string;
  readonly runnerSha256: string;
  readonly runnerDir: string;
  readonly runnerUser: string;
  readonly buildkitImage: string;
}

const TEMPLATE = loadScriptTemplate(join(__dirname, "bake.sh"));
const CONFIG_PLACEHOLDER = "__SPOT_RUNNER_BAKE_CONFIG__";
const VERSION = /^\d+\.\d+\.\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const BAKE_ID = /^[a-z][a-z0-9-]{1,62}$/;
// Image references: registry/name:tag or @digest; no quotes, spaces or shell characters (they go into JSON and logs).
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/;
const HTTP_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/;

/** The input checked, defaults applied: the manifest and the values the script needs. */
export function resolveBake(input: BakeInput): { manifest: BakeManifest; downloadBaseUrl: string; buildkitSource: string } {
  const failures: { property: string; reason: string }[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  if (input.arch !== "amd64" && input.arch !== "arm64") fail("arch", `must be "amd64" or "arm64", got ${JSON.stringify(input.arch)}`);
  if (!BAKE_ID.test(input.bakeId ?? "")) fail("bakeId", "must be 2-63 lowercase letters, digits and hyphens, starting with a letter");
  const runner = input.runner ?? {};
  const runnerVersion = runner.version ?? PINNED_RUNNER.version;
  if (!VERSION.test(runnerVersion)) fail("runner.version", `"${runnerVersion}" is not a runner version such as ${PINNED_RUNNER.version}`);
  const pinned = input.arch === "amd64" || input.arch === "arm64" ? PINNED_RUNNER.sha256[input.arch] : "";
  const runnerSha256 = runner.sha256 ?? (runnerVersion === PINNED_RUNNER.version ? pinned : "");
  if (!SHA256.test(runnerSha256)) {
    fail("runner.sha256", runner.sha256 === undefined
      ? `runner ${runnerVersion} is not the pinned ${PINNED_RUNNER.version}: give the SHA-256 of its linux-${input.arch === "arm64" ? "arm64" : "x64"} package (release notes)`
      : "must be 64 lower-case hex digits");
  }
  const downloadBaseUrl = (runner.downloadBaseUrl ?? GITHUB_RELEASES_BASE_URL).replace(/\/+$/, "");
  if (!HTTP_URL.test(downloadBaseUrl)) fail("runner.downloadBaseUrl", `"${downloadBaseUrl}" is not an http(s) URL without credentials or query`);
  const buildkitImage = input.buildkitImage ?? DEFAULT_BUILDKIT_IMAGE;
  const buildkitSource = input.buildkitSource ?? buildkitImage;
  for (const [property, value] of [["buildkitImage", buildkitImage], ["buildkitSource", buildkitSource]] as const) {
    if (!IMAGE_REFERENCE.test(value)) fail(property, `"${value}" is not an image reference such as ${DEFAULT_BUILDKIT_IMAGE}`);
  }
  if (failures.length > 0) throw new InvalidInputError(failures, "bake script");
  return {
    manifest: { schema: 1, arch: input.arch, runnerVersion, runnerSha256, runnerDir: DEFAULT_PREINSTALLED_DIR, runnerUser: DEFAULT_RUNNER_USER, buildkitImage },
    downloadBaseUrl,
    buildkitSource,
  };
}

/** The builder's user data. Pure: the same input gives the same text. Holds no secret. */
export function renderBakeScript(input: BakeInput): string {
  const { manifest, downloadBaseUrl, buildkitSource } = resolveBake(input);
  const assign = (name: string, value: string) => `${name}=${shellQuote(value)}`;
  const config = [
    assign("BAKE_ID", input.bakeId),
    assign("RUNNER_ARCH", RUNNER_PACKAGE_ARCH[manifest.arch]),
    assign("RUNNER_VERSION", manifest.runnerVersion),
    assign("RUNNER_SHA256", manifest.runnerSha256),
    assign("RUNNER_DOWNLOAD_BASE", downloadBaseUrl),
    assign("RUNNER_DIR", manifest.runnerDir),
    assign("RUNNER_USER", manifest.runnerUser),
    assign("BUILDKIT_IMAGE", manifest.buildkitImage),
    assign("BUILDKIT_SOURCE", buildkitSource),
    // One line, single-quoted JSON (the checks above keep quotes out of it): the emulator reads it (emulator/state/images.ts).
    assign("BAKE_MANIFEST_JSON", JSON.stringify(manifest)),
  ].join("\n") + "\n";
  const script = TEMPLATE.replace(`${CONFIG_PLACEHOLDER}\n`, () => config);
  const bytes = Buffer.byteLength(script, "utf8");
  if (bytes > USER_DATA_LIMIT_BYTES) throw new SpotRunnerError(`bake: the rendered script is ${bytes} bytes; ECS accepts at most ${USER_DATA_LIMIT_BYTES}`);
  return script;
}
