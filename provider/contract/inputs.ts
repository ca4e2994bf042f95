import { z } from "zod";
import { defaultAdviceRequest } from "../advisor/defaults";
import { PINNED_RUNNER } from "../bootstrap/pinnedRunner";
import { Arch, ARCH_EXPECTED, parseArch } from "./arch";
import { GITHUB_ORGANIZATION, GITHUB_REPOSITORY, NameRule, PREFIX, REGION, RUNNER_LABEL, STACK_NAME, zoneProblem } from "./names";

/**
 * SpotRunner's inputs, each defined once: its schema (type and rules, with the message a user reads), how it is
 * written as text (runner stack config, CLI flags), its default and one line of documentation. From this table
 * come the TypeScript type of the inputs, `check`'s per-property failures, the runner stack's config parsing
 * and the CLI's flag parsing, and the README's reference table (test/provider/inputs.test.ts keeps it equal).
 *
 * Why zod: it is the most used TypeScript schema library, infers the types from the schemas (so types and rules
 * cannot drift), reports every issue with its path in one pass (per-property failures), and is small enough to
 * load in a CLI that must start at once (about 60 ms, measured in `npm run bench`).
 */

/** How a value is written as text (config values and flags arrive as strings). */
export type TextKind = "string" | "integer" | "number" | "boolean" | "stringList" | "ratioList" | "stringMap";

export interface InputSpec {
  readonly schema: z.ZodType;
  readonly text: TextKind;
  /** One line for the reference table. */
  readonly doc: string;
  /** The default as the reference table shows it ("required" when there is none). */
  readonly defaultText: string;
  /** The runner stack sets it from the infra stack (users do not). */
  readonly fromInfraStack?: true;
}

const GUIDE_FALLBACK_ZONES: Readonly<Record<Arch, readonly string[]>> = {
  arm64: ["cn-hangzhou-b", "cn-hangzhou-j", "cn-hangzhou-k"],
  amd64: ["cn-hangzhou-b", "cn-hangzhou-g", "cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"],
};

/** AutoReleaseTime must be at least 30 minutes ahead (the API's rule); at most a week here. */
export const TTL_RANGE = { min: 30, max: 7 * 24 * 60 } as const;
const DISK_CATEGORIES = ["cloud_essd", "cloud_essd_entry", "cloud_auto", "cloud_ssd", "cloud_efficiency"] as const;

const int = (min: number, max: number, expected: string) =>
  z.number({ error: `must be a number: ${expected}` }).int({ error: `must be a whole number: ${expected}` })
    .min(min, { error: `must be ${expected}` }).max(max, { error: `must be ${expected}` });
const httpUrl = (what: string) => z.string().trim()
  .regex(/^https?:\/\/\S+$/, { error: `must be an http(s) URL (${what})` })
  // User data is readable from the instance's metadata: the JIT config must stay its only secret.
  .refine((v) => !/^https?:\/\/[^/]*@/.test(v), { error: "must not carry credentials (user data is readable on the instance)" });

/** A name checked by its naming rule; the rule's own sentence ("x" is not a name prefix: ...) is the message. */
function nameSchema(rule: NameRule): z.ZodType<string> {
  return z.string({ error: `must be text: ${rule.expected}` }).trim().superRefine((value, ctx) => {
    const problem = rule.problem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, params: { sentence: true } });
  });
}

