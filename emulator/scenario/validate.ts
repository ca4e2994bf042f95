/**
 * Scenario validation: everything the emulator runtime relies on, checked once at load so the runtime can trust
 * the data. Every problem is reported with its JSON path, in one ScenarioError.
 */
import { createPublicKey, KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { ScenarioError } from "./errors";
import {
  boolean,
  finiteNumber,
  identifier,
  integer,
  isoTimestamp,
  join,
  matching,
  nonEmptyString,
  nonNegativeInteger,
  nonNegativeNumber,
  oneOf,
  positiveInteger,
  positiveNumber,
  price,
  Problems,
  Reason,
  show,
  UniqueIds,
} from "./fieldChecks";
import { findJsonSyntaxError } from "./jsonSyntax";
import { cidrContains, cidrsOverlap, Ipv4Cidr, parseIpv4Cidr } from "./ipv4Cidr";
import type { Scenario } from "./types";

export { ScenarioError } from "./errors";
export type { ScenarioProblem } from "./errors";

const SCENARIO_KEYS = [
  "description",
  "accountId",
  "startTime",
  "regions",
  "instanceTypes",
  "offerings",
  "vpcs",
  "vSwitches",
  "securityGroups",
  "images",
  "accessKeys",
  "github",
  "timing",
  "interruptionSeed",
] as const;

const TIMING_KEYS = ["pendingMs", "startingMs", "runnerOnlineMs", "releaseMs", "reclaimNoticeMs", "listingDelayMs", "bakeMs", "stopMs", "imageCreateMs"] as const;

/** Region and zone ids as Aliyun spells them: lower case, digits and hyphens. */
const REGION_OR_ZONE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** GitHub login: alphanumerics and single hyphens, not at either end. */
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPO = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;

interface KnownVpc {
  readonly regionId: string | undefined;
  readonly cidr: Ipv4Cidr | undefined;
  readonly cidrText: string;
}

/** What later sections need to know about earlier ones (only entries that passed their own checks). */
interface Known {
  /** regionId -> its zone ids */
  readonly regions: Map<string, Set<string>>;
  /** instanceTypeId -> pay-as-you-go price (undefined when the price itself was invalid) */
  readonly instanceTypes: Map<string, number | undefined>;
  /** vpcId -> region and parsed CIDR */
  readonly vpcs: Map<string, KnownVpc>;
}

/** Checks `raw` against the Scenario contract and returns it typed; throws ScenarioError listing every problem. */
export function validateScenario(raw: unknown): Scenario {
  const problems = new Problems();
  checkScenario(raw, problems);
  if (problems.list.length > 0) throw new ScenarioError(problems.list);
  return raw as Scenario;
}

/**
 * Reads a scenario file (JSON) and validates it. Unreadable files, JSON syntax errors (with line and column)
 * and invalid content all throw ScenarioError naming the file.
 */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    // A byte-order mark is common in files saved by Windows editors; JSON.parse rejects it.
    text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (err as Error).message;
    throw new ScenarioError([{ path: "", message: `cannot read the file: ${why}` }], path);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError([{ path: "", message: `not valid JSON: ${describeJsonSyntaxError(err as Error, text)}` }], path);
  }
  const problems = new Problems();
  checkScenario(raw, problems);
  if (problems.list.length > 0) throw new ScenarioError(problems.list, path);
  return raw as Scenario;
}

/** People fix files by line and column; Node 20 often gives neither, so locate the error ourselves. */
function describeJsonSyntaxError(err: Error, text: string): string {
  const at = findJsonSyntaxError(text);
  if (at === undefined) return err.message;
  return `unexpected ${at.found} at line ${at.line}, column ${at.column}`;
}

