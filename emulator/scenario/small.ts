/**
 * A tiny, fully explicit scenario for tests: cn-hangzhou with zones b, j and k (each with the guide's vSwitch),
 * eight real instance types (shapes and pay-as-you-go prices as in the cn-hangzhou catalog) and hand-written
 * spot price histories whose ranking is obvious. Plus a few helpers to vary it per test.
 *
 * Latest spot price (minute 0) and price per vCPU, the number the advisor ranks by (CNY/hour):
 *
 *   type                  arch  vCPU:GiB      zone b            zone j            zone k
 *   ecs.u1-c1m1.2xlarge   X86   8:8   (1:1)   -                 0.280  0.0350     0.240  0.0300   <- X86 1:1 best: k
 *   ecs.c6.2xlarge        X86   8:16  (1:2)   0.320  0.0400     -                 -
 *   ecs.c7.2xlarge        X86   8:16  (1:2)   0.312  0.0390     0.344  0.0430     0.328  0.0410
 *   ecs.c7.4xlarge        X86   16:32 (1:2)   0.592  0.0370     0.640  0.0400     0.656  0.0410   <- X86 1:2 best: b
 *   ecs.g7.2xlarge        X86   8:32  (1:4)   0.400  0.0500     0.400  0.0500     0.400  0.0500   (a three-zone tie)
 *   ecs.c8y.2xlarge       ARM   8:16  (1:2)   0.216  0.0270     0.200  0.0250     0.232  0.0290   <- ARM 1:2 best: j
 *   ecs.c8y.4xlarge       ARM   16:32 (1:2)   0.400  0.0250     0.432  0.0270     0.448  0.0280      (ties j at 0.025;
 *   ecs.g8y.2xlarge       ARM   8:32  (1:4)   0.320  0.0400     0.336  0.0420     0.336  0.0420       fewer vCPUs win)
 *
 * Exactly 8 vCPU at 1:2 (the guide's 8c16g query): X86 c7.2xlarge@b (0.0390) before c6.2xlarge@b (0.0400).
 * History: points at minutes -180, -120, -60 and 0. Two pairs move so that only the latest price ranks right:
 * c7.2xlarge@j was the cheapest X86 1:2 pair three hours ago (0.250) and has risen to 0.344; u1-c1m1.2xlarge@k
 * fell from 0.300 to 0.240. Stock is unlimited everywhere. No interruption rates (every pair 0, band "0-3%", never
 * reclaimed): a test that needs bands sets them with withOffering(s, {zoneId, instanceTypeId, interruptionRate}).
 */
import {
  EMULATOR_ACCOUNT_ID,
  EMULATOR_REGION_ID,
  EMULATOR_ROOT_ACCESS_KEY,
  emulatorGitHub,
  guideNetwork,
  hangzhouRegion,
  publicImages,
} from "./common";
import type { Scenario, ScenarioAccessKey, ScenarioInstanceType, ScenarioOffering, ScenarioTiming } from "./types";

export const SMALL_START_TIME = "2026-01-01T00:00:00Z";
export const SMALL_ZONE_LETTERS = ["b", "j", "k"] as const;

/** Short enough for tests on the real clock, long enough to observe every state. */
export const SMALL_TIMING: ScenarioTiming = {
  pendingMs: 1_000,
  startingMs: 2_000,
  runnerOnlineMs: 3_000,
  releaseMs: 1_000,
  reclaimNoticeMs: 5 * 60_000,
  // Below Pending, so every state can still be seen; long enough that a client polling at once finds nothing.
  listingDelayMs: 500,
  bakeMs: 4_000,
  stopMs: 1_000,
  imageCreateMs: 3_000,
};

const SMALL_TYPES: readonly ScenarioInstanceType[] = [
  type("ecs.u1-c1m1.2xlarge", "ecs.u1", 8, 8, "X86", 1.335),
  type("ecs.c6.2xlarge", "ecs.c6", 8, 16, "X86", 1.56),
  type("ecs.c7.2xlarge", "ecs.c7", 8, 16, "X86", 1.631),
  type("ecs.c7.4xlarge", "ecs.c7", 16, 32, "X86", 3.262),
  type("ecs.g7.2xlarge", "ecs.g7", 8, 32, "X86", 2.093),
  type("ecs.c8y.2xlarge", "ecs.c8y", 8, 16, "ARM", 1.068),
  type("ecs.c8y.4xlarge", "ecs.c8y", 16, 32, "ARM", 2.135),
  type("ecs.g8y.2xlarge", "ecs.g8y", 8, 32, "ARM", 1.6),
];

