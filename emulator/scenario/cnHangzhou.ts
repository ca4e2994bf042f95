/**
 * The bundled default scenario: cn-hangzhou as the committed catalog describes it (209 real instance types,
 * public pay-as-you-go prices, observed spot ratios and zones), with the guide's network, images, one root key
 * and the dianplus/openresty GitHub side. Where the catalog has no observation, the values are generated here,
 * deterministically, so every build is the same.
 */
import { CatalogInstanceType, cnHangzhouCatalog } from "./catalogData";
import {
  EMULATOR_ACCOUNT_ID,
  EMULATOR_REGION_ID,
  EMULATOR_ROOT_ACCESS_KEY,
  emulatorGitHub,
  guideNetwork,
  hangzhouRegion,
  publicImages,
} from "./common";
import type { Scenario, ScenarioInstanceType, ScenarioOffering } from "./types";

/** The guide's vSwitch zones: AMD64 in b/g/h/i/j/k, ARM64 in b/j/k (a subset). */
const VSWITCH_ZONE_LETTERS = ["b", "g", "h", "i", "j", "k"] as const;

/** Share of (type, zone) pairs without an observation that are priced as scarce (0.30-1.0 of pay-as-you-go). */
const SCARCE_SHARE = 0.05;
/** Share of all (type, zone) pairs that are sold out (spotStock 0). */
const SOLD_OUT_SHARE = 0.02;

export function buildCnHangzhouScenario(): Scenario {
  const catalog = cnHangzhouCatalog;
  const network = guideNetwork(VSWITCH_ZONE_LETTERS);
  return {
    description:
      `cn-hangzhou from the ${catalog.snapshot.onDemandPrices} price snapshot: ${catalog.instanceTypes.length} real instance types, ` +
      "public pay-as-you-go prices, observed spot ratios and zones where known (see emulator/scenario/README.md)",
    accountId: EMULATOR_ACCOUNT_ID,
    regions: [hangzhouRegion(catalog.zones.map((zoneId) => zoneId.slice(`${EMULATOR_REGION_ID}-`.length)))],
    instanceTypes: catalog.instanceTypes.map(toInstanceType),
    offerings: catalog.instanceTypes.flatMap((type) => type.zones.map((zoneId) => toOffering(type, zoneId))),
    vpcs: network.vpcs,
    vSwitches: network.vSwitches,
    securityGroups: network.securityGroups,
    images: publicImages(),
    accessKeys: [EMULATOR_ROOT_ACCESS_KEY],
    github: emulatorGitHub(),
  };
}

function toInstanceType(type: CatalogInstanceType): ScenarioInstanceType {
  return {
    instanceTypeId: type.id,
    instanceTypeFamily: type.family,
    cpuCoreCount: type.vcpu,
    memorySize: type.memoryGiB,
    cpuArchitecture: type.arch,
    instanceFamilyLevel: cnHangzhouCatalog.families[type.family]?.level ?? "EnterpriseLevel",
    onDemandPrice: type.onDemand,
  };
}

function toOffering(type: CatalogInstanceType, zoneId: string): ScenarioOffering {
  const pair = `${type.id}|${zoneId}`;
  const soldOut = unitHash(`stock|${pair}`) < SOLD_OUT_SHARE;
  const ratio = type.spotRatioByZone?.[zoneId] ?? generatedSpotRatio(type, pair);
  return {
    regionId: EMULATOR_REGION_ID,
    zoneId,
    instanceTypeId: type.id,
    ...(soldOut ? { spotStock: 0 } : {}),
    spotPrice: { model: { ratio, seed: stableHash(pair) } },
    interruptionRate: generatedInterruptionRate(zoneId, pair, ratio),
  };
}

/**
 * A synthetic interruption rate (percent; DescribeSpotAdvice's InterruptionRate) for a pair. No interruption data
 * for cn-hangzhou was collected, so every rate here is made up, deterministically, to give the advisor and the
 * replay benchmark real trade-offs: rates vary by type and by zone, a zone's pairs lean the same way (some zones
 * are busier), and scarce pairs (spot at 0.30 or more of pay-as-you-go, i.e. in demand) sit in the top band.
 * Of the 754 pairs, 318 (42%) fall in "0-3%", 266 (35%) in "3-5%", 127 (17%) in "5-10%" and 43 (6%) in "10-100%"
 * (rates 10-25%); zone k leans calm, zones b and h busy.
 */
export function generatedInterruptionRate(zoneId: string, pair: string, spotRatio: number): number {
  const within = unitHash(`interrupt-rate|${pair}`);
  if (spotRatio >= 0.3) return round1(10 + 15 * within);
  // The zone's lean and the pair's own draw, mixed so the bands still cover every zone.
  const score = 0.65 * unitHash(`interrupt|${pair}`) + 0.35 * unitHash(`zone-busy|${zoneId}`);
  if (score < 0.45) return round1(3 * within);
  if (score < 0.7) return round1(3 + 2 * within);
  if (score < 0.88) return round1(5 + 5 * within);
  return round1(10 + 15 * within);
}

/**
 * A spot ratio for a pair the catalog has no observation for, in the ranges observed in cn-hangzhou: current
 * families (gen 7 and later, and u1/e) at 0.19-0.22 of pay-as-you-go, older ones (gen 6 and earlier) deeper at
 * 0.14-0.18 (r5 and i2 sat at 0.09-0.14 in the same snapshot), and a few scarce pairs at 0.30-1.0.
 */
export function generatedSpotRatio(type: CatalogInstanceType, pair: string): number {
  const u = unitHash(`ratio|${pair}`);
  if (unitHash(`scarce|${pair}`) < SCARCE_SHARE) return round3(0.3 + 0.7 * u);
  const generation = cnHangzhouCatalog.families[type.family]?.generation ?? null;
  return generation !== null && generation <= 6 ? round3(0.14 + 0.04 * u) : round3(0.19 + 0.03 * u);
}

/**
 * FNV-1a (32 bits) with MurmurHash3's final mix: stable and dependency-free, so generated values never change
 * between runs or Node versions. The mix matters: plain FNV-1a clusters keys that differ only in the last
 * character (zone letters), which made whole rows of zones sell out together.
 */
function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A deterministic number in [0, 1) for a key. */
function unitHash(key: string): number {
  return stableHash(key) / 2 ** 32;
}

/** One decimal: the rate is a percentage, and "2.9" must stay in the band "0-3%" on the wire. */
function round1(n: number): number {
  return Math.floor(n * 10) / 10;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