function checkScenario(raw: unknown, p: Problems): void {
  const doc = p.object(raw, "", SCENARIO_KEYS);
  if (doc === undefined) return;

  p.optional(doc, "description", "", nonEmptyString);
  p.required(
    doc,
    "accountId",
    "",
    matching(/^[0-9]{1,20}$/, "1234567890123456"),
    'the numeric account id used in ARNs, e.g. "1234567890123456"',
  );
  p.optional(doc, "startTime", "", isoTimestamp);
  p.optional(doc, "interruptionSeed", "", integer);

  const known: Known = { regions: new Map(), instanceTypes: new Map(), vpcs: new Map() };
  checkRegions(doc, p, known);
  checkInstanceTypes(doc, p, known);
  checkOfferings(doc, p, known);
  checkVpcs(doc, p, known);
  checkVSwitches(doc, p, known);
  checkSecurityGroups(doc, p, known);
  checkImages(doc, p, known);
  checkAccessKeys(doc, p);
  checkGitHub(doc, p);
  checkTiming(doc, p);
}

/** Elements of a required top-level array, each with its path; nothing when the array itself is wrong. */
function elements(doc: Record<string, unknown>, key: string, p: Problems, nonEmpty?: string): [unknown, string][] {
  if (doc[key] === undefined) {
    p.add(key, `is required: an array${nonEmpty === undefined ? " (may be empty)" : ""}`);
    return [];
  }
  const list = p.array(doc[key], key, { nonEmpty });
  return list === undefined ? [] : list.map((item, i) => [item, join(key, i)]);
}

function checkRegions(doc: Record<string, unknown>, p: Problems, known: Known): void {
  const regionIds = new UniqueIds(p, "regionId");
  const zoneIds = new UniqueIds(p, "zoneId");
  const regionId = matching(REGION_OR_ZONE_ID, "cn-hangzhou");
  const zoneId = matching(REGION_OR_ZONE_ID, "cn-hangzhou-b");
  for (const [item, path] of elements(doc, "regions", p, "the emulated cloud needs at least one region")) {
    const region = p.object(item, path, ["regionId", "localName", "zones"]);
    if (region === undefined) continue;
    const id = p.required(region, "regionId", path, regionId, 'e.g. "cn-hangzhou"');
    p.required(region, "localName", path, nonEmptyString, 'the display name, e.g. "华东1（杭州）"');
    const zones = new Set<string>();
    const zonesPath = join(path, "zones");
    const list =
      region.zones === undefined
        ? (p.add(zonesPath, "is required: the region's zones, e.g. [{\"zoneId\": \"cn-hangzhou-b\", \"localName\": \"...\"}]"),
          undefined)
        : p.array(region.zones, zonesPath, { nonEmpty: "a region needs at least one zone" });
    (list ?? []).forEach((z, i) => {
      const zPath = join(zonesPath, i);
      const zone = p.object(z, zPath, ["zoneId", "localName"]);
      if (zone === undefined) return;
      const zid = p.required(zone, "zoneId", zPath, zoneId, 'e.g. "cn-hangzhou-b"');
      p.required(zone, "localName", zPath, nonEmptyString, 'the display name, e.g. "华东 1 可用区 B"');
      if (zid !== undefined && zoneIds.claim(zid, join(zPath, "zoneId"))) zones.add(zid);
    });
    if (id !== undefined && regionIds.claim(id, join(path, "regionId"))) known.regions.set(id, zones);
  }
}

