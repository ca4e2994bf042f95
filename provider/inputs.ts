import { Arch, defaultAdviceRequest, normalizeArch } from "./advisor";

/**
 * The SpotRunner's inputs as the provider sees them: plain values, every default filled in by `check`, so
 * what is stored in state is explicit and `diff` compares like with like.
 */
export interface SpotRunnerInputs {
  readonly arch: Arch;
  readonly region: string;
  readonly vSwitchIds: Readonly<Record<string, string>>;
  readonly securityGroupId: string;
  readonly imageId: string;
  readonly namePrefix: string;
  readonly githubRepository?: string;
  readonly githubOrganization?: string;
  readonly runnerGroupId: number;
  readonly labels: readonly string[];
  readonly minCpu: number;
  readonly maxCpu: number;
  readonly minMemoryGiB: number;
  readonly maxMemoryGiB: number;
  readonly ratios: readonly number[];
  readonly families: readonly string[];
  readonly priceWindowMinutes: number;
  readonly spotStrategy: "SpotWithPriceLimit" | "SpotAsPriceGo";
  readonly priceLimitFactor: number;
  readonly spotDuration: 0 | 1;
  /** false: a type that offers no protection period is launched without one instead of being skipped. */
  readonly requireSpotDuration: boolean;
  readonly ttlMinutes: number;
  readonly idleTimeoutMinutes: number;
  readonly bootTimeoutMinutes: number;
  readonly onlineTimeoutMinutes: number;
  readonly systemDiskCategory: string;
  readonly systemDiskSizeGiB: number;
  readonly internetMaxBandwidthOut: number;
  readonly fallbackZones: readonly string[];
  readonly maxLaunchAttempts: number;
  readonly runnerVersion?: string;
  readonly runnerSha256?: string;
  readonly runnerDownloadUrl?: string;
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
  readonly stackName?: string;
  readonly runId?: string;
}

/** Every input key, for diff: a change to any of them replaces the runner. */
export const INPUT_KEYS = [
  "arch", "region", "vSwitchIds", "securityGroupId", "imageId", "namePrefix", "githubRepository", "githubOrganization",
  "runnerGroupId", "labels", "minCpu", "maxCpu", "minMemoryGiB", "maxMemoryGiB", "ratios", "families",
  "priceWindowMinutes", "spotStrategy", "priceLimitFactor", "spotDuration", "requireSpotDuration", "ttlMinutes", "idleTimeoutMinutes",
  "bootTimeoutMinutes", "onlineTimeoutMinutes", "systemDiskCategory", "systemDiskSizeGiB", "internetMaxBandwidthOut",
  "fallbackZones", "maxLaunchAttempts", "runnerVersion", "runnerSha256", "runnerDownloadUrl", "httpProxy", "httpsProxy", "noProxy",
  "stackName", "runId",
] as const satisfies readonly (keyof SpotRunnerInputs)[];
// Compile-time guard: adding an input without listing it here fails the type check.
const inputKeysComplete: Exclude<keyof SpotRunnerInputs, (typeof INPUT_KEYS)[number]> extends never ? true : never = true;
void inputKeysComplete;

export interface InputFailure {
  readonly property: string;
  readonly reason: string;
}

/** The guide's preset zones, tried after the advisor's zones when a vSwitch exists there. */
export const GUIDE_FALLBACK_ZONES: Readonly<Record<Arch, readonly string[]>> = {
  arm64: ["cn-hangzhou-b", "cn-hangzhou-j", "cn-hangzhou-k"],
  amd64: ["cn-hangzhou-b", "cn-hangzhou-g", "cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"],
};