/** Every input, in the order of the reference table. */
export const INPUT_SPECS = {
  arch: { schema: z.string().refine((v) => parseArch(v) !== undefined, { error: `is not an architecture: use ${ARCH_EXPECTED}` })
    .transform((v) => parseArch(v) as Arch), text: "string", doc: "`amd64` or `arm64` (`x86_64`, `aarch64` accepted)", defaultText: "required" },
  region: { schema: nameSchema(REGION), text: "string", doc: "From the infra stack", defaultText: "required", fromInfraStack: true },
  vSwitchIds: {
    schema: z.record(z.string(), z.string().regex(/^vsw-[A-Za-z0-9]+$/, { error: "is not a vSwitch id (vsw-...)" }), { error: "must be a map zone -> vSwitch id" })
      .refine((m) => Object.keys(m).length > 0, { error: "needs at least one zone -> vSwitch id entry (the infra stack's vSwitchIds output)" }),
    text: "stringMap", doc: "From the infra stack; the runner launches only in zones that have a vSwitch", defaultText: "required", fromInfraStack: true,
  },
  securityGroupId: { schema: z.string().regex(/^sg-[A-Za-z0-9]+$/, { error: "is not a security group id (sg-...)" }), text: "string",
    doc: "From the infra stack", defaultText: "required", fromInfraStack: true },
  imageId: { schema: z.string().trim().regex(/^\S+$/, { error: "needs an image id, e.g. aliyun_3_arm64_20G_alibase_20241216.vhd or m-..." }),
    text: "string", doc: "An image of that architecture (checked before launch); a baked runner image makes start-up fastest", defaultText: "required" },
  namePrefix: { schema: nameSchema(PREFIX), text: "string", doc: "From the infra stack: instance names `<prefix>-<arch>-spot-<timestamp>`; the `spot-runner-prefix` tag",
    defaultText: "required", fromInfraStack: true },
  githubRepository: { schema: nameSchema(GITHUB_REPOSITORY).optional(), text: "string", doc: "Where the runner registers (`owner/repo`); or `githubOrganization`", defaultText: "one required" },
  githubOrganization: { schema: nameSchema(GITHUB_ORGANIZATION).optional(), text: "string", doc: "Register to an organization instead", defaultText: "none" },
  runnerGroupId: { schema: int(1, 2 ** 31, "a positive integer (1 is the Default group)").default(1), text: "integer",
    doc: "Organization runner group (repository runners are always group 1)", defaultText: "`1`" },
  labels: { schema: z.array(nameSchema(RUNNER_LABEL)).max(20, { error: "at most 20 extra labels" }).default([]), text: "stringList",
    doc: "Extra labels besides the unique job label (a just-in-time runner has exactly its registered labels)", defaultText: "none" },
  minCpu: { schema: int(1, 1024, "1-1024 vCPUs").optional(), text: "integer", doc: "vCPU range, inclusive", defaultText: "`8`" },
  maxCpu: { schema: int(1, 1024, "1-1024 vCPUs").optional(), text: "integer", doc: "Upper end of the vCPU range", defaultText: "`64`" },
  minMemoryGiB: { schema: z.number({ error: "must be a number of GiB" }).gt(0, { error: "must be more than 0 GiB" }).max(8192, { error: "at most 8192 GiB" }).optional(),
    text: "number", doc: "Memory range, GiB", defaultText: "amd64 `8`, arm64 `16`" },
  maxMemoryGiB: { schema: z.number({ error: "must be a number of GiB" }).gt(0, { error: "must be more than 0 GiB" }).max(8192, { error: "at most 8192 GiB" }).optional(),
    text: "number", doc: "Upper end of the memory range", defaultText: "amd64 `64`, arm64 `128`" },
  ratios: { schema: z.array(z.number().gt(0, { error: "must be more than 0 GiB per vCPU" }).max(64, { error: "must be at most 64 GiB per vCPU" }),
    { error: "needs GiB-per-vCPU ratios, e.g. [1, 2] or \"1:1,1:2\"" })
    .min(1, { error: "needs one or more GiB-per-vCPU ratios, e.g. [1, 2]" }).optional(), text: "ratioList",
    doc: "GiB per vCPU in order of preference (`\"1:1,1:2\"` accepted); the first ratio with any candidate wins", defaultText: "amd64 `[1, 2]`, arm64 `[2]`" },
  families: { schema: z.array(z.string().trim().regex(/^ecs\.[a-z0-9-]+$/, { error: "is not an instance family such as ecs.c8y" })).optional(), text: "stringList",
    doc: "Exact instance families", defaultText: "amd64 any; arm64 `ecs.c8y`, `ecs.c8r`" },
  priceWindowMinutes: { schema: int(1, 30 * 24 * 60, "1 minute to 30 days").default(60), text: "integer",
    doc: "Spot price history read (widened for a zone without a row)", defaultText: "`60`" },
  spotStrategy: { schema: z.enum(["SpotWithPriceLimit", "SpotAsPriceGo"], { error: "must be SpotWithPriceLimit or SpotAsPriceGo" }).default("SpotWithPriceLimit"),
    text: "string", doc: "Or `SpotAsPriceGo` (pay up to the pay-as-you-go price)", defaultText: "`SpotWithPriceLimit`" },
  priceLimitFactor: { schema: z.number({ error: "must be a number between 1 and 10" }).min(1, { error: "must be between 1 and 10 (1.2 = 20% above the latest price)" })
    .max(10, { error: "must be between 1 and 10 (1.2 = 20% above the latest price)" }).default(1.2), text: "number",
    doc: "Limit = factor x the latest price, rounded up to 3 decimals, capped at pay-as-you-go", defaultText: "`1.2`" },
  spotDuration: { schema: z.union([z.literal(0), z.literal(1)], { error: "must be 0 (no protection) or 1 (one hour without reclaim)" }).default(1), text: "integer",
    doc: "Hours protected from reclaim (0 is cheaper but may be reclaimed at once)", defaultText: "`1`" },
  requireSpotDuration: { schema: z.boolean({ error: "must be true or false" }).default(true), text: "boolean",
    doc: "A type that offers no protection period (`OperationDenied.FlavorNotSupported`) is skipped; `false` launches it without one", defaultText: "`true`" },
  strategy: { schema: z.enum(["expected-cost", "lowest-price"], { error: "must be expected-cost or lowest-price" }).default("expected-cost"), text: "string",
    doc: "`expected-cost`: by the expected cost of a completed job, counting interruptions (DescribeSpotAdvice's band) and re-runs; `lowest-price`: spot price per vCPU alone, as the Go advisor",
    defaultText: "`expected-cost`" },
  expectedJobMinutes: { schema: int(1, 7 * 24 * 60, "1 minute to a week").default(20), text: "integer",
    doc: "The job length the expected cost is computed for", defaultText: "`20`" },
  onDemandFallback: { schema: z.boolean({ error: "must be true or false" }).default(false), text: "boolean",
    doc: "When no spot candidate can be launched, launch the cheapest acceptable type pay-as-you-go (same TTL, tags and cleanup)", defaultText: "`false`" },
  onDemandMaxHourlyPrice: { schema: z.number({ error: "must be a price per hour" }).gt(0, { error: "must be more than 0" }).optional(), text: "number",
    doc: "The most an hour of the pay-as-you-go fallback may cost (the price API's currency)", defaultText: "no cap" },
  ttlMinutes: { schema: int(TTL_RANGE.min, TTL_RANGE.max, `${TTL_RANGE.min}-${TTL_RANGE.max} minutes (ECS requires AutoReleaseTime at least 30 minutes ahead)`).default(120),
    text: "integer", doc: "The instance's hard lifetime (ECS `AutoReleaseTime`)", defaultText: "`120`" },
  idleTimeoutMinutes: { schema: int(1, TTL_RANGE.max, "1 minute or more").default(20), text: "integer", doc: "Power off if no job starts within this", defaultText: "`20`" },
  bootTimeoutMinutes: { schema: int(1, 30, "1-30 minutes").default(5), text: "integer", doc: "How long to wait for Running", defaultText: "`5`" },
  onlineTimeoutMinutes: { schema: int(1, 60, "1-60 minutes").default(10), text: "integer", doc: "How long to wait for the runner to come online", defaultText: "`10`" },
  systemDiskCategory: { schema: z.enum(DISK_CATEGORIES, { error: `must be one of ${DISK_CATEGORIES.join(", ")}` }).default("cloud_essd"), text: "string",
    doc: "System disk category", defaultText: "`cloud_essd`" },
  systemDiskSizeGiB: { schema: int(20, 2048, "20-2048 GiB").default(40), text: "integer", doc: "System disk size", defaultText: "`40`" },
  internetMaxBandwidthOut: { schema: int(0, 100, "0-100 Mbit/s").default(100), text: "integer",
    doc: "Public bandwidth (pay by traffic), Mbit/s; 0 needs a NAT gateway", defaultText: "`100`" },
  fallbackZones: { schema: z.array(z.string().trim()).optional(), text: "stringList", doc: "Zones tried last (only where a vSwitch exists)",
    defaultText: "the guide's presets (arm64 b/j/k, amd64 b/g/h/i/j/k)" },
  maxLaunchAttempts: { schema: int(1, 50, "1-50").default(8), text: "integer", doc: "Launch attempts across (type, zone) candidates", defaultText: "`8`" },
  runnerVersion: { schema: z.string().trim().regex(/^\d+\.\d+\.\d+$/, { error: "is not a runner version such as 2.321.0" }).optional(), text: "string",
    doc: "Another actions/runner version, with `runnerSha256`", defaultText: `pinned ${PINNED_RUNNER.version}` },
  runnerSha256: { schema: z.string().trim().toLowerCase().regex(/^[0-9a-f]{64}$/, { error: "must be the package's SHA-256 (64 hex digits)" }).optional(), text: "string",
    doc: "Checksum of that version's linux package for this arch", defaultText: "none" },
  runnerDownloadUrl: { schema: httpUrl("a mirror laid out like GitHub's releases").optional(), text: "string", doc: "A mirror laid out like GitHub's releases", defaultText: "GitHub releases" },
  httpProxy: { schema: httpUrl("the proxy").optional(), text: "string", doc: "Proxy for GitHub traffic on the instance (metadata and `*.aliyuncs.com` stay direct)", defaultText: "none" },
  httpsProxy: { schema: httpUrl("the proxy").optional(), text: "string", doc: "The same, for HTTPS", defaultText: "none" },
  noProxy: { schema: z.string().trim().optional(), text: "string", doc: "More hosts that bypass the proxy", defaultText: "none" },
  stackName: { schema: nameSchema(STACK_NAME).optional(), text: "string", doc: "Recorded as an instance tag (the runner stack sets it)", defaultText: "none" },
  runId: { schema: z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: "must be 1-64 letters, digits, . _ -" }).optional(), text: "string",
    doc: "Recorded as an instance tag (the runner stack sets it)", defaultText: "none" },
} as const satisfies Record<string, InputSpec>;

