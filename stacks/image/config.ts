/** The project name in Pulumi.yaml, hence the namespace of the stack's config keys. */
export const IMAGE_STACK_NAMESPACE = "spot-runner-image";

/** Alibaba Cloud Linux 3, the guide's images: what a bake starts from unless baseImageIdAmd64/Arm64 say otherwise. */
export const DEFAULT_BASE_IMAGES = {
  amd64: "aliyun_3_x64_20G_alibase_20241216.vhd",
  arm64: "aliyun_3_arm64_20G_alibase_20241216.vhd",
} as const;

export interface ImageStackConfig {
  readonly infraStack: string;
  readonly arches: readonly ("amd64" | "arm64")[];
  readonly baseImageIds: Readonly<Record<"amd64" | "arm64", string>>;
  /** RunnerImage inputs shared by both architectures (runnerVersion, buildkitSource, runnerDownloadUrl, ...). */
  readonly shared: Readonly<Record<string, string | number>>;
  /** The runner's checksum per architecture, when runnerVersion is not the pinned one. */
  readonly runnerSha256: Readonly<Partial<Record<"amd64" | "arm64", string>>>;
}

const TEXT_KEYS = ["buildkitImage", "buildkitSource", "runnerVersion", "runnerDownloadUrl", "systemDiskCategory"] as const;
const NUMBER_KEYS = ["ttlMinutes", "bakeTimeoutMinutes", "imageTimeoutMinutes", "systemDiskSizeGiB", "maxCpu", "minCpu"] as const;
const KNOWN = new Set<string>(["infraStack", "arches", "baseImageIdAmd64", "baseImageIdArm64", "runnerSha256Amd64", "runnerSha256Arm64", ...TEXT_KEYS, ...NUMBER_KEYS]);

export class ImageStackConfigError extends Error {
  override name = "ImageStackConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`${IMAGE_STACK_NAMESPACE}: the stack configuration has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}: ${problems.join("; ")}. ` +
      "Fix it with `pulumi config set <key> <value>` (README, \"Runner images\").");
  }
}

/** The whole configuration, typed; an unknown key, a bad architecture list or a bad number is refused, all at once. */
export function readImageStackConfig(all: Readonly<Record<string, string | undefined>>): ImageStackConfig {
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [fullKey, raw] of Object.entries(all)) {
    if (!fullKey.startsWith(`${IMAGE_STACK_NAMESPACE}:`) || raw === undefined) continue;
    const key = fullKey.slice(IMAGE_STACK_NAMESPACE.length + 1);
    if (!KNOWN.has(key)) problems.push(`${key} is not a setting of this stack (known: ${[...KNOWN].join(", ")})`);
    else values[key] = raw.trim();
  }
  if (!values.infraStack) problems.push("infraStack is required (the static stack, e.g. organization/spot-runner-infra/prod)");
  const archText = (values.arches ?? "both").toLowerCase();
  const arches = archText === "both" ? ["amd64", "arm64"] as const : archText.split(",").map((a) => a.trim());
  for (const arch of arches) if (arch !== "amd64" && arch !== "arm64") problems.push(`arches: "${arch}" is not amd64, arm64 or both`);
  const shared: Record<string, string | number> = {};
  for (const key of TEXT_KEYS) if (values[key]) shared[key] = values[key];
  for (const key of NUMBER_KEYS) {
    if (values[key] === undefined) continue;
    const n = Number(values[key]);
    if (!Number.isInteger(n)) problems.push(`${key}: "${values[key]}" is not a whole number`);
    else shared[key] = n;
  }
  if (problems.length > 0) throw new ImageStackConfigError(problems);
  return {
    infraStack: values.infraStack!,
    arches: [...new Set(arches)] as ("amd64" | "arm64")[],
    baseImageIds: { amd64: values.baseImageIdAmd64 || DEFAULT_BASE_IMAGES.amd64, arm64: values.baseImageIdArm64 || DEFAULT_BASE_IMAGES.arm64 },
    shared,
    runnerSha256: { ...(values.runnerSha256Amd64 ? { amd64: values.runnerSha256Amd64 } : {}), ...(values.runnerSha256Arm64 ? { arm64: values.runnerSha256Arm64 } : {}) },
  };
}