export const DEFAULTS = {
  runnerGroupId: 1,
  priceWindowMinutes: 60,
  spotStrategy: "SpotWithPriceLimit" as const,
  priceLimitFactor: 1.2,
  /** One hour without reclaim: a build of the guide's size fits, and a reclaim mid-build costs more than ~10%. */
  spotDuration: 1 as const,
  /** The protection period is what spotDuration asks for; dropping it silently would break that promise. */
  requireSpotDuration: true,
  ttlMinutes: 120,
  idleTimeoutMinutes: 20,
  bootTimeoutMinutes: 5,
  onlineTimeoutMinutes: 10,
  systemDiskCategory: "cloud_essd",
  systemDiskSizeGiB: 40,
  /** The VPC has no NAT gateway: runners need a public IP to reach GitHub and registries (billed by traffic). */
  internetMaxBandwidthOut: 100,
  maxLaunchAttempts: 8,
};

/** AutoReleaseTime must be at least 30 minutes ahead; the API rejects less. */
export const MIN_TTL_MINUTES = 30;
const MAX_TTL_MINUTES = 7 * 24 * 60;
const DISK_CATEGORIES = ["cloud_essd", "cloud_essd_entry", "cloud_auto", "cloud_ssd", "cloud_efficiency"];
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;
const LABEL = /^[A-Za-z0-9._-]{1,100}$/;

type Raw = Record<string, unknown>;

/**
 * Validates raw inputs and fills defaults. Every problem is reported at once, per property, so `pulumi up`
 * shows all of them before anything is called.
 */