export type InputKey = keyof typeof INPUT_SPECS;
export const INPUT_KEYS = Object.keys(INPUT_SPECS) as InputKey[];

const fieldsSchema = z.object(Object.fromEntries(INPUT_KEYS.map((k) => [k, INPUT_SPECS[k].schema])) as { [K in InputKey]: (typeof INPUT_SPECS)[K]["schema"] }).strict();
type Fields = z.output<typeof fieldsSchema>;

/**
 * The inputs as the provider sees them: plain values with every default filled in, so what is stored in state
 * is explicit and `diff` compares like with like.
 */
export type SpotRunnerInputs = Omit<Fields, "minCpu" | "maxCpu" | "minMemoryGiB" | "maxMemoryGiB" | "ratios" | "families" | "fallbackZones"> & {
  readonly minCpu: number;
  readonly maxCpu: number;
  readonly minMemoryGiB: number;
  readonly maxMemoryGiB: number;
  readonly ratios: readonly number[];
  readonly families: readonly string[];
  readonly fallbackZones: readonly string[];
};

export interface InputFailure {
  readonly property: string;
  readonly reason: string;
}

/** The reference table in the README ("SpotRunner arguments"): generated from the specs, kept equal by a test. */
export function inputsReferenceTable(): string {
  const rows = INPUT_KEYS.map((key) => `| \`${key}\` | ${INPUT_SPECS[key].defaultText} | ${INPUT_SPECS[key].doc} |`);
  return ["| Argument | Default | Meaning |", "|---|---|---|", ...rows].join("\n");
}

