import { z } from "zod";
import { DEFAULT_BUILDKIT_IMAGE, resolveBake } from "../bake/renderBakeScript";
import { Arch, ARCH_EXPECTED, parseArch } from "../contract/arch";
import { PREFIX, REGION, STACK_NAME, TAG_VALUE, zoneProblem } from "../contract/names";
import { TTL_RANGE } from "../contract/inputs";

/**
 * RunnerImage's inputs: the network of the infra stack (like SpotRunner's), the stock image to bake on, what to bake
 * (runner version, BuildKit) and the builder's limits. Checked before any API call; every problem reported at once.
 */
const int = (min: number, max: number) => z.number().int().min(min, { error: `must be ${min}-${max}` }).max(max, { error: `must be ${min}-${max}` });
const named = (rule: typeof PREFIX) => z.string().superRefine((v, ctx) => {
  const problem = rule.problem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const schema = z.object({
  arch: z.string().refine((v) => parseArch(v) !== undefined, { error: `is not an architecture: use ${ARCH_EXPECTED}` }).transform((v) => parseArch(v) as Arch),
  region: named(REGION),
  namePrefix: named(PREFIX),
  vSwitchIds: z.record(z.string(), z.string().regex(/^vsw-[a-z0-9]+$/, { error: "must be a vSwitch id (vsw-...)" }))
    .refine((m) => Object.keys(m).length > 0, { error: "needs at least one zone -> vSwitch id (the infra stack's vSwitchIds)" }),
  securityGroupId: z.string().regex(/^sg-[a-z0-9]+$/, { error: "must be a security group id (sg-...)" }),
  /** The stock image the bake starts from, e.g. aliyun_3_arm64_20G_alibase_20241216.vhd. */
  baseImageId: z.string().min(1, { error: "must name the stock image to bake on" }),
  buildkitImage: z.string().default(DEFAULT_BUILDKIT_IMAGE),
  buildkitSource: z.string().optional(),
  runnerVersion: z.string().optional(),
  runnerSha256: z.string().optional(),
  runnerDownloadUrl: z.string().optional(),
  minCpu: int(1, 64).default(2),
  maxCpu: int(1, 64).default(16),
  minMemoryGiB: int(1, 256).default(2),
  maxMemoryGiB: int(1, 256).default(64),
  families: z.array(z.string()).default([]),
  priceLimitFactor: z.number().min(1).max(10).default(1.2),
  /** The builder's AutoReleaseTime: whatever happens, ECS releases it then. */
  ttlMinutes: int(TTL_RANGE.min, 24 * 60).default(120),
  bootTimeoutMinutes: int(1, 60).default(5),
  /** How long the bake script may take, from Running to its done marker. */
  bakeTimeoutMinutes: int(1, 180).default(30),
  /** How long CreateImage may take to make the image Available (ECS takes minutes for a 40 GiB disk). */
  imageTimeoutMinutes: int(5, 360).default(90),
  systemDiskCategory: z.enum(["cloud_essd", "cloud_essd_entry", "cloud_auto", "cloud_ssd", "cloud_efficiency"]).default("cloud_essd"),
  systemDiskSizeGiB: int(20, 500).default(40),
  internetMaxBandwidthOut: int(1, 100).default(100),
  maxLaunchAttempts: int(1, 20).default(6),
  stackName: named(STACK_NAME).optional(),
  runId: named(TAG_VALUE).optional(),
}).strict().superRefine((v, ctx) => {
  if (v.minCpu > v.maxCpu) ctx.addIssue({ code: "custom", path: ["minCpu"], message: `(${v.minCpu}) must not exceed maxCpu (${v.maxCpu})` });
  if (v.minMemoryGiB > v.maxMemoryGiB) ctx.addIssue({ code: "custom", path: ["minMemoryGiB"], message: `(${v.minMemoryGiB}) must not exceed maxMemoryGiB (${v.maxMemoryGiB})` });
  for (const zone of Object.keys(v.vSwitchIds)) {
    const problem = zoneProblem(zone, v.region);
    if (problem) ctx.addIssue({ code: "custom", path: ["vSwitchIds"], message: problem });
  }
  if (v.ttlMinutes < v.bootTimeoutMinutes + v.bakeTimeoutMinutes + v.imageTimeoutMinutes / 3) {
    ctx.addIssue({ code: "custom", path: ["ttlMinutes"], message: `(${v.ttlMinutes}) leaves the builder too little time: boot, bake and imaging need more` });
  }
});

export type RunnerImageInputs = z.output<typeof schema>;
export const IMAGE_INPUT_KEYS = Object.keys(schema.shape) as readonly (keyof RunnerImageInputs)[];

export interface InputFailure {
  readonly property: string;
  readonly reason: string;
}

export function checkImageInputs(raw: Readonly<Record<string, unknown>>): { inputs?: RunnerImageInputs; failures: InputFailure[] } {
  // Outputs come back with the inputs when Pulumi hands a resource's state to the provider: not inputs, not errors.
  const present = Object.fromEntries(Object.entries(raw).filter(([k, v]) => k !== "__provider" && !OUTPUT_KEYS.has(k) && v !== undefined && v !== null && v !== ""));
  const result = schema.safeParse(present);
  if (!result.success) {
    return {
      failures: result.error.issues.map((issue) => issue.code === "unrecognized_keys"
        ? { property: issue.keys.join(", "), reason: "is not a RunnerImage input" }
        : { property: String(issue.path[0] ?? "(inputs)"), reason: issue.message }),
    };
  }
  // What the bake script will refuse, refused here, before any API call.
  try {
    resolveBake({
      arch: result.data.arch, bakeId: "check-only",
      runner: { ...(result.data.runnerVersion ? { version: result.data.runnerVersion } : {}), ...(result.data.runnerSha256 ? { sha256: result.data.runnerSha256 } : {}),
        ...(result.data.runnerDownloadUrl ? { downloadBaseUrl: result.data.runnerDownloadUrl } : {}) },
      buildkitImage: result.data.buildkitImage,
      ...(result.data.buildkitSource ? { buildkitSource: result.data.buildkitSource } : {}),
    });
  } catch (err) {
    const failures = (err as { failures?: InputFailure[] }).failures ?? [{ property: "(bake)", reason: String(err) }];
    return { failures: failures.map((f) => ({ property: BAKE_FIELD_TO_INPUT[f.property] ?? f.property, reason: f.reason })) };
  }
  return { inputs: result.data, failures: [] };
}

const BAKE_FIELD_TO_INPUT: Readonly<Record<string, string>> = {
  "runner.version": "runnerVersion", "runner.sha256": "runnerSha256", "runner.downloadBaseUrl": "runnerDownloadUrl",
};

/** What create adds to the inputs (outs = inputs + these); never taken for inputs when state is read back. */
export const OUTPUT_KEYS: ReadonlySet<string> = new Set([
  "schemaVersion", "imageId", "imageName", "bakeId", "snapshotIds", "builderInstanceId", "builderInstanceType", "builderZoneId",
  "manifest", "bakedAt", "bakeMinutes",
]);