function checkInstanceTypes(doc: Record<string, unknown>, p: Problems, known: Known): void {
  const ids = new UniqueIds(p, "instanceTypeId");
  const keys = [
    "instanceTypeId",
    "instanceTypeFamily",
    "cpuCoreCount",
    "memorySize",
    "cpuArchitecture",
    "instanceFamilyLevel",
    "physicalProcessorModel",
    "onDemandPrice",
    "systemDiskCategories",
    "spotDurationSupported",
  ];
  for (const [item, path] of elements(doc, "instanceTypes", p)) {
    const type = p.object(item, path, keys);
    if (type === undefined) continue;
    const id = p.required(type, "instanceTypeId", path, matching(/^ecs\.[a-z0-9-]+\.[a-z0-9-]+$/, "ecs.c7.2xlarge"), 'e.g. "ecs.c7.2xlarge"');
    const family = p.required(type, "instanceTypeFamily", path, matching(/^ecs\.[a-z0-9-]+$/, "ecs.c7"), 'e.g. "ecs.c7"');
    // DescribeInstanceTypes filters by family; a type outside its own family would never be found that way.
    if (id !== undefined && family !== undefined && !(id.startsWith(`${family}.`) || id.startsWith(`${family}-`))) {
      p.add(join(path, "instanceTypeFamily"), `"${family}" is not the family of ${id}; expected the id's prefix (e.g. ecs.c7 for ecs.c7.2xlarge, ecs.u1 for ecs.u1-c1m1.large)`);
    }
    p.required(type, "cpuCoreCount", path, positiveInteger, "the vCPU count, e.g. 8");
    p.required(type, "memorySize", path, positiveNumber, "memory in GiB, e.g. 16");
    p.required(type, "cpuArchitecture", path, oneOf(["X86", "ARM"] as const), '"X86" or "ARM" (as the API spells it)');
    p.optional(type, "instanceFamilyLevel", path, oneOf(["EnterpriseLevel", "EntryLevel", "CreditEntryLevel"] as const));
    p.optional(type, "physicalProcessorModel", path, nonEmptyString);
    const onDemand = p.required(type, "onDemandPrice", path, price, "the pay-as-you-go price per hour, e.g. 1.631");
    p.optional(type, "spotDurationSupported", path, boolean);
    if (type.systemDiskCategories !== undefined) {
      const cPath = join(path, "systemDiskCategories");
      const list = p.array(type.systemDiskCategories, cPath, { nonEmpty: 'omit it for the default, or list e.g. ["cloud_essd"]' });
      (list ?? []).forEach((c, i) => p.run(c, join(cPath, i), identifier));
    }
    if (id !== undefined && ids.claim(id, join(path, "instanceTypeId"))) known.instanceTypes.set(id, onDemand);
  }
}

function checkOfferings(doc: Record<string, unknown>, p: Problems, known: Known): void {
  const pairs = new UniqueIds(p, "offering", "a zone has one offering per type; merge them");
  for (const [item, path] of elements(doc, "offerings", p)) {
    const offering = p.object(item, path, ["regionId", "zoneId", "instanceTypeId", "spotStock", "statusCategory", "spotPrice", "interruptionRate"]);
    if (offering === undefined) continue;
    const regionId = p.required(offering, "regionId", path, identifier, 'a regionId from regions, e.g. "cn-hangzhou"');
    const zoneId = p.required(offering, "zoneId", path, identifier, "a zone of the offering's region");
    const typeId = p.required(offering, "instanceTypeId", path, identifier, "an instanceTypeId from instanceTypes");
    const zonesOk = checkRegionAndZone(p, known, path, regionId, zoneId);
    if (typeId !== undefined && !known.instanceTypes.has(typeId)) {
      p.add(join(path, "instanceTypeId"), `${show(typeId)} is not in instanceTypes; add the type or fix the id`);
    }
    if (zonesOk && typeId !== undefined) {
      pairs.claim(`${regionId}/${zoneId}/${typeId}`, path, `for ${typeId} in ${zoneId}`);
    }
    p.optional(offering, "spotStock", path, nonNegativeInteger);
    p.optional(offering, "statusCategory", path, oneOf(["WithStock", "ClosedWithStock", "WithoutStock", "ClosedWithoutStock"] as const));
    const rate = p.optional(offering, "interruptionRate", path, nonNegativeNumber);
    if (rate !== undefined && rate > 100) p.add(join(path, "interruptionRate"), `${rate} is above 100; it is a percentage`);
    const onDemand = typeId === undefined ? undefined : known.instanceTypes.get(typeId);
    if (offering.spotPrice === undefined) {
      p.add(join(path, "spotPrice"), 'is required: {"points": [{"minutes": -60, "price": 0.31}]} or {"model": {"ratio": 0.19}}');
    } else {
      checkSpotPrice(offering.spotPrice, join(path, "spotPrice"), p, typeId, onDemand);
    }
  }
}