/** The defaults that depend on the architecture and the zones, and the rules between inputs. */
const inputsSchema = fieldsSchema.transform((f, ctx): SpotRunnerInputs => {
  // Marked as whole sentences: they are reported as they are, without the value in front.
  const fail = (property: string, message: string) => ctx.addIssue({ code: "custom", path: [property], message, params: { sentence: true } });
  const sizing = defaultAdviceRequest(f.arch, f.region);
  const inputs: SpotRunnerInputs = {
    ...f,
    minCpu: f.minCpu ?? sizing.minCpu,
    maxCpu: f.maxCpu ?? sizing.maxCpu,
    minMemoryGiB: f.minMemoryGiB ?? sizing.minMemGiB,
    maxMemoryGiB: f.maxMemoryGiB ?? sizing.maxMemGiB,
    ratios: f.ratios ?? [...sizing.ratios],
    families: (f.families ?? [...(sizing.families ?? [])]).filter(Boolean),
    fallbackZones: f.fallbackZones ?? defaultFallbackZones(f.arch, Object.keys(f.vSwitchIds)),
  };
  if (!f.githubRepository === !f.githubOrganization) fail("githubRepository", "set exactly one of githubRepository (owner/repo) or githubOrganization");
  if (f.githubRepository && f.runnerGroupId !== 1) fail("runnerGroupId", "repository runners always belong to group 1; groups are for organization runners");
  for (const zone of Object.keys(f.vSwitchIds)) {
    const problem = zoneProblem(zone, f.region);
    if (problem) fail("vSwitchIds", problem);
  }
  if (inputs.minCpu > inputs.maxCpu) fail("minCpu", `vCPU range ${inputs.minCpu}-${inputs.maxCpu} must satisfy 1 <= minCpu <= maxCpu <= 1024`);
  if (inputs.minMemoryGiB > inputs.maxMemoryGiB) fail("minMemoryGiB", `memory range ${inputs.minMemoryGiB}-${inputs.maxMemoryGiB} GiB must satisfy 0 < min <= max <= 8192`);
  if (f.idleTimeoutMinutes >= f.ttlMinutes) fail("idleTimeoutMinutes", "must be less than ttlMinutes");
  if (f.onlineTimeoutMinutes >= f.ttlMinutes) fail("onlineTimeoutMinutes", "must be less than ttlMinutes");
  const zones = Object.keys(f.vSwitchIds);
  for (const z of f.fallbackZones ?? []) {
    if (!zones.includes(z)) fail("fallbackZones", `${z} has no vSwitch (vSwitchIds covers ${zones.join(", ") || "nothing"})`);
  }
  if (f.runnerVersion && !f.runnerSha256) {
    fail("runnerSha256", `runnerVersion ${f.runnerVersion} needs runnerSha256 (the checksum of its linux package for this arch, from the release notes)`);
  }
  return inputs;
});