export function checkInputs(raw: Raw): { inputs?: SpotRunnerInputs; failures: InputFailure[] } {
  const failures: InputFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });

  let arch: Arch | undefined;
  try {
    arch = normalizeArch(String(raw.arch ?? ""));
  } catch {
    fail("arch", `"${raw.arch ?? ""}" is not an architecture: use amd64 or arm64 (x86_64, aarch64 accepted)`);
  }

  const region = str(raw.region);
  if (!/^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/.test(region)) fail("region", `"${region}" is not a region id such as cn-hangzhou`);

  const vSwitchIds = stringMap(raw.vSwitchIds);
  if (!vSwitchIds || Object.keys(vSwitchIds).length === 0) {
    fail("vSwitchIds", "needs at least one zone -> vSwitch id entry (the infra stack's vSwitchIds output)");
  } else {
    for (const [zone, id] of Object.entries(vSwitchIds)) {
      if (region && !zone.startsWith(`${region}-`)) fail("vSwitchIds", `zone "${zone}" is not in region ${region}`);
      if (!/^vsw-[A-Za-z0-9]+$/.test(id)) fail("vSwitchIds", `"${id}" (zone ${zone}) is not a vSwitch id (vsw-...)`);
    }
  }
  const securityGroupId = str(raw.securityGroupId);
  if (!/^sg-[A-Za-z0-9]+$/.test(securityGroupId)) fail("securityGroupId", `"${securityGroupId}" is not a security group id (sg-...)`);
  const imageId = str(raw.imageId);
  if (!imageId || /\s/.test(imageId)) fail("imageId", "needs an image id, e.g. aliyun_3_arm64_20G_alibase_20241216.vhd or m-...");

  const namePrefix = str(raw.namePrefix);
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(namePrefix) || namePrefix.endsWith("-")) {
    fail("namePrefix", `"${namePrefix}" must be 1-20 lowercase letters, digits or hyphens, starting with a letter (e.g. openresty)`);
  }

  const githubRepository = optStr(raw.githubRepository);
  const githubOrganization = optStr(raw.githubOrganization);
  if (!githubRepository === !githubOrganization) {
    fail("githubRepository", "set exactly one of githubRepository (owner/repo) or githubOrganization");
  }
  if (githubRepository) {
    const [owner, repo, extra] = githubRepository.split("/");
    if (extra !== undefined || !GITHUB_OWNER.test(owner ?? "") || !GITHUB_REPO.test(repo ?? "")) {
      fail("githubRepository", `"${githubRepository}" is not owner/repo`);
    }
  }
  if (githubOrganization && !GITHUB_OWNER.test(githubOrganization)) {
    fail("githubOrganization", `"${githubOrganization}" is not an organization name`);
  }
  const runnerGroupId = int(raw.runnerGroupId, DEFAULTS.runnerGroupId);
  if (!(runnerGroupId >= 1)) fail("runnerGroupId", "must be a positive integer (1 is the Default group)");
  if (githubRepository && runnerGroupId !== 1) fail("runnerGroupId", "repository runners always belong to group 1; groups are for organization runners");
  const labels = strList(raw.labels) ?? [];
  for (const l of labels) if (!LABEL.test(l)) fail("labels", `"${l}" is not a valid runner label (letters, digits, . _ -)`);
  if (labels.length > 20) fail("labels", "at most 20 extra labels");

  // Without a valid arch there are no sizing defaults: only explicitly given sizes are checked then.
  const sizing = arch ? defaultAdviceRequest(arch, region || undefined) : undefined;
  const checkSizing = sizing !== undefined || raw.minCpu !== undefined || raw.maxCpu !== undefined;
  const checkMemory = sizing !== undefined || raw.minMemoryGiB !== undefined || raw.maxMemoryGiB !== undefined;
  const minCpu = int(raw.minCpu, sizing?.minCpu ?? 0);
  const maxCpu = int(raw.maxCpu, sizing?.maxCpu ?? 0);
  const minMemoryGiB = num(raw.minMemoryGiB, sizing?.minMemGiB ?? 0);
  const maxMemoryGiB = num(raw.maxMemoryGiB, sizing?.maxMemGiB ?? 0);
  if (checkSizing && !(minCpu >= 1 && minCpu <= maxCpu && maxCpu <= 1024)) fail("minCpu", `vCPU range ${minCpu}-${maxCpu} must satisfy 1 <= minCpu <= maxCpu <= 1024`);
  if (checkMemory && !(minMemoryGiB > 0 && minMemoryGiB <= maxMemoryGiB && maxMemoryGiB <= 8192)) {
    fail("minMemoryGiB", `memory range ${minMemoryGiB}-${maxMemoryGiB} GiB must satisfy 0 < min <= max <= 8192`);
  }
  const ratios = numList(raw.ratios) ?? [...(sizing?.ratios ?? [])];
  if ((sizing !== undefined || raw.ratios !== undefined) && (ratios.length === 0 || ratios.some((r) => !(r > 0 && r <= 64)))) fail("ratios", "needs one or more GiB-per-vCPU ratios, e.g. [1, 2]");
  const families = (strList(raw.families) ?? [...(sizing?.families ?? [])]).map((f) => f.trim()).filter(Boolean);
  for (const f of families) if (!/^ecs\.[a-z0-9-]+$/.test(f)) fail("families", `"${f}" is not an instance family such as ecs.c8y`);
  const priceWindowMinutes = int(raw.priceWindowMinutes, DEFAULTS.priceWindowMinutes);
  if (!(priceWindowMinutes >= 1 && priceWindowMinutes <= 30 * 24 * 60)) fail("priceWindowMinutes", "must be 1 minute to 30 days");

  const spotStrategy = str(raw.spotStrategy) || DEFAULTS.spotStrategy;
  if (spotStrategy !== "SpotWithPriceLimit" && spotStrategy !== "SpotAsPriceGo") {
    fail("spotStrategy", `"${spotStrategy}" must be SpotWithPriceLimit or SpotAsPriceGo`);
  }
  const priceLimitFactor = num(raw.priceLimitFactor, DEFAULTS.priceLimitFactor);
  if (!(priceLimitFactor >= 1 && priceLimitFactor <= 10)) fail("priceLimitFactor", "must be between 1 and 10 (1.2 = 20% above the latest price)");
  const spotDuration = int(raw.spotDuration, DEFAULTS.spotDuration);
  if (spotDuration !== 0 && spotDuration !== 1) fail("spotDuration", "must be 0 (no protection) or 1 (one hour without reclaim)");
  const requireSpotDuration = bool(raw.requireSpotDuration, DEFAULTS.requireSpotDuration);
  if (requireSpotDuration === undefined) fail("requireSpotDuration", "must be true or false");

  const ttlMinutes = int(raw.ttlMinutes, DEFAULTS.ttlMinutes);
  if (!(ttlMinutes >= MIN_TTL_MINUTES && ttlMinutes <= MAX_TTL_MINUTES)) {
    fail("ttlMinutes", `must be ${MIN_TTL_MINUTES}-${MAX_TTL_MINUTES} minutes (ECS requires AutoReleaseTime at least 30 minutes ahead)`);
  }
  const ttlValid = ttlMinutes >= MIN_TTL_MINUTES && ttlMinutes <= MAX_TTL_MINUTES;
  // Compared with the TTL only when the TTL itself is valid, so one mistake is reported once.
  const ttlBound = ttlValid ? ttlMinutes : Infinity;
  const idleTimeoutMinutes = int(raw.idleTimeoutMinutes, DEFAULTS.idleTimeoutMinutes);
  if (!(idleTimeoutMinutes >= 1 && idleTimeoutMinutes < ttlBound)) fail("idleTimeoutMinutes", "must be at least 1 and less than ttlMinutes");
  const bootTimeoutMinutes = int(raw.bootTimeoutMinutes, DEFAULTS.bootTimeoutMinutes);
  if (!(bootTimeoutMinutes >= 1 && bootTimeoutMinutes <= 30)) fail("bootTimeoutMinutes", "must be 1-30 minutes");
  const onlineTimeoutMinutes = int(raw.onlineTimeoutMinutes, DEFAULTS.onlineTimeoutMinutes);
  if (!(onlineTimeoutMinutes >= 1 && onlineTimeoutMinutes <= 60 && onlineTimeoutMinutes < ttlBound)) {
    fail("onlineTimeoutMinutes", "must be 1-60 minutes and less than ttlMinutes");
  }

  const systemDiskCategory = str(raw.systemDiskCategory) || DEFAULTS.systemDiskCategory;
  if (!DISK_CATEGORIES.includes(systemDiskCategory)) fail("systemDiskCategory", `must be one of ${DISK_CATEGORIES.join(", ")}`);
  const systemDiskSizeGiB = int(raw.systemDiskSizeGiB, DEFAULTS.systemDiskSizeGiB);
  if (!(systemDiskSizeGiB >= 20 && systemDiskSizeGiB <= 2048)) fail("systemDiskSizeGiB", "must be 20-2048 GiB");
  const internetMaxBandwidthOut = int(raw.internetMaxBandwidthOut, DEFAULTS.internetMaxBandwidthOut);
  if (!(internetMaxBandwidthOut >= 0 && internetMaxBandwidthOut <= 100)) fail("internetMaxBandwidthOut", "must be 0-100 Mbit/s");

  const zonesWithVSwitch = Object.keys(vSwitchIds ?? {});
  const explicitFallback = strList(raw.fallbackZones);
  const fallbackZones = explicitFallback ?? defaultFallbackZones(arch, zonesWithVSwitch);
  for (const z of explicitFallback ?? []) {
    if (!zonesWithVSwitch.includes(z)) fail("fallbackZones", `${z} has no vSwitch (vSwitchIds covers ${zonesWithVSwitch.join(", ") || "nothing"})`);
  }
  const maxLaunchAttempts = int(raw.maxLaunchAttempts, DEFAULTS.maxLaunchAttempts);
  if (!(maxLaunchAttempts >= 1 && maxLaunchAttempts <= 50)) fail("maxLaunchAttempts", "must be 1-50");

  const runnerDownloadUrl = optStr(raw.runnerDownloadUrl);
  const runnerVersion = optStr(raw.runnerVersion);
  if (runnerVersion && !/^\d+\.\d+\.\d+$/.test(runnerVersion)) fail("runnerVersion", `"${runnerVersion}" is not a runner version such as 2.321.0`);
  const runnerSha256 = optStr(raw.runnerSha256)?.toLowerCase();
  if (runnerSha256 && !/^[0-9a-f]{64}$/.test(runnerSha256)) fail("runnerSha256", "must be the package's SHA-256 (64 hex digits)");
  if (runnerVersion && !runnerSha256) {
    fail("runnerSha256", `runnerVersion ${runnerVersion} needs runnerSha256 (the checksum of its linux package for this arch, from the release notes)`);
  }
  const httpProxy = optStr(raw.httpProxy);
  const httpsProxy = optStr(raw.httpsProxy);
  for (const [property, value] of [["httpProxy", httpProxy], ["httpsProxy", httpsProxy], ["runnerDownloadUrl", runnerDownloadUrl]] as const) {
    if (value && !/^https?:\/\/\S+$/.test(value)) fail(property, "must be an http(s) URL");
    // User data is readable from the instance's metadata: the JIT config must stay its only secret.
    else if (value && /^https?:\/\/[^/]*@/.test(value)) fail(property, "must not carry credentials (user data is readable on the instance)");
  }
  const stackName = optStr(raw.stackName);
  const runId = optStr(raw.runId);
  if (runId && !/^[A-Za-z0-9._-]{1,64}$/.test(runId)) fail("runId", "must be 1-64 letters, digits, . _ -");

  if (failures.length > 0 || !arch) return { failures };
  const inputs: SpotRunnerInputs = {
    arch, region, vSwitchIds: vSwitchIds ?? {}, securityGroupId, imageId, namePrefix,
    ...(githubRepository ? { githubRepository } : {}),
    ...(githubOrganization ? { githubOrganization } : {}),
    runnerGroupId, labels, minCpu, maxCpu, minMemoryGiB, maxMemoryGiB, ratios, families, priceWindowMinutes,
    spotStrategy: spotStrategy as SpotRunnerInputs["spotStrategy"], priceLimitFactor, spotDuration: spotDuration as 0 | 1,
    requireSpotDuration: requireSpotDuration ?? true, ttlMinutes, idleTimeoutMinutes, bootTimeoutMinutes, onlineTimeoutMinutes, systemDiskCategory, systemDiskSizeGiB,
    internetMaxBandwidthOut, fallbackZones, maxLaunchAttempts,
    ...(runnerVersion ? { runnerVersion } : {}),
    ...(runnerSha256 ? { runnerSha256 } : {}),
    ...(runnerDownloadUrl ? { runnerDownloadUrl } : {}),
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(optStr(raw.noProxy) ? { noProxy: optStr(raw.noProxy) } : {}),
    ...(stackName ? { stackName } : {}),
    ...(runId ? { runId } : {}),
  };
  return { inputs, failures };
}