/** Reports a regionId that is not in regions; returns the region's zones when it is. */
function checkRegion(p: Problems, known: Known, path: string, regionId: string | undefined): Set<string> | undefined {
  if (regionId === undefined) return undefined;
  const zones = known.regions.get(regionId);
  if (zones === undefined) {
    p.add(join(path, "regionId"), `${show(regionId)} is not in regions (known: ${[...known.regions.keys()].join(", ") || "none"})`);
  }
  return zones;
}

/** Reports a region that does not exist or a zone outside it; true when both are fine. */
function checkRegionAndZone(p: Problems, known: Known, path: string, regionId: string | undefined, zoneId: string | undefined): boolean {
  const zones = checkRegion(p, known, path, regionId);
  if (zones === undefined || zoneId === undefined) return false;
  if (!zones.has(zoneId)) {
    p.add(join(path, "zoneId"), `${show(zoneId)} is not a zone of region ${regionId} (zones: ${[...zones].join(", ")})`);
    return false;
  }
  return true;
}

function checkSpotPrice(value: unknown, path: string, p: Problems, typeId: string | undefined, onDemand: number | undefined): void {
  const spec = p.object(value, path, ["points", "model"]);
  if (spec === undefined) return;
  const hasPoints = spec.points !== undefined;
  const hasModel = spec.model !== undefined;
  if (hasPoints === hasModel) {
    p.add(path, `must have exactly one of "points" (explicit price rows) or "model" (a ratio of the pay-as-you-go price), ${hasPoints ? "not both" : "found neither"}`);
    return;
  }
  if (hasModel) {
    const mPath = join(path, "model");
    const model = p.object(spec.model, mPath, ["ratio", "amplitude", "seed"]);
    if (model === undefined) return;
    const ratio = p.required(model, "ratio", mPath, finiteNumber, "the spot price as a share of the pay-as-you-go price, in (0, 1], e.g. 0.19");
    if (ratio !== undefined && !(ratio > 0 && ratio <= 1)) {
      p.add(join(mPath, "ratio"), `${ratio} is outside (0, 1]; spot prices are above 0 and never above the pay-as-you-go price`);
    }
    p.optional(model, "amplitude", mPath, nonNegativeNumber);
    p.optional(model, "seed", mPath, integer);
    return;
  }
  const pointsPath = join(path, "points");
  const points = p.array(spec.points, pointsPath, { nonEmpty: "give at least one {minutes, price} row" });
  let previous: number | undefined;
  (points ?? []).forEach((raw, i) => {
    const ptPath = join(pointsPath, i);
    const point = p.object(raw, ptPath, ["minutes", "price"]);
    if (point === undefined) return;
    const minutes = p.required(point, "minutes", ptPath, finiteNumber, "minutes from the scenario start (negative = past)");
    const amount = p.required(point, "price", ptPath, price, "the spot price per hour, e.g. 0.31");
    if (minutes !== undefined) {
      if (previous !== undefined && minutes <= previous) {
        p.add(join(ptPath, "minutes"), `${minutes} does not come after the previous point (${previous}); list points in increasing minutes`);
      }
      previous = minutes;
    }
    if (amount !== undefined && onDemand !== undefined && amount > onDemand) {
      p.add(join(ptPath, "price"), `${amount} is above the pay-as-you-go price ${onDemand} of ${typeId}; a spot price never exceeds it`);
    }
  });
}

function checkVpcs(doc: Record<string, unknown>, p: Problems, known: Known): void {
  const ids = new UniqueIds(p, "vpcId");
  for (const [item, path] of elements(doc, "vpcs", p)) {
    const vpc = p.object(item, path, ["vpcId", "regionId", "vpcName", "cidrBlock"]);
    if (vpc === undefined) continue;
    const id = p.required(vpc, "vpcId", path, matching(/^vpc-[a-z0-9]+$/, "vpc-emu0001"), 'e.g. "vpc-emu0001"');
    const regionId = p.required(vpc, "regionId", path, identifier, "a regionId from regions");
    checkRegion(p, known, path, regionId);
    p.required(vpc, "vpcName", path, nonEmptyString, 'e.g. "openresty-ci-runners"');
    const cidr = p.required(vpc, "cidrBlock", path, cidrCheck, 'e.g. "172.16.0.0/16"');
    if (id !== undefined && ids.claim(id, join(path, "vpcId"))) known.vpcs.set(id, { regionId, cidr, cidrText: String(vpc.cidrBlock) });
  }
}