/** The guide's preset zones in cn-hangzhou; elsewhere every zone that has a vSwitch. */
function defaultFallbackZones(arch: Arch, zonesWithVSwitch: readonly string[]): string[] {
  const inRegion = GUIDE_FALLBACK_ZONES[arch].filter((z) => zonesWithVSwitch.includes(z));
  return inRegion.length > 0 ? inRegion : [...zonesWithVSwitch].sort();
}

/**
 * Validates raw inputs (typed values: numbers as numbers, lists as lists) and fills the defaults. Every problem
 * is reported at once, per property, so `pulumi up` shows all of them before anything is called. Absent values
 * (undefined, null, "") take the default.
 */
export function checkInputs(raw: Readonly<Record<string, unknown>>): { inputs?: SpotRunnerInputs; failures: InputFailure[] } {
  const present = Object.fromEntries(Object.entries(raw).filter(([k, v]) => k !== "__provider" && v !== undefined && v !== null && v !== ""));
  const result = inputsSchema.safeParse(present);
  if (result.success) return { inputs: result.data, failures: [] };
  return { failures: failuresOf(result.error, present) };
}

function failuresOf(error: z.ZodError, raw: Readonly<Record<string, unknown>>): InputFailure[] {
  const failures: InputFailure[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) failures.push({ property: key, reason: `is not a SpotRunner input${didYouMean(key, INPUT_KEYS)}` });
      continue;
    }
    const property = String(issue.path[0] ?? "(inputs)");
    failures.push({ property, reason: reasonOf(issue, raw[property]) });
  }
  return failures;
}

/** The issue's message, after the offending value when it is a plain value: `"sparc" is not an architecture: ...`. */
function reasonOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === "custom" && (issue.params as { sentence?: boolean } | undefined)?.sentence) return issue.message;
  if (value === undefined) return `is required: ${issue.message}`;
  const inner = issue.path.slice(1);
  if (inner.length > 0) {
    // An item of a list or map: name it and show it.
    let item: unknown = value;
    for (const key of inner) item = (item as Record<PropertyKey, unknown> | undefined)?.[key as never];
    return `${inner.join(".")}: ${JSON.stringify(item)} ${issue.message}`;
  }
  return typeof value === "object" ? issue.message : `${JSON.stringify(value)} ${issue.message}`;
}

/** " (did you mean minCpu?)" when a known key is close; "" otherwise. */
export function didYouMean(key: string, known: readonly string[]): string {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean ${best.key}?)` : "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