/** The guide's preset zones in cn-hangzhou; elsewhere every zone that has a vSwitch. */
function defaultFallbackZones(arch: Arch | undefined, zonesWithVSwitch: readonly string[]): string[] {
  const preset = arch ? GUIDE_FALLBACK_ZONES[arch] : [];
  const inRegion = preset.filter((z) => zonesWithVSwitch.includes(z));
  return inRegion.length > 0 ? inRegion : [...zonesWithVSwitch].sort();
}

function str(v: unknown): string {
  return typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "";
}
function optStr(v: unknown): string | undefined {
  const s = str(v);
  return s === "" ? undefined : s;
}
/** Config values arrive as numbers or numeric strings; anything else is NaN so the range checks report it. */
function num(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === "") return fallback;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : NaN;
}
function int(v: unknown, fallback: number): number {
  const n = num(v, fallback);
  return Number.isInteger(n) ? n : NaN;
}
/** true/false, or the strings Pulumi config produces; undefined for anything else. */
function bool(v: unknown, fallback: boolean): boolean | undefined {
  if (v === undefined || v === null || v === "") return fallback;
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}
function strList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v)) return v.map((s) => str(s)).filter(Boolean);
  return [String(v)];
}
function numList(v: unknown): number[] | undefined {
  const list = strList(v);
  return list?.map((s) => (s.includes(":") ? Number(s.split(":")[1]) / Number(s.split(":")[0]) : Number(s)));
}
function stringMap(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Raw)) out[k.trim()] = str(val);
  return out;
}