function checkVSwitches(doc: Record<string, unknown>, p: Problems, known: Known): void {
  const ids = new UniqueIds(p, "vSwitchId");
  const blocksByVpc = new Map<string, { cidr: Ipv4Cidr; path: string }[]>();
  for (const [item, path] of elements(doc, "vSwitches", p)) {
    const vsw = p.object(item, path, ["vSwitchId", "vpcId", "regionId", "zoneId", "vSwitchName", "cidrBlock"]);
    if (vsw === undefined) continue;
    const id = p.required(vsw, "vSwitchId", path, matching(/^vsw-[a-z0-9]+$/, "vsw-emu0001"), 'e.g. "vsw-emu0001"');
    if (id !== undefined) ids.claim(id, join(path, "vSwitchId"));
    const vpcId = p.required(vsw, "vpcId", path, identifier, "a vpcId from vpcs");
    const regionId = p.required(vsw, "regionId", path, identifier, "the region of its VPC");
    const zoneId = p.required(vsw, "zoneId", path, identifier, "a zone of its region");
    p.required(vsw, "vSwitchName", path, nonEmptyString, 'e.g. "openresty-ci-switch-b"');
    const cidr = p.required(vsw, "cidrBlock", path, cidrCheck, 'a block inside the VPC\'s, e.g. "172.16.1.0/24"');
    checkRegionAndZone(p, known, path, regionId, zoneId);
    const vpc = checkVpcReference(p, known, path, vpcId, regionId, "vSwitch");
    if (vpc === undefined || vpcId === undefined || cidr === undefined) continue;
    if (vpc.cidr !== undefined && !cidrContains(vpc.cidr, cidr)) {
      p.add(join(path, "cidrBlock"), `${vsw.cidrBlock} is not inside ${vpcId}'s block ${vpc.cidrText}; pick a block inside it`);
      continue;
    }
    const siblings = blocksByVpc.get(vpcId) ?? [];
    const clash = siblings.find((s) => cidrsOverlap(s.cidr, cidr));
    if (clash !== undefined) {
      p.add(join(path, "cidrBlock"), `${vsw.cidrBlock} overlaps the vSwitch at ${clash.path}; vSwitches of one VPC need disjoint blocks`);
    }
    blocksByVpc.set(vpcId, [...siblings, { cidr, path }]);
  }
}

function checkSecurityGroups(doc: Record<string, unknown>, p: Problems, known: Known): void {
  const ids = new UniqueIds(p, "securityGroupId");
  for (const [item, path] of elements(doc, "securityGroups", p)) {
    const sg = p.object(item, path, ["securityGroupId", "vpcId", "regionId", "securityGroupName"]);
    if (sg === undefined) continue;
    const id = p.required(sg, "securityGroupId", path, matching(/^sg-[a-z0-9]+$/, "sg-emu0001"), 'e.g. "sg-emu0001"');
    if (id !== undefined) ids.claim(id, join(path, "securityGroupId"));
    const vpcId = p.required(sg, "vpcId", path, identifier, "a vpcId from vpcs");
    const regionId = p.required(sg, "regionId", path, identifier, "the region of its VPC");
    p.required(sg, "securityGroupName", path, nonEmptyString, 'e.g. "openresty-ci-sg"');
    checkRegion(p, known, path, regionId);
    checkVpcReference(p, known, path, vpcId, regionId, "security group");
  }
}