/** Spot prices per pair at minutes -180, -120, -60, 0 (the last is the latest; see the table above). */
const SMALL_PRICES: Readonly<Record<string, Readonly<Partial<Record<(typeof SMALL_ZONE_LETTERS)[number], readonly number[]>>>>> = {
  "ecs.u1-c1m1.2xlarge": { j: [0.28, 0.28, 0.28, 0.28], k: [0.3, 0.3, 0.28, 0.24] },
  "ecs.c6.2xlarge": { b: [0.32, 0.32, 0.32, 0.32] },
  "ecs.c7.2xlarge": { b: [0.31, 0.312, 0.312, 0.312], j: [0.25, 0.26, 0.3, 0.344], k: [0.328, 0.328, 0.328, 0.328] },
  "ecs.c7.4xlarge": { b: [0.6, 0.6, 0.592, 0.592], j: [0.64, 0.64, 0.64, 0.64], k: [0.656, 0.656, 0.656, 0.656] },
  "ecs.g7.2xlarge": { b: [0.4, 0.4, 0.4, 0.4], j: [0.4, 0.4, 0.4, 0.4], k: [0.4, 0.4, 0.4, 0.4] },
  "ecs.c8y.2xlarge": { b: [0.216, 0.216, 0.216, 0.216], j: [0.21, 0.205, 0.2, 0.2], k: [0.232, 0.232, 0.232, 0.232] },
  "ecs.c8y.4xlarge": { b: [0.4, 0.4, 0.4, 0.4], j: [0.432, 0.432, 0.432, 0.432], k: [0.448, 0.448, 0.448, 0.448] },
  "ecs.g8y.2xlarge": { b: [0.32, 0.32, 0.32, 0.32], j: [0.336, 0.336, 0.336, 0.336], k: [0.336, 0.336, 0.336, 0.336] },
};

const HISTORY_MINUTES = [-180, -120, -60, 0] as const;

export function smallScenario(): Scenario {
  const network = guideNetwork(SMALL_ZONE_LETTERS);
  return {
    description: "small: cn-hangzhou b/j/k, 8 instance types with explicit spot price histories (emulator/scenario/small.ts)",
    accountId: EMULATOR_ACCOUNT_ID,
    startTime: SMALL_START_TIME,
    regions: [hangzhouRegion(SMALL_ZONE_LETTERS)],
    instanceTypes: SMALL_TYPES.map((t) => ({ ...t })),
    offerings: Object.entries(SMALL_PRICES).flatMap(([instanceTypeId, byZone]) =>
      SMALL_ZONE_LETTERS.flatMap((letter): ScenarioOffering[] => {
        const prices = byZone[letter];
        if (prices === undefined) return [];
        return [
          {
            regionId: EMULATOR_REGION_ID,
            zoneId: `${EMULATOR_REGION_ID}-${letter}`,
            instanceTypeId,
            spotPrice: { points: prices.map((price, i) => ({ minutes: HISTORY_MINUTES[i], price })) },
          },
        ];
      }),
    ),
    vpcs: network.vpcs,
    vSwitches: network.vSwitches,
    securityGroups: network.securityGroups,
    images: publicImages(),
    accessKeys: [EMULATOR_ROOT_ACCESS_KEY],
    github: emulatorGitHub(),
    timing: SMALL_TIMING,
  };
}

/** Identifies an offering; `regionId` defaults to the scenario's first region. */
export type OfferingPatch = Partial<ScenarioOffering> & Pick<ScenarioOffering, "zoneId" | "instanceTypeId">;

/**
 * The scenario with one offering changed (merged with `patch`) or, when the pair has none, added (then `patch`
 * needs a spotPrice). E.g. sold out: `withOffering(s, { zoneId: "cn-hangzhou-j", instanceTypeId: "ecs.c8y.2xlarge", spotStock: 0 })`;
 * interrupted at 12% an hour (band "10-100%"): `withOffering(s, { zoneId: "cn-hangzhou-j", instanceTypeId: "ecs.c8y.2xlarge", interruptionRate: 12 })`.
 */
export function withOffering(scenario: Scenario, patch: OfferingPatch): Scenario {
  const regionId = patch.regionId ?? scenario.regions[0]?.regionId;
  const matches = (o: ScenarioOffering): boolean =>
    o.regionId === regionId && o.zoneId === patch.zoneId && o.instanceTypeId === patch.instanceTypeId;
  if (scenario.offerings.some(matches)) {
    return { ...scenario, offerings: scenario.offerings.map((o) => (matches(o) ? { ...o, ...patch, regionId: o.regionId } : o)) };
  }
  if (patch.spotPrice === undefined || regionId === undefined) {
    throw new Error(
      `withOffering: there is no offering of ${patch.instanceTypeId} in ${patch.zoneId} to change; give a spotPrice to add one`,
    );
  }
  return { ...scenario, offerings: [...scenario.offerings, { ...patch, regionId, spotPrice: patch.spotPrice }] };
}

/** The scenario with `key` added, or replacing the key with the same accessKeyId (e.g. to attach policies). */
export function withAccessKey(scenario: Scenario, key: ScenarioAccessKey): Scenario {
  const exists = scenario.accessKeys.some((k) => k.accessKeyId === key.accessKeyId);
  return {
    ...scenario,
    accessKeys: exists ? scenario.accessKeys.map((k) => (k.accessKeyId === key.accessKeyId ? key : k)) : [...scenario.accessKeys, key],
  };
}

/** The scenario with some timing values changed (e.g. `{ runnerOnlineMs: 60_000 }` for a runner that is slow to come up). */
export function withTiming(scenario: Scenario, timing: Partial<ScenarioTiming>): Scenario {
  return { ...scenario, timing: { ...scenario.timing, ...timing } };
}

function type(
  id: string,
  family: string,
  vcpu: number,
  memoryGiB: number,
  arch: "X86" | "ARM",
  onDemandPrice: number,
): ScenarioInstanceType {
  return {
    instanceTypeId: id,
    instanceTypeFamily: family,
    cpuCoreCount: vcpu,
    memorySize: memoryGiB,
    cpuArchitecture: arch,
    instanceFamilyLevel: "EnterpriseLevel",
    onDemandPrice,
  };
}