/** A vSwitch or security group belongs to an existing VPC in the same region. Returns the VPC when it exists. */
function checkVpcReference(
  p: Problems,
  known: Known,
  path: string,
  vpcId: string | undefined,
  regionId: string | undefined,
  what: string,
): KnownVpc | undefined {
  if (vpcId === undefined) return undefined;
  const vpc = known.vpcs.get(vpcId);
  if (vpc === undefined) {
    p.add(join(path, "vpcId"), `${show(vpcId)} is not in vpcs (known: ${[...known.vpcs.keys()].join(", ") || "none"})`);
    return undefined;
  }
  if (regionId !== undefined && vpc.regionId !== undefined && vpc.regionId !== regionId) {
    p.add(join(path, "regionId"), `${regionId} differs from the region of ${vpcId} (${vpc.regionId}); a ${what} lives in its VPC's region`);
  }
  return vpc;
}

function checkImages(doc: Record<string, unknown>, p: Problems, known: Known): void {
  // Public image ids are the same in every region, so an id is unique per region, not globally.
  const ids = new UniqueIds(p, "image", "list an image once per region");
  const keys = ["imageId", "regionId", "imageName", "architecture", "osType", "osName", "imageOwnerAlias", "size"];
  for (const [item, path] of elements(doc, "images", p)) {
    const image = p.object(item, path, keys);
    if (image === undefined) continue;
    const id = p.required(image, "imageId", path, identifier, 'e.g. "aliyun_3_x64_20G_alibase_20241216.vhd"');
    const regionId = p.required(image, "regionId", path, identifier, "a regionId from regions");
    const regionOk = checkRegion(p, known, path, regionId) !== undefined;
    p.required(image, "imageName", path, nonEmptyString, "the image's name");
    p.required(image, "architecture", path, oneOf(["x86_64", "arm64"] as const), '"x86_64" or "arm64"');
    p.required(image, "osType", path, oneOf(["linux", "windows"] as const), '"linux" or "windows"');
    p.required(image, "osName", path, nonEmptyString, 'e.g. "Alibaba Cloud Linux 3.2104 LTS 64 bit"');
    p.required(image, "imageOwnerAlias", path, oneOf(["system", "self", "others", "marketplace"] as const), '"system" for public images');
    p.required(image, "size", path, positiveNumber, "the image size in GiB, e.g. 20");
    if (id !== undefined && regionOk) ids.claim(`${regionId}/${id}`, join(path, "imageId"), `${show(id)} in ${regionId}`);
  }
}

function checkAccessKeys(doc: Record<string, unknown>, p: Problems): void {
  const ids = new UniqueIds(p, "accessKeyId");
  for (const [item, path] of elements(doc, "accessKeys", p)) {
    const key = p.object(item, path, ["accessKeyId", "accessKeySecret", "policies", "disabled"]);
    if (key === undefined) continue;
    const id = p.required(key, "accessKeyId", path, identifier, 'e.g. "LTAI5tEmulatorCiKey0001"');
    if (id !== undefined) ids.claim(id, join(path, "accessKeyId"));
    p.required(key, "accessKeySecret", path, identifier, "the secret the SDK signs with");
    p.optional(key, "disabled", path, boolean);
    if (key.policies !== undefined) {
      // The policy language itself is the RAM evaluator's business; here only the shape it is handed.
      const pPath = join(path, "policies");
      const list = p.array(key.policies, pPath);
      (list ?? []).forEach((doc, i) => {
        if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
          p.add(join(pPath, i), `must be a RAM policy document object ({"Version": "1", "Statement": [...]}), got ${show(doc)}`);
        }
      });
    }
  }
}

function checkGitHub(doc: Record<string, unknown>, p: Problems): void {
  if (doc.github === undefined) {
    p.add("github", 'is required: {"tokens": [], "repos": [], "orgs": []} at least');
    return;
  }
  const gh = p.object(doc.github, "github", ["tokens", "repos", "orgs", "runnerGroups", "apps"]);
  if (gh === undefined) return;

  // GitHub names are case-insensitive, so "Dianplus/OpenResty" and "dianplus/openresty" are one repository.
  const repos = new Set<string>();
  const repoIds = new UniqueIds(p, "repository", "names are case-insensitive; list each once");
  for (const [item, path] of elementsOf(gh, "repos", "github", p, 'e.g. ["dianplus/openresty"]')) {
    const repo = p.run(item, path, matching(GITHUB_REPO, "owner/repo"));
    if (repo !== undefined && repoIds.claim(repo.toLowerCase(), path, show(repo))) repos.add(repo.toLowerCase());
  }
  const orgs = new Set<string>();
  const orgIds = new UniqueIds(p, "organization", "names are case-insensitive; list each once");
  for (const [item, path] of elementsOf(gh, "orgs", "github", p, 'e.g. ["dianplus"]')) {
    const org = p.run(item, path, matching(GITHUB_LOGIN, "dianplus"));
    if (org !== undefined && orgIds.claim(org.toLowerCase(), path, show(org))) orgs.add(org.toLowerCase());
  }

  const tokenIds = new UniqueIds(p, "token", "list each token once, with all its scopes");
  for (const [item, path] of elementsOf(gh, "tokens", "github", p, 'e.g. [{"token": "ghp_...", "scopes": ["*"]}]')) {
    const token = p.object(item, path, ["token", "scopes"]);
    if (token === undefined) continue;
    const value = p.required(token, "token", path, identifier, 'the bearer token, e.g. "ghp_emulator..."');
    if (value !== undefined) tokenIds.claim(value, join(path, "token"), "(value not shown)");
    checkScopes(token, path, "token", p, { repos, orgs });
  }

  checkGitHubApps(gh, p, { repos, orgs });
  checkRunnerGroups(gh, p, orgs);
}

/** Repositories and organizations that exist, lower case (GitHub names are case-insensitive). */
interface GitHubNames {
  readonly repos: ReadonlySet<string>;
  readonly orgs: ReadonlySet<string>;
}

/** `record.scopes`: required; each "*", an existing "owner/repo", or an existing org. */
function checkScopes(record: Record<string, unknown>, path: string, holder: "token" | "installation", p: Problems, names: GitHubNames): void {
  const sPath = join(path, "scopes");
  if (record.scopes === undefined) {
    p.add(sPath, `is required: what the ${holder} administers: "*", "owner/repo" or an org name`);
    return;
  }
  (p.array(record.scopes, sPath) ?? []).forEach((s, i) => {
    const scope = p.run(s, join(sPath, i), identifier);
    if (scope === undefined || scope === "*") return;
    const exists = scope.includes("/") ? names.repos.has(scope.toLowerCase()) : names.orgs.has(scope.toLowerCase());
    if (!exists) {
      p.add(join(sPath, i), `${show(scope)} is not ${scope.includes("/") ? "a repository in github.repos" : "an organization in github.orgs"}; add it there or use "*"`);
    }
  });
}

/** `github.apps`: unique App ids, an RSA public key each, installations unique across all Apps. */
function checkGitHubApps(gh: Record<string, unknown>, p: Problems, names: GitHubNames): void {
  if (gh.apps === undefined) return;
  const appIds = new UniqueIds(p, "appId");
  // GitHub numbers installations globally; the access-token route finds one by its id alone.
  const installationIds = new UniqueIds(p, "installationId", "installation ids are unique across all Apps");
  (p.array(gh.apps, "github.apps") ?? []).forEach((item, i) => {
    const path = join("github.apps", i);
    const app = p.object(item, path, ["appId", "publicKey", "installations"]);
    if (app === undefined) return;
    const appId = p.required(app, "appId", path, positiveInteger, "the App's numeric id (what GITHUB_APP_ID holds), e.g. 123456");
    if (appId !== undefined) appIds.claim(String(appId), join(path, "appId"), String(appId));
    p.required(app, "publicKey", path, rsaPublicKeyPem, 'the PEM of the public half of the App\'s key pair, "-----BEGIN PUBLIC KEY-----\\n..."');
    const hint = 'e.g. [{"installationId": 1, "scopes": ["owner/repo"]}]';
    for (const [entry, iPath] of elementsOf(app, "installations", path, p, hint)) {
      const installation = p.object(entry, iPath, ["installationId", "scopes"]);
      if (installation === undefined) continue;
      const id = p.required(installation, "installationId", iPath, positiveInteger, "the installation's numeric id (what GITHUB_APP_INSTALLATION_ID holds)");
      if (id !== undefined) installationIds.claim(String(id), join(iPath, "installationId"), String(id));
      checkScopes(installation, iPath, "installation", p, names);
    }
  });
}

function checkRunnerGroups(gh: Record<string, unknown>, p: Problems, orgs: ReadonlySet<string>): void {
  if (gh.runnerGroups === undefined) return;
  const groupIds = new UniqueIds(p, "runner group id");
  const groupNames = new UniqueIds(p, "runner group name");
  (p.array(gh.runnerGroups, "github.runnerGroups") ?? []).forEach((item, i) => {
    const path = join("github.runnerGroups", i);
    const group = p.object(item, path, ["org", "id", "name"]);
    if (group === undefined) return;
    const org = p.required(group, "org", path, identifier, "an org from github.orgs");
    const id = p.required(group, "id", path, positiveInteger, "the group id, 2 or more");
    const name = p.required(group, "name", path, nonEmptyString, 'e.g. "ci-runners"');
    if (org !== undefined && !orgs.has(org.toLowerCase())) p.add(join(path, "org"), `${show(org)} is not in github.orgs`);
    if (id === 1) p.add(join(path, "id"), 'group 1 is every org\'s implicit "Default" group; use another id');
    if (org === undefined) return;
    if (id !== undefined) groupIds.claim(`${org.toLowerCase()}/${id}`, join(path, "id"), `${id} in ${org}`);
    if (name !== undefined) groupNames.claim(`${org.toLowerCase()}/${name.toLowerCase()}`, join(path, "name"), `${show(name)} in ${org}`);
  });
}

/** Elements of a required array inside a nested object. */
function elementsOf(record: Record<string, unknown>, key: string, path: string, p: Problems, hint: string): [unknown, string][] {
  const at = join(path, key);
  if (record[key] === undefined) {
    p.add(at, `is required: ${hint} (may be empty)`);
    return [];
  }
  return (p.array(record[key], at) ?? []).map((item, i) => [item, join(at, i)]);
}

function checkTiming(doc: Record<string, unknown>, p: Problems): void {
  if (doc.timing === undefined) return;
  const timing = p.object(doc.timing, "timing", TIMING_KEYS);
  if (timing === undefined) return;
  for (const key of TIMING_KEYS) p.optional(timing, key, "timing", nonNegativeNumber);
}

/**
 * The public half of an RSA key pair, as PEM (SPKI, or PKCS#1 "RSA PUBLIC KEY"). A private key is refused even
 * though node:crypto would derive the public key from it: scenario files get shared, and the field says public.
 */
function rsaPublicKeyPem(value: unknown): string | Reason {
  const text = nonEmptyString(value);
  if (text instanceof Reason) return text;
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return new Reason("is a private key; give its public half instead (openssl pkey -in app.pem -pubout), a scenario file is no place for a secret");
  }
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    // A key copied from an environment variable often has backslash-n where the line breaks belong.
    const escaped = !text.includes("\n") && text.includes("\\n") ? ' (it has a backslash and "n" where line breaks belong: in JSON write \\n, not \\\\n)' : "";
    return new Reason(`is not a PEM public key${escaped}; expected "-----BEGIN PUBLIC KEY-----", the Base64 lines, "-----END PUBLIC KEY-----"`);
  }
  if (key.asymmetricKeyType !== "rsa") {
    return new Reason(`is not an RSA key (it is ${key.asymmetricKeyType ?? "of an unknown type"}); GitHub App keys are RSA, their JWTs are signed with RS256`);
  }
  return text;
}

function cidrCheck(value: unknown): Ipv4Cidr | Reason {
  const text = nonEmptyString(value);
  if (text instanceof Reason) return text;
  const parsed = parseIpv4Cidr(text);
  return typeof parsed === "string" ? new Reason(parsed) : parsed;
}
